"""`stockreport record | diff | eval`: the review workflow (see pipeline/review/ and docs/reviewing.md)."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli import options as opts
from pipeline.cli.app import app, err, out
from pipeline.errors import StockreportError
from pipeline.review import DEFAULT_RECORDINGS


@app.command()
def record(
    bundle_dirs: Annotated[list[Path], typer.Argument(help="One or more bundle directories.")],
    models: opts.Models = opts.DEFAULT_MODELS,  # noqa: B006 (typer reads the default, never mutates it)
    out_dir: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Recordings root: OUT/<model>/<TICKER>/<section>.json "
            "(replay reads $STOCKREPORT_RECORDED, default ./recordings).",
        ),
    ] = DEFAULT_RECORDINGS,
    base_url: opts.BaseUrl = None,
    temperature: opts.Temperature = None,
    reasoning_effort: opts.ReasoningEffort = None,
    timeout: opts.Timeout = opts.DEFAULT_TIMEOUT,
    max_tokens: opts.MaxTokens = None,
    max_transcript_tokens: opts.MaxTranscriptTokens = None,
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
    cfg = opts.run_config(
        models=models,
        base_url=base_url,
        temperature=temperature,
        reasoning_effort=reasoning_effort,
        timeout=timeout,
        max_tokens=max_tokens,
        max_transcript_tokens=max_transcript_tokens,
    )
    if check:
        from pipeline.review.replay import replay_bundle

        bad = False
        for model in cfg.models:
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
    from pipeline.run_config import build_model, build_more_models

    if any(m.startswith("replay:") for m in cfg.models):
        raise StockreportError("record a real model, not a replay")
    failed = False
    for resolved in (build_model(cfg), *build_more_models(cfg)):
        with contextlib.closing(resolved):  # a local model server stops however this ends
            for bundle_dir in bundle_dirs:
                try:
                    paths = record_bundle(
                        bundle_dir, resolved, out_dir, options=cfg.narrate_options(cache=False)
                    )
                except StockreportError as exc:  # its sections up to the failed one are recorded; go on
                    err.print(f"error: {bundle_dir}: {exc} (recorded up to this section)", markup=False)
                    failed = True
                    continue
                where = paths[0].parent if paths else out_dir
                out.print(
                    f"recorded {len(paths)} section(s) of {bundle_dir} with {resolved.spec} in {where}",
                    markup=False,
                )
    if failed:
        sys.exit(1)


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
