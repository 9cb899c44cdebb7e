"""Single-section regeneration: rebuild the kept sections' answers from an existing report.json.

The report holds everything an answer held (the prose, the sentiment labels, the per-section provenance),
so the kept answers are reconstructed as the same Pydantic answer objects and go through the same checking,
assembly and rendering as fresh ones. Each kept section keeps the model, prompt version, usage and cost it
was written with; `assemble_report(models=...)` records that model per section.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from pipeline.errors import StockreportError
from pipeline.metrics.model import Sentiments
from pipeline.model.answers import (
    EarningsCallAnswer,
    EventsAnswer,
    FactorsAnswer,
    FinancialsAnswer,
    LabelOrMissing,
    SummaryAnswer,
    TechnicalsAnswer,
    Titled,
)
from pipeline.model.cost import Usage
from pipeline.model.select import ResolvedModel
from pipeline.model.structured import Answer
from pipeline.narrate import SECTIONS, SectionResult
from pipeline.prompts import PromptMessages
from pipeline.report import Report, SectionProvenance


def _titled(items: list[Any]) -> list[Titled]:
    return [Titled.model_construct(title=i.title, text=i.text) for i in items]


def _label(model_label: str | None, counted: str | None) -> LabelOrMissing:
    """The label the model gave (the report keeps it beside the counted one), so it is checked again."""
    for label in (model_label, counted):
        if label in ("Positive", "Negative", "Neutral", "Insufficient data"):
            return label  # type: ignore[return-value]
    return "Insufficient data"


def _parsed(report: Report, section: str) -> BaseModel | None:
    """The answer object `section` had, or None when the report has no prose for it."""
    s = report.sections
    if section == "summary":
        return SummaryAnswer.model_construct(text=s.summary.text) if s.summary.text else None
    if section == "technicals":
        return TechnicalsAnswer.model_construct(text=s.technicals.text) if s.technicals.text else None
    if section == "factors":
        f = report.factors
        return (
            FactorsAnswer.model_construct(positive=_titled(f.positive), negative=_titled(f.negative))
            if f.positive or f.negative
            else None
        )
    if section == "financials":
        fin = s.financials
        return (
            FinancialsAnswer.model_construct(
                summary=fin.summary,
                income_statement=fin.income_statement or "",
                balance_sheet=fin.balance_sheet or "",
                cash_flow=fin.cash_flow or "",
            )
            if fin.summary
            else None
        )
    if section == "events":
        ev = s.events
        return (
            EventsAnswer.model_construct(summary=ev.summary,
                                         sentiment=_label(ev.model_sentiment, ev.sentiment),
                                         evidence=[e.quote for e in ev.evidence])
            if ev.summary
            else None
        )
    if section == "earnings_call":
        ec = s.earnings_call
        return (
            EarningsCallAnswer.model_construct(
                summary=ec.summary,
                sentiment=_label(ec.model_sentiment, ec.sentiment),
                evidence=[e.quote for e in ec.evidence],
                positive_updates=_titled(ec.positive_updates),
                negative_updates=_titled(ec.negative_updates),
                guidance=ec.guidance or "",
            )
            if ec.summary
            else None
        )
    raise StockreportError(f"unknown section {section!r}; choose from {', '.join(SECTIONS)}")


def _placeholder_model(spec: str, model_id: str) -> ResolvedModel:
    """Names the earlier model in provenance without building it (it may need a key we do not have)."""
    provider = spec.split(":", 1)[0] if ":" in spec else spec
    return ResolvedModel(None, spec, provider, model_id)  # type: ignore[arg-type]


def kept_sections(
    report: Report, wanted: tuple[str, ...]
) -> tuple[dict[str, SectionResult], dict[str, ResolvedModel], Sentiments]:
    """Results of the sections not re-asked, their models, and the sentiment labels they gave the score."""
    unknown = [w for w in wanted if w not in SECTIONS]
    if unknown:
        raise StockreportError(f"unknown section {unknown[0]!r}; choose from {', '.join(SECTIONS)}")
    prov: dict[str, SectionProvenance] = {p.section: p for p in report.provenance.sections}
    kept: dict[str, SectionResult] = {}
    models: dict[str, ResolvedModel] = {}
    for name, p in prov.items():
        if name in wanted:
            continue
        parsed = _parsed(report, name)
        if parsed is None:
            continue
        answer = Answer(
            name,
            parsed,
            parsed.model_dump_json(),
            Usage(p.usage.input_tokens, p.usage.output_tokens, p.usage.cached_tokens),
            p.latency_s,
            p.attempts,
            0,
            p.model_id,
            p.cached,
            p.cost_usd,
        )
        kept[name] = SectionResult(name, PromptMessages(name, "", "", p.prompt_version), answer, [])
        models[name] = _placeholder_model(p.model, p.model_id)
    ec, ev = report.sections.earnings_call, report.sections.events
    return kept, models, Sentiments(earnings_call=ec.sentiment, corporate_events=ev.sentiment)
