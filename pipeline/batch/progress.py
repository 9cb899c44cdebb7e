"""The batch progress bar (done / failed / cached, tokens, cost, ETA) and the summary table."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from pipeline.batch.manifest import TickerResult
from pipeline.model.cost import add_costs, cost_text


@contextmanager
def progress_bar(
    console: Console, total: int, *, enabled: bool = True
) -> Iterator[Callable[[TickerResult], None]]:
    """Yields the callback the runner calls per finished ticker."""
    counts: dict[str, Any] = {
        "done": 0,
        "failed": 0,
        "cached": 0,
        "tokens": 0,
        "cost": 0.0,
        "cost_text": "$0.0000",
    }
    progress = Progress(
        TextColumn("[bold]batch"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("done {task.fields[done]} failed {task.fields[failed]} cached {task.fields[cached]}"),
        TextColumn("{task.fields[tokens]:,} tok {task.fields[cost_text]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        disable=not enabled,
        transient=False,
    )
    task = progress.add_task("batch", total=total, **counts)

    def update(r: TickerResult) -> None:
        counts[r.status] = int(counts.get(r.status, 0)) + 1
        counts["tokens"] = int(counts["tokens"]) + r.input_tokens + r.output_tokens
        counts["cost"] = add_costs([counts["cost"], r.cost_usd])
        counts["cost_text"] = cost_text(counts["cost"])
        progress.update(task, advance=1, **counts)
        if r.status == "failed" and enabled:  # without the bar the caller prints its own line
            progress.console.print(f"[red]failed[/red] {r.ticker}: {r.error}", markup=True, highlight=False)

    with progress:
        yield update


def summary_table(results: list[TickerResult], seconds: float, manifest_path: str) -> Table:
    table = Table(title=f"batch: {len(results)} tickers in {seconds:.1f}s  (manifest {manifest_path})")
    for col in ("status", "tickers", "input tok", "output tok", "cost USD", "avg s"):
        table.add_column(col, justify="right" if col != "status" else "left")
    for status in ("done", "cached", "failed"):
        rows = [r for r in results if r.status == status]
        if not rows:
            continue
        table.add_row(
            status,
            str(len(rows)),
            f"{sum(r.input_tokens for r in rows):,}",
            f"{sum(r.output_tokens for r in rows):,}",
            cost_text(add_costs(r.cost_usd for r in rows)).removeprefix("$"),
            f"{sum(r.seconds for r in rows) / len(rows):.2f}",
        )
    return table
