"""`stockreport generate`: one or more bundles to reports (see pipeline/run.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipeline.cli.app import app, out

if TYPE_CHECKING:  # the run path imports the model stack; `--help` stays fast without it
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


@app.command()
def generate(
    bundle_dirs: Annotated[list[Path], typer.Argument(help="One or more bundle directories.")],
    model: ModelOpt = "offline",
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Output root; reports go to OUT/<TICKER>/.")
    ] = Path("outputs"),
    fmt: Annotated[list[str], typer.Option("--format", "-f", help="json, md, html, pdf (repeatable).")] = [  # noqa: B006
        "json",
        "md",
        "html",
    ],
    base_url: Annotated[str | None, typer.Option(help="Server URL for openai-compatible models.")] = None,
    temperature: Annotated[
        float | None, typer.Option(help="Sampling temperature, where the model takes it.")
    ] = None,
    reasoning_effort: Annotated[
        str | None, typer.Option(help="minimal|low|medium|high, for reasoning models.")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds per model request.")] = 60.0,
    max_tokens: Annotated[int | None, typer.Option(help="Output token cap per request.")] = None,
    max_transcript_tokens: Annotated[
        int | None, typer.Option(help="Token budget for the transcript.")
    ] = None,
    strict_numbers: Annotated[
        bool,
        typer.Option(
            "--strict-numbers/--flag-numbers",
            help="Drop sentences whose numbers do not check out (default: keep and flag them).",
        ),
    ] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Bypass the local answer cache.")] = False,
    cache_dir: Annotated[Path | None, typer.Option(help="Answer cache folder.")] = None,
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
    reports that are up to date. `--section NAME` re-asks only that section of an existing report.
    """
    from pipeline.batch.runner import Limits
    from pipeline.cli.batch import run_cli
    from pipeline.run_config import RunConfig

    cache = (
        None
        if no_cache
        else (
            cache_dir
            or (Path(os.environ["STOCKREPORT_CACHE"]) if os.environ.get("STOCKREPORT_CACHE") else None)
        )
    )
    cfg = RunConfig(
        model=model,
        out=out_dir,
        formats=tuple(dict.fromkeys(fmt)),
        base_url=base_url,
        temperature=temperature,
        reasoning_effort=reasoning_effort,
        timeout=timeout,
        max_tokens=max_tokens,
        strict_numbers=strict_numbers,
        max_transcript_tokens=max_transcript_tokens,
        no_cache=no_cache,
        cache_dir=cache,
        force=force,
    )
    if section:
        _regenerate(bundle_dirs, cfg, tuple(dict.fromkeys(section)), wait=wait)
        return
    many = len(bundle_dirs) > 1
    limits = Limits(concurrency=concurrency, rpm=rpm, tpm=tpm, workers=1, fail_fast=fail_fast, wait=wait)
    run_cli(bundle_dirs, cfg, limits, manifest=many, progress=many, lines=True)


def _regenerate(bundle_dirs: list[Path], cfg: RunConfig, sections: tuple[str, ...], *, wait: bool) -> None:
    from pipeline.outdir import claim
    from pipeline.run import build_model, regenerate_sections

    resolved = build_model(cfg)
    with claim(cfg.out, wait=wait):
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
