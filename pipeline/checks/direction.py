"""Cheap directional check: does the sentence's verb agree with the sign of the change it quotes?

Changes are facts whose sign is known (growth, upside, performance; `Fact.change`) and changes read from
prose, whose direction is their source's words (`Fact.direction`: the call's "grew 24%" is up). In the clause
holding the number:
  * a growth word ("growth", "grew", "rose", "increase", "surge", "improving", ...) with a falling change, or
  * a decline word ("decline", "fell", "drop", "shrink", "deteriorating", ...) with a rising one
is a direction mismatch. A clause with both kinds of word is left alone (too ambiguous to call cheaply).

`comparison_conflict`: a sentence that compares one figure with the same figure of another period ("up from
17.20% a year earlier", "fell from 17.20% in FY2024 to 16.19%") must say the direction the two values go.
"""

from __future__ import annotations

import re

from pipeline.checks.fact_index import Fact
from pipeline.checks.qualifiers import DECLINE_WORDS, GROWTH_WORDS, direction_of


def direction_conflict(clause: str, fact: Fact, written_negative: bool) -> bool:
    """True when the clause's direction words contradict the direction of a change fact."""
    if fact.direction is not None:  # a change read from prose: its source said which way
        said = direction_of(clause)
        return said is not None and said != fact.direction and not written_negative
    if not fact.change or not fact.signed or fact.value == 0:
        return False
    grows, declines = bool(GROWTH_WORDS.search(clause)), bool(DECLINE_WORDS.search(clause))
    if grows == declines:
        return False
    if written_negative:
        # "-5% growth": the writer gave the sign explicitly; the number check already compared it.
        return False
    return (grows and fact.value < 0) or (declines and fact.value > 0)


# Comparison words: what a sentence says of a figure against the same figure of another period.
_UP = re.compile(
    r"\b(?:up|higher|rose|risen|rising|rises|increas\w*|grew|grow\w*|climb\w*|improv\w*|expand\w*|gain\w*|"
    r"jump\w*|above)\b",
    re.I,
)
_DOWN = re.compile(
    r"\b(?:down|lower|fell|fall\w*|declin\w*|decreas\w*|drop\w*|shr[aiu]nk\w*|contract\w*|deteriorat\w*|"
    r"worsen\w*|slipp\w*|slid|below)\b",
    re.I,
)


def comparison_conflict(sentence: str, current: float, base: float) -> bool:
    """True when the sentence says the figure went up from `base` to `current` and it went down, or the
    reverse. Words of both directions, or none, say nothing ("narrowed" and "widened" speak of size)."""
    if current == base:
        return False
    up, down = _UP.search(sentence) is not None, _DOWN.search(sentence) is not None
    if up == down:
        return False
    return (up and current < base) or (down and current > base)
