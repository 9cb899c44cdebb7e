"""The real langchain-openai / OpenAI SDK HTTP path against a local stub: answers, retries, re-asks, errors.

Each scenario runs for `openai:gpt-5.2` (base_url pointed at the stub) and for `openai-compatible:<name>`.
Backoff waits go to a recorder instead of sleeping; the client timeout is 0.5 s.
"""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from pipeline.errors import StockreportError
from pipeline.model.ask import RetryPolicy, ask
from pipeline.model.call_meta import CallMeta
from pipeline.model.providers import ResolvedModel, resolve_model
from pipeline.narrate.answers import FactorsAnswer, TechnicalsAnswer
from tests.support.openai_stub import OpenAIStub, Reply, recorded

SPECS = ["openai:gpt-5.2", "openai-compatible:qwen3-8b"]
TECHNICALS, FACTORS = CallMeta("technicals", "HK:3896"), CallMeta("factors", "HK:3896")  # run metadata
MESSAGES = [
    SystemMessage("You write technical analysis."),
    HumanMessage('<task section="technicals">go</task>'),
]


def _resolve(spec: str, stub: OpenAIStub) -> ResolvedModel:
    return resolve_model(spec, base_url=stub.base_url, timeout=0.5)


def _policy(waits: list[float]) -> RetryPolicy:
    return RetryPolicy(max_attempts=3, sleep=waits.append)


@pytest.mark.parametrize("spec", SPECS)
def test_good_answer(stub: OpenAIStub, spec: str) -> None:
    stub.enqueue(recorded("technicals_good"))
    answer = ask(_resolve(spec, stub), TECHNICALS, MESSAGES, TechnicalsAnswer)
    assert answer.parsed.text.startswith("The current price of 7.15")
    assert (answer.usage.input, answer.usage.output, answer.usage.cached) == (640, 88, 512)
    assert answer.attempts == 1 and answer.reasks == 0 and not answer.cached
    request = stub.requests[0]
    assert request.path == "/v1/chat/completions"
    assert request.body["model"] == spec.split(":", 1)[1]
    schema = request.body["response_format"]["json_schema"]
    assert schema["name"] == "TechnicalsAnswer" and schema["strict"] is True
    assert [m["role"] for m in request.body["messages"]] == ["system", "user"]


def test_cost_is_estimated_from_the_price_table(stub: OpenAIStub) -> None:
    stub.enqueue(recorded("technicals_good"))
    answer = ask(_resolve("openai:gpt-5.2", stub), TECHNICALS, MESSAGES, TechnicalsAnswer)
    # (640 - 512) * 1.75 + 512 * 0.175 + 88 * 14.0, per 1M tokens
    assert answer.cost_usd == pytest.approx((128 * 1.75 + 512 * 0.175 + 88 * 14.0) / 1e6)


def test_auth_header_sent_but_never_stored(stub: OpenAIStub, tmp_path) -> None:
    from pipeline.model.cache import AnswerCache

    stub.enqueue(recorded("technicals_good"))
    ask(
        _resolve("openai:gpt-5.2", stub),
        TECHNICALS,
        MESSAGES,
        TechnicalsAnswer,
        cache=AnswerCache(tmp_path),
    )
    assert stub.requests[0].auth_sent
    assert "authorization" not in stub.requests[0].headers
    stored = json.dumps([r.__dict__ for r in stub.requests]) + (
        tmp_path / "answers.sqlite"
    ).read_bytes().decode("latin-1")
    assert "sk-test-do-not-store" not in stored


@pytest.mark.parametrize("spec", SPECS)
def test_malformed_json_is_reasked_with_the_error(stub: OpenAIStub, spec: str) -> None:
    stub.enqueue(recorded("technicals_malformed"), recorded("technicals_good"))
    answer = ask(_resolve(spec, stub), TECHNICALS, MESSAGES, TechnicalsAnswer)
    assert answer.reasks == 1 and answer.attempts == 2
    assert answer.usage.input == 640 + 640
    second = stub.requests[1].body["messages"]
    assert second[-2] == {"role": "assistant", "content": '{"text": "The current price of 7.15 is above'}
    assert second[-1]["role"] == "user"
    assert "not valid JSON: Unterminated string" in second[-1]["content"]


@pytest.mark.parametrize("spec", SPECS)
def test_schema_violation_is_reasked_naming_the_field(stub: OpenAIStub, spec: str) -> None:
    stub.enqueue(recorded("factors_invalid_title"), recorded("factors_good"))
    answer = ask(_resolve(spec, stub), FACTORS, MESSAGES, FactorsAnswer)
    assert answer.parsed.positive[0].title == "Improving free cash flow"
    feedback = stub.requests[1].body["messages"][-1]["content"]
    assert "positive.0.title: String should have at most 60 characters" in feedback


@pytest.mark.parametrize("spec", SPECS)
def test_persistent_malformed_answer_fails_cleanly(stub: OpenAIStub, spec: str) -> None:
    stub.enqueue(*[recorded("technicals_malformed")] * 3)
    with pytest.raises(
        StockreportError,
        match=r"technicals: model .* gave no valid answer after 3 tries; "
        r"last problem: the answer is not valid JSON",
    ):
        ask(_resolve(spec, stub), TECHNICALS, MESSAGES, TechnicalsAnswer, max_reasks=2)
    assert len(stub.requests) == 3


@pytest.mark.parametrize("spec", SPECS)
def test_rate_limit_then_success_honours_retry_after(stub: OpenAIStub, spec: str) -> None:
    waits: list[float] = []
    stub.enqueue(recorded("error_429"), recorded("technicals_good"))
    answer = ask(_resolve(spec, stub), TECHNICALS, MESSAGES, TechnicalsAnswer, policy=_policy(waits))
    assert answer.attempts == 2 and answer.reasks == 0
    assert waits == [2.0]  # the 429's Retry-After: 2


@pytest.mark.parametrize("spec", SPECS)
def test_server_error_then_success_backs_off(stub: OpenAIStub, spec: str) -> None:
    waits: list[float] = []
    stub.enqueue(recorded("error_500"), recorded("error_500"), recorded("technicals_good"))
    answer = ask(_resolve(spec, stub), TECHNICALS, MESSAGES, TechnicalsAnswer, policy=_policy(waits))
    assert answer.attempts == 3 and len(stub.requests) == 3
    # exponential with jitter: initial 1 s then 2 s, each plus up to 1 s
    assert 1.0 <= waits[0] <= 2.0 and 2.0 <= waits[1] <= 3.0


@pytest.mark.parametrize("spec", SPECS)
def test_timeout_then_success(stub: OpenAIStub, spec: str) -> None:
    waits: list[float] = []
    slow = recorded("technicals_good")
    slow.delay_s = 1.5  # longer than the 0.5 s client timeout
    stub.enqueue(slow, recorded("technicals_good"))
    answer = ask(_resolve(spec, stub), TECHNICALS, MESSAGES, TechnicalsAnswer, policy=_policy(waits))
    assert answer.attempts == 2 and len(waits) == 1
    assert answer.latency_s < 1.5


def test_transient_errors_exhausted_fail_cleanly(stub: OpenAIStub) -> None:
    waits: list[float] = []
    stub.enqueue(*[recorded("error_500")] * 3)
    with pytest.raises(
        StockreportError, match=r"technicals: model 'openai:gpt-5.2' failed after 3 call\(s\)"
    ):
        ask(_resolve("openai:gpt-5.2", stub), TECHNICALS, MESSAGES, TechnicalsAnswer, policy=_policy(waits))
    assert len(waits) == 2


def test_auth_error_is_not_retried(stub: OpenAIStub) -> None:
    waits: list[float] = []
    stub.enqueue(recorded("error_401"), recorded("technicals_good"))
    with pytest.raises(StockreportError, match="Incorrect API key"):
        ask(_resolve("openai:gpt-5.2", stub), TECHNICALS, MESSAGES, TechnicalsAnswer, policy=_policy(waits))
    assert len(stub.requests) == 1 and waits == []


def test_fenced_json_reply_is_accepted(stub: OpenAIStub) -> None:
    body = recorded("technicals_good").body
    content = body["choices"][0]["message"]["content"]
    body["choices"][0]["message"]["content"] = f"```json\n{content}\n```"
    stub.enqueue(Reply(200, body))
    answer = ask(_resolve("openai-compatible:llama", stub), TECHNICALS, MESSAGES, TechnicalsAnswer)
    assert answer.reasks == 0 and answer.parsed.text.startswith("The current price")
