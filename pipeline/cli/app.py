"""The typer app, shared consoles, the `validate` and `schema` commands, and error handling.

Heavy modules (pandas, LangChain) are imported inside commands so `--help` stays fast.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from pipeline.errors import InputError, StockreportError, os_problem

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Turn a per-ticker data bundle into a checked analyst report.",
)
import_app = typer.Typer(no_args_is_help=True, help="Fill a bundle from real source formats.")
app.add_typer(import_app, name="import")

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

BundleDir = Annotated[Path, typer.Argument(help="Bundle directory (holds bundle.json).")]


def _show_version(value: bool) -> None:
    if value:
        from pipeline import __version__

        out.print(f"stockreport {__version__}", markup=False)
        raise typer.Exit()


@app.callback()
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    from pipeline.redact import RedactingFormatter

    handler = logging.StreamHandler()  # stderr; library debug logs may carry error bodies: mask secrets
    handler.setFormatter(RedactingFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, handlers=[handler])


@app.command()
def validate(bundle_dir: BundleDir) -> None:
    """Check a bundle; print one line per problem (file, field, value) and exit 1 if any.

    A valid bundle also gets the age of each dated part relative to its as_of, and a warning for each part
    older than its staleness threshold (docs/metrics.md, Staleness); stale data is a warning, not an error."""
    from pipeline.inputs import load_bundle
    from pipeline.metrics.freshness import part_ages
    from pipeline.metrics.names import readable
    from pipeline.metrics.share_basis import resolve_share_basis

    loaded = load_bundle(bundle_dir)
    b = loaded.bundle
    n_days = 0 if loaded.prices is None else len(loaded.prices)
    out.print(
        f"OK {b.profile.ticker} as of {b.as_of}: "
        f"{len(b.financials.periods) if b.financials else 0} statement periods, {n_days} price days, "
        f"benchmark {'yes' if loaded.benchmark is not None else 'no'}"
    )
    missing = b.missing_parts()
    if missing:
        out.print(f"missing (the report will say so): {', '.join(missing)}")
    for age in part_ages(loaded):
        out.print(f"age: {age.text}", markup=False)
        if age.stale:
            err.print(
                f"warning: stale {readable(age.part)}: {age.date.isoformat()} is more than {age.limit} before "
                f"the analysis date {b.as_of.isoformat()}; the report leaves it out of the score and shows it "
                "with its own date, never as current",
                markup=False,
            )
    basis = resolve_share_basis(b, loaded.prices, loaded.benchmark)
    for note in basis.info.notes:
        if not any(note.startswith(m.text()) for m in basis.unexplained):
            out.print(f"share basis: {note}", markup=False)
    for line in basis.warnings():
        err.print(f"warning: {line}", markup=False)


@app.command()
def schema(which: Annotated[str, typer.Argument(help="'bundle' or 'report'.")]) -> None:
    """Print the JSON Schema of the input bundle or of the report."""
    if which == "bundle":
        from pipeline.inputs.bundle import Bundle

        out.print_json(json.dumps(Bundle.model_json_schema()))
    elif which == "report":
        try:
            from pipeline.report.document import Report
        except ImportError:
            raise StockreportError("the report schema is not available in this version") from None
        out.print_json(json.dumps(Report.model_json_schema()))
    else:
        raise StockreportError(f"unknown schema {which!r}: choose 'bundle' or 'report'")


def _unexpected(exc: BaseException) -> None:
    """One line for a bug or an exhausted resource, never a traceback (it may quote anything: file
    contents, response bodies); --verbose logs the traceback, through the same redaction."""
    logging.getLogger("stockreport").debug("unexpected error", exc_info=exc)
    text = " ".join(str(exc).split())
    text = text if len(text) <= 200 else text[:197] + "..."
    err.print(
        f"error: unexpected {type(exc).__name__}{': ' + text if text else ''} "
        "(please report it; --verbose shows the traceback)",
        markup=False,
    )


def main() -> None:
    """The `stockreport` entry point: every line it prints passes through `RedactingStream`."""
    from pipeline.redact import RedactingStream

    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = RedactingStream(sys.stdout), RedactingStream(sys.stderr)  # type: ignore[assignment]
    try:
        _run()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = streams


def command() -> Any:
    """The click command tree of `app`, with conventional help placeholders (cli/options.py)."""
    from pipeline.cli.options import conventional_metavars

    cmd = typer.main.get_command(app)
    conventional_metavars(cmd)
    return cmd


def _run() -> None:
    try:
        code = command().main(prog_name="stockreport", standalone_mode=False)
        # typer (>= 0.20) returns an Exit's code instead of raising it when not standalone, Ctrl-C
        # included (KeyboardInterrupt becomes Exit(130)): a run cut short must not exit 0.
        if isinstance(code, int) and code:
            if code == 130:
                err.print("aborted")
            sys.exit(code)
    except InputError as exc:
        for problem in exc.problems:
            err.print(f"error: {problem}", markup=False)
        sys.exit(1)
    except StockreportError as exc:
        err.print(f"error: {exc}", markup=False)
        sys.exit(1)
    except OSError as exc:
        if not exc.filename:  # not a file-system error of the user's environment: a bug until shown otherwise
            _unexpected(exc)
            sys.exit(1)
        err.print(f"error: {os_problem(exc)}", markup=False)
        sys.exit(1)
    except (typer.Abort, KeyboardInterrupt):
        err.print("aborted")
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:
        # Usage errors are click's ClickException (vendored as typer._click in typer >= 0.20): duck-type
        # them so both layouts print click's one-line usage message instead of a traceback.
        show = getattr(exc, "show", None)
        if callable(show) and isinstance(getattr(exc, "exit_code", None), int):
            show()
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]
        _unexpected(exc)
        sys.exit(1)
