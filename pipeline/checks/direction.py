"""Cheap directional check: does the sentence's verb agree with the sign of the change it quotes?

Only for facts that are changes (growth, upside, performance; `Fact.change`) and whose sign is known
(not numbers read from prose). In the clause holding the number:
  * a growth word ("growth", "grew", "rose", "increase", "surge", "improving", ...) with a negative fact, or
  * a decline word ("decline", "fell", "drop", "shrink", "deteriorating", ...) with a positive fact
is a direction mismatch. A clause with both kinds of word is left alone (too ambiguous to call cheaply).
"""

from __future__ import annotations

import re

from pipeline.checks.fact_index import Fact

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


def direction_conflict(clause: str, fact: Fact, written_negative: bool) -> bool:
    """True when the clause's direction words contradict the sign of a change fact."""
    if not fact.change or not fact.signed or fact.value == 0:
        return False
    grows, declines = bool(GROWTH_WORDS.search(clause)), bool(DECLINE_WORDS.search(clause))
    if grows == declines:
        return False
    if written_negative:
        # "-5% growth": the writer gave the sign explicitly; the number check already compared it.
        return False
    return (grows and fact.value < 0) or (declines and fact.value > 0)
