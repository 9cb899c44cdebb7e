"""Price performance of the stock and its benchmark over 1M/3M/6M/YTD/1Y, and the price-vs-benchmark chart.

Return over a window, in percent: 100 * (C_end / C_start - 1), where C_end is the last close on or before
`as_of` and C_start the last close on or before the window's start date:

* 1M / 3M / 6M / 1Y: the same calendar day 1 / 3 / 6 / 12 months before `as_of` (pandas DateOffset, so
  31 Mar - 1M = 28/29 Feb).
* YTD: 31 Dec of the previous year (the last close of that year).

A window whose start date falls before the first close of the series has no return (None): a return over
less history than the window claims would mislead. relative = stock - benchmark, in percentage points.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from pipeline.metrics.types import ChartSeries, PerformanceRow

WINDOWS: tuple[str, ...] = ("1M", "3M", "6M", "YTD", "1Y")
_MONTHS = {"1M": 1, "3M": 3, "6M": 6, "1Y": 12}
CHART_DAYS = 252


def window_start(as_of: dt.date, window: str) -> dt.date:
    """The reference date a window's return starts from (see the module docstring)."""
    if window == "YTD":
        return dt.date(as_of.year - 1, 12, 31)
    if window not in _MONTHS:
        raise ValueError(f"unknown window {window!r}; expected one of {', '.join(WINDOWS)}")
    start: dt.date = (pd.Timestamp(as_of) - pd.DateOffset(months=_MONTHS[window])).date()
    return start


def window_returns_pct(
    close: pd.Series, as_of: dt.date, windows: tuple[str, ...] = WINDOWS
) -> dict[str, float | None]:
    """Percent return of `close` (indexed by ascending dates) over each window ending at `as_of`."""
    if close.empty:
        return {w: None for w in windows}
    index = close.index.to_numpy(dtype="datetime64[ns]")
    values = close.to_numpy(dtype=np.float64)
    # Position of the last close on or before each date (-1: no close that early), all windows at once.
    ends = np.array(
        [np.datetime64(as_of)] + [np.datetime64(window_start(as_of, w)) for w in windows],
        dtype="datetime64[ns]",
    )
    pos = np.searchsorted(index, ends, side="right") - 1
    end = pos[0]
    out: dict[str, float | None] = {}
    for w, start in zip(windows, pos[1:], strict=True):
        if end < 0 or start < 0 or values[start] <= 0:
            out[w] = None
        else:
            out[w] = 100.0 * (values[end] / values[start] - 1.0)
    return out


def performance_rows(
    close: pd.Series, benchmark_close: pd.Series | None, as_of: dt.date
) -> list[PerformanceRow]:
    """One row per window: stock, benchmark (same windows, same `as_of`) and their difference."""
    stock = window_returns_pct(close, as_of)
    bench = window_returns_pct(benchmark_close, as_of) if benchmark_close is not None else {}
    rows = []
    for w in WINDOWS:
        s, b = stock[w], bench.get(w)
        # the difference of the two returns as shown (2 decimals), so the table's columns add up
        rel = round(round(s, 2) - round(b, 2), 2) if s is not None and b is not None else None
        rows.append(PerformanceRow(window=w, stock_pct=s, benchmark_pct=b, relative_pct=rel))  # type: ignore[arg-type]
    return rows


def _or_none(values: np.ndarray) -> list[float | None]:
    return [None if not math.isfinite(v) else float(v) for v in values.tolist()]


def chart_series(
    close: pd.Series,
    sma_50: np.ndarray,
    sma_200: np.ndarray,
    benchmark_close: pd.Series | None,
    days: int = CHART_DAYS,
) -> ChartSeries:
    """The last `days` closes with their 50/200-day averages and the rebased benchmark.

    The benchmark is aligned on the stock's dates (its last close on or before each date) and multiplied by
    C_stock[i0] / C_bench[i0], where i0 is the first date of the window with a benchmark close, so both lines
    start together at the stock's price.
    """
    window = close.iloc[-days:]
    n = len(window)
    bench: list[float | None] = [None] * n
    if benchmark_close is not None and not benchmark_close.empty and n:
        aligned = benchmark_close.reindex(window.index, method="ffill").to_numpy(dtype=np.float64)
        have = np.flatnonzero(np.isfinite(aligned))
        if have.size:
            i0 = have[0]
            bench = _or_none(aligned * (window.iloc[i0] / aligned[i0]))
    return ChartSeries(
        dates=[d.date() for d in window.index],
        close=[float(v) for v in window.to_numpy(dtype=np.float64)],
        sma_50=_or_none(np.asarray(sma_50, dtype=np.float64)[-n:] if n else np.array([])),
        sma_200=_or_none(np.asarray(sma_200, dtype=np.float64)[-n:] if n else np.array([])),
        benchmark_rebased=bench,
    )
