"""Readings, sentiment, and which source `summarize_technicals` uses (seed HK_3896 snapshot included)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.inputs import load_bundle
from pipeline.metrics import readings as R
from pipeline.metrics.technicals_summary import summarize_technicals
from pipeline.metrics.types import IndicatorReading

BUNDLE = Path(__file__).resolve().parents[2] / "fixtures" / "bundles" / "HK_3896"


@pytest.fixture(scope="module")
def seed_technicals():  # type: ignore[no-untyped-def]
    loaded = load_bundle(BUNDLE)
    return summarize_technicals(
        loaded.prices,
        loaded.benchmark,
        loaded.bundle.technical_snapshot,
        loaded.bundle.benchmark.name if loaded.bundle.benchmark else None,
    )


@pytest.mark.parametrize(
    ("name", "value", "reading"),
    [
        ("20DMA", 6.48, "Positive"),
        ("50DMA", 6.20, "Positive"),
        ("100DMA", 6.76, "Positive"),
        ("200DMA", 6.92, "Positive"),
        ("RSI", 60.21, "Neutral"),
        ("STOCH", 73.36, "Neutral"),
        ("MACD", 0.36, "Positive"),  # by sign: the snapshot has no signal line (the seed says Negative)
    ],
)
def test_seed_snapshot_readings(seed_technicals, name: str, value: float, reading: str) -> None:  # type: ignore[no-untyped-def]
    by_name = {r.name: r for r in seed_technicals.readings}
    assert by_name[name].value == pytest.approx(value)
    assert by_name[name].reading == reading


def test_seed_snapshot_is_provided_only(seed_technicals) -> None:  # type: ignore[no-untyped-def]
    t = seed_technicals
    assert (t.origin, t.last_price, t.sentiment) == ("provided", 7.15, "Positive")
    assert t.performance == [] and t.chart is None
    assert t.values["rsi_14"] == 60.21 and t.values["stoch_k"] == 73.36
    assert t.values["ema_20"] is None and t.values["volatility_pct"] is None  # never computed alongside
    assert "no signal line" in next(r.detail for r in t.readings if r.key == "macd")


@pytest.mark.parametrize(
    ("price", "average", "reading"),
    [
        (7.15, 6.20, "Positive"),
        (6.0, 6.20, "Negative"),
        (6.2, 6.2, "Neutral"),
        (6.2, None, None),
    ],
)
def test_price_vs_average(price: float, average: float | None, reading: str | None) -> None:
    assert R.price_vs_average(price, average, 50).reading == reading


@pytest.mark.parametrize(
    ("value", "reading", "word"),
    [
        (70.0, "Negative", "overbought"),
        (69.99, "Neutral", "neither"),
        (30.0, "Positive", "oversold"),
        (30.01, "Neutral", "neither"),
        (95.0, "Negative", "overbought"),
        (float("nan"), None, "insufficient"),
    ],
)
def test_rsi_thresholds(value: float, reading: str | None, word: str) -> None:
    r = R.rsi_reading(value)
    assert r.reading == reading and word in r.detail


@pytest.mark.parametrize(
    ("k", "reading"),
    [(80.0, "Negative"), (79.9, "Neutral"), (20.0, "Positive"), (20.1, "Neutral"), (None, None)],
)
def test_stoch_thresholds(k: float | None, reading: str | None) -> None:
    assert R.stoch_reading(k, 50.0).reading == reading


@pytest.mark.parametrize(
    ("line", "signal", "reading", "word"),
    [
        (0.5, 0.2, "Positive", "above its signal"),
        (-0.5, -0.2, "Negative", "below its signal"),
        (0.36, None, "Positive", "sign"),
        (-0.36, None, "Negative", "sign"),
        (None, 0.1, None, "insufficient"),
    ],
)
def test_macd(line: float | None, signal: float | None, reading: str | None, word: str) -> None:
    r = R.macd_reading(line, signal)
    assert r.reading == reading and word in r.detail


def _readings(*votes: str | None) -> list[IndicatorReading]:
    return [IndicatorReading(key="k", name="n", value=1.0, reading=v, detail="") for v in votes]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("votes", "sentiment"),
    [
        (("Positive", "Positive", "Negative", "Neutral"), "Positive"),
        (("Positive", "Negative", "Negative"), "Negative"),
        (("Positive", "Negative", "Neutral", "Neutral"), "Neutral"),
        (("Neutral",), "Neutral"),
        ((None, None), None),
        ((), None),
    ],
)
def test_overall_sentiment(votes: tuple[str | None, ...], sentiment: str | None) -> None:
    assert R.overall_sentiment(_readings(*votes)) == sentiment


def _prices(n: int, drift: float) -> pd.DataFrame:
    close = 10 * np.exp(np.cumsum(np.full(n, drift) + 0.01 * np.sin(np.arange(n))))
    idx = pd.bdate_range("2021-01-04", periods=n, name="Date")
    return pd.DataFrame(
        {"Open": close, "High": close * 1.01, "Low": close * 0.99, "Close": close, "Volume": 1.0}, index=idx
    )


def test_prices_win_over_snapshot() -> None:
    snapshot = load_bundle(BUNDLE).bundle.technical_snapshot
    t = summarize_technicals(_prices(300, 0.002), None, snapshot, None)
    assert t.origin == "computed" and t.values["sma_50"] != snapshot.sma_50
    assert all(v is not None for v in t.values.values())
    assert [r.reading for r in t.readings][:4] == ["Positive"] * 4  # steady uptrend: above every average
    assert t.sentiment == "Positive"


@pytest.mark.parametrize("days", [1, 2, 15, 60])
def test_short_history_gives_missing_values_not_errors(days: int) -> None:
    t = summarize_technicals(_prices(days, -0.002), None, None, None)
    assert t.origin == "computed" and t.last_price is not None
    assert t.values["sma_200"] is None and t.values["high_52w"] is None
    by_key = {r.key: r for r in t.readings}
    assert by_key["price_vs_sma_200"].reading is None
    assert by_key["price_vs_sma_50"].reading == ("Negative" if days >= 50 else None)
    assert t.chart is not None and len(t.chart.dates) == days


def test_nothing_gives_none() -> None:
    t = summarize_technicals(None, None, None, "EWH")
    assert (t.origin, t.readings, t.sentiment, t.values, t.chart) == ("none", [], None, {}, None)
