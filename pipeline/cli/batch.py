"""`stockreport batch`: every bundle under a folder (or in a list file), concurrent, rate-limited, resumable.

Also the shared runner front end `run_cli` that `generate` uses for one or many bundles.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipeline.batch.waiting import REMOTE_TIMEOUT_S, STALL_TIMEOUT_S, Waiting
from pipeline.cli.app import app, err, out

if TYPE_CHECKING:  # the runner imports the model stack; `--help` stays fast without it
    from pipeline.batch.runner import Limits
    from pipeline.run_config import RunConfig


ModelOpt = Annotated[
    str,
    typer.Option(
        "--model",
        "-m",
        envvar="STOCKREPORT_MODEL",
        help="offline (default), openai:gpt-5.2, provider:model, openai-compatible:NAME with --base-url.",
    ),
]


def run_cli(
    bundles: list[Path], cfg: RunConfig, limits: Limits, *, manifest: bool, progress: bool, lines: bool
) -> None:
    """Run the batch, show progress and a summary; exit 1 if any ticker failed."""
    from pipeline.batch.manifest import TickerResult
    from pipeline.batch.progress import progress_bar, summary_table
    from pipeline.batch.runner import run_batch
    from pipeline.model.cost import cost_text
    from pipeline.run_config import build_model

    resolved = build_model(cfg)  # a missing key fails here, before anything is written

    def line(r: TickerResult) -> None:
        if r.status == "failed":
            if not progress:
                err.print(f"error: {r.ticker}: {r.error}", markup=False)
            return
        cost = cost_text(r.cost_usd, [resolved.model_id])
        out.print(
            f"{r.ticker}: {r.status} | {r.input_tokens}+{r.output_tokens} tokens {cost} | {r.seconds:.2f}s",
            markup=False,
        )
        for kind, path in r.paths.items():
            out.print(f"  {kind}: {path}", markup=False)

    with progress_bar(err, len(bundles), enabled=progress) as bar:

        def on_result(r: TickerResult) -> None:
            bar(r)
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
    model: ModelOpt = "offline",
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Output root; reports go to OUT/<TICKER>/.")
    ] = Path("outputs"),
    fmt: Annotated[list[str], typer.Option("--format", "-f", help="json, md, html, pdf (repeatable).")] = [  # noqa: B006
        "json",
        "md",
        "html",
    ],
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
    base_url: Annotated[
        str | None, typer.Option(help="Server URL for openai-compatible/OpenAI models.")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds per model request.")] = 60.0,
    max_tokens: Annotated[int | None, typer.Option(help="Output token cap per request.")] = None,
    strict_numbers: Annotated[bool, typer.Option("--strict-numbers/--flag-numbers")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Bypass the local answer cache.")] = False,
    cache_dir: Annotated[Path | None, typer.Option(help="Answer cache folder.")] = None,
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
    from pipeline.run_config import RunConfig

    bundles = find_bundles(source)
    cfg = RunConfig(
        model=model,
        out=out_dir,
        formats=tuple(dict.fromkeys(fmt)),
        base_url=base_url,
        timeout=timeout,
        max_tokens=max_tokens,
        strict_numbers=strict_numbers,
        no_cache=no_cache,
        cache_dir=cache_dir,
        force=force,
    )
    if via == "openai-batch" or resume_remote:
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
