"""`stockreport record | diff | eval`: the review workflow (see pipeline/review/ and docs/reviewing.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.app import app, out
from pipeline.errors import StockreportError


@app.command()
def record(
    bundle_dirs: Annotated[list[Path], typer.Argument(help="One or more bundle directories.")],
    model: Annotated[
        str, typer.Option("--model", "-m", help="The model to record (as for generate).")
    ] = "offline",
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Recordings root: OUT/<model>/<TICKER>/<section>.json.")
    ] = Path("fixtures/recorded"),
    base_url: Annotated[str | None, typer.Option(help="Server URL for openai-compatible models.")] = None,
    temperature: Annotated[
        float | None, typer.Option(help="Sampling temperature, where the model takes it.")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds per model request.")] = 60.0,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Replay the recordings instead and print each section's "
            "state (fresh, stale, missing); exit 1 unless all fresh.",
        ),
    ] = False,
) -> None:
    """Run the model step and store each section's raw answers for `--model replay:<model>`."""
    if check:
        from pipeline.review.replay import replay_bundle

        bad = False
        for bundle_dir in bundle_dirs:
            done = replay_bundle(bundle_dir, model, out_dir)
            for status in done.statuses:
                out.print(status.line(), markup=False)
                bad |= status.state != "fresh"
            if done.error:
                out.print(f"replay stopped: {done.error}", markup=False)
                bad = True
        if bad:
            sys.exit(1)  # typer.Exit is swallowed under standalone_mode=False
        return
    from pipeline.review.record import record_bundle
    from pipeline.run_config import RunConfig, build_model

    if model.startswith("replay:"):
        raise StockreportError("record a real model, not a replay")
    resolved = build_model(
        RunConfig(model=model, base_url=base_url, temperature=temperature, timeout=timeout)
    )
    for bundle_dir in bundle_dirs:
        paths = record_bundle(bundle_dir, resolved, out_dir)
        where = paths[0].parent if paths else out_dir
        out.print(f"recorded {len(paths)} section(s) of {bundle_dir} in {where}", markup=False)


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="Old report.json, or a folder of them.")],
    new: Annotated[Path, typer.Argument(help="New report.json, or a folder of them (matched by ticker).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="terminal or markdown.")] = "terminal",
    tolerance: Annotated[float, typer.Option(help="Score moves up to this many points do not count.")] = 0.0,
) -> None:
    """Section-aware review of two report versions; exit 1 when anything changed beyond --tolerance."""
    from pipeline.review.diff import diff_paths
    from pipeline.review.render import markdown, terminal

    if fmt not in ("terminal", "markdown"):
        raise StockreportError(f"unknown --format {fmt!r}: choose terminal or markdown")
    diffs = diff_paths(old, new, tolerance)
    if fmt == "markdown":
        typer.echo(markdown(diffs))
    else:
        out.print(terminal(diffs))
    if any(d.changed for d in diffs):
        sys.exit(1)


def _cell(t: object) -> str:
    share = getattr(t, "share", None)
    return "-" if t is None or share is None else f"{t.ok}/{t.n} {share:.0%}"  # type: ignore[attr-defined]


@app.command(name="eval")
def evaluate(
    paths: Annotated[list[Path], typer.Argument(help="report.json files or folders holding them.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output for CI.")] = False,
    reference: Annotated[Path, typer.Option(help="ECTSum reference summaries folder.")] = Path(
        "fixtures/data/transcripts/ectsum/gt_summaries"
    ),
    show_problems: Annotated[bool, typer.Option("--problems", help="List what failed, per report.")] = False,
) -> None:
    """Score reports: numbers verified, factors citing a metric, tone, length limits, ECTSum coverage."""
    from rich.table import Table

    from pipeline.review.evaluate import METRICS, evaluate_paths

    evals, total = evaluate_paths(paths, reference)
    if as_json:
        typer.echo(json.dumps({"reports": [e.as_json() for e in evals], "total": total.as_json()}, indent=1))
        return
    table = Table(
        "ticker",
        "numbers verified",
        "factors cite metric",
        "tone consistent",
        "length kept",
        "ECTSum coverage",
    )
    for e in [*evals, total]:
        table.add_row(
            e.ticker, *(_cell(getattr(e, m)) for m in METRICS), style="bold" if e is total else None
        )
    out.print(table)
    if show_problems:
        for e in evals:
            for p in e.problems:
                out.print(f"{e.ticker}: {p}", markup=False)
