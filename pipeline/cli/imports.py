"""`stockreport import ...`: fill a bundle from real source formats (see pipeline/inputs/importers/).

Each command creates the bundle when it does not exist (a minimal profile from --name/--currency/...) or
updates it, keeping every part it does not fill; profile options given on an existing bundle replace its
values. Every change is printed (`changes.describe_changes`). Nothing dated after --as-of (or, when omitted,
after an existing bundle's as_of) enters. Errors are one line each, never a traceback (see app.main).
The part importers (profile, market, consensus, ...) and `new` / `bundle set` are in cli/bundles.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pipeline.cli.app import err, import_app, out

if TYPE_CHECKING:
    from pipeline.inputs.bundle import Bundle
    from pipeline.inputs.importers.bundle_io import ProfileOptions

OutDir = Annotated[Path, typer.Option("--out", "-o", help="Bundle directory to create or update.")]
AsOf = Annotated[
    str | None, typer.Option("--as-of", help="YYYY-MM-DD: nothing filed/priced/dated later enters.")
]
Ticker = Annotated[str, typer.Option("--ticker", "-t", help="Ticker of the bundle, e.g. AAPL.")]
Name = Annotated[str | None, typer.Option("--name", help="Company name (replaces the bundle's).")]
Exchange = Annotated[str | None, typer.Option("--exchange", help="Exchange (replaces the bundle's).")]
Currency = Annotated[
    str | None,
    typer.Option(
        "--currency",
        help="ISO 4217: the share price's currency (new bundles: USD); for sec/statements the "
        "statements' currency.",
    ),
]
Sector = Annotated[str | None, typer.Option("--sector", help="Sector (replaces the bundle's).")]


def _date(value: str | None, option: str) -> dt.date | None:
    from pipeline.inputs.importers.common import parse_date_option

    return parse_date_option(value, option)


def _profile(
    name: str | None, exchange: str | None, currency: str | None, sector: str | None
) -> ProfileOptions:
    from pipeline.inputs.importers.bundle_io import ProfileOptions

    return ProfileOptions(
        name=name, exchange=exchange, currency=currency.strip().upper() if currency else None, sector=sector
    )


def before(out_dir: Path) -> dict[str, Any] | None:
    """bundle.json as it is before an import (None when absent or unreadable: the import itself says why)."""
    from pipeline.errors import InputError
    from pipeline.inputs.importers.bundle_io import read_existing

    try:
        return read_existing(out_dir)
    except InputError:
        return None


def report_changes(out_dir: Path, old: dict[str, Any] | None) -> None:
    """One line per field or part the command changed (see changes.describe_changes)."""
    from pipeline.inputs.importers.bundle_io import read_existing
    from pipeline.inputs.importers.changes import describe_changes

    new = read_existing(out_dir)
    if new is not None:
        for line in describe_changes(old, new):
            out.print(f"  {line}", markup=False)


def _report(bundle: Bundle, out_dir: Path, what: str, old: dict[str, Any] | None = None) -> None:
    out.print(f"wrote {out_dir}: {bundle.profile.ticker} as of {bundle.as_of}, {what}", markup=False)
    report_changes(out_dir, old)


@import_app.command("sec")
def sec(
    companyfacts: Annotated[Path, typer.Argument(help="SEC companyfacts JSON (or .json.gz).")],
    ticker: Ticker,
    out_dir: OutDir,
    as_of: AsOf = None,
    name: Name = None,
    exchange: Exchange = None,
    currency: Currency = None,
    sector: Sector = None,
    years: Annotated[int, typer.Option("--years", min=0, help="Newest N fiscal years (0 = all).")] = 5,
    submissions: Annotated[
        Path | None,
        typer.Option(
            "--submissions",
            help="SEC submissions JSON of the filer: name, exchange, SIC industry, filing dates.",
        ),
    ] = None,
) -> None:
    """10-K fiscal years and the TTM from 10-Qs, from SEC XBRL companyfacts (name: the filer's, readable)."""
    from pipeline.inputs.importers.common import read_json_source
    from pipeline.inputs.importers.sec import SecDocuments, import_sec

    old = before(out_dir)
    source: Path | SecDocuments = companyfacts
    if submissions is not None:
        source = SecDocuments(
            read_json_source(companyfacts), str(companyfacts), read_json_source(submissions), str(submissions)
        )
    b = import_sec(
        source,
        out_dir,
        ticker=ticker,
        as_of=_date(as_of, "--as-of"),
        profile=_profile(name, exchange, currency, sector),
        years=years or None,
        warn=lambda line: err.print(f"warning: {line}", markup=False),
    )
    fys = b.financials.fiscal_years() if b.financials else []
    _report(b, out_dir, f"{len(fys)} fiscal years ({', '.join(p.label for p in fys)})", old)


@import_app.command("statements")
def statements(
    income: Annotated[Path, typer.Argument(help="Income statement CSV (items x dates).")],
    balance: Annotated[Path, typer.Argument(help="Balance sheet CSV.")],
    cash: Annotated[Path, typer.Argument(help="Cash-flow statement CSV.")],
    ticker: Ticker,
    out_dir: OutDir,
    as_of: AsOf = None,
    name: Name = None,
    exchange: Exchange = None,
    currency: Currency = None,
    sector: Sector = None,
    filing_lag: Annotated[
        int, typer.Option("--filing-lag-days", min=0, help="Days after a period end it counts as public.")
    ] = 90,
) -> None:
    """Yahoo-Finance-style statement CSVs (rows = line items, columns = period-end dates)."""
    from pipeline.inputs.importers.statements import import_statements

    old = before(out_dir)
    b = import_statements(
        income,
        balance,
        cash,
        out_dir,
        ticker=ticker,
        as_of=_date(as_of, "--as-of"),
        profile=_profile(name, exchange, currency, sector),
        filing_lag_days=filing_lag,
    )
    fys = b.financials.fiscal_years() if b.financials else []
    _report(b, out_dir, f"{len(fys)} fiscal years ({', '.join(p.label for p in fys)})", old)


@import_app.command("prices")
def prices(
    file: Annotated[Path, typer.Argument(help="OHLCV CSV: Yahoo, pandas-ta or long multi-ticker.")],
    ticker: Ticker,
    out_dir: OutDir,
    as_of: AsOf = None,
    file_ticker: Annotated[
        str | None,
        typer.Option("--file-ticker", help="Rows to select in a long file when they differ from --ticker."),
    ] = None,
    benchmark: Annotated[Path | None, typer.Option("--benchmark", help="Benchmark OHLCV CSV.")] = None,
    benchmark_ticker: Annotated[
        str | None,
        typer.Option("--benchmark-ticker", help="Benchmark rows in a long file (e.g. Benchmark or SPY)."),
    ] = None,
    benchmark_name: Annotated[
        str | None,
        typer.Option("--benchmark-name", help="Display name, e.g. 'SPDR S&P 500 ETF Trust (SPY)'."),
    ] = None,
    name: Name = None,
    exchange: Exchange = None,
    currency: Currency = None,
    sector: Sector = None,
) -> None:
    """Daily prices -> prices.csv (raw Close, not Adj Close), and the benchmark -> benchmark.csv."""
    from pipeline.inputs.importers.prices import import_prices

    old = before(out_dir)
    b = import_prices(
        file,
        out_dir,
        ticker=ticker,
        as_of=_date(as_of, "--as-of"),
        file_ticker=file_ticker,
        benchmark=benchmark,
        benchmark_ticker=benchmark_ticker,
        benchmark_name=benchmark_name,
        profile=_profile(name, exchange, currency, sector),
    )
    bench = f", benchmark {b.benchmark.name}" if b.benchmark else ""
    _report(b, out_dir, f"prices.csv{' + benchmark.csv' if benchmark else ''}{bench}", old)
    _price_warnings(out_dir)


def _price_warnings(out_dir: Path) -> None:
    """Split-sized overnight moves in the imported files: say what they do to the report and what to do."""
    from pipeline.inputs import load_bundle
    from pipeline.metrics.share_basis import resolve_share_basis

    loaded = load_bundle(out_dir, with_peers=False)
    for line in resolve_share_basis(loaded.bundle, loaded.prices, loaded.benchmark).warnings():
        err.print(f"warning: {line}", markup=False)


@import_app.command("transcript")
def transcript(
    file: Annotated[Path, typer.Argument(help="la83la JSON or ECTSum one-sentence-per-line text.")],
    out_dir: OutDir,
    call_date: Annotated[str | None, typer.Option("--call-date", help="YYYY-MM-DD of the call.")] = None,
    quarter: Annotated[str | None, typer.Option("--quarter", help="e.g. Q4-2020.")] = None,
    as_of: AsOf = None,
    ticker: Annotated[str | None, typer.Option("--ticker", "-t", help="Only to create a bundle.")] = None,
    name: Name = None,
    currency: Currency = None,
) -> None:
    """Store the call as transcript.json and reference it from earnings_call."""
    from pipeline.inputs.importers.transcripts import import_transcript

    old = before(out_dir)
    b = import_transcript(
        file,
        out_dir,
        call_date=_date(call_date, "--call-date"),
        quarter=quarter,
        as_of=_date(as_of, "--as-of"),
        ticker=ticker,
        profile=_profile(name, None, currency, None),
    )
    call = b.earnings_call
    _report(
        b,
        out_dir,
        f"earnings call {call.date if call else ''} {call.quarter or '' if call else ''}".rstrip(),
        old,
    )
