"""Number display rules shared by the prompt facts and the offline writer.

The facts given to a model carry numbers already formatted the way the number checker matches them, so the
model (and the offline writer) copies them verbatim: percentages with two decimals and a sign only when
negative
("-10.78%"), ratios with two decimals ("1.30"), money scaled to B/M/K with two decimals after the currency
("RMB 9.02B", "HK$32.40B"), prices with two decimals ("7.15").
"""

from __future__ import annotations

import math

_CURRENCY_PREFIX = {"CNY": "RMB ", "HKD": "HK$", "USD": "$", "EUR": "EUR ", "GBP": "GBP ", "JPY": "JPY "}
_SCALE = {"units": 1.0, "thousands": 1e3, "millions": 1e6, "billions": 1e9}


def _ok(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def fmt_pct(value: float | None) -> str | None:
    """12.3456 -> '12.35%' (value already in percent)."""
    return f"{value:.2f}%" if _ok(value) else None


def fmt_ratio(value: float | None) -> str | None:
    """1.2968 -> '1.30'."""
    return f"{value:.2f}" if _ok(value) else None


def fmt_price(value: float | None) -> str | None:
    return f"{value:.2f}" if _ok(value) else None


def fmt_money(value: float | None, currency: str, scale: str = "units") -> str | None:
    """Money in `currency` x `scale` -> 'RMB 9.02B': value * scale over the largest of 1e9/1e6/1e3 below."""
    if not _ok(value):
        return None
    assert value is not None
    units = value * _SCALE[scale]
    prefix = _CURRENCY_PREFIX.get(currency, f"{currency} ")
    sign = "-" if units < 0 else ""
    mag = abs(units)
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if mag >= div:
            return f"{sign}{prefix}{mag / div:.2f}{suffix}"
    return f"{sign}{prefix}{mag:.2f}"
