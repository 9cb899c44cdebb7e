"""Check every number of a text or of a whole Pydantic answer against a FactIndex.

    check_text(text, index, section="factors[0].text") -> [NumberCheck, ...]
    check_answer(answer, index)                         -> checks for every string field, section = field path

A NumberCheck is `verified` (a fact agrees and the sentence is about it: source = its field path, label = its
name, match = how the value agrees, named = where the sentence names it), `unverified` (none does; the note
says why, and when a fact agreed in value but the context rules it out, which one), `direction_mismatch` (a
fact matches but the sentence's direction words contradict the sign of that change figure; direction.py), or
`unparsed` (something numeric the check cannot read, "1.1.0.19.126429": never silently skipped).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from pipeline.checks.context import Segment, SentenceContext, clause_cuts
from pipeline.checks.direction import comparison_conflict, direction_conflict
from pipeline.checks.fact_index import Fact, FactIndex
from pipeline.checks.match import MatchConfig, candidates, choose
from pipeline.checks.pairing import NO_PAIRING, Pairing, pairing
from pipeline.checks.written_numbers import Kind, WrittenNumber, scan, split_sentences
from pipeline.metrics.types import Metrics

Status = Literal["verified", "unverified", "direction_mismatch", "unparsed"]


class NumberCheck(BaseModel):
    section: str
    sentence: str
    written: str
    value: float | None
    kind: Kind | None
    status: Status
    source: str | None = None
    fact_value: float | None = None
    note: str | None = None
    label: str | None = None
    match: str | None = None
    named: Literal["clause", "sentence"] | None = None

    @property
    def why(self) -> str:
        """One line for the appendix: how the value agrees and where the sentence names the fact."""
        if self.status != "verified":
            return self.note or ""
        where = {"clause": "named in its clause", "sentence": "named in its sentence"}.get(
            self.named or "", ""
        )
        return "; ".join(p for p in (self.match, where) if p)


@dataclass(frozen=True)
class LocatedCheck:
    """A NumberCheck with where its number sits in the checked text (offsets into the original text)."""

    check: NumberCheck
    start: int
    end: int


def _check_number(
    w: WrittenNumber,
    ctx: SentenceContext,
    index: FactIndex,
    cfg: MatchConfig,
    sentence: str,
    section: str,
    checked_periods: set[str],
    paired: Pairing = NO_PAIRING,
) -> tuple[NumberCheck, Fact | None]:
    """The check of one number, and the fact it was verified against (None unless verified)."""
    clause = ctx.clause_text(w.nstart)
    found = candidates(w, index, cfg, clause, ctx.clause_at(w.nstart).negated)
    choice = choose(w, found, ctx, index, checked_periods, paired)
    base = dict(section=section, sentence=sentence, written=w.text, value=w.value, kind=w.kind)
    best = choice.match
    if best is None:
        return NumberCheck(**base, status="unverified", note=choice.note), None
    fact = dict(source=best.fact.source, fact_value=best.compared, label=best.fact.label or None)
    if direction_conflict(clause, best.fact, w.negative):
        return NumberCheck(
            **base,
            status="direction_mismatch",
            **fact,
            note="direction words contradict the sign of this change",
        ), None
    if not best.sign_ok:
        return NumberCheck(
            **base, status="unverified", **fact, note="sign differs from the source fact"
        ), None
    return NumberCheck(**base, status="verified", **fact, match=best.how, named=choice.named), best.fact


def _sentence_checks(
    sentence: str, offset: int, index: FactIndex, cfg: MatchConfig, section: str
) -> list[LocatedCheck]:
    found = scan(sentence, index.identifiers)
    if not found.numbers and not found.unparsed:
        return []
    spans = [(n.nstart, n.nend) for n in found.numbers]
    years = [(n.nstart, n.nend, int(n.value)) for n in found.numbers if n.is_year]
    figures = [(n.nstart, n.nend) for n in found.numbers if n.kind != "period" and not n.is_year]
    ctx = SentenceContext(found.normalised.text, index.lexicon, spans, years, figures)
    cuts = clause_cuts(found.normalised.text, spans, ctx.mentions)
    out: dict[int, LocatedCheck] = {}
    verified: dict[int, Fact] = {}
    checked_periods: set[str] = set()
    # Years and period labels last: they are checked as the period of the sentence's other checked figures.
    order = sorted(range(len(found.numbers)), key=lambda i: found.numbers[i].kind in ("date", "period"))
    for i in order:
        w = found.numbers[i]
        paired = pairing(found.normalised.text, found.numbers, i, cuts)
        check, fact = _check_number(w, ctx, index, cfg, sentence, section, checked_periods, paired)
        if fact is not None and fact.period:
            checked_periods.add(fact.period)
        if fact is not None and fact.sentence:
            checked_periods.add(fact.sentence)
        if fact is not None:
            verified[i] = fact
        out[i] = LocatedCheck(check, offset + w.start, offset + w.end)
    for current, base in _comparisons(found.numbers, verified, ctx):
        lc = out[current]
        if comparison_conflict(ctx.text, verified[current].value, verified[base].value):
            note = (
                f"the sentence says it moved the other way: {verified[base].label} was "
                f"{found.numbers[base].text}"
            )
            out[current] = LocatedCheck(
                lc.check.model_copy(update={"status": "direction_mismatch", "note": note, "match": None}),
                lc.start,
                lc.end,
            )
    located = [out[i] for i in range(len(found.numbers))]
    for u in found.unparsed:
        located.append(
            LocatedCheck(
                NumberCheck(
                    section=section,
                    sentence=sentence,
                    written=u.text,
                    value=None,
                    kind=None,
                    status="unparsed",
                    note=f"unparsed number: {u.reason}",
                ),
                offset + u.start,
                offset + u.end,
            )
        )
    return sorted(located, key=lambda lc: lc.start)


_SERIES = re.compile(r"^(?:metrics\.fundamentals\.[^.]+|financials\.periods\[\d+\]\.\w+)\.(\w+)$")
_FROM_TO = re.compile(r"\bfrom\b.*\bto\b", re.I | re.S)


def _series(fact: Fact) -> str | None:
    """The figure a period's fact is one value of ("gross_margin_pct" of FY2024 and of the TTM)."""
    m = _SERIES.match(fact.source)
    return m.group(1) if m and fact.period else None


_COMPARED_WITH = re.compile(r"\s*(?:from|than|versus|vs\.?|against|compared (?:with|to))\b", re.I)


def _base_segment(ctx: SentenceContext, w: WrittenNumber) -> Segment | None:
    """The segment of `w` when it is the base of a comparison (from/than/versus/against/compared with)."""
    seg = ctx.segment_at(w.nstart)
    return seg if seg is not None and _COMPARED_WITH.match(ctx.text, seg.start) else None


def _comparisons(
    numbers: list[WrittenNumber], verified: dict[int, Fact], ctx: SentenceContext
) -> list[tuple[int, int]]:
    """(current, base) pairs of verified numbers that are one figure in two periods, the base being the one
    the sentence compares with: after from/than/versus/against ("16.19%, up from 17.20%"), or the first of
    "from 17.20% ... to 16.19%"."""
    pairs: list[tuple[int, int]] = []
    items = sorted(verified.items())
    for a, (i, fi) in enumerate(items):
        for j, fj in items[a + 1 :]:
            if _series(fi) is None or _series(fi) != _series(fj) or fi.period == fj.period or fi.change:
                continue  # a growth rate's direction words speak of the growth itself, not of the two rates
            si, sj = _base_segment(ctx, numbers[i]), _base_segment(ctx, numbers[j])
            if (
                si is not None
                and si is sj
                and _FROM_TO.search(ctx.text, numbers[i].nend, numbers[j].nstart) is None
            ):
                if re.search(r"\bto\b", ctx.text[numbers[i].nend : numbers[j].nstart], re.I):
                    pairs.append((j, i))  # "from 17.20% in FY2024 to 16.19%"
            elif sj is not None and si is None:
                pairs.append((i, j))  # "16.19%, up from 17.20%"
            elif si is not None and sj is None:
                if re.search(r"\bto\b", ctx.text[numbers[i].nend : numbers[j].nstart], re.I):
                    pairs.append((j, i))  # "rose from 1.14 in FY2024 to 1.30"
    return pairs


def located_checks(
    text: str, index: FactIndex, *, section: str, config: MatchConfig | None = None
) -> list[LocatedCheck]:
    """Like check_text, with each number's offsets in `text` (for evaluation and highlighting)."""
    cfg = config or MatchConfig()
    out: list[LocatedCheck] = []
    for offset, sentence in split_sentences(text):
        out += _sentence_checks(sentence, offset, index, cfg, section)
    return out


def check_text(
    text: str, index: FactIndex, *, section: str, config: MatchConfig | None = None
) -> list[NumberCheck]:
    """One NumberCheck per number (and per unparsed numeric string) written in `text`, sentence by sentence."""
    return [lc.check for lc in located_checks(text, index, section=section, config=config)]


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


def check_answer(
    answer: BaseModel, index: FactIndex, *, config: MatchConfig | None = None
) -> list[NumberCheck]:
    """check_text over every string field of a model's answer; `section` is the field path."""
    return [
        c
        for path, text in string_fields(answer)
        for c in check_text(text, index, section=path, config=config)
    ]


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
        if (
            _NEUTRAL.search(sentence)
            and "insufficient data" not in low
            and any(re.search(rf"\b{re.escape(name.lower())}\b", low) for name in missing)
        ):
            flagged.append(sentence)
    return flagged
