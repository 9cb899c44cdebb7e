"""What a figure is, beyond its subject: its comparison basis, its role, its direction and its period.

Read the same way from the clause a source number sits in (a text fact, fact_index.text_facts) and from the
clause a written number sits in (the model's sentence, match.choose), so "AI gross billings grew 39% year over
year" does not verify against the call's "a quarter-over-quarter growth of 39%":

  * basis: "yoy" (year over year, year-on-year, from a year earlier, the same quarter last year) or "qoq"
    (quarter over quarter, sequentially, from the previous quarter);
  * role of a percentage: "share" (accounting for, contributing ... to, of total revenue, share of) or
    "change" (a growth or decline word, or a basis);
  * direction of a change: "up" (grew, rose, increase, up ...) or "down" (declined, fell, down ...);
  * period: a quarter ("Q2", "second quarter", "this quarter"), a half ("first half", "H1") or a full year
    ("for the year", "full-year", "fiscal 2025", "annual"), with its number and year when written.

Two figures conflict when both sides state a qualifier and they differ; a side that states none conflicts
with nothing (the source may simply not say).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

GROWTH_WORDS = re.compile(
    r"\b(?:grow\w*|grew|rise|rises|rising|rose|risen|increas\w*|surg\w*|improv\w*|gain\w*|expand\w*|"
    r"climb\w*|jump\w*|soar\w*|up|higher|upside|accelerat\w*|strengthen\w*|boost\w*)\b",
    re.I,
)
DECLINE_WORDS = re.compile(
    r"\b(?:declin\w*|decreas\w*|fell|fall\w*|drop\w*|shr[aiu]nk\w*|contract\w*|deteriorat\w*|slump\w*|"
    r"plung\w*|down|lower|weaken\w*|slow\w*|downside|loss\w*|negative)\b",
    re.I,
)
Basis = Literal["yoy", "qoq"]
Role = Literal["share", "change"]
Direction = Literal["up", "down"]
PeriodKind = Literal["quarter", "half", "year"]

YOY = re.compile(
    r"\b(?:years?[\s-]+(?:over|on)[\s-]+years?|yoy|y/y|from\s+a\s+year\s+(?:earlier|ago|before)|"
    r"(?:same|year[\s-]ago|prior[\s-]year)\s+(?:quarter|period)|annual\s+(?:growth|increase|decline))\b",
    re.I,
)
QOQ = re.compile(
    r"\b(?:quarters?[\s-]+(?:over|on)[\s-]+quarters?|qoq|q/q|sequential(?:ly)?|from\s+the\s+"
    r"(?:previous|prior|preceding|last)\s+quarter)\b",
    re.I,
)
SHARE = re.compile(
    r"\b(?:account(?:ed|ing|s)?\s+for|contribut\w*|share\s+of|of\s+(?:the\s+)?(?:company'?s\s+)?(?:total|overall)|"
    r"(?:%|percent|per\s+cent)\s+of\s+(?!the\s+(?:year|quarter))|proportion\s+of|mix\s+of)",
    re.I,
)
_QUARTER_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_QUARTER = re.compile(
    r"\b(?:q(?P<q>[1-4])|(?P<q2>[1-4])q|(?P<qw>first|second|third|fourth)[\s-]+quarter)"
    r"(?:(?:[\s-]+(?:of[\s-]+)?|[\s-]?)(?:fy|fiscal[\s-]+)?(?P<y>(?:19|20)\d{2}))?\b",
    re.I,
)
_THIS_QUARTER = re.compile(r"\b(?:this|the|current|latest|reported)\s+quarter\b|\bquarterly\b", re.I)
_HALF = re.compile(
    r"\b(?:h(?P<h>[12])|(?P<h2>[12])h|(?P<hw>first|second)[\s-]+half)(?:[\s-]+(?:of[\s-]+)?(?P<y>(?:19|20)\d{2}))?\b",
    re.I,
)
_YEAR = re.compile(
    r"\b(?:for\s+the\s+(?:full\s+)?year|full[\s-]+year|fiscal(?:[\s-]+year)?|annual(?:ly)?|this\s+year|"
    r"(?P<next>next\s+year))(?:[\s-]+(?P<y>(?:19|20)\d{2})|\s*['’](?P<y2>\d{2}))?\b"
    r"|\bFY[\s-]?['’]?(?:(?P<y3>(?:19|20)\d{2})|(?P<y4>\d{2}))\b",  # "fiscal year '22", "FY22", "FY 2022"
    re.I,
)


@dataclass(frozen=True)
class TextPeriod:
    kind: PeriodKind
    number: int | None = None  # the quarter (1-4) or half (1-2)
    year: int | None = None


def basis_of(text: str) -> Basis | None:
    yoy, qoq = YOY.search(text) is not None, QOQ.search(text) is not None
    return None if yoy == qoq else "yoy" if yoy else "qoq"


def role_of(text: str) -> Role | None:
    if SHARE.search(text):
        return "share"
    if GROWTH_WORDS.search(text) or DECLINE_WORDS.search(text) or basis_of(text):
        return "change"
    return None


def direction_of(text: str) -> Direction | None:
    up, down = GROWTH_WORDS.search(text) is not None, DECLINE_WORDS.search(text) is not None
    return None if up == down else "up" if up else "down"


def period_of(text: str, default_year: int | None = None) -> TextPeriod | None:
    """The period a source clause or sentence states, if any (the quarter, half or full year)."""
    m = _QUARTER.search(text)
    if m:
        n = int(m.group("q") or m.group("q2") or _QUARTER_WORDS[(m.group("qw") or "first").lower()])
        return TextPeriod("quarter", n, int(m.group("y")) if m.group("y") else default_year)
    m = _HALF.search(text)
    if m:
        n = int(m.group("h") or m.group("h2") or (1 if (m.group("hw") or "").lower() == "first" else 2))
        return TextPeriod("half", n, int(m.group("y")) if m.group("y") else default_year)
    m = _YEAR.search(text)
    if m:
        full, short = m.group("y") or m.group("y3"), m.group("y2") or m.group("y4")
        year = int(full) if full else 2000 + int(short) if short else default_year
        if m.group("next") and year is not None:
            year += 1
        return TextPeriod("year", None, year)
    if _THIS_QUARTER.search(text):
        return TextPeriod("quarter", None, default_year)
    return None
