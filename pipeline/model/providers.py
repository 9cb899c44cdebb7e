"""Model selection from one `--model` string, through a registry of providers.

    offline                       the deterministic rule-based writer (default; no key, no network)
    openai:gpt-5.2                any `provider:model` that LangChain's `init_chat_model` knows (lazy import)
    openai-compatible:<name>      an OpenAI-compatible server (vLLM, llama.cpp, Ollama) at `base_url`
    local:smollm2, local:<file>   a GGUF model run in process by llama.cpp (pipeline/model/local.py)
    replay:<model>                answers recorded earlier (pipeline/review/replay.py)
    gpt-5.2, claude, gemini, ...  aliases (ALIASES)

LangChain's providers and `openai-compatible` are built in. Any other prefix is a registered `Provider`:
`register_provider(...)`, or an entry point in the group `stockreport.providers` (its name the prefix) naming
a Provider object
(how this package adds `offline` and `replay`, the way simonw/llm plugins add models), so this module knows
nothing of the stages that provide them.

Keys come only from the environment; a missing one raises StockreportError naming the variable before any
network call. Retries belong to `ask` (tenacity), so provider clients get `max_retries=0`.

Each provider states what its server does with the answer schema (`ResolvedModel.schema_limits`: whether
length and list limits are enforced when sent, or must be kept out and checked afterwards) and how long one
section may take (`CallBudget`: request timeout, transport attempts, output cap, a deadline per section).
A server URL (`--base-url`, `OPENAI_BASE_URL`) is checked before the client is built (`checked_url`: one
line naming what is wrong, instead of an error from deep inside the HTTP client), and its credentials
(`http://user:PASS@host/v1`) are secrets from then on: masked everywhere (`redact.add_url_credentials`) and
left out of the cache key.
"""

from __future__ import annotations

import difflib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Any

from pipeline.errors import StockreportError
from pipeline.redact import add_url_credentials, without_userinfo

if TYPE_CHECKING:  # LangChain is imported when a model is built, not to name one
    from langchain_core.language_models import BaseChatModel

ENTRY_POINT_GROUP = "stockreport.providers"
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
# How the page names a LangChain provider ("OpenAI - gpt-5.2"); registered providers bring their own name.
DISPLAY_NAMES = {
    "openai": "OpenAI",
    "anthropic": "Anthropic",
    "google_genai": "Google",
    COMPATIBLE: "OpenAI-compatible",
}


class ModelStopped(StockreportError):
    """The model was stopped on purpose (a local server shut down when the run was interrupted): said as it
    is, never retried."""


@dataclass(frozen=True)
class ModelRef:
    """A model as provenance names it: enough to say which model wrote a section, nothing to call it with."""

    spec: str  # as given by the user
    provider: str
    model_id: str
    display: str  # as the page names it: "OpenAI - gpt-5.2"


def model_ref(spec: str, model_id: str) -> ModelRef:
    """The ModelRef of a model known only by its spec and id (a section kept from an earlier report)."""
    provider = spec.split(":", 1)[0] if ":" in spec else spec
    return ModelRef(spec, provider, model_id, f"{DISPLAY_NAMES.get(provider, provider)} - {model_id}")


@dataclass(frozen=True)
class CallBudget:
    """How long one section's model calls may take, per provider (`ask` applies it).

    Bound: no request starts once `section_s` seconds have passed in a section, and each request's timeout
    is cut to what is left of it (where the client takes a per-request timeout, `per_request_timeout`), so
    one section takes at most `section_s` seconds (plus at most `timeout_s` for clients without a
    per-request timeout). Within it: at most `max_attempts` transport attempts per answer, each at most
    `timeout_s`; answer re-asks (invalid, cut) and number re-asks are counted by `ask` and `narrate`.
    """

    timeout_s: float = 60.0  # one request
    max_attempts: int = 5  # transport attempts per answer: rate limits, timeouts, connection errors, 5xx
    section_s: float = 600.0  # the deadline of one section, all its calls together
    max_tokens: int | None = None  # output cap per request; None: the provider's own
    # Cap each request at what the section's answer schema can need (`wire_schema.answer_token_bound`),
    # plus this much room (reasoning models spend output tokens before the answer); None: no such cap.
    fit_max_tokens: int | None = None
    # Characters per token assumed for that cap: 3 estimates English prose; 1 is a true bound, for servers
    # whose grammar stops the answer at its limits anyway (the cap then only bounds a runaway, never cuts).
    fit_chars_per_token: int = 3
    per_request_timeout: bool = False  # the client takes `timeout=` per call (OpenAI-style SDKs)
    backoff: bool = True  # wait between transport attempts (False: recordings, nothing to wait for)
    transcript_tokens: int | None = None  # the transcript budget when none is given (small context windows)


# Hosted APIs: rate limits and 5xx are worth several attempts; a slow reply is the norm, not a fault.
HOSTED_BUDGET = CallBudget(timeout_s=60.0, max_attempts=5, section_s=600.0)
# A server on this machine or network, any model (vLLM, Ollama, llama.cpp): an output cap with room for
# reasoning, fewer identical retries (a timeout there means the model is slow, and asking again is as slow).
COMPATIBLE_BUDGET = CallBudget(
    timeout_s=120.0, max_attempts=3, section_s=600.0, fit_max_tokens=2048, per_request_timeout=True
)
NO_BUDGET = CallBudget(timeout_s=0.0, max_attempts=1, section_s=0.0, backoff=False)  # offline, replay


@dataclass(frozen=True)
class ResolvedModel:
    """A model checked and ready to call. The chat model itself (LangChain, the provider's SDK) is built the
    first time `chat_model` is read: a run whose reports are all up to date never imports the model stack,
    while everything the user can get wrong (name, key, URL) was checked when this was made."""

    make_chat: Callable[[], BaseChatModel]  # called once, on first use of `chat_model`
    spec: str  # as given by the user
    provider: str
    model_id: str
    structured_method: str | None = None  # with_structured_output(method=...); None: the class default
    settings: dict[str, Any] = field(default_factory=dict)  # what changes the answer; part of the cache key
    display_name: str = ""  # the provider as the page names it; "" = the provider string
    cacheable: bool = True  # worth the answer cache (False for free, local, deterministic models)
    local: bool = False  # computes in Python on this machine's CPU: many tickers run in worker processes
    # The server enforces maxLength / maxItems / minItems of the schema sent (a grammar, as llama.cpp does):
    # send them. Otherwise (OpenAI's strict mode rejects them) they are kept out of the wire schema, said in
    # the field descriptions instead, and checked when the answer is validated.
    schema_limits: bool = False
    budget: CallBudget = HOSTED_BUDGET
    # What recordings and benchmarks name as the model: engine and version, model file and digest, ...
    about: dict[str, str] = field(default_factory=dict)
    closer: Callable[[], None] | None = None  # frees what the model holds (a local server); see close()
    free: bool = False  # runs on this machine: no bill, so $0 rather than "not priced"

    def close(self) -> None:
        """Free what the model holds (stop a local server, ending its requests in flight); idempotent."""
        if self.closer is not None:
            self.closer()

    # The server the client resolved joins the cache key (`cache_settings`); LangChain clients.
    endpoint_keyed: bool = False
    _built: list[BaseChatModel] = field(default_factory=list, init=False, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    @property
    def chat_model(self) -> BaseChatModel:
        with self._lock:  # threads of one batch share one model (and its rate limiter)
            if not self._built:
                self._built.append(self.make_chat())
            return self._built[0]

    def with_chat(self, chat: BaseChatModel) -> ResolvedModel:
        """The same model answering through `chat` (a copy with callbacks, a rate limiter, a replay)."""
        return replace(self, make_chat=lambda: chat)

    def wrapped(self, wrap: Callable[[BaseChatModel], BaseChatModel]) -> ResolvedModel:
        """The same model answering through `wrap(chat model)`, built when first used (as this one is)."""
        return replace(self, make_chat=lambda: wrap(self.chat_model))

    @property
    def cache_settings(self) -> dict[str, Any]:
        """What keys the answer cache: `settings`, and for a LangChain client the server it sends to (answers
        from one server are not answers from another; credentials never join the key)."""
        if not self.endpoint_keyed:
            return self.settings
        settings = {k: v for k, v in self.settings.items() if k != "base_url"}
        endpoint = endpoint_of(self.chat_model) or self.settings.get("base_url")
        settings["endpoint"] = without_userinfo(endpoint) if endpoint else None
        return settings

    @property
    def ref(self) -> ModelRef:
        return ModelRef(
            self.spec,
            self.provider,
            self.model_id,
            f"{self.display_name or DISPLAY_NAMES.get(self.provider, self.provider)} - {self.model_id}",
        )


@dataclass(frozen=True)
class ModelSettings:
    """What the command line sets for a model; each provider uses what applies to it."""

    base_url: str | None = None
    temperature: float | None = None
    reasoning_effort: str | None = None
    timeout: float | None = None  # None: the provider's default (CallBudget.timeout_s)
    max_tokens: int | None = None
    requests_per_second: float | None = None
    slots: int = 1  # requests a local server answers at once (the run's concurrency)
    seed: int | None = None  # sampling seed, where the model takes one (local: fixed, so runs repeat)


def budget_for(default: CallBudget, settings: ModelSettings) -> CallBudget:
    """The provider's budget with what the command line set (`--timeout`, `--max-tokens`)."""
    out = default
    if settings.timeout is not None:
        out = replace(out, timeout_s=settings.timeout, section_s=max(out.section_s, settings.timeout))
    if settings.max_tokens is not None:
        out = replace(out, max_tokens=settings.max_tokens, fit_max_tokens=None)
    return out


@dataclass(frozen=True)
class Provider:
    """A registered model source: `--model NAME` or `--model NAME:<model>` goes to `build(spec, model, settings)`
    (`model` is what follows the colon, "" when there is none)."""

    name: str
    build: Callable[[str, str, ModelSettings], ResolvedModel]
    help: str = ""
    # The transcript budget its models use when none is given, known without building one (a replay of
    # this provider's recordings must build the prompts the recorded run built).
    transcript_tokens: int | None = None


_REGISTRY: dict[str, Provider] = {}
_DISCOVERED = False
_LOCK = threading.RLock()  # a provider module may register more providers while it loads


def register_provider(provider: Provider) -> None:
    """Add (or replace) a provider; the name is the `--model` prefix it answers to."""
    with _LOCK:
        _REGISTRY[provider.name] = provider


def providers() -> dict[str, Provider]:
    """Every registered provider, entry points included (all loaded once, on first use)."""
    global _DISCOVERED
    with _LOCK:
        if not _DISCOVERED:
            _DISCOVERED = True
            for ep in entry_points(group=ENTRY_POINT_GROUP):
                _load(ep)
        return dict(_REGISTRY)


def provider_named(name: str) -> Provider | None:
    """The provider answering to `name`, or None. Only the entry points of that name are loaded (an entry
    point's name is its `--model` prefix): a provider module may be heavy (`replay` imports the whole run
    path), and resolving `offline` or `openai:...` must not pay for it."""
    with _LOCK:
        if name not in _REGISTRY and not _DISCOVERED:
            for ep in entry_points(group=ENTRY_POINT_GROUP, name=name):
                _load(ep)
        return _REGISTRY.get(name)


def _load(ep: EntryPoint) -> None:
    provider = ep.load()
    if isinstance(provider, Provider):
        _REGISTRY.setdefault(provider.name, provider)


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


def _unregistered() -> str:
    """A hint when no provider came from the entry points: an install that predates them (or none)."""
    if any(True for _ in entry_points(group=ENTRY_POINT_GROUP)):
        return ""
    return (
        f" (no model providers are registered in the entry point group {ENTRY_POINT_GROUP!r}: reinstall "
        "the package, e.g. `pip install -e .`, so 'offline' and 'replay' are registered)"
    )


def endpoint_of(chat: BaseChatModel) -> str | None:
    """The URL a chat model sends its requests to, as its client resolved it (ChatOpenAI reads
    OPENAI_BASE_URL itself when no --base-url is given), or None when the model does not say."""
    client = getattr(chat, "root_client", None) or getattr(chat, "_client", None)
    for value in (
        getattr(client, "base_url", None),
        *(
            getattr(chat, a, None)
            for a in ("openai_api_base", "base_url", "anthropic_api_url", "azure_endpoint", "endpoint")
        ),
    ):
        if value:
            return str(value).rstrip("/")
    return None


def _known_providers() -> list[str]:
    """LangChain's providers (imports LangChain: asked only for a name not in KEY_ENV/DISPLAY_NAMES)."""
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
    slots: int = 1,
) -> ResolvedModel:
    """Parse `spec` and build the chat model; raise StockreportError on any problem the user can fix."""
    settings = ModelSettings(
        base_url, temperature, reasoning_effort, timeout, max_tokens, requests_per_second, slots
    )
    return resolve(spec, settings)


def resolve(spec: str, settings: ModelSettings) -> ResolvedModel:
    """`resolve_model` with the settings in one object (the batch runner keeps them in its config)."""
    spec = spec.strip()
    target = ALIASES.get(spec, spec)
    if settings.base_url is not None:
        settings = replace(settings, base_url=checked_url(settings.base_url))
    prefix, _, rest = target.partition(":")
    registered = provider_named(prefix.strip())
    if registered is not None:
        return registered.build(spec, rest.strip(), settings)
    if ":" not in target:
        names = sorted(ALIASES) + sorted(providers())
        raise StockreportError(
            f"unknown model {spec!r}: use 'offline', 'provider:model' (e.g. 'openai:gpt-5.2') "
            f"or an alias ({', '.join(sorted(ALIASES))}){_suggest(spec, names)}{_unregistered()}"
        )
    provider, model_id = prefix.strip(), rest.strip()
    if not model_id:
        raise StockreportError(f"model {spec!r} names no model after '{provider}:'")
    return _langchain_model(spec, provider, model_id, settings)


def _answer_settings(settings: ModelSettings) -> dict[str, Any]:
    """The settings that change an answer (they key the answer cache)."""
    return {
        k: v
        for k, v in {
            "base_url": settings.base_url,
            "temperature": settings.temperature,
            "reasoning_effort": settings.reasoning_effort,
            "max_tokens": settings.max_tokens,
        }.items()
        if v is not None
    }


def _langchain_model(spec: str, provider: str, model_id: str, settings: ModelSettings) -> ResolvedModel:
    """Checks what the user can get wrong now (provider, key, URL); LangChain builds the client on first use."""
    budget = budget_for(COMPATIBLE_BUDGET if provider == COMPATIBLE else HOSTED_BUDGET, settings)
    if provider in ("openai", COMPATIBLE):
        budget = replace(budget, per_request_timeout=True)
    kwargs: dict[str, Any] = {"max_retries": 0, "timeout": budget.timeout_s}
    for name in ("temperature", "reasoning_effort", "max_tokens"):
        if getattr(settings, name) is not None:
            kwargs[name] = getattr(settings, name)
    answer_settings = _answer_settings(settings)
    if provider == COMPATIBLE:
        if not settings.base_url:
            raise StockreportError(
                f"model {spec!r} needs --base-url (the server's OpenAI-compatible /v1 URL)"
            )
        api_key = os.environ.get(COMPATIBLE_KEY_ENV) or "not-needed"
        base_url = settings.base_url

        def compatible() -> BaseChatModel:
            from langchain_openai import ChatOpenAI

            limiter = _rate_limiter(settings)
            return ChatOpenAI(model=model_id, base_url=base_url, api_key=api_key, **limiter, **kwargs)  # type: ignore[arg-type]

        return ResolvedModel(
            compatible,
            spec,
            provider,
            model_id,
            _METHOD[provider],
            answer_settings,
            budget=budget,
            endpoint_keyed=True,
        )

    if provider not in KEY_ENV and provider not in DISPLAY_NAMES:  # the common ones need no LangChain import
        known = _known_providers()
        if provider not in known:
            raise StockreportError(
                f"unknown model provider {provider!r} in {spec!r}"
                f"{_suggest(provider, known + [COMPATIBLE, *providers()])}"
            )
    _key(provider, spec)
    if settings.base_url is not None:
        kwargs["base_url"] = settings.base_url
    else:
        for var in URL_ENV:
            if provider == "openai" and os.environ.get(var):
                checked_url(os.environ[var], var)

    def langchain() -> BaseChatModel:
        from langchain.chat_models import init_chat_model

        try:
            chat: BaseChatModel = init_chat_model(
                model_id, model_provider=provider, **_rate_limiter(settings), **kwargs
            )
            return chat
        except ImportError as exc:
            raise StockreportError(
                f"model provider {provider!r} needs its LangChain package: {exc}"
            ) from None
        except (ValueError, TypeError) as exc:
            raise StockreportError(f"cannot set up model {spec!r}: {exc}") from None

    return ResolvedModel(
        langchain,
        spec,
        provider,
        model_id,
        _METHOD.get(provider),
        answer_settings,
        budget=budget,
        endpoint_keyed=True,
    )


def _rate_limiter(settings: ModelSettings) -> dict[str, Any]:
    """LangChain's in-memory limiter when `requests_per_second` is set (as a keyword for the client)."""
    if settings.requests_per_second is None:
        return {}
    from langchain_core.rate_limiters import InMemoryRateLimiter

    limiter = InMemoryRateLimiter(
        requests_per_second=settings.requests_per_second, check_every_n_seconds=0.05, max_bucket_size=1
    )
    return {"rate_limiter": limiter}
