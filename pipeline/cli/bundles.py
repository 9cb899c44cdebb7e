"""`stockreport new`, `stockreport bundle set` and `stockreport import PART FILE`: a whole bundle by commands.

Layouts and merge rules: pipeline/inputs/importers/parts.py and docs/importing.md (examples in docs/examples/).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.app import app, err, import_app, out
from pipeline.cli.imports import AsOf, Currency, Exchange, Name, OutDir, Sector, before, report_changes

bundle_app = typer.Typer(no_args_is_help=True, help="Change fields of a bundle by command.")
app.add_typer(bundle_app, name="bundle")


@app.command("new")
def new(
    ticker: Annotated[str, typer.Argument(help="Ticker, e.g. AAPL or HK:3896.")],
    out_dir: Annotated[
        Path | None, typer.Option("--out", "-o", help="Bundle directory to create (default: ./TICKER).")
    ] = None,
    as_of: AsOf = None,
    name: Name = None,
    exchange: Exchange = None,
    currency: Currency = None,
    sector: Sector = None,
    industry: Annotated[str | None, typer.Option("--industry", help="Industry.")] = None,
    country: Annotated[str | None, typer.Option("--country", help="Country.")] = None,
) -> None:
    """Create a bundle that validates (profile and as_of only) and list the parts still missing, with the
    command that fills each."""
    from pipeline.files import ticker_dir_name
    from pipeline.inputs.importers.bundle_io import ProfileOptions
    from pipeline.inputs.importers.common import parse_date_option
    from pipeline.inputs.importers.parts import missing_with_hints, new_bundle

    target = out_dir if out_dir is not None else Path(ticker_dir_name(ticker))
    day = parse_date_option(as_of, "--as-of") or dt.date.today()
    profile = ProfileOptions(
        name=name,
        exchange=exchange,
        currency=currency.strip().upper() if currency else None,
        sector=sector,
        industry=industry,
        country=country,
    )
    b = new_bundle(ticker, target, as_of=day, profile=profile)
    out.print(
        f"created {target}: {b.profile.ticker} ({b.profile.name}) as of {b.as_of}; it validates", markup=False
    )
    out.print("missing (the report says so until they are filled):", markup=False)
    for part, hint in missing_with_hints(b, target, has_prices=False):
        out.print(f"  {part}: {hint}", markup=False)


@bundle_app.command("set")
def bundle_set(
    bundle_dir: Annotated[Path, typer.Argument(help="Bundle directory.")],
    assignments: Annotated[
        list[str] | None,
        typer.Argument(
            help="PATH=VALUE, e.g. profile.name='Marvell Technology, Inc.' market.shares_outstanding="
            "850000000 as_of=2022-12-30."
        ),
    ] = None,
    unset: Annotated[
        list[str] | None, typer.Option("--unset", help="PART.FIELD (or a whole optional PART) to remove.")
    ] = None,
) -> None:
    """Set scalar fields of the profile, market, consensus, benchmark, risk factors, earnings call or technical
    snapshot (and as_of); the bundle is validated before it is written, and each change is printed."""
    from pipeline.inputs.importers.parts import set_fields

    if not assignments and not unset:
        raise typer.BadParameter("give at least one PATH=VALUE or --unset PATH")
    old = before(bundle_dir)
    b = set_fields(bundle_dir, list(assignments or []), list(unset or []))
    out.print(f"wrote {bundle_dir}: {b.profile.ticker} as of {b.as_of}", markup=False)
    report_changes(bundle_dir, old)


def _part_command(command: str, help_text: str) -> None:
    def run(
        file: Annotated[Path, typer.Argument(help="JSON, YAML or CSV file (docs/importing.md).")],
        out_dir: OutDir,
        replace: Annotated[
            bool, typer.Option("--replace", help="Replace the whole part instead of merging into it.")
        ] = False,
    ) -> None:
        from pipeline.inputs.importers.parts import import_part

        old = before(out_dir)
        result, b = import_part(command, file, out_dir, replace=replace)
        out.print(
            f"wrote {out_dir}: {b.profile.ticker} as of {b.as_of}, {command} from {file.name}", markup=False
        )
        report_changes(out_dir, old)
        for line in result.skipped:
            err.print(f"note: {line}", markup=False)

    run.__doc__ = help_text
    import_app.command(command)(run)


def _register() -> None:
    from pipeline.inputs.importers.parts import PARTS

    for command, spec in PARTS.items():
        _part_command(command, spec.help)


_register()
