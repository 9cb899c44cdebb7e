"""Options shared by `generate`, `batch` and `record`: one definition each, so the three commands take the
same model options with the same names, defaults and help, and build their `RunConfig` the same way.

Also the help placeholders: typer prints a Python type (`<bool>`, `<list[Path]>`) beside each option;
`conventional_metavars` replaces them with the usual upper-case words (`PATH`, `TEXT`, `FLOAT`) and prints
none for an on/off flag.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pipeline.render.paths import DEFAULT_FORMATS, FORMATS

if TYPE_CHECKING:
    from pipeline.run_config import RunConfig

REASONING_EFFORTS = ("minimal", "low", "medium", "high")


def _formats(values: list[str] | None) -> list[str]:
    """Checked while the command line is parsed: a typo fails once, as a usage error, before any model runs."""
    unknown = [v for v in values or [] if v not in FORMATS]
    if unknown:
        raise typer.BadParameter(f"unknown format {unknown[0]!r}; choose from {', '.join(FORMATS)}")
    return list(dict.fromkeys(values or []))


def _effort(value: str | None) -> str | None:
    if value is not None and value not in REASONING_EFFORTS:
        raise typer.BadParameter(f"{value!r}; choose from {', '.join(REASONING_EFFORTS)}")
    return value


Models = Annotated[
    list[str],
    typer.Option(
        "--model",
        "-m",
        envvar="STOCKREPORT_MODEL",
        metavar="MODEL",
        help="offline (default), openai:gpt-5.2, provider:model, openai-compatible:NAME with --base-url, "
        'local:smollm2 or local:FILE.gguf (llama.cpp in process; pip install "stockreport[local]"), '
        "replay:NAME. Repeat it for several models (generate, batch: one page per ticker with a switch "
        "between them; record: each model in turn).",
    ),
]
Out = Annotated[Path, typer.Option("--out", "-o", help="Output root; reports go to OUT/<TICKER>/.")]
Formats = Annotated[
    list[str],
    typer.Option("--format", "-f", callback=_formats, help=f"{', '.join(FORMATS)} (repeatable)."),
]
BaseUrl = Annotated[str | None, typer.Option(help="Server URL for openai-compatible models.")]
Temperature = Annotated[float | None, typer.Option(help="Sampling temperature, where the model takes it.")]
ReasoningEffort = Annotated[
    str | None,
    typer.Option(callback=_effort, help=f"{'|'.join(REASONING_EFFORTS)}, for reasoning models."),
]
Timeout = Annotated[
    float | None,
    typer.Option(
        metavar="SECONDS",
        min=0.1,
        help="Seconds per model request (default per provider: 60 hosted, 120 --base-url, 300 local).",
    ),
]
MaxTokens = Annotated[int | None, typer.Option(help="Output token cap per request.")]
MaxTranscriptTokens = Annotated[int | None, typer.Option(help="Token budget for the transcript.")]
StrictNumbers = Annotated[
    bool,
    typer.Option(
        "--strict-numbers/--flag-numbers",
        help="Drop sentences whose numbers do not check out (default: keep and flag them).",
    ),
]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Bypass the local answer cache.")]
CacheDir = Annotated[Path | None, typer.Option(help="Answer cache folder (default: $STOCKREPORT_CACHE).")]

DEFAULT_MODELS = ["offline"]
DEFAULT_FORMATS_LIST = list(DEFAULT_FORMATS)
DEFAULT_TIMEOUT: float | None = None  # the provider's own (CallBudget)


def run_config(
    *,
    models: list[str],
    out: Path = Path("outputs"),
    formats: list[str] | tuple[str, ...] = DEFAULT_FORMATS,
    base_url: str | None = None,
    temperature: float | None = None,
    reasoning_effort: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    max_tokens: int | None = None,
    max_transcript_tokens: int | None = None,
    strict_numbers: bool = False,
    no_cache: bool = False,
    cache_dir: Path | None = None,
    force: bool = False,
) -> RunConfig:
    """The RunConfig of a command line: the first --model leads the page, the others get a switch."""
    from pipeline.errors import StockreportError
    from pipeline.run_config import RunConfig

    names = list(dict.fromkeys(m.strip() for m in models or DEFAULT_MODELS if m.strip()))
    if not names:
        raise StockreportError("--model names no model")
    cache = (
        None
        if no_cache
        else (
            cache_dir
            or (Path(os.environ["STOCKREPORT_CACHE"]) if os.environ.get("STOCKREPORT_CACHE") else None)
        )
    )
    return RunConfig(
        model=names[0],
        more_models=tuple(names[1:]),
        out=out,
        formats=tuple(dict.fromkeys(formats)),
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


_TYPE_WORDS = {"str": "TEXT", "int": "INTEGER", "float": "FLOAT", "Path": "PATH", "bool": "BOOLEAN"}


def _type_word(param: Any) -> str:
    """'list[Path]' -> 'PATH', 'int' -> 'INTEGER', an Enum -> its values 'A|B'."""
    desc = getattr(param, "type_descriptor", None)
    if desc is not None and desc.is_choice and desc.choices:
        return "|".join(str(getattr(c, "value", c)) for c in desc.choices)
    bare = param.bare_type() if hasattr(param, "bare_type") else "str"
    inner = bare[5:-1] if bare.startswith("list[") else bare
    return _TYPE_WORDS.get(inner, inner.upper())


def conventional_metavars(command: Any) -> None:
    """Give every parameter of a click command tree a conventional placeholder, where none was set:
    `BUNDLE_DIR...` for arguments (`[NAME]` when optional), `PATH`/`TEXT`/`FLOAT`/`INTEGER` for options that
    take a value, nothing for flags (`--help` included)."""
    for param in getattr(command, "params", []):
        if param.param_type_name == "argument":
            word = param.metavar or (param.name or "value").upper()
            word = f"{word}..." if param.nargs != 1 and not word.endswith("...") else word
            usage = word if param.required else f"[{word}]"
            param.metavar = word
            # typer prints a Python type beside an argument and braces around it in the usage line
            param.display_type_rich = lambda ctx: None
            param._usage_display_name = lambda usage=usage: usage
        elif param.metavar is None:
            flag = getattr(param, "is_flag", False) or getattr(param, "count", False)
            param.metavar = "" if flag else _type_word(param)
    help_option = getattr(command, "get_help_option", None)
    if help_option is not None:

        def without_type(ctx: Any, make: Any = help_option) -> Any:
            option = make(ctx)
            if option is not None:
                option.metavar = ""
            return option

        command.get_help_option = without_type
    for sub in getattr(command, "commands", {}).values():
        conventional_metavars(sub)
