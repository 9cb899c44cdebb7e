"""The model step through the real OpenAI client path: an invented number is re-asked, then flagged or dropped."""

from __future__ import annotations

import json

import pytest

from pipeline.inputs.load import LoadedBundle
from pipeline.model.providers import resolve_model
from pipeline.narrate.narration import NarrateOptions, narrate
from tests.support.openai_stub import OpenAIStub, completion, recorded

SPECS = ["openai:gpt-5.2", "openai-compatible:qwen3-8b"]
GOOD_FACTORS = json.dumps(
    {
        "positive": [{"title": "Reasonable equity base", "text": "Equity funds 26.28% of total assets."}],
        "negative": [
            {"title": "High leverage", "text": "A debt-to-equity ratio of 1.30 denotes elevated leverage."}
        ],
    }
)
INVENTED = "Free cash flow grew 92.40% in the TTM period."


def _run(stub: OpenAIStub, spec: str, hk_loaded: LoadedBundle, strict: bool):
    resolved = resolve_model(spec, base_url=stub.base_url, timeout=5)
    return narrate(hk_loaded, resolved, NarrateOptions(strict_numbers=strict, sections=("factors",)))


@pytest.mark.parametrize("spec", SPECS)
def test_invented_number_is_reasked_naming_the_sentence(
    stub: OpenAIStub, spec: str, hk_loaded: LoadedBundle
) -> None:
    stub.enqueue(recorded("factors_invented_number"), completion(GOOD_FACTORS))
    result = _run(stub, spec, hk_loaded, strict=False).results["factors"]
    assert len(stub.requests) == 2
    feedback = stub.requests[1].body["messages"][-1]["content"]
    assert "92.40%" in feedback and INVENTED in feedback
    assert result.reply.reasks == 1 and result.reply.attempts == 2
    assert result.flagged == [] and result.dropped == []
    assert {c.written: c.status for c in result.checks} == {"26.28%": "verified", "1.30": "verified"}


@pytest.mark.parametrize("spec", SPECS)
def test_persistent_invented_number_is_flagged(stub: OpenAIStub, spec: str, hk_loaded: LoadedBundle) -> None:
    stub.enqueue(recorded("factors_invented_number"), recorded("factors_invented_number"))
    result = _run(stub, spec, hk_loaded, strict=False).results["factors"]
    assert result.flagged == [INVENTED]
    assert result.reply.parsed.positive[0].text == INVENTED  # kept, but flagged in the report
    bad = [c for c in result.checks if c.status != "verified"]
    assert [(c.written, c.status) for c in bad] == [("92.40%", "unverified")]


def test_strict_numbers_drops_the_sentence(stub: OpenAIStub, hk_loaded: LoadedBundle) -> None:
    stub.enqueue(recorded("factors_invented_number"), recorded("factors_invented_number"))
    result = _run(stub, "openai:gpt-5.2", hk_loaded, strict=True).results["factors"]
    assert result.dropped == [INVENTED]
    assert "92.40%" not in result.reply.parsed.model_dump_json()
    assert all(c.status == "verified" for c in result.checks)
