"""The typed report: metrics, scores and the model's prose merged into one document.

"Page sections" (`PageSections`: summary, business, comparison, earnings call, ...) are the parts of the page;
"model-written sections" (pipeline/narrate/registry.py) are what the model is asked for. Each model-written
section says how its answer goes into the page sections and back (`SectionSpec.put` / `.take`); one the page
has no fixed place for appears under `sections.additional`, which every format renders.

`report.json` is `Report.model_dump(mode="json")`; `stockreport schema report` publishes its JSON Schema.
Stable contract for consumers: top-level `ticker`, `as_of`, `score` (`overall`, `label`, `subscores`),
`factors` (`positive`, `negative`: lists of `{title, text}`), `metrics`, `sections`, `provenance`
(`model`, `prompt_versions`, `input_hash`, `usage`, `cost_usd`), `number_checks`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from pipeline.checks import NumberCheck
from pipeline.metrics.types import (
    IndicatorReading,
    Metrics,
    MissingPart,
    ModelInfluence,
    OverallLabel,
    PerformanceRow,
    PriceTarget,
    Reading,
    SubScore,
)

REPORT_SCHEMA_VERSION: Literal[1] = 1


class Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TitledText(Part):
    title: str
    text: str


class Factors(Part):
    positive: list[TitledText]
    negative: list[TitledText]


class Score(Part):
    overall: int = Field(ge=0, le=100)
    label: OverallLabel
    provisional: bool = False
    coverage_pct: float = 100.0
    missing_parts: list[MissingPart] = Field(default_factory=list)
    model_influence: ModelInfluence | None = None
    subscores: list[SubScore]


class Header(Part):
    company_name: str
    ticker: str
    exchange: str | None
    price_currency: str
    last_price: float | None
    price_as_of: dt.date | None = Field(default=None, description="The day of `last_price`.")
    price_stale: bool = Field(default=False, description="`last_price` is too old to show as current.")
    price_origin: Literal["computed", "provided", "none"]
    price_target: PriceTarget | None
    model_display: str = Field(description="The model named on the page, e.g. 'OpenAI - gpt-5.2'.")


class Section(Part):
    missing: str | None = Field(default=None, description="One line saying which input is missing, if any.")


class TextSection(Section):
    text: str | None = None


class BusinessSection(Section):
    description: str | None = None
    revenue_model: str | None = None
    sector: str | None = None
    industry: str | None = None


class ComparisonSection(Section):
    benchmark_name: str | None = None
    as_of: dt.date | None = Field(default=None, description="The last price day the returns end on.")
    stale: bool = False
    performance: list[PerformanceRow] = Field(default_factory=list)


class EvidenceQuote(Part):
    quote: str
    status: Literal["verified", "not_found", "too_short", "too_long", "cut_word", "markup"]


class EarningsCallSection(Section):
    date: dt.date | None = None
    quarter: str | None = None
    next_date: dt.date | None = None
    sentiment: Reading | None = Field(
        default=None, description="The label the score counts (evidence checked)."
    )
    model_sentiment: str | None = Field(default=None, description="The label the model gave.")
    evidence: list[EvidenceQuote] = Field(default_factory=list)
    sentiment_note: str | None = Field(default=None, description="Why the counted label differs, if it does.")
    summary: str | None = None
    positive_updates: list[TitledText] = Field(default_factory=list)
    negative_updates: list[TitledText] = Field(default_factory=list)
    guidance: str | None = None


class BreakdownRow(Part):
    statement: Literal["Income Statement", "Balance Sheet", "Cash Flow"]
    line: str
    values: list[float | None]
    notes: list[str | None] = Field(default_factory=list, description="Per column, why the value is missing.")
    formula: str | None = Field(
        default=None, description="For a row computed from other lines (FCF, EBITDA)."
    )


class KeyFigure(Part):
    """A headline figure as the page shows it: formatted value, or why there is none; growth names its base."""

    key: str
    name: str
    value: str
    status: Literal["ok", "not_meaningful", "insufficient_data"]
    basis: str | None = Field(
        default=None, description="The periods compared, or the note on a missing value."
    )


class BreakdownTable(Part):
    currency: str
    scale: str
    columns: list[str] = Field(description="'TTM', then fiscal-year end labels such as 'Dec 2024'.")
    rows: list[BreakdownRow]


class FinancialsSection(Section):
    summary: str | None = None
    income_statement: str | None = None
    balance_sheet: str | None = None
    cash_flow: str | None = None
    period: str | None = Field(default=None, description="The headline period the key figures are of.")
    key_figures: list[KeyFigure] = Field(default_factory=list)
    valuation: list[KeyFigure] = Field(
        default_factory=list,
        description="The valuation sub-score's inputs (P/E, dividend yield, market cap).",
    )
    breakdown: BreakdownTable | None = None


class TechnicalsSection(Section):
    origin: Literal["computed", "provided", "none"] = "none"
    as_of: dt.date | None = Field(default=None, description="The price day the indicators are computed on.")
    stale: bool = False
    sentiment: Reading | None = None
    last_price: float | None = None
    readings: list[IndicatorReading] = Field(default_factory=list)
    text: str | None = None


class RiskCategoryView(Part):
    name: str
    description: str | None = None
    count: int | None = None


class RisksSection(Section):
    total: int | None = None
    new_count: int | None = None
    top_category: str | None = None
    categories: list[RiskCategoryView] = Field(default_factory=list)


class PeerRow(Part):
    ticker: str
    name: str
    currency: str | None
    price: float | None
    change_pct: float | None
    market_cap: float | None
    pe_ratio: float | None
    roe_pct: float | None
    dividend_yield_pct: float | None
    revenue_growth_pct: float | None
    eps_growth_pct: float | None
    overall_score: int | None = Field(
        description="This tool's score: this report's, or a peer's computed from its own bundle (model-read "
        "parts at Neutral); never a source's rating."
    )
    source_rating: int | None = Field(
        default=None, description="The rating a provided peer's source gives it, on the source's own scale."
    )
    change_window: str | None = Field(
        default=None,
        description="The window of `change` and `change_pct`; null when the source does not say.",
    )
    is_subject: bool = False
    change: float | None = None
    origin: Literal["subject", "computed", "provided", "missing", "sector_average"] = Field(
        default="provided",
        description="This company, computed from the peer's own bundle, provided in this "
        "bundle, missing, or the sector average (median).",
    )
    score_label: str | None = None
    score_note: str | None = None
    as_of: dt.date | None = None
    source: str | None = None
    growth_basis: str | None = Field(default=None, description="The periods revenue and EPS growth compare.")
    cell_notes: dict[str, str] = Field(
        default_factory=dict, description="Column -> why its value is missing."
    )
    notes: list[str] = Field(default_factory=list)


class PeersSection(Section):
    rows: list[PeerRow] = Field(default_factory=list)
    window: str | None = Field(default=None, description="The window of the price change columns.")
    average_rule: str | None = None


class EventItem(Part):
    date: dt.date
    title: str
    summary: str | None = None


class EventsSection(Section):
    sentiment: Reading | None = Field(
        default=None, description="The label the score counts (evidence checked)."
    )
    model_sentiment: str | None = None
    evidence: list[EvidenceQuote] = Field(default_factory=list)
    sentiment_note: str | None = None
    summary: str | None = None
    items: list[EventItem] = Field(default_factory=list)
    analyst_note: str | None = None


class GlossaryEntry(Part):
    term: str
    definition: str


class Paragraph(Part):
    field: str = Field(description="The answer field the text came from, e.g. 'text' or 'outlook'.")
    title: str | None = None
    text: str


class AdditionalSection(Section):
    """A model-written section the page has no fixed place for: its title and its answer's paragraphs."""

    key: str = Field(description="The model-written section's name (pipeline/narrate/registry.py).")
    title: str
    paragraphs: list[Paragraph] = Field(default_factory=list)


class PageSections(Part):
    summary: TextSection
    business: BusinessSection
    comparison: ComparisonSection
    earnings_call: EarningsCallSection
    financials: FinancialsSection
    technicals: TechnicalsSection
    risks: RisksSection
    peers: PeersSection
    events: EventsSection
    glossary: list[GlossaryEntry]
    disclaimer: str
    additional: list[AdditionalSection] = Field(
        default_factory=list, description="Model-written sections beyond the fixed ones (absent when none)."
    )

    @model_serializer(mode="wrap")
    def _omit_no_additional(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if not data.get("additional"):
            data.pop("additional", None)  # reports without extra sections keep their exact shape
        return data


class TokenCounts(Part):
    """Token counts as the report states them (per section and in total)."""

    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0


class SectionProvenance(Part):
    section: str
    model: str
    model_id: str
    prompt_version: str
    attempts: int
    latency_s: float
    cached: bool
    usage: TokenCounts
    cost_usd: float | None = Field(
        description="Estimated USD cost; null when the price table has no price for "
        "`model_id` (not priced), never a made-up zero."
    )


class Provenance(Part):
    model: str = Field(description="The --model string as given, e.g. 'openai:gpt-5.2' or 'offline'.")
    provider: str
    model_id: str
    prompt_versions: dict[str, str]
    input_hash: str
    usage: TokenCounts
    cost_usd: float | None = Field(
        description="Estimated USD cost of all sections; null when any section's "
        "model has no price (`unpriced_models`)."
    )
    unpriced_models: list[str] = Field(default_factory=list, description="Model ids the price table lacks.")
    price_table: str = Field(description="Which dated price table the cost estimate used.")
    latency_s: float
    retries: int
    package_version: str
    generated_at: dt.datetime
    sections: list[SectionProvenance] = Field(default_factory=list)


class ModelView(Part):
    """One model's part of a page written by several models (`generate -m A -m B`): everything that depends
    on the model (the score with its model-read labels, factors, prose, provenance, number checks)."""

    model: str = Field(description="The --model string, e.g. 'offline' or 'openai:gpt-5.2'.")
    model_display: str
    score: Score
    factors: Factors
    sections: PageSections
    provenance: Provenance
    number_checks: list[NumberCheck]
    flagged_sentences: list[str] = Field(default_factory=list)


class Disagreement(Part):
    """Where another model's page differs from the lead model's in substance (review/diff.py finds them)."""

    topic: str = Field(description="What differs: 'Overall score', 'Balance Sheet sub-score', ...")
    lead_model: str
    lead: str = Field(description="The lead model's value ('' when it has none, e.g. a factor it omits).")
    other_model: str
    other: str


class Report(Part):
    schema_version: Literal[1] = REPORT_SCHEMA_VERSION
    ticker: str
    as_of: dt.date
    header: Header
    score: Score
    factors: Factors
    metrics: Metrics
    sections: PageSections
    provenance: Provenance
    number_checks: list[NumberCheck]
    flagged_sentences: list[str] = Field(
        default_factory=list,
        description="Sentences kept but flagged because a number or tone did not check out.",
    )
    missing: list[str] = Field(default_factory=list)
    models: list[ModelView] = Field(
        default_factory=list,
        description="Every model of a several-model page, the lead (whose view is the top level) first; "
        "absent for one model.",
    )
    disagreements: list[Disagreement] = Field(
        default_factory=list, description="Where the models disagree (absent for one model)."
    )

    @model_serializer(mode="wrap")
    def _omit_single_model(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for key in ("models", "disagreements"):
            if not data.get(key):
                data.pop(key, None)  # a one-model report keeps its exact shape
        return data

    def views(self) -> list[Report]:
        """One Report per model, as that model's own page would read (just this report for one model)."""
        if not self.models:
            return [self]
        return [
            self.model_copy(
                update={
                    "header": self.header.model_copy(update={"model_display": m.model_display}),
                    "score": m.score,
                    "factors": m.factors,
                    "sections": m.sections,
                    "provenance": m.provenance,
                    "number_checks": m.number_checks,
                    "flagged_sentences": m.flagged_sentences,
                    "models": [],
                    "disagreements": [],
                }
            )
            for m in self.models
        ]
