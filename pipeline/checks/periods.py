"""A change in the prose names the two periods it compares (issue 13): growth is like for like, and says so.

For every number the check matched to a growth figure of a period (revenue, free cash flow), the sentence must
name that figure's base period: its label ("FY2021", "TTM Sep 2016"),
its name ("TTM to Sep 2016"), its month and year, or a like-for-like phrase ("year over year", "a year
earlier", "prior year"). A sentence that names another fiscal year of the bundle instead (TTM growth "against
FY2024") is flagged too: that is the overlapping comparison growth never makes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.checks.answer_checks import NumberCheck
from pipeline.metrics.types import Metrics, PeriodMetrics

CHANGE_KEYS = ("revenue_growth_pct", "fcf_growth_pct")
LIKE_FOR_LIKE = re.compile(
    r"\b(year[- ]over[- ]year|year[- ]on[- ]year|a year (?:earlier|before|ago)|"
    r"prior[- ]year|previous year|last year|yoy)\b",
    re.I,
)
_FY = re.compile(r"\bFY\s?(\d{4})\b", re.I)


def _base_names(period: PeriodMetrics, base: str) -> list[str]:
    names = [base]
    m = re.fullmatch(r"TTM to (\w{3} \d{4})", base)
    if m:
        names += [f"TTM {m.group(1)}", m.group(1)]
    return names


def unnamed_bases(checks: Iterable[NumberCheck], metrics: Metrics) -> list[str]:
    """Flags for verified change figures whose sentence does not name the base (or names a wrong one)."""
    f = metrics.fundamentals
    if f is None:
        return []
    periods = {p.label: p for p in f.periods}
    flags: list[str] = []
    for c in checks:
        parts = (c.source or "").split(".")
        if c.status != "verified" or len(parts) != 4 or parts[:2] != ["metrics", "fundamentals"]:
            continue
        period = periods.get(parts[2])
        fig = period.figures.get(parts[3]) if period else None
        if period is None or fig is None or parts[3] not in CHANGE_KEYS or fig.base is None:
            continue
        text = c.sentence
        named = any(n.casefold() in text.casefold() for n in _base_names(period, fig.base))
        years = {int(y) for y in _FY.findall(text)}
        wrong = years - {int(y) for y in re.findall(r"\d{4}", fig.base + " " + period.label)}
        if wrong:
            flags.append(
                f"[growth base misnamed] {c.written} compares {period.label} with {fig.base}, "
                f"not FY{min(wrong)}: {text}"
            )
        elif not named and not LIKE_FOR_LIKE.search(text):
            flags.append(
                f"[growth base not named] {c.written} compares {period.label} with {fig.base}: {text}"
            )
    return flags
