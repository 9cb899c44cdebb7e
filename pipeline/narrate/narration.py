"""Stage 3, narrate: each model-written section, prompt -> structured answer -> number check -> re-ask or
drop/flag.

The registry (registry.py) says which sections there are and in which phase: the "labels" sections (earnings
call, events) are asked first, because their sentiment labels feed the score; the score is recomputed in
code; then the "prose" sections are asked with the final metrics. The model never computes a number; every
number it writes is checked.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import cast

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
from pipeline.checks.answer_checks import string_fields
from pipeline.checks.evidence import ReadLabel, resolve_label
from pipeline.checks.periods import unnamed_bases
from pipeline.checks.support import unsupported_reasons
from pipeline.checks.written_numbers import split_sentences
from pipeline.errors import StockreportError
from pipeline.inputs.loaded import LoadedBundle
from pipeline.metrics import compute_metrics, rescore
from pipeline.metrics.types import Metrics, Sentiments
from pipeline.model.ask import ModelReply, ask, section_deadline
from pipeline.model.cache import AnswerCache
from pipeline.model.call_meta import CallMeta
from pipeline.model.providers import ModelRef, ModelStopped, ResolvedModel
from pipeline.narrate.answers import LabelledAnswer
from pipeline.narrate.prompt_context import PromptContext
from pipeline.narrate.prompt_facts import FactsOptions
from pipeline.narrate.prompts import PromptMessages, render_context
from pipeline.narrate.registry import SectionSpec, section_spec, written_sections
from pipeline.narrate.stale_caveat import is_staleness_caveat, stale_caveat

log = logging.getLogger(__name__)

BAD = ("unverified", "direction_mismatch", "unparsed")


@dataclass(frozen=True)
class NarrateOptions:
    strict_numbers: bool = False  # drop sentences with unverifiable numbers instead of flagging them
    number_reasks: int = 1  # re-asks naming the offending sentences before drop/flag
    max_transcript_tokens: int | None = None
    cache: AnswerCache | None = None
    sections: tuple[str, ...] | None = None  # which sections to ask; None = every registered one

    def facts_for(self, model: ResolvedModel) -> FactsOptions:
        """The facts options for `model`: its transcript budget (a small local context) unless one is set."""
        return FactsOptions(self.max_transcript_tokens or model.budget.transcript_tokens)

    def wants(self, name: str) -> bool:
        return self.sections is None or name in self.sections


@dataclass
class SectionResult:
    """One model-written section: its prompt, the model's reply (as checked), and what the checks found."""

    section: str
    prompt: PromptMessages
    reply: ModelReply
    checks: list[NumberCheck]
    flagged: list[str] = field(default_factory=list)  # sentences kept but flagged
    dropped: list[str] = field(default_factory=list)  # sentences removed (--strict-numbers)
    # What the report says about each removed sentence: where it was and why, never its text or numbers
    # (a dropped number must not reach any rendered format).
    dropped_notes: list[str] = field(default_factory=list)
    # Why the prose is not analysis of this company's data (checks/support.py); empty: it is.
    unsupported: list[str] = field(default_factory=list)
    model: ModelRef | None = None  # set for sections kept from an earlier report: the model that wrote them


@dataclass(frozen=True)
class Earlier:
    """What single-section regeneration keeps from an earlier report: the sections not re-asked (their
    answers are re-checked, never re-asked) and the sentiment labels they gave the score."""

    kept: dict[str, SectionResult]
    sentiments: Sentiments


@dataclass
class Narrative:
    metrics: Metrics
    results: dict[str, SectionResult]  # in registry order
    labels: dict[str, ReadLabel] = field(default_factory=dict)  # model-read sentiment, checked (evidence.py)


def read_label(
    spec: SectionSpec, result: SectionResult, loaded: LoadedBundle, context: PromptContext
) -> ReadLabel:
    """The sentiment label of a labels-phase answer as the score counts it: its quotes are checked against the
    very data blocks the prompt gave the model."""
    answer = result.reply.parsed
    assert spec.label is not None and isinstance(answer, LabelledAnswer), spec.name
    return resolve_label(
        answer.sentiment,
        list(answer.evidence or []),
        [b.text for b in context.data.values()],
        has_source=spec.label.has_source(loaded),
        part=spec.label.part,
        prose=answer.summary,
    )


def _offending(checks: list[NumberCheck]) -> list[str]:
    return list(dict.fromkeys(c.sentence for c in checks if c.status in BAD))


def _feedback(sentences: list[str], checks: list[NumberCheck]) -> str:
    bad = [f"- {c.written!r} in: {c.sentence}" for c in checks if c.status in BAD]
    return (
        "Some numbers in your answer do not match the facts or data given (or their direction is wrong):\n"
        + "\n".join(bad[:20])
        + "\nRewrite the answer with the same schema, using only numbers that appear in <facts> or the "
        "<data> blocks, exactly as given, or leave the number out."
    )


def _dropped_note(section: str, sentence: str, checks: list[NumberCheck], replaced: bool = False) -> str:
    bad = [c for c in checks if c.sentence == sentence and c.status in BAD]
    counts = Counter(c.status for c in bad)
    why = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in sorted(counts.items()))
    where = f"{section}.{bad[0].section}" if bad else section
    if replaced:
        return f"[replaced] {where}: a staleness caveat whose numbers did not check out ({why}), by the report's own"
    return f"[dropped] {where}: a sentence whose numbers did not check out ({why})"


def _without(value: object, sentences: Mapping[str, str | None]) -> object:
    if isinstance(value, str):
        kept = [sentences.get(s, s) if s in sentences else s for _, s in split_sentences(value)]
        text = [s for s in kept if s]
        return " ".join(text) if text else "Insufficient data."
    if isinstance(value, BaseModel):
        return value.model_copy(
            update={k: _without(getattr(value, k), sentences) for k in type(value).model_fields}
        )
    if isinstance(value, list):
        return [_without(v, sentences) for v in value]
    return value


def remove_sentences(answer: BaseModel, sentences: set[str] | Mapping[str, str | None]) -> BaseModel:
    """A copy of `answer` with the given sentences cut from every string field (for --strict-numbers), or
    replaced where `sentences` maps one to a replacement (a staleness caveat: stale_caveat.py)."""
    cut = sentences if isinstance(sentences, Mapping) else dict.fromkeys(sentences)
    return answer.model_copy(update={k: _without(getattr(answer, k), cut) for k in type(answer).model_fields})


def _ask_checked(
    model: ResolvedModel,
    spec: SectionSpec,
    loaded: LoadedBundle,
    context: PromptContext,
    opts: NarrateOptions,
    index: FactIndex,
    caveat: str | None = None,
) -> SectionResult:
    prompt = render_context(spec.name, context)
    meta = CallMeta(spec.name, loaded.ticker, context.as_json())
    messages: list[BaseMessage] = prompt.as_langchain()
    deadline = section_deadline(model)  # one bound for the section, re-asks included (CallBudget)
    reply = ask(model, meta, messages, spec.answer, cache=opts.cache, deadline=deadline)
    checks = check_answer(reply.parsed, index)
    for _ in range(opts.number_reasks):
        offending = _offending(checks)
        if not offending:
            break
        log.info("%s: %d sentence(s) with unverified numbers; re-asking", spec.name, len(offending))
        messages = [
            *messages,
            AIMessage(content=reply.raw_text),
            HumanMessage(content=_feedback(offending, checks)),
        ]
        try:
            retry = ask(model, meta, messages, spec.answer, cache=opts.cache, deadline=deadline)
        except ModelStopped:
            raise
        except StockreportError as exc:  # the first answer is valid: check it as is, never fail on a re-ask
            log.info("%s: the number re-ask gave no usable answer (%s); keeping the first", spec.name, exc)
            break
        retry = replace(  # account for both calls
            retry,
            attempts=retry.attempts + reply.attempts,
            reasks=retry.reasks + reply.reasks + 1,
            usage=retry.usage + reply.usage,
            latency_s=retry.latency_s + reply.latency_s,
            cost_usd=None
            if retry.cost_usd is None or reply.cost_usd is None
            else retry.cost_usd + reply.cost_usd,
            cut=retry.cut + reply.cut,
            invalid=retry.invalid + reply.invalid,
        )
        reply, checks = retry, check_answer(retry.parsed, index)
    result = SectionResult(spec.name, prompt, reply, checks)
    profile = loaded.bundle.profile
    result.unsupported = unsupported_reasons(
        string_fields(reply.parsed), checks, profile.name, profile.ticker
    )
    if result.unsupported:
        _mark_unsupported(result, opts, index)
        return result
    return _settle(result, index, opts, caveat)


def _settle(
    result: SectionResult, index: FactIndex, opts: NarrateOptions, caveat: str | None = None
) -> SectionResult:
    """The sentences whose numbers do not check out against `index` (`result.checks`): flagged, or with
    --strict-numbers cut from the answer. A staleness caveat is never removed: the report's own caveat takes
    its place (stale_caveat.py). An unsupported section is settled already (`_mark_unsupported`)."""
    if result.unsupported:
        return result
    offending = _offending(result.checks)
    if offending and opts.strict_numbers:
        cut: dict[str, str | None] = {
            s: caveat if caveat and is_staleness_caveat(s) else None for s in offending
        }
        notes = [
            _dropped_note(result.section, sentence, result.checks, replaced=cut[sentence] is not None)
            for sentence in offending
        ]
        result.reply = replace(result.reply, parsed=remove_sentences(result.reply.parsed, cut))
        result.dropped = [*result.dropped, *offending]
        result.dropped_notes = [*result.dropped_notes, *notes]
        result.checks = check_answer(result.reply.parsed, index)
    else:
        result.flagged = offending
    return result


UNSUPPORTED_MARK = "[unsupported] "


def _rewrite_prose(value: object, how: Callable[[str, str], str], key: str = "") -> object:
    """`value` with `how(field name, text)` applied to each of its own strings (not labels, not quotes)."""
    if key in ("sentiment", "evidence"):
        return value
    if isinstance(value, str):
        return how(key, value)
    if isinstance(value, BaseModel):
        return value.model_copy(
            update={k: _rewrite_prose(getattr(value, k), how, k) for k in type(value).model_fields}
        )
    if isinstance(value, list):
        return [_rewrite_prose(v, how, key) for v in value]
    return value


def _mark_unsupported(result: SectionResult, opts: NarrateOptions, index: FactIndex) -> None:
    """An unsupported section is never published as analysis: under --strict-numbers its prose is replaced
    by "Insufficient data" (a note says why); otherwise each prose field carries the mark and the report's
    flagged list says why."""
    why = "; ".join(result.unsupported)
    parsed = result.reply.parsed
    if opts.strict_numbers:
        blank = _rewrite_prose(
            parsed, lambda key, _: "Insufficient data" if key == "title" else "Insufficient data."
        )
        result.reply = replace(result.reply, parsed=cast(BaseModel, blank))
        result.dropped = [s for _, t in string_fields(parsed) for _, s in split_sentences(t)]
        result.dropped_notes = [f"[dropped] {result.section}: its prose was unsupported ({why})"]
        result.checks = check_answer(result.reply.parsed, index)
        # what is left (quotes) still has its unverified numbers dropped, as in any section
        offending = _offending(result.checks)
        if offending:
            result.reply = replace(result.reply, parsed=remove_sentences(result.reply.parsed, set(offending)))
            result.dropped_notes += [_dropped_note(result.section, s, result.checks) for s in offending]
            result.checks = check_answer(result.reply.parsed, index)
    else:
        marked = _rewrite_prose(parsed, lambda key, text: text if key == "title" else UNSUPPORTED_MARK + text)
        result.reply = replace(result.reply, parsed=cast(BaseModel, marked))
        result.flagged = [
            f"{UNSUPPORTED_MARK}{result.section}: not analysis of this company's data ({why})",
            *_offending(
                result.checks
            ),  # and, as in any section, each sentence whose numbers do not check out
        ]


def ask_section(
    model: ResolvedModel,
    section: str,
    loaded: LoadedBundle,
    metrics: Metrics,
    opts: NarrateOptions | None = None,
) -> ModelReply:
    """One section asked once, nothing checked: its facts, its prompt, the run metadata, `ask`."""
    spec = section_spec(section)
    opts = opts or NarrateOptions()
    context = spec.facts(loaded, metrics, opts.facts_for(model))
    prompt = render_context(section, context)
    meta = CallMeta(section, loaded.ticker, context.as_json())
    return ask(model, meta, prompt.as_langchain(), spec.answer, cache=opts.cache)


def _tone_flags(spec: SectionSpec, result: SectionResult, metrics: Metrics) -> list[str]:
    """Prose whose tone contradicts the computed label it is about, and silent Neutrals for missing data."""
    flags: list[str] = []
    for path, text in string_fields(result.reply.parsed):
        label = spec.tone_target(metrics, path) if spec.tone_target else None
        if label:
            tone = check_tone(text, label, section=f"{spec.name}.{path}")
            if tone.flagged:
                flags.append(f"[tone] {spec.name}.{path}: {tone.reason}")
        flags += [f"[insufficient data said as Neutral] {s}" for s in silent_neutrals(text, metrics)]
    return flags + unnamed_bases(result.checks, metrics)


def _recheck(kept: SectionResult, index: FactIndex) -> SectionResult:
    """A section kept from an earlier report, its numbers checked again against today's facts."""
    checks = check_answer(kept.reply.parsed, index)
    return SectionResult(
        kept.section, kept.prompt, kept.reply, checks, flagged=_offending(checks), model=kept.model
    )


def _counted(
    specs: tuple[SectionSpec, ...], labels: dict[str, ReadLabel], loaded: LoadedBundle, before: Sentiments
) -> Sentiments:
    """The sentiments the score counts: each labels-phase section's checked label; a section not asked keeps
    the earlier label, unless it is skipped for this bundle (then the part is missing)."""
    update: dict[str, object] = {}
    for spec in specs:
        if spec.label is None:
            continue
        label = labels.get(spec.name)
        if label is not None:
            update[spec.label.sentiment] = label.counted
        elif spec.skip(loaded):
            update[spec.label.sentiment] = None
    return before.model_copy(update=update)


def narrate(
    loaded: LoadedBundle, model: ResolvedModel, opts: NarrateOptions, earlier: Earlier | None = None
) -> Narrative:
    """Ask every wanted section; return the final metrics (scored with the model's labels) and the results.

    `earlier` carries the sections of an earlier report that are not re-asked (single-section regeneration):
    they are re-checked against today's facts, and their labels count unless re-asked.
    """
    specs = written_sections()
    facts_opts = opts.facts_for(model)
    results: dict[str, SectionResult] = {}
    contexts: dict[str, PromptContext] = {}
    sentiments = earlier.sentiments if earlier else Sentiments()
    metrics = compute_metrics(loaded, sentiments)
    base_index = build_fact_index(loaded)  # the bundle's and the sources' facts, extracted once
    index = base_index.with_metrics(metrics)
    for spec in specs:
        if spec.phase != "labels" or not opts.wants(spec.name) or spec.skip(loaded):
            continue
        contexts[spec.name] = spec.facts(loaded, metrics, facts_opts)
        results[spec.name] = _ask_checked(
            model, spec, loaded, contexts[spec.name], opts, index, stale_caveat(metrics)
        )
    labels = {k: read_label(section_spec(k), r, loaded, contexts[k]) for k, r in results.items()}
    metrics = rescore(
        metrics, loaded, _counted(specs, labels, loaded, sentiments)
    )  # the score, with the labels
    index = base_index.with_metrics(metrics)
    for result in results.values():
        # The labels sections were checked against the score before their labels counted; the report prints
        # the score after, so their figures are settled against the facts the page shows ("coverage is 85%").
        result.checks = check_answer(result.reply.parsed, index)
        _settle(result, index, opts, stale_caveat(metrics))
    for spec in specs:
        if spec.phase == "labels" or not opts.wants(spec.name) or spec.skip(loaded):
            continue
        contexts[spec.name] = spec.facts(loaded, metrics, facts_opts)
        results[spec.name] = _ask_checked(
            model, spec, loaded, contexts[spec.name], opts, index, stale_caveat(metrics)
        )
    if earlier:
        results.update({k: _recheck(v, index) for k, v in earlier.kept.items() if k not in results})
        for spec in specs:
            if spec.label is not None and spec.name in results and spec.name not in labels:
                context = spec.facts(loaded, metrics, facts_opts)
                labels[spec.name] = read_label(spec, results[spec.name], loaded, context)
    results = {spec.name: results[spec.name] for spec in specs if spec.name in results}
    for name, label in labels.items():
        if label.flag:
            results[name].flagged.append(f"[sentiment evidence] {label.flag}")
    for name, result in results.items():
        result.flagged += _tone_flags(section_spec(name), result, metrics)
    return Narrative(metrics, results, labels)
