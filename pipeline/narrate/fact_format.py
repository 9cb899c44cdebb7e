"""Number display rules shared by the prompt facts, the offline writer and the page's key figures.

The facts given to a model carry numbers already formatted the way the number checker matches them, so the
model (and the offline writer) copies them verbatim: percentages with two decimals and a sign only when
negative
("-10.78%"), ratios with two decimals ("1.30"), money and prices in the one money format of
`pipeline.money` ("RMB 9.02B", "HK$32.40B", "HK$7.15"), the same the rendered page shows.
"""

from __future__ import annotations

from pipeline.metrics.types import Figure
from pipeline.money import format_money, format_number, format_percent, is_number

INSUFFICIENT = "insufficient data"


def _ok(value: float | None) -> bool:
    return is_number(value)


def fmt_pct(value: float | None) -> str | None:
    """12.3456 -> '12.35%' (value already in percent; `pipeline.money.format_percent`, as the tables)."""
    return format_percent(value) if _ok(value) else None


def fmt_ratio(value: float | None) -> str | None:
    """1.2968 -> '1.30', 1046.4 -> '1,046.40' (`pipeline.money.format_number`, as the tables)."""
    return format_number(value) if _ok(value) else None


def fmt_price(value: float | None, currency: str) -> str | None:
    """A share price with its currency, as the page shows it: 'HK$7.15'."""
    return format_money(value, currency)


def fmt_money(value: float | None, currency: str, scale: str = "units") -> str | None:
    """Money in `currency` x `scale` -> 'RMB 9.02B', '€9.02B', '$1.50T', '£45,000.00' (pipeline.money)."""
    return format_money(value, currency, scale=scale)


def show_figure(fig: Figure | None, currency: str, scale: str = "units") -> str:
    """A Figure as the text a model may quote: formatted by unit, or 'insufficient data'."""
    if fig is None or fig.status != "ok" or fig.value is None:
        return INSUFFICIENT if fig is None or fig.status != "not_meaningful" else "not meaningful"
    if fig.unit == "pct":
        return fmt_pct(fig.value) or INSUFFICIENT
    if fig.unit == "ratio":
        return fmt_ratio(fig.value) or INSUFFICIENT
    if fig.unit == "money":
        return fmt_money(fig.value, currency, scale) or INSUFFICIENT
    if fig.unit == "price":
        return fmt_price(fig.value, currency) or INSUFFICIENT
    return f"{fig.value:,.0f}"


def show_figure_or_why(fig: Figure, currency: str, scale: str = "units") -> str:
    """Like show_figure, but a figure the metrics refuse says why: 'insufficient data: missing
    capital_expenditure ...'. The statements rows use it, so a line the metrics computed differently or refused
    reads the same in every part of the prompt (one value per concept)."""
    shown = show_figure(fig, currency, scale)
    if fig.status == "ok" or not fig.note:
        return shown
    return f"{shown}: {fig.note}"
