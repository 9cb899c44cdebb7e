"""Check every number of a text or of a whole Pydantic answer against a FactIndex.

    check_text(text, index, section="factors[0].text") -> [NumberCheck, ...]
    check_answer(answer, index)                         -> checks for every string field, section = field path

A NumberCheck is `verified` (a fact matches, source = its field path), `unverified` (none does; source None,
or, when only the sign disagrees, the fact that would have matched) or `direction_mismatch` (a fact matches
but the sentence's direction words contradict the sign of that change figure; see direction.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel

from pipeline.checks.direction import direction_conflict
from pipeline.checks.facts import FactIndex
from pipeline.checks.match import MatchConfig, candidates, clause_around
from pipeline.checks.numbers import Kind, extract_numbers, split_sentences
from pipeline.metrics.model import Metrics

Status = Literal["verified", "unverified", "direction_mismatch"]


class NumberCheck(BaseModel):
    section: str
    sentence: str
    written: str
    value: float
    kind: Kind
    status: Status
    source: str | None = None
    fact_value: float | None = None
    note: str | None = None


def check_text(text: str, index: FactIndex, *, section: str, config: MatchConfig | None = None) -> list[NumberCheck]:
    """One NumberCheck per number written in `text`, sentence by sentence."""
    cfg = config or MatchConfig()
    out: list[NumberCheck] = []
    for _, sentence in split_sentences(text):
        for w in extract_numbers(sentence, index.identifiers):
            clause = clause_around(sentence, w.start, w.end)
            found = candidates(w, index, cfg, clause)
            base = dict(section=section, sentence=sentence, written=w.text, value=w.value, kind=w.kind)
            best = found[0] if found else None
            if best is None:
                out.append(NumberCheck(**base, status="unverified", note="no source fact matches"))
            elif direction_conflict(clause, best.fact, w.negative):
                out.append(NumberCheck(**base, status="direction_mismatch", source=best.fact.source,
                                       fact_value=best.compared,
                                       note="direction words contradict the sign of this change"))
            elif not best.sign_ok:
                out.append(NumberCheck(**base, status="unverified", source=best.fact.source,
                                       fact_value=best.compared, note="sign differs from the source fact"))
            else:
                out.append(NumberCheck(**base, status="verified", source=best.fact.source,
                                       fact_value=best.compared))
    return out


def string_fields(value: object, path: str = "") -> Iterator[tuple[str, str]]:
    """(field path, text) for every string inside a Pydantic model / list / dict tree."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from string_fields(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from string_fields(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from string_fields(item, f"{path}.{key}" if path else str(key))


def check_answer(answer: BaseModel, index: FactIndex, *, config: MatchConfig | None = None) -> list[NumberCheck]:
    """check_text over every string field of a model's answer; `section` is the field path."""
    return [c for path, text in string_fields(answer) for c in check_text(text, index, section=path, config=config)]


_NEUTRAL = re.compile(r"\bneutral\b", re.I)


def silent_neutrals(text: str, metrics: Metrics) -> list[str]:
    """Sentences that call something Neutral whose metric is missing (must be said as "insufficient data").

    Cheap by design: a sentence that names a sub-score title or indicator name whose score/reading is None
    and says "neutral" without "insufficient data".
    """
    missing = [s.title for s in metrics.score.subscores if s.score is None]
    missing += [r.name for r in metrics.technicals.readings if r.reading is None]
    flagged: list[str] = []
    for _, sentence in split_sentences(text):
        low = sentence.lower()
        if _NEUTRAL.search(sentence) and "insufficient data" not in low and any(
                re.search(rf"\b{re.escape(name.lower())}\b", low) for name in missing):
            flagged.append(sentence)
    return flagged
