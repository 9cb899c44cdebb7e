"""Window returns, benchmark comparison and the chart series."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from pipeline.metrics import performance as P
from pipeline.metrics.technicals_summary import summarize_technicals


@pytest.mark.parametrize(
    ("as_of", "window", "start"),
    [
        (dt.date(2022, 12, 30), "1M", dt.date(2022, 11, 30)),
        (dt.date(2024, 3, 31), "1M", dt.date(2024, 2, 29)),  # month end clamps
        (dt.date(2022, 12, 30), "3M", dt.date(2022, 9, 30)),
        (dt.date(2022, 8, 31), "6M", dt.date(2022, 2, 28)),
        (dt.date(2022, 12, 30), "1Y", dt.date(2021, 12, 30)),
        (dt.date(2022, 6, 15), "YTD", dt.date(2021, 12, 31)),
    ],
)
def test_window_start(as_of: dt.date, window: str, start: dt.date) -> None:
    assert P.window_start(as_of, window) == start


def test_unknown_window() -> None:
    with pytest.raises(ValueError, match="unknown window"):
        P.window_start(dt.date(2022, 1, 1), "2W")


def _series(start: str, end: str, fn) -> pd.Series:  # type: ignore[no-untyped-def]
    idx = pd.bdate_range(start, end, name="Date")
    return pd.Series(fn(np.arange(len(idx))), index=idx, dtype=float)


def test_returns_use_last_close_on_or_before_each_date() -> None:
    close = _series("2021-01-01", "2022-12-30", lambda i: 100.0 + i)
    r = P.window_returns_pct(close, dt.date(2022, 12, 30))
    # YTD starts from 2021-12-31 (a Friday, business day); 1Y from 2021-12-30.
    for window, start in (("YTD", "2021-12-31"), ("1Y", "2021-12-30"), ("1M", "2022-11-30")):
        expected = 100 * (close.iloc[-1] / close[pd.Timestamp(start)] - 1)
        assert r[window] == pytest.approx(expected), window
    # A weekend start date falls back to the Friday before it.
    r2 = P.window_returns_pct(close, dt.date(2022, 10, 3))
    assert r2["3M"] == pytest.approx(
        100 * (close[pd.Timestamp("2022-10-03")] / close[pd.Timestamp("2022-07-01")] - 1)
    )


def test_too_short_history_has_no_return() -> None:
    close = _series("2022-09-01", "2022-12-30", lambda i: 50.0 + 0 * i)
    r = P.window_returns_pct(close, dt.date(2022, 12, 30))
    assert r["1M"] == 0.0 and r["3M"] == 0.0
    assert r["6M"] is None and r["1Y"] is None and r["YTD"] is None
    assert all(v is None for v in P.window_returns_pct(close.iloc[:0], dt.date(2022, 12, 30)).values())


def test_performance_rows_relative() -> None:
    stock = _series("2021-01-01", "2022-12-30", lambda i: 100.0 * 1.001**i)
    bench = _series("2021-01-01", "2022-12-30", lambda i: 100.0 * 1.0005**i)
    rows = P.performance_rows(stock, bench, dt.date(2022, 12, 30))
    assert [r.window for r in rows] == list(P.WINDOWS)
    for row in rows:
        assert row.stock_pct > row.benchmark_pct > 0  # type: ignore[operator]
        # the difference of the two as shown (2 decimals), so the page's columns add up (review-1 #19)
        shown = round(round(row.stock_pct, 2) - round(row.benchmark_pct, 2), 2)  # type: ignore[arg-type]
        assert row.relative_pct == shown
        assert row.relative_pct == pytest.approx(row.stock_pct - row.benchmark_pct, abs=0.011)  # type: ignore[operator]
    no_bench = P.performance_rows(stock, None, dt.date(2022, 12, 30))
    assert all(r.benchmark_pct is None and r.relative_pct is None for r in no_bench)


def test_chart_rebases_benchmark_on_stock_dates() -> None:
    stock = _series("2022-01-03", "2022-12-30", lambda i: 20.0 + 0.1 * i)
    # The benchmark misses every Monday: the chart carries its previous close forward.
    bench = _series("2021-06-01", "2022-12-30", lambda i: 400.0 + i)
    bench = bench[bench.index.dayofweek != 0]
    chart = P.chart_series(stock, np.full(len(stock), 1.0), np.full(len(stock), np.nan), bench, days=100)
    assert len(chart.dates) == len(chart.close) == len(chart.benchmark_rebased) == 100
    assert chart.dates[-1] == dt.date(2022, 12, 30)
    assert chart.benchmark_rebased[0] == pytest.approx(chart.close[0])
    aligned = bench.reindex(stock.index[-100:], method="ffill")
    expected = aligned.to_numpy() * chart.close[0] / aligned.iloc[0]
    np.testing.assert_allclose(np.array(chart.benchmark_rebased, dtype=float), expected)
    assert chart.sma_50 == [1.0] * 100 and chart.sma_200 == [None] * 100


def test_summary_performance_and_chart() -> None:
    idx = pd.bdate_range("2021-01-04", "2022-12-30", name="Date")
    close = 50 * np.exp(np.linspace(0, 0.5, len(idx)))
    frame = pd.DataFrame(
        {"Open": close, "High": close, "Low": close, "Close": close, "Volume": 1.0}, index=idx
    )
    t = summarize_technicals(frame, frame * 2, None, "Self x2")
    assert len(t.performance) == 5
    for row in t.performance:  # the benchmark is the stock scaled: same % returns
        assert row.relative_pct == pytest.approx(0.0, abs=1e-9)
    assert t.chart is not None and len(t.chart.dates) == 252
    np.testing.assert_allclose(t.chart.benchmark_rebased, t.chart.close)  # type: ignore[arg-type]
