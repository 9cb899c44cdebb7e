"""Model selection from one `--model` string.

    offline                       the deterministic rule-based writer (default; no key, no network)
    openai:gpt-5.2                any `provider:model` that LangChain's `init_chat_model` knows (lazy import)
    openai-compatible:<name>      an OpenAI-compatible server (vLLM, llama.cpp, Ollama) at `base_url`
    gpt-5.2, claude, gemini, ...  aliases (ALIASES)

Keys come only from the environment; a missing one raises StockreportError naming the variable before any
network call. Retries belong to `structured.ask` (tenacity), so provider clients get `max_retries=0`.
A server URL (`--base-url`, `OPENAI_BASE_URL`) is checked before the client is built (`checked_url`: one
line naming what is wrong, instead of an error from deep inside the HTTP client), and its credentials
(`http://user:PASS@host/v1`) are secrets from then on: masked everywhere (`redact.add_url_credentials`) and
left out of the cache key.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel

from pipeline.errors import StockreportError
from pipeline.redact import add_url_credentials, without_userinfo

DEFAULT_MODEL = "offline"
ALIASES: dict[str, str] = {
    "gpt-5.2": "openai:gpt-5.2",
    "openai-5.2": "openai:gpt-5.2",
    "gpt-5-mini": "openai:gpt-5-mini",
    "claude": "anthropic:claude-sonnet-4-5",
    "gemini": "google_genai:gemini-2.5-flash",
}
# Provider -> environment variable holding its key. Providers absent here authenticate another way
# (cloud credentials, local servers) and are not checked.
KEY_ENV: dict[str, str] = {
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "google_genai": "GOOGLE_API_KEY",
    "mistralai": "MISTRAL_API_KEY",
    "groq": "GROQ_API_KEY",
    "cohere": "COHERE_API_KEY",
    "fireworks": "FIREWORKS_API_KEY",
    "together": "TOGETHER_API_KEY",
    "deepseek": "DEEPSEEK_API_KEY",
    "xai": "XAI_API_KEY",
    "perplexity": "PPLX_API_KEY",
    "azure_openai": "AZURE_OPENAI_API_KEY",
    "openrouter": "OPENROUTER_API_KEY",
}
COMPATIBLE = "openai-compatible"
COMPATIBLE_KEY_ENV = "OPENAI_COMPATIBLE_API_KEY"
# How each provider is asked for structured output: OpenAI-style servers take a JSON schema natively;
# others use LangChain's default for the class (tool calling for most).
_METHOD = {"openai": "json_schema", COMPATIBLE: "json_schema"}


@dataclass(frozen=True)
class ResolvedModel:
    chat_model: BaseChatModel
    spec: str  # as given by the user
    provider: str
    model_id: str
    structured_method: str | None = None  # with_structured_output(method=...); None: the class default
    settings: dict[str, Any] = field(default_factory=dict)  # what changes the answer; part of the cache key


URL_ENV = ("OPENAI_BASE_URL",)  # read by the OpenAI client itself when no --base-url is given
_URL_EXAMPLE = "e.g. http://localhost:8000/v1"


def checked_url(url: str, what: str = "--base-url") -> str:
    """`url` when the OpenAI client (httpx) can use it as a server URL: http(s), a host, a port in range.
    Otherwise one StockreportError naming `what` (the URL shown without its credentials)."""
    import httpx

    add_url_credentials(url)
    shown = without_userinfo(url)
    try:
        parsed = httpx.URL(url.strip())
        port = parsed.port
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise StockreportError(f"{what} {shown!r} is not a valid URL ({exc}); {_URL_EXAMPLE}") from None
    if parsed.scheme not in ("http", "https"):
        raise StockreportError(f"{what} {shown!r} must start with http:// or https:// ({_URL_EXAMPLE})")
    if not parsed.host:
        raise StockreportError(f"{what} {shown!r} names no host ({_URL_EXAMPLE})")
    if any(c.isspace() for c in url.strip()):
        raise StockreportError(f"{what} {shown!r} contains a space ({_URL_EXAMPLE})")
    if port is not None and not 0 < port < 65536:
        raise StockreportError(f"{what} {shown!r} has port {port}, outside 1-65535 ({_URL_EXAMPLE})")
    return url.strip()


def endpoint_of(chat: BaseChatModel) -> str | None:
    """The URL a chat model sends its requests to, as its client resolved it (ChatOpenAI reads
    OPENAI_BASE_URL itself when no --base-url is given), or None when the model does not say."""
    client = getattr(chat, "root_client", None) or getattr(chat, "_client", None)
    for value in (getattr(client, "base_url", None), *(getattr(chat, a, None) for a in (
            "openai_api_base", "base_url", "anthropic_api_url", "azure_endpoint", "endpoint"))):
        if value:
            return str(value).rstrip("/")
    return None


def _with_endpoint(resolved: ResolvedModel) -> ResolvedModel:
    """Answers from one server are not answers from another: the endpoint joins the cache key (settings)."""
    settings = {k: v for k, v in resolved.settings.items() if k != "base_url"}
    endpoint = endpoint_of(resolved.chat_model) or resolved.settings.get("base_url")
    settings["endpoint"] = without_userinfo(endpoint) if endpoint else None  # credentials never join the key
    return ResolvedModel(resolved.chat_model, resolved.spec, resolved.provider, resolved.model_id,
                         resolved.structured_method, settings)


def _known_providers() -> list[str]:
    try:
        from langchain.chat_models.base import _BUILTIN_PROVIDERS

        return sorted(_BUILTIN_PROVIDERS)
    except ImportError:  # private name moved: fall back to the ones we know keys for
        return sorted(KEY_ENV)


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _key(provider: str, spec: str) -> None:
    var = KEY_ENV.get(provider)
    if var and not os.environ.get(var):
        raise StockreportError(
            f"model {spec!r} needs an API key: set the environment variable {var} "
            "(keys are read only from the environment)"
        )


def resolve_model(
    spec: str = DEFAULT_MODEL,
    *,
    base_url: str | None = None,
    temperature: float | None = None,
    reasoning_effort: str | None = None,
    timeout: float | None = None,
    max_tokens: int | None = None,
    requests_per_second: float | None = None,
) -> ResolvedModel:
    """Parse `spec` and build the chat model; raise StockreportError on any problem the user can fix."""
    spec = spec.strip()
    target = ALIASES.get(spec, spec)
    if base_url is not None:
        base_url = checked_url(base_url)
    settings = {
        k: v
        for k, v in {
            "base_url": base_url,
            "temperature": temperature,
            "reasoning_effort": reasoning_effort,
            "max_tokens": max_tokens,
        }.items()
        if v is not None
    }
    if target.startswith("replay:"):  # answers from recordings (pipeline/review/replay.py)
        from pipeline.review.replay import resolve_replay

        return resolve_replay(spec, target.split(":", 1)[1])
    if target == "offline":
        from pipeline.model.offline import OFFLINE_MODEL_ID, OfflineChatModel

        return ResolvedModel(OfflineChatModel(), spec, "offline", OFFLINE_MODEL_ID, None, {})
    if ":" not in target:
        raise StockreportError(
            f"unknown model {spec!r}: use 'offline', 'provider:model' (e.g. 'openai:gpt-5.2') "
            f"or an alias ({', '.join(sorted(ALIASES))}){_suggest(spec, list(ALIASES))}"
        )
    provider, model_id = (part.strip() for part in target.split(":", 1))
    if not model_id:
        raise StockreportError(f"model {spec!r} names no model after '{provider}:'")
    kwargs: dict[str, Any] = {"max_retries": 0}
    if temperature is not None:
        kwargs["temperature"] = temperature
    if reasoning_effort is not None:
        kwargs["reasoning_effort"] = reasoning_effort
    if timeout is not None:
        kwargs["timeout"] = timeout
    if max_tokens is not None:
        kwargs["max_tokens"] = max_tokens
    if requests_per_second is not None:
        from langchain_core.rate_limiters import InMemoryRateLimiter

        kwargs["rate_limiter"] = InMemoryRateLimiter(
            requests_per_second=requests_per_second, check_every_n_seconds=0.05, max_bucket_size=1
        )

    if provider == COMPATIBLE:
        if not base_url:
            raise StockreportError(
                f"model {spec!r} needs --base-url (the server's OpenAI-compatible /v1 URL)"
            )
        from langchain_openai import ChatOpenAI

        api_key = os.environ.get(COMPATIBLE_KEY_ENV) or "not-needed"
        chat = ChatOpenAI(model=model_id, base_url=base_url, api_key=api_key, **kwargs)  # type: ignore[arg-type]
        return _with_endpoint(ResolvedModel(chat, spec, provider, model_id, _METHOD[provider], settings))

    providers = _known_providers()
    if provider not in providers:
        raise StockreportError(
            f"unknown model provider {provider!r} in {spec!r}"
            f"{_suggest(provider, providers + [COMPATIBLE, 'offline'])}"
        )
    _key(provider, spec)
    if base_url is not None:
        kwargs["base_url"] = base_url
    else:
        for var in URL_ENV:
            if provider == "openai" and os.environ.get(var):
                checked_url(os.environ[var], var)
    from langchain.chat_models import init_chat_model

    try:
        chat = init_chat_model(model_id, model_provider=provider, **kwargs)
    except ImportError as exc:
        raise StockreportError(f"model provider {provider!r} needs its LangChain package: {exc}") from None
    except (ValueError, TypeError) as exc:
        raise StockreportError(f"cannot set up model {spec!r}: {exc}") from None
    return _with_endpoint(ResolvedModel(chat, spec, provider, model_id, _METHOD.get(provider), settings))
