"""`stockreport batch`: every bundle under a folder (or in a list file), concurrent, rate-limited, resumable.

Also the shared runner front end `run_cli` that `generate` uses for one or many bundles.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipeline.batch.waiting import REMOTE_TIMEOUT_S, STALL_TIMEOUT_S, Waiting
from pipeline.cli import options as opts
from pipeline.cli.app import app, err, out

if TYPE_CHECKING:  # the runner imports the model stack; `--help` stays fast without it
    from pipeline.batch.runner import Limits
    from pipeline.model.providers import ResolvedModel
    from pipeline.run_config import RunConfig


def run_cli(
    bundles: list[Path], cfg: RunConfig, limits: Limits, *, manifest: bool, progress: bool, lines: bool
) -> None:
    """Run the batch, show progress and a summary; exit 1 if any ticker failed."""
    from pipeline.run_config import build_model

    # A local model server gets one slot per ticker in flight; a missing key fails here, before anything
    # is written. The model is closed (a local server stopped) however the run ends.
    cfg = dataclasses.replace(cfg, slots=max(1, min(limits.concurrency, len(bundles))))
    resolved = build_model(cfg)
    try:
        _run_cli(bundles, cfg, limits, resolved, manifest=manifest, progress=progress, lines=lines)
    finally:
        resolved.close()


def _run_cli(
    bundles: list[Path],
    cfg: RunConfig,
    limits: Limits,
    resolved: ResolvedModel,
    *,
    manifest: bool,
    progress: bool,
    lines: bool,
) -> None:
    from pipeline.batch.manifest import TickerResult
    from pipeline.batch.progress import progress_bar, summary_table
    from pipeline.batch.runner import run_batch
    from pipeline.model.cost import cost_text

    def line(r: TickerResult) -> None:
        if r.status == "failed":
            return  # said once, by on_result
        cost = cost_text(r.cost_usd, [resolved.model_id])
        out.print(
            f"{r.ticker}: {r.status} | {r.input_tokens}+{r.output_tokens} tokens {cost} | {r.seconds:.2f}s",
            markup=False,
        )
        for kind, path in r.paths.items():
            out.print(f"  {kind}: {path}", markup=False)

    with progress_bar(err, len(bundles), enabled=progress) as bar:

        def on_result(r: TickerResult) -> None:
            bar(r)  # with the bar shown, it prints a failed ticker's line itself
            if r.status == "failed" and not progress:
                err.print(f"error: {r.ticker}: {r.error}", markup=False)
            if lines:
                line(r)

        outcome = run_batch(
            bundles, cfg, limits, on_result=on_result, resolved=resolved, write_manifest=manifest
        )
    if progress or manifest:
        err.print(
            summary_table(
                outcome.results, outcome.seconds, str(outcome.manifest.path) if manifest else "not written"
            )
        )
    if outcome.failed or len(outcome.results) < len(bundles):
        sys.exit(1)  # typer.Exit is swallowed under standalone_mode=False


@app.command()
def batch(
    source: Annotated[Path, typer.Argument(help="Folder of bundles (searched recursively) or a list file.")],
    models: opts.Models = opts.DEFAULT_MODELS,  # noqa: B006 (typer reads the default, never mutates it)
    out_dir: opts.Out = Path("outputs"),
    fmt: opts.Formats = opts.DEFAULT_FORMATS_LIST,  # noqa: B006
    concurrency: Annotated[int, typer.Option(min=1, help="Tickers in flight at once.")] = 8,
    rpm: Annotated[
        int | None, typer.Option(min=1, help="Client-side limit: model requests per minute.")
    ] = None,
    tpm: Annotated[
        int | None, typer.Option(min=1, help="Client-side limit: tokens per minute (estimated).")
    ] = None,
    workers: Annotated[
        int, typer.Option(min=0, help="Processes for the offline model (0: one per CPU).")
    ] = 0,
    force: Annotated[bool, typer.Option("--force", help="Regenerate reports that are up to date.")] = False,
    fail_fast: Annotated[bool, typer.Option("--fail-fast", help="Stop at the first failed ticker.")] = False,
    via: Annotated[
        str, typer.Option(help="'direct' (default) or 'openai-batch' (OpenAI Batch API).")
    ] = "direct",
    resume_remote: Annotated[
        str | None, typer.Option(help="Resume an OpenAI batch by id (after a restart).")
    ] = None,
    poll: Annotated[float, typer.Option(help="First poll interval in seconds for --via openai-batch.")] = 5.0,
    base_url: opts.BaseUrl = None,
    temperature: opts.Temperature = None,
    reasoning_effort: opts.ReasoningEffort = None,
    timeout: opts.Timeout = opts.DEFAULT_TIMEOUT,
    max_tokens: opts.MaxTokens = None,
    max_transcript_tokens: opts.MaxTranscriptTokens = None,
    strict_numbers: opts.StrictNumbers = False,
    no_cache: opts.NoCache = False,
    cache_dir: opts.CacheDir = None,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar (logs, CI).")] = False,
    wait: Annotated[
        bool,
        typer.Option("--wait", help="If another run is writing to --out, wait for it instead of failing."),
    ] = False,
    remote_timeout: Annotated[
        float,
        typer.Option(
            min=1, help="--via openai-batch: longest wait for one remote batch, in seconds (default 25 h)."
        ),
    ] = REMOTE_TIMEOUT_S,
    stall_timeout: Annotated[
        float,
        typer.Option(
            min=1,
            help="--via openai-batch: give up on a remote batch after this many seconds without progress.",
        ),
    ] = STALL_TIMEOUT_S,
) -> None:
    """Generate every bundle's report; writes OUT/batch-<id>.json; exit 1 if any ticker failed."""
    from pipeline.batch.discover import find_bundles
    from pipeline.batch.runner import Limits

    bundles = find_bundles(source)
    cfg = opts.run_config(
        models=models,
        out=out_dir,
        formats=fmt,
        base_url=base_url,
        temperature=temperature,
        reasoning_effort=reasoning_effort,
        timeout=timeout,
        max_tokens=max_tokens,
        max_transcript_tokens=max_transcript_tokens,
        strict_numbers=strict_numbers,
        no_cache=no_cache,
        cache_dir=cache_dir,
        force=force,
    )
    if via == "openai-batch" or resume_remote:
        if cfg.more_models:
            from pipeline.errors import StockreportError

            raise StockreportError("--via openai-batch runs one model: give one --model")
        from pipeline.batch.openai_batch import run_remote

        waiting = Waiting(poll_s=poll, timeout_s=remote_timeout, stall_s=stall_timeout)
        failed = run_remote(
            bundles, cfg, resume_id=resume_remote, waiting=waiting, console=err, wait_for_folder=wait
        )
        if failed:
            sys.exit(1)
        return
    if via != "direct":
        from pipeline.errors import StockreportError

        raise StockreportError(f"unknown --via {via!r}: choose 'direct' or 'openai-batch'")
    limits = Limits(
        concurrency=concurrency, rpm=rpm, tpm=tpm, workers=workers, fail_fast=fail_fast, wait=wait
    )
    run_cli(bundles, cfg, limits, manifest=True, progress=not no_progress, lines=False)


@app.command()
def index(
    out_dir: Annotated[
        Path, typer.Argument(help="The output folder of a batch (holds <TICKER>/report.json).")
    ],
) -> None:
    """Write OUT/index.html and OUT/index.md: every report in OUT with score, label, sub-scores, upside,
    coverage, flags, model, as-of and staleness, linking to each (also rebuilt at the end of every batch)."""
    from pipeline.errors import StockreportError
    from pipeline.outdir import claim
    from pipeline.render.index import write_index

    if not out_dir.is_dir():
        raise StockreportError(f"{out_dir}: no such folder")
    with claim(out_dir):
        done = write_index(out_dir)
    out.print(
        f"indexed {len(done.rows)} report(s) in {done.paths['html']} and {done.paths['md']}", markup=False
    )
    for folder, why in done.skipped:
        err.print(f"warning: {folder}: {why}", markup=False)
