"""The one money format: prompt facts, the offline writer, prose checks and rendered tables all use it.

    format_money(9.02e9, "EUR")                 -> "€9.02B"
    format_money(9020, "CNY", scale="millions") -> "RMB 9.02B"
    format_money(1.5e12, "USD")                 -> "$1.50T"
    format_money(45_000, "GBP")                 -> "£45,000.00"
    format_money(-972.95e6, "CNY")              -> "-RMB 972.95M"
    format_money(7.5, "HKD")                    -> "HK$7.50"     (a share price: amounts under a million
                                                                  are written in full, never as "K")
    format_amount(9020, "millions")             -> "9.02B"       (a table cell whose currency is in its caption)
    format_number(1046.4)                       -> "1,046.40"    (ratios, indicator values, prices without a symbol)
    format_percent(-10.784)                     -> "-10.78%"     (values already in percent)

Scale: |x| >= 1e12 -> "T", >= 1e9 -> "B", >= 1e6 -> "M", else grouped digits; rounded before choosing the
suffix, so 999.999M prints as "1.00B". The symbol is `pipeline.inputs.currencies.money_prefix` ("$", "HK$",
"€", "£", "RMB ", otherwise "CODE "); the number check reads every form written here back to its value and
currency (tests/test_money.py).
"""

from __future__ import annotations

import math

from pipeline.inputs.bundle import Scale
from pipeline.inputs.currencies import money_prefix

# Multiplier from a statement scale to units: a 9020 in "millions" is 9.02e9 (`Scale.factor`).
SCALE_FACTOR: dict[str, float] = {s.value: s.factor for s in Scale}
_SUFFIXES: tuple[tuple[float, str], ...] = ((1e12, "T"), (1e9, "B"), (1e6, "M"))


def is_number(value: float | None) -> bool:
    return value is not None and not isinstance(value, bool) and math.isfinite(value)


def _compact(size: float, decimals: int) -> str:
    """A non-negative amount in units: '9.02B', '972.95M', '45,000.00'."""
    for threshold, suffix in _SUFFIXES:
        if round(size / threshold, decimals) >= 1:
            return f"{size / threshold:,.{decimals}f}{suffix}"
    return f"{size:,.{decimals}f}"


def _sign(units: float, body: str) -> str:
    """'-' for a negative amount, but never '-0.00' (a tiny negative rounds to zero)."""
    return "-" if units < 0 and any(c in "123456789" for c in body) else ""


def format_amount(value: float | None, scale: str = "units", decimals: int = 2) -> str | None:
    """An amount without a currency symbol (the caption names it); None when there is no number."""
    if value is None or not is_number(value):
        return None
    units = value * SCALE_FACTOR[scale]
    body = _compact(abs(units), decimals)
    return f"{_sign(units, body)}{body}"


def format_money(
    value: float | None, currency: str, *, scale: str = "units", decimals: int = 2
) -> str | None:
    """An amount with its currency symbol, sign first; None when there is no number."""
    if value is None or not is_number(value):
        return None
    units = value * SCALE_FACTOR[scale]
    body = _compact(abs(units), decimals)
    return f"{_sign(units, body)}{money_prefix(currency)}{body}"


def format_number(value: float | None, decimals: int = 2) -> str | None:
    """A plain number with thousands grouped, the same in prose and tables: 1046.4 -> '1,046.40'."""
    if value is None or not is_number(value):
        return None
    text = f"{value:,.{decimals}f}"
    return text[1:] if text.startswith("-") and not any(c in "123456789" for c in text) else text


def format_percent(value: float | None, decimals: int = 2, *, signed: bool = False) -> str | None:
    """A value already in percent: -10.784 -> '-10.78%', signed=True writes '+' on gains."""
    if value is None or not is_number(value):
        return None
    return f"{value:+,.{decimals}f}%" if signed else f"{format_number(value, decimals)}%"
