"""Model selection: specs, aliases, typo hints, keys only from the environment, checked before any call."""

from __future__ import annotations

import socket

import pytest

from pipeline.errors import StockreportError
from pipeline.model.providers import resolve_model
from pipeline.narrate.offline_chat import OfflineChatModel

ALL_KEYS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GOOGLE_API_KEY", "OPENAI_COMPATIBLE_API_KEY")


@pytest.fixture(autouse=True)
def _no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ALL_KEYS:
        monkeypatch.delenv(var, raising=False)

    def no_connect(self: socket.socket, address: object) -> None:
        raise AssertionError(f"resolve_model must not touch the network (tried {address})")

    monkeypatch.setattr(socket.socket, "connect", no_connect)


def test_offline_is_the_default() -> None:
    resolved = resolve_model()
    assert isinstance(resolved.chat_model, OfflineChatModel)
    assert (resolved.spec, resolved.provider, resolved.model_id) == ("offline", "offline", "offline-rules-v1")


@pytest.mark.parametrize(
    "spec, var",
    [
        ("openai:gpt-5.2", "OPENAI_API_KEY"),
        ("gpt-5.2", "OPENAI_API_KEY"),
        ("anthropic:claude-sonnet-4-5", "ANTHROPIC_API_KEY"),
        ("google_genai:gemini-2.5-flash", "GOOGLE_API_KEY"),
    ],
)
def test_missing_key_names_the_variable(spec: str, var: str) -> None:
    with pytest.raises(StockreportError, match=var):
        resolve_model(spec)


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("opnai:gpt-5.2", "did you mean 'openai'"),
        ("antropic:claude", "did you mean 'anthropic'"),
        ("openai-compatble:llama", "did you mean 'openai-compatible'"),
        ("gpt5.2", "did you mean 'gpt-5.2'"),
        ("openai:", "names no model"),
    ],
)
def test_bad_specs_are_clean_errors_with_suggestions(spec: str, expected: str) -> None:
    with pytest.raises(StockreportError, match=expected):
        resolve_model(spec)


def test_openai_with_key_and_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    resolved = resolve_model(
        "gpt-5.2", base_url="http://127.0.0.1:9/v1", reasoning_effort="low", timeout=3, max_tokens=500
    )
    chat = resolved.chat_model
    assert (resolved.provider, resolved.model_id, resolved.structured_method) == (
        "openai",
        "gpt-5.2",
        "json_schema",
    )
    assert chat.model_name == "gpt-5.2" and chat.max_retries == 0  # tenacity owns retries
    assert chat.reasoning_effort == "low" and chat.request_timeout == 3 and chat.max_tokens == 500
    assert resolved.cache_settings == {
        "endpoint": "http://127.0.0.1:9/v1",
        "reasoning_effort": "low",
        "max_tokens": 500,
    }


def test_openai_compatible_needs_a_base_url() -> None:
    with pytest.raises(StockreportError, match="needs --base-url"):
        resolve_model("openai-compatible:llama3")


@pytest.mark.parametrize("env_key, expected", [(None, "not-needed"), ("local-key", "local-key")])
def test_openai_compatible_key_from_env_or_dummy(
    monkeypatch: pytest.MonkeyPatch, env_key: str | None, expected: str
) -> None:
    if env_key:
        monkeypatch.setenv("OPENAI_COMPATIBLE_API_KEY", env_key)
    resolved = resolve_model("openai-compatible:llama3", base_url="http://127.0.0.1:8000/v1")
    assert resolved.provider == "openai-compatible" and resolved.model_id == "llama3"
    assert resolved.chat_model.openai_api_key.get_secret_value() == expected
    assert resolved.chat_model.openai_api_base == "http://127.0.0.1:8000/v1"


def test_rate_limiter_is_optional(monkeypatch: pytest.MonkeyPatch) -> None:
    from langchain_core.rate_limiters import InMemoryRateLimiter

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    assert resolve_model("openai:gpt-5.2").chat_model.rate_limiter is None
    limited = resolve_model("openai:gpt-5.2", requests_per_second=2.0).chat_model.rate_limiter
    assert isinstance(limited, InMemoryRateLimiter) and limited.requests_per_second == 2.0


def test_an_install_without_the_entry_points_says_how_to_fix_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """'offline' and 'replay' come from entry points: an install that predates them gets a line saying so."""
    from pipeline.model import providers

    monkeypatch.setattr(providers, "entry_points", lambda group, **select: [])
    monkeypatch.setattr(providers, "_REGISTRY", {})
    monkeypatch.setattr(providers, "_DISCOVERED", False)
    with pytest.raises(StockreportError, match=r"no model providers are registered .* `pip install -e \.`"):
        resolve_model("offline")
