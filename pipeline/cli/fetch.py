"""`stockreport fetch sec TICKER... --out DIR`: bundles from SEC EDGAR (pipeline/fetch/sec.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.app import app, err, out

fetch_app = typer.Typer(no_args_is_help=True, help="Download source data into bundles.")
app.add_typer(fetch_app, name="fetch")


def _tickers(args: list[str] | None, tickers_file: Path | None) -> list[str]:
    from pipeline.batch.discover import MAX_LIST_BYTES
    from pipeline.inputs.sources import decode_text, read_bytes

    found = [a.strip().upper() for a in args or [] if a.strip()]
    if tickers_file is not None:
        text = decode_text(
            read_bytes(tickers_file, max_bytes=MAX_LIST_BYTES), str(tickers_file), what="list file"
        )
        found += [
            ln.split("#", 1)[0].strip().upper() for ln in text.splitlines() if ln.split("#", 1)[0].strip()
        ]
    if not found:
        raise typer.BadParameter("give at least one TICKER (or --tickers-file)")
    return found


@fetch_app.command("sec")
def sec(
    tickers: Annotated[list[str] | None, typer.Argument(help="Tickers, e.g. AAPL NVDA GOOGL.")] = None,
    out_dir: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Root folder (one bundle per ticker, OUT/TICKER), or the bundle folder itself "
            "for one ticker.",
        ),
    ] = Path("bundles"),
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="YYYY-MM-DD: only facts filed on or before it (no look-ahead)."),
    ] = None,
    years: Annotated[int, typer.Option("--years", min=0, help="Newest N fiscal years (0 = all).")] = 5,
    tickers_file: Annotated[
        Path | None, typer.Option("--tickers-file", help="One ticker per line ('#' comments).")
    ] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir",
            help="HTTP cache folder (default: STOCKREPORT_CACHE or ~/.cache/stockreport, /http).",
        ),
    ] = None,
    max_age: Annotated[
        float,
        typer.Option(
            "--max-age",
            min=0,
            help="Seconds a cached answer is used without asking EDGAR; older ones are "
            "revalidated (ETag / Last-Modified).",
        ),
    ] = 3600.0,
    workers: Annotated[int, typer.Option("--workers", min=1, max=32, help="Tickers in flight.")] = 4,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Progress bar.")] = True,
) -> None:
    """Fetch SEC EDGAR's ticker map, submissions and companyfacts, and build one bundle per ticker with the
    same import as `import sec` (fair access: SEC_USER_AGENT, 10 requests/s, retries, an HTTP cache)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from pipeline.fetch.sec import TickerResult, fetch_sec, user_agent
    from pipeline.inputs.importers.common import parse_date_option
    from pipeline.user_cache import default_cache_dir

    user_agent()  # refuse before anything else (no request, no folder) when SEC_USER_AGENT is missing
    names = _tickers(tickers, tickers_file)
    day = parse_date_option(as_of, "--as-of")
    bar = Progress(
        TextColumn("[bold]fetch sec"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("failed {task.fields[failed]}"),
        TimeElapsedColumn(),
        console=err,
        disable=not progress,
        transient=False,
    )
    task = bar.add_task("sec", total=len(set(names)), failed=0)
    failed = 0

    def done(r: TickerResult) -> None:
        nonlocal failed
        failed += 0 if r.ok else 1
        bar.update(task, advance=1, failed=failed)
        for w in r.warnings:
            bar.console.print(f"warning: {r.ticker}: {w}", markup=False)
        if r.ok:
            out.print(f"{r.ticker} -> {r.out_dir}: {r.detail}", markup=False)
        else:
            err.print(f"error: {r.ticker}: {r.detail}", markup=False)

    with bar:
        run = fetch_sec(
            names,
            out_dir,
            as_of=day,
            years=years or None,
            cache_dir=cache_dir or default_cache_dir() / "http",
            max_age_s=max_age,
            workers=workers,
            on_done=done,
        )
    ok = len(run.results) - len(run.failed)
    out.print(
        f"fetched {len(run.results)} tickers in {run.seconds:.1f} s: {ok} built, {len(run.failed)} failed; "
        f"{run.stats.summary()}",
        markup=False,
    )
    if run.failed:
        sys.exit(1)  # typer.Exit is swallowed under standalone_mode=False
