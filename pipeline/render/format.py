"""Human number formatting for reports: money in the bundle's currency and scale, percentages, ratios.

Every formatter takes `None` (or NaN) and returns `MISSING`, so templates never print "None" or "nan".
Money and amounts come from `pipeline.money`, the one money format of prompt facts, checks and pages.
"""

from __future__ import annotations

import datetime as dt
import math

from pipeline.checks.written_numbers import period_label
from pipeline.inputs.currencies import money_prefix
from pipeline.money import format_amount, format_money, format_number, format_percent

MISSING = "n/a"


def _absent(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def compact(value: float | None, decimals: int = 2) -> str:
    """9.02e9 -> '9.02B', -9.7295e8 -> '-972.95M', 1234.5 -> '1,234.50' (pipeline.money.format_amount)."""
    return format_amount(value, "units", decimals) or MISSING


def scaled(value: float | None, scale: str, decimals: int = 2) -> str:
    """A statement figure in `scale` (e.g. millions) shown compact: scaled(9020, 'millions') -> '9.02B'."""
    return format_amount(value, scale, decimals) or MISSING


def money(value: float | None, currency: str, decimals: int = 2, scale: str = "units") -> str:
    """money(9.02e9, 'CNY') -> 'RMB 9.02B'; money(7.5, 'HKD') -> 'HK$7.50' (pipeline.money.format_money)."""
    return format_money(value, currency, scale=scale, decimals=decimals) or MISSING


def currency_label(code: str) -> str:
    """'CNY' -> 'RMB', 'HKD' -> 'HK$': the prefix money() uses, for table captions."""
    return money_prefix(code).strip()


def pct(value: float | None, decimals: int = 2, signed: bool = False) -> str:
    """Percent already in percent units: -10.78 -> '-10.78%'; signed=True adds '+' to gains."""
    return format_percent(value, decimals, signed=signed) or MISSING


def pp(value: float | None, decimals: int = 2) -> str:
    """A difference of two percentages, in percentage points: -6.04 -> '-6.04 pp' (not '%': 10% vs 4% differ
    by 6 points, not by 6%)."""
    if value is None or _absent(value):
        return MISSING
    return f"{value:+,.{decimals}f} pp"


def ratio(value: float | None, decimals: int = 2) -> str:
    """1.3 -> '1.30', 1046.4 -> '1,046.40' (pipeline.money.format_number, as the prose)."""
    return format_number(value, decimals) or MISSING


def num(value: float | int | str | None, decimals: int = 2) -> str:
    """Any figure whose unit is unknown (number checks): ints as ints, floats with `decimals`."""
    if value is None:
        return MISSING
    if isinstance(value, bool) or isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return f"{value:,d}"
    return MISSING if _absent(value) else f"{value:,.{decimals}f}"


def check_value(value: float | None, kind: str | None) -> str:
    """A number check's value as a reader reads it (the appendix): dates and period labels as written,
    not their encoding (20251218 -> '2025-12-18', 20252 -> 'Q2-2025', 202509 -> 'TTM to Sep 2025'),
    percentages with '%', amounts compact ('9.02B'), other figures with the digits they need."""
    if value is None or _absent(value):
        return MISSING
    n = int(round(value))
    if kind == "date":
        if n >= 10_000_000:
            month, day = n // 100 % 100, n % 100
            return f"{n // 10_000}-{month:02d}" + (f"-{day:02d}" if day else "")
        return str(n)
    if kind == "period":
        return period_label(value)
    if kind == "money" and abs(value) >= 1_000:
        return compact(value)
    if kind == "pct":
        return f"{_trimmed(value)}%"
    if kind in ("count", "duration") and value == n:
        return f"{n:,d}"
    return _trimmed(value)


def _trimmed(value: float) -> str:
    """Up to four decimals, trailing zeros dropped but at least two kept: 16.1863 -> '16.1863', 1.3 -> '1.30'."""
    text = f"{value:,.4f}".rstrip("0")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return f"{value:,.{max(2, decimals)}f}"


def signed_int(value: int | None) -> str:
    """3 -> '+3', -4 -> '-4', 0 -> '0'."""
    return MISSING if value is None else f"{value:+d}" if value else "0"


def sign_class(value: float | None) -> str:
    """CSS class so negative figures stand out at a glance: 'neg', 'pos' or ''."""
    if value is None or _absent(value) or value == 0:
        return ""
    return "neg" if value < 0 else "pos"


def neg_class(value: float | None) -> str:
    """'neg' for negatives only: tables of amounts where green on every positive would be noise."""
    return "neg" if sign_class(value) == "neg" else ""


def reading_class(reading: str | None) -> str:
    """Map a reading or label to a fixed CSS class; untrusted strings never become class names."""
    return {
        "Positive": "pos",
        "Outperform": "pos",
        "Negative": "neg",
        "Underperform": "neg",
        "Neutral": "neu",
    }.get(reading or "", "")


def upside(value: float | None) -> str:
    """4.9 -> '▲(4.90% Upside)', -3.2 -> '▼(3.20% Downside)'."""
    if value is None or _absent(value):
        return MISSING
    if value < 0:
        return f"▼({abs(value):,.2f}% Downside)"
    return f"▲({value:,.2f}% Upside)"


def date(value: dt.date | dt.datetime | None) -> str:
    """2025-08-20 -> 'Aug 20, 2025' (the seed page's style)."""
    if value is None:
        return MISSING
    return f"{value:%b} {value.day}, {value.year}"


def datetime_utc(value: dt.datetime | None) -> str:
    if value is None:
        return MISSING
    return value.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
