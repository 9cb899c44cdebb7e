"""Indicator values -> Positive / Negative / Neutral readings, and the overall technical sentiment.

Rules (thresholds are the named constants below; docs/metrics-technicals.md has the table):

* 20/50/100/200DMA: Positive when the last price is above the moving average, Negative below, Neutral equal.
* MACD: Positive when the line is above its signal line, Negative below, Neutral equal. When only the line
  is known (a provided snapshot without a signal), by its sign, and `detail` says so.
* RSI(14): overbought at >= 70 reads Negative (stretched, likely to pull back), oversold at <= 30 reads
  Positive (likely to rebound), Neutral between.
* STOCH slow %K: the same contrarian reading with 80 / 20.
* Sentiment: one vote per reading that has one; more Positive than Negative -> Positive, more Negative ->
  Negative, a tie (Neutral votes count for neither side) -> Neutral; no readings -> None.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from pipeline.metrics.types import IndicatorReading, Reading
from pipeline.money import format_number

SMA_PERIODS = (20, 50, 100, 200)
RSI_OVERBOUGHT = 70.0
RSI_OVERSOLD = 30.0
STOCH_OVERBOUGHT = 80.0
STOCH_OVERSOLD = 20.0


def _known(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _fmt(value: float, decimals: int = 2) -> str:
    """As the page's tables and the prose write numbers (pipeline.money.format_number): '1,046.40'."""
    return format_number(value, decimals) or "n/a"


def _fmt_pair(a: float, b: float) -> tuple[str, str]:
    """Two decimals, or four when two would print a difference as equal numbers (0.0041 vs 0.0032)."""
    if a != b and _fmt(a) == _fmt(b):
        return _fmt(a, 4), _fmt(b, 4)
    return _fmt(a), _fmt(b)


def price_vs_average(price: float | None, average: float | None, period: int) -> IndicatorReading:
    """Positive if price > SMA(period), Negative if below, Neutral if equal."""
    key, name = f"price_vs_sma_{period}", f"{period}DMA"
    if not (_known(price) and _known(average)):
        return IndicatorReading(
            key=key,
            name=name,
            value=average if _known(average) else None,
            reading=None,
            detail=f"insufficient data for the {period}-day average",
        )
    assert price is not None and average is not None
    if price > average:
        reading: Reading = "Positive"
        word = "above"
    elif price < average:
        reading, word = "Negative", "below"
    else:
        reading, word = "Neutral", "equal to"
    return IndicatorReading(
        key=key,
        name=name,
        value=average,
        reading=reading,
        detail=f"price {_fmt(price)} is {word} the {period}-day average {_fmt(average)}",
    )


def macd_reading(line: float | None, signal: float | None) -> IndicatorReading:
    """Line vs signal; by the line's sign alone when no signal is known."""
    if not _known(line):
        return IndicatorReading(
            key="macd", name="MACD", value=None, reading=None, detail="insufficient data for MACD(12,26,9)"
        )
    assert line is not None
    if _known(signal):
        assert signal is not None
        reading: Reading = "Positive" if line > signal else "Negative" if line < signal else "Neutral"
        word = "above" if line > signal else "below" if line < signal else "equal to"
        shown_line, shown_signal = _fmt_pair(line, signal)
        return IndicatorReading(
            key="macd",
            name="MACD",
            value=line,
            reading=reading,
            detail=f"MACD line {shown_line} is {word} its signal line {shown_signal}",
        )
    reading = "Positive" if line > 0 else "Negative" if line < 0 else "Neutral"
    return IndicatorReading(
        key="macd",
        name="MACD",
        value=line,
        reading=reading,
        detail=f"no signal line known; read by the sign of the MACD line ({_fmt(line)})",
    )


def _band(value: float, low: float, high: float) -> tuple[Reading, str]:
    if value >= high:
        return "Negative", f"overbought (>= {high:g})"
    if value <= low:
        return "Positive", f"oversold (<= {low:g})"
    return "Neutral", f"between {low:g} and {high:g}: neither overbought nor oversold"


def rsi_reading(value: float | None) -> IndicatorReading:
    """Overbought (>= 70) Negative, oversold (<= 30) Positive, else Neutral."""
    if not _known(value):
        return IndicatorReading(
            key="rsi_14", name="RSI", value=None, reading=None, detail="insufficient data for RSI(14)"
        )
    assert value is not None
    reading, why = _band(value, RSI_OVERSOLD, RSI_OVERBOUGHT)
    return IndicatorReading(
        key="rsi_14", name="RSI", value=value, reading=reading, detail=f"RSI(14) {_fmt(value)} is {why}"
    )


def stoch_reading(k: float | None, d: float | None = None) -> IndicatorReading:
    """Slow %K: overbought (>= 80) Negative, oversold (<= 20) Positive, else Neutral."""
    if not _known(k):
        return IndicatorReading(
            key="stoch",
            name="STOCH",
            value=None,
            reading=None,
            detail="insufficient data for the slow stochastic (14,3,3)",
        )
    assert k is not None
    reading, why = _band(k, STOCH_OVERSOLD, STOCH_OVERBOUGHT)
    tail = f" (%D {_fmt(d)})" if d is not None and _known(d) else ""
    return IndicatorReading(
        key="stoch", name="STOCH", value=k, reading=reading, detail=f"slow %K {_fmt(k)}{tail} is {why}"
    )


def readings_from_values(
    last_price: float | None, values: Mapping[str, float | None]
) -> list[IndicatorReading]:
    """All seven readings, in display order, from a `Technicals.values`-style mapping.

    A value that is missing (too little history, or not in a snapshot) gives a reading of None.
    """
    out = [price_vs_average(last_price, values.get(f"sma_{p}"), p) for p in SMA_PERIODS]
    out.append(macd_reading(values.get("macd"), values.get("macd_signal")))
    out.append(rsi_reading(values.get("rsi_14")))
    out.append(stoch_reading(values.get("stoch_k"), values.get("stoch_d")))
    return out


def overall_sentiment(readings: list[IndicatorReading]) -> Reading | None:
    """Majority of Positive vs Negative votes; a tie is Neutral; None when no reading has a value."""
    votes = [r.reading for r in readings if r.reading is not None]
    if not votes:
        return None
    pos, neg = votes.count("Positive"), votes.count("Negative")
    return "Positive" if pos > neg else "Negative" if neg > pos else "Neutral"
