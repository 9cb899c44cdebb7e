"""The model step, section by section: prompt -> structured answer -> number check -> re-ask or drop/flag.

Order matters: the earnings-call and events answers give the sentiment labels the score consumes, so they
are asked first, the score is recomputed in code, and only then are the factors, commentary and summary
asked with the final metrics. The model never computes a number; every number it writes is checked.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from pydantic import BaseModel

from pipeline.checks import (
    FactIndex,
    NumberCheck,
    build_fact_index,
    check_answer,
    check_tone,
    silent_neutrals,
)
from pipeline.checks.facts import _metrics_facts  # private on purpose: see _indexer
from pipeline.checks.numbers import split_sentences
from pipeline.checks.periods import unnamed_bases
from pipeline.checks.report import string_fields
from pipeline.inputs.load import LoadedBundle
from pipeline.metrics import compute_metrics, rescore
from pipeline.metrics.model import Metrics, Sentiments
from pipeline.model.answers import SCHEMAS
from pipeline.model.cache import AnswerCache
from pipeline.model.evidence import ReadLabel, resolve_label
from pipeline.model.facts import build_context
from pipeline.model.select import ResolvedModel
from pipeline.model.structured import Answer, ask
from pipeline.prompts import PromptMessages, build_prompt

log = logging.getLogger(__name__)

FIRST = ("earnings_call", "events")  # their sentiment labels feed the score
THEN = ("factors", "financials", "technicals", "summary")
SECTIONS = FIRST + THEN
BAD = ("unverified", "direction_mismatch", "unparsed")


@dataclass(frozen=True)
class NarrateOptions:
    strict_numbers: bool = False  # drop sentences with unverifiable numbers instead of flagging them
    number_reasks: int = 1  # re-asks naming the offending sentences before drop/flag
    max_transcript_tokens: int | None = None
    cache: AnswerCache | None = None
    sections: tuple[str, ...] = SECTIONS  # which sections to ask (others are skipped or kept)


@dataclass
class SectionResult:
    section: str
    prompt: PromptMessages
    answer: Answer
    checks: list[NumberCheck]
    flagged: list[str] = field(default_factory=list)  # sentences kept but flagged
    dropped: list[str] = field(default_factory=list)  # sentences removed (--strict-numbers)
    # What the report says about each removed sentence: where it was and why, never its text or numbers
    # (a dropped number must not reach any rendered format).
    dropped_notes: list[str] = field(default_factory=list)


@dataclass
class Narrative:
    metrics: Metrics
    results: dict[str, SectionResult]
    labels: dict[str, ReadLabel] = field(default_factory=dict)  # model-read sentiment, checked (evidence.py)


SENTIMENT_PART = {"earnings_call": "earnings call", "events": "corporate events"}


def read_label(section: str, result: SectionResult, loaded: LoadedBundle, metrics: Metrics,
               opts: NarrateOptions) -> ReadLabel:
    """The sentiment label of an earnings-call or events answer as the score counts it: its quotes are
    checked against the very data blocks the prompt gave the model."""
    answer: Any = result.answer.parsed
    data = build_context(section, loaded, metrics, opts.max_transcript_tokens)["data"]
    has = loaded.bundle.earnings_call is not None if section == "earnings_call" else bool(loaded.bundle.events)
    return resolve_label(answer.sentiment, list(getattr(answer, "evidence", []) or []), list(data.values()),
                         has_source=has, part=SENTIMENT_PART[section])


def _skip_reason(section: str, loaded: LoadedBundle) -> str | None:
    b = loaded.bundle
    if section == "earnings_call" and b.earnings_call is None:
        return "No earnings call in the bundle."
    if section == "events" and not b.events:
        return "No corporate events in the bundle."
    return None


def _offending(checks: list[NumberCheck]) -> list[str]:
    return list(dict.fromkeys(c.sentence for c in checks if c.status in BAD))


def _feedback(sentences: list[str], checks: list[NumberCheck]) -> str:
    bad = [f"- {c.written!r} in: {c.sentence}" for c in checks if c.status in BAD]
    return ("Some numbers in your answer do not match the facts or data given (or their direction is wrong):\n"
            + "\n".join(bad[:20])
            + "\nRewrite the answer with the same schema, using only numbers that appear in <facts> or the "
              "<data> blocks, exactly as given, or leave the number out.")


def _dropped_note(section: str, sentence: str, checks: list[NumberCheck]) -> str:
    bad = [c for c in checks if c.sentence == sentence and c.status in BAD]
    counts = Counter(c.status for c in bad)
    why = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in sorted(counts.items()))
    where = f"{section}.{bad[0].section}" if bad else section
    return f"[dropped] {where}: a sentence whose numbers did not check out ({why})"


def _remove_sentences(answer: BaseModel, sentences: set[str]) -> BaseModel:
    """A copy of `answer` with the given sentences cut from every string field (for --strict-numbers)."""

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            kept = [s for _, s in split_sentences(value) if s not in sentences]
            return " ".join(kept) if kept else "Insufficient data."
        if isinstance(value, BaseModel):
            return value.model_copy(update={k: clean(getattr(value, k)) for k in type(value).model_fields})
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return clean(answer)  # type: ignore[no-any-return]


def _ask_checked(resolved: ResolvedModel, section: str, loaded: LoadedBundle, metrics: Metrics,
                 opts: NarrateOptions, index: FactIndex) -> SectionResult:
    prompt = build_prompt(section, loaded, metrics, max_transcript_tokens=opts.max_transcript_tokens)
    schema = SCHEMAS[section]
    messages: list[BaseMessage] = prompt.as_langchain()
    answer = ask(resolved, section, messages, schema, cache=opts.cache)
    checks = check_answer(answer.parsed, index)
    for _ in range(opts.number_reasks):
        offending = _offending(checks)
        if not offending:
            break
        log.info("%s: %d sentence(s) with unverified numbers; re-asking", section, len(offending))
        messages = [*messages, AIMessage(content=answer.raw_text), HumanMessage(content=_feedback(offending, checks))]
        retry = ask(resolved, section, messages, schema, cache=opts.cache)
        retry = replace(  # account for both calls
            retry, attempts=retry.attempts + answer.attempts, reasks=retry.reasks + answer.reasks + 1,
            usage=retry.usage + answer.usage, latency_s=retry.latency_s + answer.latency_s,
            cost_usd=None if retry.cost_usd is None or answer.cost_usd is None
            else retry.cost_usd + answer.cost_usd)
        answer, checks = retry, check_answer(retry.parsed, index)
    result = SectionResult(section, prompt, answer, checks)
    offending = _offending(checks)
    if offending and opts.strict_numbers:
        result.answer = replace(answer, parsed=_remove_sentences(answer.parsed, set(offending)))
        result.dropped = offending
        result.dropped_notes = [_dropped_note(section, sentence, checks) for sentence in offending]
        result.checks = check_answer(result.answer.parsed, index)
    else:
        result.flagged = offending
    return result


def _tone_flags(result: SectionResult, metrics: Metrics) -> list[str]:
    """Prose whose tone contradicts the computed label it is about, and silent Neutrals for missing data."""
    label_of = {s.key: s.label for s in metrics.score.subscores}
    targets = {
        "summary": metrics.score.label,
        "technicals": metrics.technicals.sentiment,
        "financials": None,
    }
    flags: list[str] = []
    for path, text in string_fields(result.answer.parsed):
        label = targets.get(result.section)
        if result.section == "financials":
            label = label_of.get(path) if path in label_of else None
        if label:
            tone = check_tone(text, label, section=f"{result.section}.{path}")
            if tone.flagged:
                flags.append(f"[tone] {result.section}.{path}: {tone.reason}")
        flags += [f"[insufficient data said as Neutral] {s}" for s in silent_neutrals(text, metrics)]
    return flags + unnamed_bases(result.checks, metrics)


def _indexer(loaded: LoadedBundle) -> Callable[[Metrics], FactIndex]:
    """Fact index per metrics, the bundle and source-text facts extracted once.

    narrate needs one index before and one after the rescore; only the metrics facts differ, and the text
    extraction was ~25% of a report's time. Same facts, same order as `build_fact_index(loaded, metrics)`.
    """
    base = build_fact_index(loaded)
    return lambda metrics: base.with_facts(_metrics_facts(metrics, base.periods))


def _recheck(kept: SectionResult, index: FactIndex) -> SectionResult:
    """A section kept from an earlier report, its numbers checked again against today's facts."""
    checks = check_answer(kept.answer.parsed, index)
    return SectionResult(kept.section, kept.prompt, kept.answer, checks, flagged=_offending(checks))


def narrate(loaded: LoadedBundle, resolved: ResolvedModel, opts: NarrateOptions,
            base_sentiments: Sentiments | None = None,
            kept: dict[str, SectionResult] | None = None) -> Narrative:
    """Ask every wanted section; return the final metrics (scored with the model's labels) and the results.

    `base_sentiments` carries labels from an earlier report for sections not re-asked, and `kept` their
    answers (single-section regeneration); kept answers are re-checked, never re-asked.
    """
    results: dict[str, SectionResult] = {}
    sentiments = base_sentiments or Sentiments()
    metrics = compute_metrics(loaded, sentiments)
    index_for = _indexer(loaded)
    index = index_for(metrics)
    for section in FIRST:
        if section not in opts.sections or _skip_reason(section, loaded):
            continue
        results[section] = _ask_checked(resolved, section, loaded, metrics, opts, index)
    labels = {k: read_label(k, r, loaded, metrics, opts) for k, r in results.items()}
    for k, label in labels.items():
        if label.flag:
            results[k].flagged.append(f"[sentiment evidence] {label.flag}")
    call, events = labels.get("earnings_call"), labels.get("events")
    sentiments = Sentiments(
        earnings_call=call.counted if call else (
            None if _skip_reason("earnings_call", loaded) else sentiments.earnings_call),
        corporate_events=events.counted if events else (
            None if _skip_reason("events", loaded) else sentiments.corporate_events),
    )
    metrics = rescore(metrics, loaded, sentiments)  # the score arithmetic, now with the model's labels
    index = index_for(metrics)
    for section in THEN:
        if section in opts.sections:
            results[section] = _ask_checked(resolved, section, loaded, metrics, opts, index)
    if kept:
        results.update({k: _recheck(v, index) for k, v in kept.items() if k not in results})
        results = {s: results[s] for s in SECTIONS if s in results}
        for k in FIRST:
            if k in results and k not in labels:
                labels[k] = read_label(k, results[k], loaded, metrics, opts)
                if labels[k].flag:
                    results[k].flagged.append(f"[sentiment evidence] {labels[k].flag}")
    for result in results.values():
        result.flagged += _tone_flags(result, metrics)
    return Narrative(metrics, results, labels)
