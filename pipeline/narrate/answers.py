"""Pydantic answer schemas, one per model-written section (the registry, registry.py, names which is whose).

These are what the model must return (as JSON); nothing here is computed. Length and list limits are part of the
schema: sent to providers that enforce them while generating (llama.cpp), said in the field descriptions to the
others (`pipeline.model.wire_schema`), and checked here either way, so a violation is fed back to the model.

Prose limits are sized to what a section needs, in words (about CHARS_PER_WORD characters a word, figures
included), the lengths of the sample report's paragraphs and of review/evaluate.py's LIMITS: a factor
~60 words, a paragraph 120-200. They also bound an answer's output tokens (`wire_schema.answer_token_bound`),
which caps each request to a local model, so a small model that rambles is cut by the grammar, not by time.
"""

from __future__ import annotations

from typing import Annotated, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

# A sentiment label the score consumes, with quotes as evidence; pipeline/checks/evidence.py decides what
# counts ("Insufficient data" when the bundle has the call or events counts as Neutral).
LabelOrMissing = Literal["Positive", "Negative", "Neutral", "Insufficient data"]
CHARS_PER_WORD = 7  # average English word with its space and punctuation, rounded up for figures
# Prose fields by the words they hold (as characters, `words * CHARS_PER_WORD`; the limits the schema states).
Prose = Annotated[str, Field(min_length=1, max_length=200 * CHARS_PER_WORD)]  # an earnings-call summary
Paragraph = Annotated[str, Field(min_length=1, max_length=150 * CHARS_PER_WORD)]  # statements, technicals
SummaryText = Annotated[str, Field(min_length=1, max_length=120 * CHARS_PER_WORD)]
FactorText = Annotated[str, Field(min_length=1, max_length=60 * CHARS_PER_WORD)]
# A quote longer than evidence.MAX_QUOTE_CHARS (300) is accepted here but does not count as evidence: a long
# quote is a bad answer to flag, not a reason to fail the whole section. Twice that is the hard limit: a
# grammar-bound model cannot spend minutes copying a transcript into one quote.
Quote = Annotated[str, Field(min_length=1, max_length=600)]
EVIDENCE_HELP = (
    "One to three short quotes (each at most 300 characters, a sentence or part of one) copied "
    "verbatim from the <data> blocks that support the sentiment. They are checked against the "
    "data: a Positive or Negative sentiment without a quote found there counts as Neutral. "
    "Empty only when the sentiment is Insufficient data."
)


class AnswerSchema(BaseModel):
    """Base of every section's answer schema: what a model returns, validated strictly."""

    model_config = ConfigDict(extra="forbid")


@runtime_checkable
class LabelledAnswer(Protocol):
    """An answer whose sentiment label the score counts (after its evidence is checked: checks/evidence.py)."""

    @property
    def sentiment(self) -> LabelOrMissing: ...

    @property
    def evidence(self) -> list[str]: ...

    @property
    def summary(self) -> str: ...


class Titled(AnswerSchema):
    title: Annotated[str, Field(min_length=1, max_length=60)] = Field(description="Short title.")
    text: FactorText


class EarningsCallAnswer(AnswerSchema):
    """Summary of the earnings call, from the fenced transcript data only."""

    summary: Prose
    sentiment: LabelOrMissing
    evidence: Annotated[list[Quote], Field(max_length=3, description=EVIDENCE_HELP)]
    # as many updates each way as factors: the call's main points
    positive_updates: Annotated[list[Titled], Field(max_length=5)]
    negative_updates: Annotated[list[Titled], Field(max_length=5)]
    guidance: Prose


class EventsAnswer(AnswerSchema):
    """Summary of recent corporate events and their overall tone."""

    summary: Paragraph
    sentiment: LabelOrMissing
    evidence: Annotated[list[Quote], Field(max_length=3, description=EVIDENCE_HELP)]


class FactorsAnswer(AnswerSchema):
    """Three to five positive and negative investment factors; fewer (none at all) only when the data
    support no more: a factor is a finding, never a note that data is missing (the page says that once)."""

    positive: Annotated[list[Titled], Field(max_length=5)]
    negative: Annotated[list[Titled], Field(max_length=5)]


class FinancialsAnswer(AnswerSchema):
    """Commentary on the financial statements: overall, then one paragraph per statement."""

    summary: Paragraph
    income_statement: Paragraph
    balance_sheet: Paragraph
    cash_flow: Paragraph


class TechnicalsAnswer(AnswerSchema):
    """One paragraph on price trends and momentum indicators."""

    text: Paragraph


class SummaryAnswer(AnswerSchema):
    """The overall summary paragraph under the score."""

    text: SummaryText
