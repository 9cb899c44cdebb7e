"""How each model-written section's answer goes into the page and comes back out of a report.json.

`put_*(draft, answer, label)` fills the page sections of a `ReportDraft` with the checked prose (and, for the
sections whose label the score counts, the label as counted, the model's own label and the checked quotes).
`take_*(report)` rebuilds the answer from a finished report, for single-section regeneration: the report
holds everything an answer held, so a kept answer goes through the same checks and assembly as a fresh one.

A section the page has no fixed place for uses `put_additional(title)` / `take_additional`: its string
fields become the paragraphs of a `sections.additional` entry, which every format renders.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from pipeline.checks.answer_checks import string_fields
from pipeline.checks.evidence import ReadLabel
from pipeline.narrate.answers import (
    AnswerSchema,
    EarningsCallAnswer,
    EventsAnswer,
    FactorsAnswer,
    FinancialsAnswer,
    LabelOrMissing,
    SummaryAnswer,
    TechnicalsAnswer,
    Titled,
)
from pipeline.report.document import (
    AdditionalSection,
    EarningsCallSection,
    EventsSection,
    EvidenceQuote,
    Factors,
    Paragraph,
    Report,
    TitledText,
)
from pipeline.report.draft import ReportDraft

A = TypeVar("A", bound=AnswerSchema)
LABELS: tuple[LabelOrMissing, ...] = ("Positive", "Negative", "Neutral", "Insufficient data")


def _titled(items: Sequence[Titled | TitledText]) -> list[TitledText]:
    return [TitledText(title=i.title, text=i.text) for i in items]


def _as_titled(items: Sequence[TitledText]) -> list[Titled]:
    return [Titled.model_construct(title=i.title, text=i.text) for i in items]


def _apply_label(section: EarningsCallSection | EventsSection, label: ReadLabel | None) -> None:
    """The counted sentiment, the model's own label, the checked quotes and the note on any difference."""
    if label is None:
        return
    section.sentiment = label.counted
    section.model_sentiment = label.model_label
    section.sentiment_note = label.flag
    section.evidence = [EvidenceQuote(quote=q.quote, status=q.status) for q in label.quotes]


def _model_label(model_label: str | None, counted: str | None) -> LabelOrMissing:
    """The label the model gave (the report keeps it beside the counted one), so it is checked again."""
    for label in (model_label, counted):
        for known in LABELS:
            if label == known:
                return known
    return "Insufficient data"


# --- earnings call ---------------------------------------------------------------------------------------


def put_earnings_call(draft: ReportDraft, a: EarningsCallAnswer, label: ReadLabel | None) -> None:
    section = draft.sections.earnings_call
    if draft.loaded.bundle.earnings_call is None:
        return  # the page says the call is missing; nothing of a model answer belongs there
    _apply_label(section, label)
    section.summary = a.summary
    # The bundle's reported highlights win; the model's updates fill in when only a transcript exists.
    if not section.positive_updates and not section.negative_updates:
        section.positive_updates = _titled(a.positive_updates)
        section.negative_updates = _titled(a.negative_updates)
    section.guidance = section.guidance or a.guidance


def take_earnings_call(report: Report) -> EarningsCallAnswer | None:
    ec = report.sections.earnings_call
    if not ec.summary:
        return None
    return EarningsCallAnswer.model_construct(
        summary=ec.summary,
        sentiment=_model_label(ec.model_sentiment, ec.sentiment),
        evidence=[e.quote for e in ec.evidence],
        positive_updates=_as_titled(ec.positive_updates),
        negative_updates=_as_titled(ec.negative_updates),
        guidance=ec.guidance or "",
    )


# --- events ----------------------------------------------------------------------------------------------


def put_events(draft: ReportDraft, a: EventsAnswer, label: ReadLabel | None) -> None:
    _apply_label(draft.sections.events, label)
    draft.sections.events.summary = a.summary


def take_events(report: Report) -> EventsAnswer | None:
    ev = report.sections.events
    if not ev.summary:
        return None
    return EventsAnswer.model_construct(
        summary=ev.summary,
        sentiment=_model_label(ev.model_sentiment, ev.sentiment),
        evidence=[e.quote for e in ev.evidence],
    )


# --- factors ---------------------------------------------------------------------------------------------


def put_factors(draft: ReportDraft, a: FactorsAnswer, label: ReadLabel | None) -> None:
    draft.factors = Factors(positive=_titled(a.positive), negative=_titled(a.negative))


def take_factors(report: Report) -> FactorsAnswer | None:
    f = report.factors
    if not f.positive and not f.negative:
        return None
    return FactorsAnswer.model_construct(positive=_as_titled(f.positive), negative=_as_titled(f.negative))


# --- financials ------------------------------------------------------------------------------------------


def put_financials(draft: ReportDraft, a: FinancialsAnswer, label: ReadLabel | None) -> None:
    fin = draft.sections.financials
    fin.summary, fin.income_statement = a.summary, a.income_statement
    fin.balance_sheet, fin.cash_flow = a.balance_sheet, a.cash_flow


def take_financials(report: Report) -> FinancialsAnswer | None:
    fin = report.sections.financials
    if not fin.summary:
        return None
    return FinancialsAnswer.model_construct(
        summary=fin.summary,
        income_statement=fin.income_statement or "",
        balance_sheet=fin.balance_sheet or "",
        cash_flow=fin.cash_flow or "",
    )


# --- technicals and summary ------------------------------------------------------------------------------


def put_technicals(draft: ReportDraft, a: TechnicalsAnswer, label: ReadLabel | None) -> None:
    draft.sections.technicals.text = a.text


def take_technicals(report: Report) -> TechnicalsAnswer | None:
    text = report.sections.technicals.text
    return TechnicalsAnswer.model_construct(text=text) if text else None


def put_summary(draft: ReportDraft, a: SummaryAnswer, label: ReadLabel | None) -> None:
    draft.sections.summary.text = a.text


def take_summary(report: Report) -> SummaryAnswer | None:
    text = report.sections.summary.text
    return SummaryAnswer.model_construct(text=text) if text else None


# --- sections without a fixed place on the page ----------------------------------------------------------


def put_additional(key: str, title: str) -> Callable[[ReportDraft, AnswerSchema, ReadLabel | None], None]:
    """Every string field of the answer as a paragraph of its own `sections.additional` entry."""

    def put(draft: ReportDraft, answer: AnswerSchema, label: ReadLabel | None) -> None:
        paragraphs = [Paragraph(field=path, text=text) for path, text in string_fields(answer)]
        draft.sections.additional.append(AdditionalSection(key=key, title=title, paragraphs=paragraphs))

    return put


def take_additional(key: str, answer: type[A]) -> Callable[[Report], A | None]:
    """The answer back from its `sections.additional` entry (top-level string fields)."""

    def take(report: Report) -> A | None:
        entry = next((s for s in report.sections.additional if s.key == key), None)
        if entry is None or not entry.paragraphs:
            return None
        return answer.model_validate({p.field: p.text for p in entry.paragraphs})

    return take
