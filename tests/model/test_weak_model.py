"""The model step with a weak model: limits in the schema, cut replies re-asked and recorded, bounded sections.

Through a local OpenAI-compatible stub (tests/hardening/model_server.py) that answers like the offline model
and can cut its replies at the "output limit" (half the JSON, finish_reason "length", which the OpenAI SDK
raises as LengthFinishReasonError).
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from pathlib import Path

import pytest

from pipeline.errors import StockreportError
from pipeline.inputs.load import load_bundle
from pipeline.metrics import compute_metrics
from pipeline.model import local
from pipeline.model.providers import COMPATIBLE_BUDGET, CallBudget, resolve_model
from pipeline.model.wire_schema import answer_token_bound, wire_schema
from pipeline.narrate.answers import FactorsAnswer, FinancialsAnswer, TechnicalsAnswer
from pipeline.narrate.narration import ask_section
from pipeline.review.record import record_bundle
from pipeline.review.replay import replay_bundle
from tests.hardening.model_server import ModelServer
from tests.support.cli import run_cli

REPO = Path(__file__).resolve().parents[2]
AAPL = REPO / "fixtures" / "bundles" / "AAPL"


def test_limits_go_out_where_enforced_and_are_said_where_not() -> None:
    kept = json.dumps(wire_schema(FactorsAnswer, limits=True))
    assert '"maxLength": 60' in kept and '"maxItems": 5' in kept
    said = wire_schema(FactorsAnswer, limits=False)
    text = json.dumps(said)
    assert "maxLength" not in text and "maxItems" not in text and "minItems" not in text
    assert (
        "at most 60 characters" in text.lower() and "at most 5 items" in text.lower()
    )  # the model still hears them


def test_the_answer_token_bound_grows_with_the_limits() -> None:
    # every prose field at its limit fits: 4 paragraphs of 150 words at 3 characters per token
    assert answer_token_bound(FinancialsAnswer) >= 4 * (150 * 7) // 3
    assert answer_token_bound(TechnicalsAnswer) < answer_token_bound(FinancialsAnswer)


def _generate(server: ModelServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    args = ["generate", str(AAPL), "-m", "openai-compatible:weak", "--base-url", server.base_url]
    code, _, err = run_cli([*args, "--no-cache", "-o", str(tmp_path), "-f", "json"], capsys)
    return code, err


def test_a_cut_reply_is_reasked_and_the_report_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with ModelServer(cut_first=1) as server:
        code, err = _generate(server, tmp_path, capsys)
    assert code == 0, err
    assert server.counts["cut"] == 1 and len(server.requests) == 5  # 4 sections, one asked twice
    report = json.loads((tmp_path / "AAPL" / "report.json").read_text())
    assert sum(s["attempts"] for s in report["provenance"]["sections"]) == 5
    # each request's output is capped at what its answer can need (plus room for reasoning)
    assert all(r["max_tokens"] is not None for r in server.requests)
    assert max(r["max_tokens"] for r in server.requests) <= max(
        answer_token_bound(a) for a in (FactorsAnswer, FinancialsAnswer)
    ) + (COMPATIBLE_BUDGET.fit_max_tokens or 0)
    assert not any(r["limits_sent"] for r in server.requests)  # OpenAI-style servers: limits said, not sent


def test_replies_cut_every_time_fail_the_ticker_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with ModelServer(cut_first=100) as server:
        code, err = _generate(server, tmp_path, capsys)
    assert code == 1
    assert "gave no valid answer after 3 tries (3 cut at the output limit)" in err, err
    assert server.counts["cut"] == 3  # re-asks are bounded
    assert not (tmp_path / "AAPL").exists()


def test_cut_replies_are_recorded_and_replay_the_same_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with ModelServer(cut_first=1) as server:
        resolved = resolve_model("openai-compatible:weak", base_url=server.base_url)
        files = record_bundle(AAPL, resolved, tmp_path)
    first = [json.loads(p.read_text()) for p in files]
    calls = [c for rec in first for c in rec["calls"]]
    assert len(calls) == 5 and [c.get("finish_reason") for c in calls].count("length") == 1
    done = replay_bundle(AAPL, "openai-compatible:weak", tmp_path)
    assert done.error is None and done.report is not None
    assert {s.state for s in done.statuses} == {"fresh"}
    assert sum(s.attempts for s in done.report.provenance.sections) == 5  # the cut answer was replayed as cut


def test_a_failed_section_is_recorded_with_those_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with ModelServer(cut_first=100) as server:
        resolved = resolve_model("openai-compatible:weak", base_url=server.base_url)
        with pytest.raises(StockreportError, match="cut at the output limit"):
            record_bundle(AAPL, resolved, tmp_path)
    (path,) = tmp_path.rglob("*.json")  # the first section, with its three cut answers
    rec = json.loads(path.read_text())
    assert [c["finish_reason"] for c in rec["calls"]] == ["length"] * 3
    done = replay_bundle(AAPL, "openai-compatible:weak", tmp_path)
    assert done.report is None and done.error is not None and "cut at the output limit" in done.error


def test_a_section_is_bounded_in_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that never answers in time: the section gives up at its deadline, not after
    attempts x re-asks x timeout."""
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    loaded = load_bundle(AAPL)
    metrics = compute_metrics(loaded)
    with ModelServer(fault_rate=1.0, faults=("timeout",), hang_s=2.0) as server:
        resolved = resolve_model("openai-compatible:slow", base_url=server.base_url, timeout=0.5)
        budget = CallBudget(timeout_s=0.5, max_attempts=3, section_s=1.2, per_request_timeout=True)
        resolved = dataclasses.replace(resolved, budget=budget)
        start = time.monotonic()
        with pytest.raises(StockreportError) as caught:
            ask_section(resolved, "technicals", loaded, metrics)
        took = time.monotonic() - start
    assert took < 1.2 + 0.5 + 1.0, took  # the deadline, one request's timeout, and backoff slack
    assert "technicals" in str(caught.value)


def test_a_grammar_bound_cap_never_cuts_a_complete_answer() -> None:
    """No token is shorter than a character: at 1 character per token the cap holds every answer the
    schema allows, however a tokenizer splits figures (SmolLM2 was cut at the 3-characters estimate)."""
    for schema in (TechnicalsAnswer, FinancialsAnswer, FactorsAnswer):
        full = json.dumps(schema.model_json_schema())
        chars = sum(int(n) for n in re.findall(r'"maxLength": (\d+)', full))
        assert answer_token_bound(schema, 1) >= chars
    assert local.LOCAL_BUDGET.fit_chars_per_token == 1
