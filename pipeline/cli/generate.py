"""`stockreport generate`: one or more bundles to reports (see pipeline/generate.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.app import app, out

ModelOpt = Annotated[str, typer.Option("--model", "-m", envvar="STOCKREPORT_MODEL",
                                       help="offline (default), openai:gpt-5.2, provider:model, "
                                            "openai-compatible:NAME with --base-url.")]


@app.command()
def generate(
    bundle_dirs: Annotated[list[Path], typer.Argument(help="One or more bundle directories.")],
    model: ModelOpt = "offline",
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Output root; reports go to OUT/<TICKER>/.")] = Path(
        "outputs"),
    fmt: Annotated[list[str], typer.Option("--format", "-f", help="json, md, html, pdf (repeatable).")] = [  # noqa: B006
        "json", "md", "html"],
    base_url: Annotated[str | None, typer.Option(help="Server URL for openai-compatible models.")] = None,
    temperature: Annotated[float | None, typer.Option(help="Sampling temperature, where the model takes it.")] = None,
    reasoning_effort: Annotated[str | None, typer.Option(help="minimal|low|medium|high, for reasoning models.")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds per model request.")] = 60.0,
    max_tokens: Annotated[int | None, typer.Option(help="Output token cap per request.")] = None,
    max_transcript_tokens: Annotated[int | None, typer.Option(help="Token budget for the transcript.")] = None,
    strict_numbers: Annotated[bool, typer.Option(
        "--strict-numbers/--flag-numbers",
        help="Drop sentences whose numbers do not check out (default: keep and flag them).")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Bypass the local answer cache.")] = False,
    cache_dir: Annotated[Path | None, typer.Option(help="Answer cache folder.")] = None,
) -> None:
    """Generate the report of each bundle (JSON, Markdown, HTML; PDF with --format pdf)."""
    from pipeline.generate import generate_one
    from pipeline.model.cache import AnswerCache
    from pipeline.model.select import resolve_model
    from pipeline.narrate import NarrateOptions

    resolved = resolve_model(model, base_url=base_url, temperature=temperature, reasoning_effort=reasoning_effort,
                             timeout=timeout, max_tokens=max_tokens)
    cache = None if no_cache else AnswerCache(cache_dir or (Path(os.environ["STOCKREPORT_CACHE"])
                                                            if os.environ.get("STOCKREPORT_CACHE") else None))
    options = NarrateOptions(strict_numbers=strict_numbers, max_transcript_tokens=max_transcript_tokens, cache=cache)
    for bundle_dir in bundle_dirs:
        done = generate_one(bundle_dir, resolved, out_dir, options=options, formats=tuple(fmt))
        r = done.report
        checks = r.number_checks
        verified = sum(c.status == "verified" for c in checks)
        out.print(f"{r.ticker}: {r.score.overall} {r.score.label} | numbers verified {verified}/{len(checks)} | "
                  f"flagged {len(r.flagged_sentences)} | {r.provenance.usage.input_tokens}+"
                  f"{r.provenance.usage.output_tokens} tokens ${r.provenance.cost_usd:.4f} | {done.seconds:.2f}s")
        for kind, path in done.paths.items():
            out.print(f"  {kind}: {path}")
