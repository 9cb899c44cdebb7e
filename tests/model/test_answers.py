"""Answer schemas: what Pydantic enforces, what the wire schema sends, and missing inputs said as such."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pydantic import ValidationError

from pipeline.checks.evidence import resolve_label
from pipeline.model.providers import resolve_model
from pipeline.model.wire_schema import wire_schema
from pipeline.narrate.answers import EventsAnswer, FactorsAnswer
from pipeline.narrate.narration import ask_section
from pipeline.narrate.registry import section_names, section_spec

GOOD = {"title": "High leverage", "text": "Debt-to-equity of 1.30."}


def test_a_side_may_be_empty_when_the_data_support_no_factor() -> None:
    """No card about missing data: a side with nothing to say is empty (the page names what was missing)."""
    answer = FactorsAnswer.model_validate({"positive": [], "negative": [GOOD]})
    assert answer.positive == []


@pytest.mark.parametrize(
    "answer, problem",
    [
        ({"positive": [{"title": "x" * 61, "text": "t"}], "negative": [GOOD]}, "at most 60 characters"),
        ({"positive": [GOOD] * 6, "negative": [GOOD]}, "at most 5 items"),
        ({"positive": [GOOD], "negative": [GOOD], "score": 100}, "Extra inputs are not permitted"),
        ({"positive": [{"title": "t", "text": ""}], "negative": [GOOD]}, "at least 1 character"),
    ],
)
def test_factor_constraints(answer: dict, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        FactorsAnswer.model_validate(answer)


@pytest.mark.parametrize("label", ["Outperform", "neutral", "100"])
def test_sentiment_is_a_closed_set(label: str) -> None:
    with pytest.raises(ValidationError):
        EventsAnswer.model_validate({"summary": "s", "sentiment": label})


@pytest.mark.parametrize("name", sorted(section_names()))
def test_wire_schema_is_strict_mode_friendly(name: str) -> None:
    schema = wire_schema(section_spec(name).answer)
    text = str(schema)
    assert "maxLength" not in text and "minItems" not in text and "maxItems" not in text
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == set(schema["properties"])  # every field required
    assert schema["title"] == section_spec(name).answer.__name__ and schema["description"]


def test_wire_schema_is_a_fresh_copy_each_call() -> None:
    # the JSON Schema is cached: a provider integration editing its copy must not change the next request's
    first = wire_schema(FactorsAnswer)
    first["properties"]["positive"]["items"] = {"edited": True}
    first["required"].append("edited")
    again = wire_schema(FactorsAnswer)
    assert "edited" not in str(again) and again == wire_schema(FactorsAnswer)


@pytest.mark.parametrize("section, field", [("earnings_call", "earnings_call"), ("events", "events")])
def test_missing_input_says_insufficient_data_not_neutral(
    hk_loaded, hk_metrics, section: str, field: str
) -> None:
    bundle = hk_loaded.bundle.model_copy(update={field: None if field == "earnings_call" else []})
    loaded = replace(hk_loaded, bundle=bundle, transcript_path=None, transcript_text=None)
    answer = ask_section(resolve_model("offline"), section, loaded, hk_metrics).parsed
    assert answer.sentiment == "Insufficient data" and answer.evidence == []
    # with no call (events) in the bundle the part is missing: nothing is counted, nothing flagged
    read = resolve_label(answer.sentiment, answer.evidence, [], has_source=False, part=field)
    assert read.counted is None and read.flag is None
    assert "insufficient data" in answer.summary.lower()
