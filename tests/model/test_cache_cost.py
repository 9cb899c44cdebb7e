"""Answer cache (SQLite) and cost estimates."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from pipeline.errors import StockreportError
from pipeline.model.ask import ask
from pipeline.model.cache import AnswerCache
from pipeline.model.call_meta import CallMeta
from pipeline.model.cost import TokenUsage, estimate_cost, price_table
from pipeline.model.providers import resolve_model
from pipeline.narrate.answers import TechnicalsAnswer
from pipeline.user_cache import default_cache_dir
from tests.support.openai_stub import OpenAIStub, recorded

TECHNICALS, FACTORS = CallMeta("technicals", "HK:3896"), CallMeta("factors", "HK:3896")  # run metadata
MESSAGES = [SystemMessage("sys"), HumanMessage('<task section="technicals">go</task>')]


def test_second_identical_call_is_served_from_cache(stub: OpenAIStub, tmp_path) -> None:
    cache = AnswerCache(tmp_path)
    stub.enqueue(recorded("technicals_good"))
    resolved = resolve_model("openai:gpt-5.2", base_url=stub.base_url, timeout=0.5)
    first = ask(resolved, TECHNICALS, MESSAGES, TechnicalsAnswer, cache=cache)
    second = ask(
        resolve_model("openai:gpt-5.2", base_url=stub.base_url, timeout=0.5),
        TECHNICALS,
        MESSAGES,
        TechnicalsAnswer,
        cache=AnswerCache(tmp_path),
    )
    assert len(stub.requests) == 1
    assert second.cached and second.parsed == first.parsed and second.raw_text == first.raw_text
    assert (second.usage.input, second.usage.output, second.usage.cached) == (0, 0, 640 + 88)
    assert second.cost_usd == 0.0 and second.attempts == 0


@pytest.mark.parametrize(
    "change",
    [
        {"temperature": 0.2},
        {"max_tokens": 100},
        {"reasoning_effort": "high"},
    ],
)
def test_settings_change_misses_the_cache(stub: OpenAIStub, tmp_path, change: dict) -> None:
    stub.enqueue(recorded("technicals_good"), recorded("technicals_good"))
    ask(
        resolve_model("openai:gpt-5.2", base_url=stub.base_url),
        TECHNICALS,
        MESSAGES,
        TechnicalsAnswer,
        cache=AnswerCache(tmp_path),
    )
    again = ask(
        resolve_model("openai:gpt-5.2", base_url=stub.base_url, **change),
        TECHNICALS,
        MESSAGES,
        TechnicalsAnswer,
        cache=AnswerCache(tmp_path),
    )
    assert not again.cached and len(stub.requests) == 2


def test_no_cache_bypasses(stub: OpenAIStub, tmp_path) -> None:
    stub.enqueue(recorded("technicals_good"), recorded("technicals_good"))
    resolved = resolve_model("openai:gpt-5.2", base_url=stub.base_url)
    ask(resolved, TECHNICALS, MESSAGES, TechnicalsAnswer, cache=AnswerCache(tmp_path))
    again = ask(resolved, TECHNICALS, MESSAGES, TechnicalsAnswer, cache=None)
    assert not again.cached and len(stub.requests) == 2


def test_cache_dir_from_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("STOCKREPORT_CACHE", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c" and AnswerCache().path == tmp_path / "c" / "answers.sqlite"


@pytest.mark.parametrize(
    "model_id, usage, expected",
    [
        ("gpt-5.2", TokenUsage(1_000_000, 0, 0), 1.75),
        ("gpt-5.2", TokenUsage(0, 1_000_000, 0), 14.0),
        ("gpt-5.2", TokenUsage(1_000_000, 1_000_000, 1_000_000), 0.175 + 14.0),
        ("gpt-5.2", TokenUsage(0, 0, 5000), 0.0),  # an answer-cache hit costs nothing
        ("offline-rules-v1", TokenUsage(5000, 900, 0), 0.0),
        ("no-such-model", TokenUsage(10, 10, 0), None),
    ],
)
def test_cost_formula(model_id: str, usage: TokenUsage, expected: float | None) -> None:
    cost = estimate_cost(model_id, usage)
    assert cost == (pytest.approx(expected) if expected is not None else None)


def test_price_table_override(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    path = tmp_path / "prices.json"
    path.write_text(
        json.dumps(
            {"as_of": "2030-01-01", "models": {"gpt-5.2": {"input": 10, "cached_input": 1, "output": 100}}}
        )
    )
    monkeypatch.setenv("STOCKREPORT_PRICES", str(path))
    assert estimate_cost("gpt-5.2", TokenUsage(1_000_000, 0, 0)) == 10
    assert price_table().label == f"{path} prices as of 2030-01-01"


def test_bad_price_table_is_a_clean_error(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"as_of": "2030-01-01", "models": {"m": {"input": -1, "output": 1}}}))
    monkeypatch.setenv("STOCKREPORT_PRICES", str(path))
    with pytest.raises(StockreportError, match="models.m"):
        price_table()


def test_builtin_table_is_dated() -> None:
    table = price_table()
    assert table.as_of and "gpt-5.2" in table.models and table.label.startswith("builtin prices as of")


def test_offline_answers_are_never_cached(hk_loaded, hk_metrics, tmp_path) -> None:
    from pipeline.narrate.narration import NarrateOptions, ask_section

    cache = AnswerCache(tmp_path)
    for _ in range(2):
        answer = ask_section(
            resolve_model("offline"), "summary", hk_loaded, hk_metrics, NarrateOptions(cache=cache)
        )
        assert not answer.cached and answer.attempts == 1
    assert not cache.path.exists()


def test_endpoint_is_part_of_the_cache_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`openai:gpt-5.2` pointed at two servers by OPENAI_BASE_URL (no --base-url): the answers cached from
    the first are not served for the second, which is asked itself (through `stockreport generate`)."""
    from tests.hardening.model_server import ModelServer
    from tests.support.cli import run_cli

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-real")
    monkeypatch.setenv("STOCKREPORT_CACHE", str(tmp_path / "cache"))
    from tests.model.conftest import REPO

    bundle = str(REPO / "fixtures" / "bundles" / "AAPL")
    with ModelServer() as first, ModelServer() as second:
        for server, out in ((first, "a"), (first, "b"), (second, "c")):
            monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
            code, _, err = run_cli(
                [
                    "generate",
                    bundle,
                    "--model",
                    "openai:gpt-5.2",
                    "--out",
                    str(tmp_path / out),
                    "--timeout",
                    "5",
                ],
                capsys,
            )
            assert code == 0, err
        assert sum(first.counts.values()) == 4  # asked once; the second run of the same server hit the cache
        assert sum(second.counts.values()) == 4  # another endpoint: asked again, not served from the cache


@pytest.mark.parametrize(("model", "priced"), [("openai:gpt-9-unknown", False), ("openai:gpt-5.2", True)])
def test_unpriced_model_cost_is_not_priced_not_zero(
    model: str, priced: bool, monkeypatch: pytest.MonkeyPatch, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    """review-1 #14: a model the price table lacks costs 'not priced (no price for ...)' on the CLI line, in
    report.json (null), report.md and report.html and the batch manifest, never $0.0000; a priced model keeps
    its dollar figure (through `stockreport generate` and `stockreport batch`)."""
    import json

    from tests.hardening.model_server import ModelServer
    from tests.model.conftest import REPO
    from tests.support.cli import run_cli

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-real")
    bundle = str(REPO / "fixtures" / "bundles" / "HK_3896")
    words = "not priced (no price for gpt-9-unknown)"
    with ModelServer() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        for command in ("generate", "batch"):
            out = tmp_path / command
            code, stdout, err = run_cli(
                [command, bundle, "--model", model, "--out", str(out), "--no-cache"], capsys
            )
            assert code == 0, err
            shown = stdout if command == "generate" else err  # batch: progress bar and summary table
            assert ((words if command == "generate" else "not priced") in shown) is not priced, shown
            assert "$0.0000" not in shown and " 0.0000 " not in shown, shown
            if command == "batch":
                manifest = json.loads(next(out.glob("batch-*.json")).read_text())
                entry = manifest["tickers"]["HK:3896"]
                assert (entry["cost_usd"] is None) is not priced
                assert (manifest["totals"]["cost_usd"] is None) is not priced
    folder = tmp_path / "generate" / "HK_3896"
    prov = json.loads((folder / "report.json").read_text())["provenance"]
    if priced:
        assert prov["cost_usd"] > 0 and prov["unpriced_models"] == []
        assert all(s["cost_usd"] > 0 for s in prov["sections"])
        return
    assert prov["cost_usd"] is None and prov["unpriced_models"] == ["gpt-9-unknown"]
    assert all(s["cost_usd"] is None for s in prov["sections"])
    md, html = (folder / "report.md").read_text(), (folder / "report.html").read_text()
    assert f"| Cost (estimate) | {words} (builtin prices" in md
    assert md.count("| not priced (no price for gpt-9-unknown) |") == len(prov["sections"])
    assert words in html and "$0.0000" not in md + html
