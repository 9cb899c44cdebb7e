"""`stockreport generate`: one or more bundles to reports (see pipeline/run.py)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipeline.cli import options as opts
from pipeline.cli.app import app, out

if TYPE_CHECKING:  # the run path imports the model stack; `--help` stays fast without it
    from pipeline.run_config import RunConfig


@app.command()
def generate(
    bundle_dirs: Annotated[list[Path], typer.Argument(help="One or more bundle directories.")],
    models: opts.Models = opts.DEFAULT_MODELS,  # noqa: B006 (typer reads the default, never mutates it)
    out_dir: opts.Out = Path("outputs"),
    fmt: opts.Formats = opts.DEFAULT_FORMATS_LIST,  # noqa: B006
    base_url: opts.BaseUrl = None,
    temperature: opts.Temperature = None,
    reasoning_effort: opts.ReasoningEffort = None,
    timeout: opts.Timeout = opts.DEFAULT_TIMEOUT,
    max_tokens: opts.MaxTokens = None,
    max_transcript_tokens: opts.MaxTranscriptTokens = None,
    strict_numbers: opts.StrictNumbers = False,
    no_cache: opts.NoCache = False,
    cache_dir: opts.CacheDir = None,
    section: Annotated[
        list[str] | None,
        typer.Option(
            "--section",
            "-s",
            help="Re-ask only this section (repeatable); the rest is kept from report.json.",
        ),
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Tickers in flight at once.")] = 4,
    rpm: Annotated[
        int | None, typer.Option(min=1, help="Client-side limit: model requests per minute.")
    ] = None,
    tpm: Annotated[
        int | None, typer.Option(min=1, help="Client-side limit: tokens per minute (estimated).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force/--resume", help="Regenerate even reports that are up to date (default).")
    ] = True,
    fail_fast: Annotated[bool, typer.Option("--fail-fast", help="Stop at the first failed ticker.")] = False,
    wait: Annotated[
        bool,
        typer.Option("--wait", help="If another run is writing to --out, wait for it instead of failing."),
    ] = False,
) -> None:
    """Generate the report of each bundle (JSON, Markdown, HTML; PDF with --format pdf).

    Many bundles run concurrently through the batch runner (see `stockreport batch`); `--resume` skips
    reports that are up to date. Several `--model`s make one report per ticker with a switch between the
    models. `--section NAME` re-asks only that section of an existing report.
    """
    from pipeline.batch.runner import Limits
    from pipeline.cli.batch import run_cli

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
    if section:
        if cfg.more_models:
            from pipeline.errors import StockreportError

            raise StockreportError("--section re-asks one model's sections: give one --model")
        _regenerate(bundle_dirs, cfg, tuple(dict.fromkeys(section)), wait=wait)
        return
    many = len(bundle_dirs) > 1
    limits = Limits(concurrency=concurrency, rpm=rpm, tpm=tpm, workers=1, fail_fast=fail_fast, wait=wait)
    run_cli(bundle_dirs, cfg, limits, manifest=many, progress=many, lines=True)


def _regenerate(bundle_dirs: list[Path], cfg: RunConfig, sections: tuple[str, ...], *, wait: bool) -> None:
    from pipeline.outdir import claim
    from pipeline.run import build_model, regenerate_sections

    resolved = build_model(cfg)
    with claim(cfg.out, wait=wait), contextlib.closing(resolved):
        for bundle_dir in bundle_dirs:
            done = regenerate_sections(
                bundle_dir, resolved, cfg.out, sections, options=cfg.narrate_options(), formats=cfg.formats
            )
            r = done.report
            by_model = ", ".join(f"{p.section}={p.model}" for p in r.provenance.sections)
            out.print(
                f"{r.ticker}: re-asked {', '.join(sections)} with {cfg.model} | sections: {by_model} | "
                f"{done.seconds:.2f}s",
                markup=False,
            )
            for kind, path in done.paths.items():
                out.print(f"  {kind}: {path}", markup=False)
