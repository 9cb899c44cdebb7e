"""Pydantic answer schemas, one per prose section the model writes.

These are what the model must return (as JSON); nothing here is computed. Constraints that a provider's strict
JSON-schema mode may not accept (lengths, list sizes) are kept out of the wire schema (`wire_schema`) and
checked
here instead, so a violation is fed back to the model as a validation error.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# A sentiment label the score consumes, with quotes as evidence; pipeline/model/evidence.py decides what
# counts ("Insufficient data" when the bundle has the call or events counts as Neutral).
LabelOrMissing = Literal["Positive", "Negative", "Neutral", "Insufficient data"]
Prose = Annotated[str, Field(min_length=1, max_length=4000)]
# A quote longer than evidence.MAX_QUOTE_CHARS is accepted here but does not count as evidence: a long quote
# is a bad answer to flag, not a reason to fail the whole section.
Quote = Annotated[str, Field(min_length=1, max_length=2000)]
EVIDENCE_HELP = ("One to three short quotes (each at most 300 characters, a sentence or part of one) copied "
                 "verbatim from the <data> blocks that support the sentiment. They are checked against the "
                 "data: a Positive or Negative sentiment without a quote found there counts as Neutral. "
                 "Empty only when the sentiment is Insufficient data.")


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Titled(Answer):
    title: Annotated[str, Field(min_length=1, max_length=60)] = Field(
        description="Short title, at most 60 chars."
    )
    text: Prose


class EarningsCallAnswer(Answer):
    """Summary of the earnings call, from the fenced transcript data only."""

    summary: Prose
    sentiment: LabelOrMissing
    evidence: Annotated[list[Quote], Field(max_length=3, description=EVIDENCE_HELP)]
    positive_updates: Annotated[list[Titled], Field(max_length=6)]
    negative_updates: Annotated[list[Titled], Field(max_length=6)]
    guidance: Prose


class EventsAnswer(Answer):
    """Summary of recent corporate events and their overall tone."""

    summary: Prose
    sentiment: LabelOrMissing
    evidence: Annotated[list[Quote], Field(max_length=3, description=EVIDENCE_HELP)]


class FactorsAnswer(Answer):
    """Three to five positive and negative investment factors (fewer only when data is insufficient)."""

    positive: Annotated[list[Titled], Field(min_length=1, max_length=5)]
    negative: Annotated[list[Titled], Field(min_length=1, max_length=5)]


class FinancialsAnswer(Answer):
    """Commentary on the financial statements: overall, then one paragraph per statement."""

    summary: Prose
    income_statement: Prose
    balance_sheet: Prose
    cash_flow: Prose


class TechnicalsAnswer(Answer):
    """One paragraph on price trends and momentum indicators."""

    text: Prose


class SummaryAnswer(Answer):
    """The overall summary paragraph under the score."""

    text: Prose


SCHEMAS: dict[str, type[Answer]] = {
    "earnings_call": EarningsCallAnswer,
    "events": EventsAnswer,
    "factors": FactorsAnswer,
    "financials": FinancialsAnswer,
    "technicals": TechnicalsAnswer,
    "summary": SummaryAnswer,
}

# Keywords that strict structured-output modes reject or handle unevenly; Pydantic still enforces them.
_LOOSE_KEYWORDS = {"maxLength", "minLength", "maxItems", "minItems", "default"}


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in _LOOSE_KEYWORDS}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


@functools.cache
def _json_schema(schema: type[Answer]) -> dict[str, Any]:
    # Pydantic regenerates the JSON Schema on every call; `ask` needs it once per model call
    return schema.model_json_schema()


def wire_schema(schema: type[Answer]) -> dict[str, Any]:
    """JSON Schema sent to the provider: the model's schema minus length/size limits, every field required."""
    # _strip rebuilds every dict and list, so the caller gets its own copy, never the cached one
    out: dict[str, Any] = _strip(_json_schema(schema))
    out.setdefault("description", (schema.__doc__ or schema.__name__).strip().splitlines()[0])
    return out
