"""Daily OHLCV CSVs in the three source layouts -> the bundle's canonical `prices.csv` / `benchmark.csv`.

Layouts (detected from the header, case-insensitively):
- Yahoo: `Date,Open,High,Low,Close,Adj Close,Volume`;
- pandas-ta: `,date,open,high,low,close,volume` (a leading unnamed index column, ignored);
- long multi-ticker (FinanceToolkit): `Date,Ticker,Open,High,Low,Close,Adj Close,Volume,...`: the rows of one
  ticker are selected.
The raw `Close` is used, never `Adj Close`: indicators and the report quote the traded price, and the
adjusted series changes retroactively with every later dividend (a look-ahead). Rows dated after
`as_of` are dropped before anything is written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from pipeline.errors import InputError, Problem
from pipeline.inputs.bundle import TICKER_RE, Bundle
from pipeline.inputs.importers.bundle_io import (
    ProfileOptions,
    commit,
    cutoff,
    open_bundle,
    read_existing,
    set_as_of,
)
from pipeline.inputs.importers.common import read_csv_source
from pipeline.inputs.prices import COLUMNS, validate_price_frame
from pipeline.inputs.sources import fail

_ALIASES = {
    "date": "Date",
    "open": "Open",
    "high": "High",
    "low": "Low",
    "close": "Close",
    "volume": "Volume",
    "ticker": "Ticker",
    "symbol": "Ticker",
}


def read_ohlcv(path: Path, ticker: str | None = None, as_of: dt.date | None = None) -> pd.DataFrame:
    """Read any supported layout; return the validated frame (DatetimeIndex; Open, High, Low, Close, Volume).

    `ticker` selects rows of a long multi-ticker file (required there, ignored otherwise).
    """
    raw = read_csv_source(path)
    rename = {c: _ALIASES[c.lower()] for c in raw.columns if c.lower() in _ALIASES}
    raw = raw.rename(columns=rename)
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise fail(
            path,
            f"not an OHLCV price file: missing column(s) {', '.join(missing)} (expected "
            "Date,Open,High,Low,Close[,Adj Close],Volume, optionally with Ticker)",
            "header",
        )
    if "Ticker" in raw.columns:
        available = sorted(raw["Ticker"].unique())
        if ticker is None or ticker not in available:
            what = "pass --ticker to choose" if ticker is None else f"no rows for ticker {ticker!r}"
            raise InputError(
                [Problem(str(path), "Ticker", f"{what}; the file holds {', '.join(available[:20])}", ticker)]
            )
        raw = raw[raw["Ticker"] == ticker]
    raw = raw[COLUMNS].reset_index(drop=True)
    # Accept other unambiguous date spellings (e.g. '2020-01-02 00:00:00'); write ISO dates.
    parsed = pd.to_datetime(raw["Date"].str.strip(), errors="coerce", format="mixed")
    raw["Date"] = parsed.dt.strftime("%Y-%m-%d").where(parsed.notna(), raw["Date"])
    if as_of is not None:
        raw = raw[~(parsed > pd.Timestamp(as_of)).to_numpy()].reset_index(drop=True)
        if raw.empty:
            raise fail(path, f"no price rows on or before --as-of {as_of}")
    return validate_price_frame(raw, str(path))


def price_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The canonical CSV text of a typed price frame (same format as `write_price_csv`)."""
    out = frame[COLUMNS[1:]].copy()
    out.index = out.index.strftime("%Y-%m-%d")
    out.index.name = "Date"
    text: str = out.to_csv(float_format="%.10g", lineterminator="\n")
    return text.encode("utf-8")


def import_prices(
    path: Path,
    out_dir: Path,
    *,
    ticker: str,
    as_of: dt.date | None = None,
    file_ticker: str | None = None,
    benchmark: Path | None = None,
    benchmark_ticker: str | None = None,
    benchmark_name: str | None = None,
    profile: ProfileOptions | None = None,
) -> Bundle:
    """`stockreport import prices`: write prices.csv (and benchmark.csv) and set `benchmark.name`."""
    out_dir = Path(out_dir)
    limit = cutoff(read_existing(out_dir) or {}, as_of)
    prices = read_ohlcv(Path(path), file_ticker or ticker, limit)
    files = {"prices.csv": price_csv_bytes(prices)}
    raw = open_bundle(out_dir, ticker, profile or ProfileOptions())
    if benchmark is not None:
        name = benchmark_name or (raw.get("benchmark") or {}).get("name")
        if not name:
            raise InputError(
                [
                    Problem(
                        "--benchmark-name",
                        "",
                        "a benchmark needs a name (e.g. 'SPDR S&P 500 ETF Trust (SPY)')",
                    )
                ]
            )
        bench = read_ohlcv(Path(benchmark), benchmark_ticker, limit)
        files["benchmark.csv"] = price_csv_bytes(bench)
        entry: dict[str, str] = {"name": name}
        if benchmark_ticker and TICKER_RE.fullmatch(benchmark_ticker):
            entry["ticker"] = benchmark_ticker  # 'Benchmark' (FinanceToolkit's label) is not a symbol
        raw["benchmark"] = entry
    elif benchmark_name:
        raw["benchmark"] = {**(raw.get("benchmark") or {}), "name": benchmark_name}
    set_as_of(raw, as_of, prices.index.max().date())
    return commit(out_dir, raw, files)
