"""`ask`: one structured answer from a chat model, with retries, validation feedback and caching.

Two loops, both bounded:
- transport (tenacity): rate limits (429, honouring Retry-After up to `max_retry_after`), timeouts, connection
  errors and 5xx are retried with exponential backoff plus jitter, `max_attempts` calls in all (at most the
  provider's `CallBudget.max_attempts`);
- answer (re-ask): JSON that does not parse or fails the Pydantic schema is sent back with the validation
  error appended as a user message; a reply cut at the output limit (finish_reason "length", which the OpenAI
  SDK raises as LengthFinishReasonError) is re-asked for a shorter answer. At most `max_reasks` re-asks;
  then StockreportError, so a ticker never gets a half report.

Time is bounded per section (`CallBudget`): each request has the provider's timeout, cut to what is left of
the section's deadline; no request starts after it. Each request's output is capped (`max_tokens`, sized to
the answer schema where the provider's budget says so). The budget and its bound are in providers.py.

Every model, the offline one included, goes through `with_structured_output` and the same validation here.
Which section and ticker the call is for travels as LangChain run metadata (`CallMeta.config()`), never
inside the prompt text.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.runnables import RunnableSequence
from pydantic import BaseModel, ValidationError
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from pipeline.errors import StockreportError
from pipeline.model import spend
from pipeline.model.cache import AnswerCache, CachedAnswer, cache_key
from pipeline.model.call_meta import CallMeta
from pipeline.model.cost import TokenUsage, estimate_cost
from pipeline.model.providers import CallBudget, ResolvedModel
from pipeline.model.wire_schema import answer_token_bound, wire_schema
from pipeline.redact import redact, redact_strings

log = logging.getLogger(__name__)
DEFAULT_MAX_REASKS = 2


@dataclass(frozen=True)
class RetryPolicy:
    """Transport retries: wait = min(initial * 2**n + U(0, jitter), maximum), or Retry-After when sent."""

    max_attempts: int = 5
    initial: float = 1.0
    maximum: float = 30.0
    jitter: float = 1.0
    max_retry_after: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep)


@dataclass(frozen=True)
class ModelReply:
    """A validated answer and what it took: calls, re-asks, tokens, time, cost."""

    parsed: BaseModel
    raw_text: str
    usage: TokenUsage
    latency_s: float
    attempts: int  # model calls made (transport retries and re-asks included); 0 on a cache hit
    reasks: int
    model_id: str
    cached: bool
    cost_usd: float | None
    cut: int = 0  # replies cut at the output limit (each re-asked for a shorter answer)
    invalid: int = 0  # complete replies that did not parse or validate (each re-asked)


def is_transient(exc: BaseException) -> bool:
    """Rate limit, timeout, connection failure or 5xx: worth the same request again."""
    try:
        import openai

        if isinstance(exc, openai.RateLimitError | openai.APIConnectionError | openai.InternalServerError):
            return True  # APITimeoutError is an APIConnectionError
    except ImportError:  # pragma: no cover - openai is a dependency
        pass
    if getattr(exc, "is_retryable", False):  # langchain_core.exceptions.ModelError subclasses
        return True
    status = getattr(exc, "status_code", None)
    return isinstance(status, int) and (status in (408, 429) or status >= 500)


def _retry_after(exc: BaseException | None) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    value = headers.get("retry-after-ms")
    try:
        if value is not None:
            return float(value) / 1000
        value = headers.get("retry-after")
        return float(value) if value is not None else None
    except ValueError:  # an HTTP date: not worth parsing, fall back to backoff
        return None


def _wait(policy: RetryPolicy) -> Callable[[RetryCallState], float]:
    # exponential backoff plus up to `jitter` random seconds (spelled portably across tenacity 8 and 9)
    backoff = wait_exponential(multiplier=policy.initial, max=policy.maximum) + wait_random(0, policy.jitter)

    def wait(state: RetryCallState) -> float:
        after = _retry_after(state.outcome.exception() if state.outcome else None)
        return max(0.0, min(after, policy.max_retry_after)) if after is not None else backoff(state)

    return wait


CUT_REASONS = ("length", "max_tokens")  # OpenAI-style finish_reason, Anthropic-style stop_reason


def was_cut(message: AIMessage) -> bool:
    """The reply stopped at the output limit, so its answer is incomplete."""
    meta = message.response_metadata or {}
    return meta.get("finish_reason") in CUT_REASONS or meta.get("stop_reason") in CUT_REASONS


def cut_reply(exc: BaseException) -> AIMessage | None:
    """The partial reply inside openai's LengthFinishReasonError (raised by the SDK's `parse`, which
    LangChain uses for JSON-schema answers), as a message marked cut; None for any other error."""
    try:
        import openai
    except ImportError:  # pragma: no cover - openai is a dependency
        return None
    if not isinstance(exc, openai.LengthFinishReasonError):
        return None
    completion = exc.completion
    content = completion.choices[0].message.content if completion.choices else None
    usage = completion.usage
    tokens_in, tokens_out = (usage.prompt_tokens, usage.completion_tokens) if usage else (0, 0)
    return AIMessage(
        content=content or "",
        usage_metadata={
            "input_tokens": tokens_in,
            "output_tokens": tokens_out,
            "total_tokens": tokens_in + tokens_out,
        },
        response_metadata={"finish_reason": "length", "model_name": completion.model},
    )


def _stockreport_error(exc: BaseException) -> StockreportError | None:
    """A StockreportError the client wrapped (a local server stopped on purpose): said as it is, not retried."""
    seen: set[int] = set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        if isinstance(node, StockreportError):
            return node
        node = node.__cause__ or node.__context__
    return None


def _usage(message: AIMessage) -> TokenUsage:
    meta: dict[str, Any] = dict(message.usage_metadata or {})
    details = meta.get("input_token_details") or {}
    return TokenUsage(
        int(meta.get("input_tokens", 0)),
        int(meta.get("output_tokens", 0)),
        int(details.get("cache_read", 0) or 0),
    )


def _raw_text(message: AIMessage) -> str:
    if isinstance(message.content, str) and message.content.strip():
        return message.content
    if message.tool_calls:
        return json.dumps(message.tool_calls[0]["args"], ensure_ascii=False)
    if message.invalid_tool_calls:
        return str(message.invalid_tool_calls[0].get("args") or "")
    return message.content if isinstance(message.content, str) else json.dumps(message.content)


def _explain(exc: ValidationError) -> str:
    parts = [
        f"{'.'.join(map(str, e['loc'])) or '(top level)'}: {e['msg']}" for e in exc.errors(include_url=False)
    ]
    return "; ".join(parts)[:1500]


def _feedback(error: str) -> str:
    return (
        f"Your previous answer could not be used: {error}\n"
        "Reply again with only a JSON object that matches the schema, fixing these problems."
    )


CUT_ECHO_CHARS = 400  # how much of a cut reply goes back into the conversation (the context is small)


def _cut_feedback(output_tokens: int) -> str:
    return (
        f"Your previous answer was cut off at the output limit ({output_tokens} tokens) before the JSON was "
        "complete. Reply again with the same schema, much shorter: one or two sentences per text field, "
        "and fewer list items."
    )


def _echo(text: str) -> str:
    """A cut reply as it goes back into the conversation: its start, marked as cut."""
    return text if len(text) <= CUT_ECHO_CHARS else text[:CUT_ECHO_CHARS] + " ... [cut off]"


def _call_options(
    budget: CallBudget, schema: type[BaseModel], deadline: float | None
) -> tuple[dict[str, Any], float | None]:
    """Per-request options (output cap, timeout cut to the section's deadline) and the seconds left."""
    options: dict[str, Any] = {}
    cap = budget.max_tokens
    if budget.fit_max_tokens is not None:
        fitted = answer_token_bound(schema, budget.fit_chars_per_token) + budget.fit_max_tokens
        cap = fitted if cap is None else min(cap, fitted)
    if cap is not None:
        options["max_tokens"] = cap
    left = None if deadline is None else deadline - time.monotonic()
    if budget.per_request_timeout and budget.timeout_s > 0:
        options["timeout"] = budget.timeout_s if left is None else max(0.1, min(budget.timeout_s, left))
    return options, left


def section_deadline(resolved: ResolvedModel) -> float | None:
    """The monotonic time after which no request of a section starts (None: unbounded, offline/replay)."""
    seconds = resolved.budget.section_s
    return time.monotonic() + seconds if seconds > 0 else None


def _extract(raw: AIMessage, out: dict[str, Any]) -> tuple[Any, str | None]:
    """The answer object from the raw reply, parsed strictly.

    LangChain's JSON parser accepts truncated JSON (it closes open strings and braces), so text answers are
    parsed here with `json.loads`; tool-call arguments arrive already parsed by the provider integration.
    """
    if raw.tool_calls:
        return raw.tool_calls[0]["args"], None
    if raw.invalid_tool_calls:
        return None, f"the tool-call arguments are not valid JSON ({raw.invalid_tool_calls[0].get('error')})"
    text = raw.content if isinstance(raw.content, str) else ""
    fenced = re.fullmatch(r"\s*```(?:json)?\s*(.*?)\s*```\s*", text, re.S)
    text = fenced.group(1) if fenced else text
    if not text.strip():
        return None, f"the reply holds no JSON answer ({out.get('parsing_error') or 'empty content'})"
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, f"the answer is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"


def _check(
    raw: AIMessage, out: dict[str, Any], schema: type[BaseModel]
) -> tuple[BaseModel | None, str | None]:
    obj, error = _extract(raw, out)
    if error is not None:
        return None, error
    try:
        return schema.model_validate(redact_strings(obj)), None
    except ValidationError as exc:
        return None, _explain(exc)


def _messages_for_key(messages: list[BaseMessage]) -> list[dict[str, str]]:
    return [
        {"role": m.type, "content": m.content if isinstance(m.content, str) else json.dumps(m.content)}
        for m in messages
    ]


def ask(
    resolved: ResolvedModel,
    meta: CallMeta,
    messages: list[BaseMessage],
    schema: type[BaseModel],
    *,
    max_reasks: int = DEFAULT_MAX_REASKS,
    cache: AnswerCache | None = None,
    policy: RetryPolicy | None = None,
    deadline: float | None = None,
) -> ModelReply:
    """Ask for `schema`: retry transient errors, re-ask invalid and cut answers (at most `max_reasks` times
    after the first answer), use the cache. `meta` says whom the call is for (run metadata). `deadline`
    (time.monotonic) is the section's (`section_deadline`): no request starts after it; None = this call's own.

    Models that are not `cacheable` (offline, replay) skip the cache: free, and their rules or recordings may
    change without a new model id.
    """
    budget = resolved.budget
    policy = policy or RetryPolicy()
    if policy.max_attempts > budget.max_attempts:
        policy = dataclasses.replace(policy, max_attempts=max(1, budget.max_attempts))
    if not budget.backoff:
        policy = dataclasses.replace(policy, initial=0.0, maximum=0.0, jitter=0.0, max_retry_after=0.0)
    if deadline is None:
        deadline = section_deadline(resolved)
    start = time.perf_counter()
    section = meta.section
    use_cache = cache is not None and resolved.cacheable
    key = cache_key(
        resolved.spec,
        resolved.model_id,
        resolved.cache_settings,
        schema.__name__,
        _messages_for_key(messages),
    )
    if use_cache and cache is not None and (hit := cache.get(key)) is not None:
        try:
            parsed = schema.model_validate(hit.parsed)
        except ValidationError:  # the schema changed since: ask again
            log.debug("%s: cached answer no longer validates; asking the model", section)
        else:
            return ModelReply(
                parsed,
                hit.raw_text,
                TokenUsage(0, 0, hit.input_tokens + hit.output_tokens),
                time.perf_counter() - start,
                0,
                0,
                resolved.model_id,
                True,
                0.0,
            )

    kwargs: dict[str, Any] = {}
    if resolved.structured_method:
        kwargs["method"] = resolved.structured_method
        if resolved.structured_method == "json_schema":
            kwargs["strict"] = True
    sent = wire_schema(schema, limits=resolved.schema_limits)
    structured = resolved.chat_model.with_structured_output(sent, **kwargs)  # type: ignore[arg-type]
    # with_structured_output is `bound model | parser`. We parse the raw reply strictly ourselves (_extract), so
    # only the bound model (tools / response_format set as the provider needs) is invoked; this also skips
    # include_raw's parallel branch, which starts threads on every call.
    runnable = structured.first if isinstance(structured, RunnableSequence) else structured
    retrying = Retrying(
        stop=stop_after_attempt(policy.max_attempts),
        wait=_wait(policy),
        retry=retry_if_exception(is_transient),
        sleep=policy.sleep,
        reraise=True,
        before_sleep=lambda s: log.debug(
            "%s: attempt %d failed (%s); retrying",
            section,
            s.attempt_number,
            s.outcome and s.outcome.exception(),
        ),
    )
    convo = list(messages)
    usage = TokenUsage()
    calls = cut = invalid = 0
    error = ""

    def call(conversation: list[BaseMessage]) -> dict[str, Any]:
        nonlocal calls
        options, left = _call_options(budget, schema, deadline)
        if left is not None and left <= 0:
            raise StockreportError(
                f"{section}: model {resolved.spec!r} gave no usable answer within the section's time budget "
                f"({budget.section_s:.0f} s, {calls} call(s)); a faster model, or --timeout, may help"
            )
        calls += 1
        try:
            message = runnable.invoke(conversation, config=meta.config(), **options)
        except BaseException as exc:
            partial = cut_reply(exc)
            if partial is None:
                if reached_server(exc):  # sent: the server may have seen it; nothing billed back we know of
                    spend.record(resolved.model_id, TokenUsage(), free=resolved.free)
                raise
            message = partial
        used = _usage(message) if isinstance(message, AIMessage) else TokenUsage()
        spend.record(resolved.model_id, used, free=resolved.free)
        if not isinstance(message, AIMessage):  # a wrapper that already parsed: not expected, fail loudly
            raise TypeError(f"expected the model's raw AIMessage, got {type(message).__name__}")
        return {"raw": message}

    for reask in range(max_reasks + 1):
        try:
            out = retrying(call, convo)
        except Exception as exc:
            if (own := _stockreport_error(exc)) is not None:
                raise own from None
            if is_transient(exc) or _is_api_error(exc):
                raise StockreportError(
                    f"{section}: model {resolved.spec!r} failed after {calls} call(s): "
                    f"{type(exc).__name__}: {_short(exc)}"
                ) from None
            raise
        raw: AIMessage = out["raw"]
        usage = usage + _usage(raw)
        text = redact(
            _raw_text(raw)
        )  # a secret the model echoes goes no further (cache, recordings, re-asks)
        if was_cut(raw):
            cut += 1
            error = f"the answer was cut off at the output limit ({_usage(raw).output} tokens)"
            log.debug("%s: answer %d cut at the output limit; asking for a shorter one", section, reask + 1)
            convo = convo + [
                AIMessage(content=_echo(text)),
                HumanMessage(content=_cut_feedback(_usage(raw).output)),
            ]
            continue
        answer, error_msg = _check(raw, out, schema)
        if answer is not None:
            if use_cache and cache is not None:
                cache.put(key, CachedAnswer(text, answer.model_dump(mode="json"), usage.input, usage.output))
            return ModelReply(
                answer,
                text,
                usage,
                time.perf_counter() - start,
                calls,
                reask,
                resolved.model_id,
                False,
                0.0 if resolved.free else estimate_cost(resolved.model_id, usage),
                cut=cut,
                invalid=invalid,
            )
        invalid += 1
        error = error_msg or "invalid answer"
        log.debug("%s: answer %d invalid: %s", section, reask + 1, error)
        convo = convo + [AIMessage(content=text), HumanMessage(content=_feedback(error))]
    raise StockreportError(
        f"{section}: model {resolved.spec!r} gave no valid answer after {max_reasks + 1} "
        f"tries{f' ({cut} cut at the output limit)' if cut else ''}; last problem: {error[:300]}"
    )


def reached_server(exc: BaseException) -> bool:
    """False when the request never left: the connection could not be made (refused, connect timeout,
    no pooled connection free). Such an attempt costs nothing and no server saw it, so it is not counted."""
    seen: set[int] = set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        if type(node).__name__ in ("ConnectError", "ConnectTimeout", "PoolTimeout"):  # httpx's names
            return False
        node = node.__cause__ or node.__context__
    return True


def _is_api_error(exc: BaseException) -> bool:
    try:
        import openai

        return isinstance(exc, openai.APIError) or hasattr(exc, "status_code")
    except ImportError:  # pragma: no cover
        return hasattr(exc, "status_code")


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 200 else text[:197] + "..."
