"""The `Technicals` block: computed from daily prices, else copied from a provided snapshot, else empty.

Never mixes sources: with prices every value is computed (the snapshot is ignored); without prices every
value comes from the snapshot (origin "provided") and there is no performance table or chart, since those
need a price history.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from pipeline.inputs.bundle import TechnicalSnapshot
from pipeline.metrics.performance import chart_series, performance_rows
from pipeline.metrics.readings import overall_sentiment, readings_from_values
from pipeline.metrics.technicals import compute_all
from pipeline.metrics.types import Technicals

VALUE_KEYS = (
    "sma_20",
    "sma_50",
    "sma_100",
    "sma_200",
    "ema_20",
    "ema_50",
    "macd",
    "macd_signal",
    "macd_hist",
    "rsi_14",
    "stoch_k",
    "stoch_d",
    "high_52w",
    "low_52w",
    "volatility_pct",
)
# Snapshot fields copied as they are; the other VALUE_KEYS stay None for a provided snapshot.
SNAPSHOT_KEYS = (
    "sma_20",
    "sma_50",
    "sma_100",
    "sma_200",
    "macd",
    "macd_signal",
    "rsi_14",
    "stoch_k",
    "stoch_d",
)


def _last(series: np.ndarray) -> float | None:
    if series.size == 0:
        return None
    value = float(series[-1])
    return value if math.isfinite(value) else None


def computed_technicals(
    prices: pd.DataFrame, benchmark: pd.DataFrame | None, benchmark_name: str | None
) -> Technicals:
    """Every value from the last row of the indicator series; readings, performance and the chart."""
    close = prices["Close"].astype(np.float64)
    series = compute_all(
        prices["High"].to_numpy(np.float64), prices["Low"].to_numpy(np.float64), close.to_numpy()
    )
    values = {key: _last(series[key]) for key in VALUE_KEYS}
    as_of = prices.index[-1].date()
    last_price = float(close.iloc[-1])
    readings = readings_from_values(last_price, values)
    bench_close = benchmark["Close"].astype(np.float64) if benchmark is not None else None
    return Technicals(
        origin="computed",
        as_of=as_of,
        last_price=last_price,
        values=values,
        readings=readings,
        sentiment=overall_sentiment(readings),
        benchmark_name=benchmark_name,
        performance=performance_rows(close, bench_close, as_of),
        chart=chart_series(close, series["sma_50"], series["sma_200"], bench_close),
    )


def provided_technicals(snapshot: TechnicalSnapshot, benchmark_name: str | None) -> Technicals:
    """Values copied from the snapshot (others None); readings computed from them; no performance or chart."""
    values: dict[str, float | None] = {key: None for key in VALUE_KEYS}
    for key in SNAPSHOT_KEYS:
        values[key] = getattr(snapshot, key)
    readings = readings_from_values(snapshot.last_price, values)
    return Technicals(
        origin="provided",
        as_of=snapshot.as_of,
        last_price=snapshot.last_price,
        values=values,
        readings=readings,
        sentiment=overall_sentiment(readings),
        benchmark_name=benchmark_name,
    )


def summarize_technicals(
    prices: pd.DataFrame | None,
    benchmark: pd.DataFrame | None,
    snapshot: TechnicalSnapshot | None,
    benchmark_name: str | None,
) -> Technicals:
    """Prices -> computed; else snapshot -> provided; else origin "none" with no readings."""
    if prices is not None and not prices.empty:
        return computed_technicals(prices, benchmark, benchmark_name)
    if snapshot is not None:
        return provided_technicals(snapshot, benchmark_name)
    return Technicals(origin="none", benchmark_name=benchmark_name)
