"""`OfflineChatModel`: the offline writers (registry.py) behind LangChain's chat-model interface.

It answers as real models do: as a tool call when tools are bound (which is how `with_structured_output`
asks), else as JSON text. Usage is estimated with the one token estimate (`pipeline.tokens`: characters / 4).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from pipeline.model.call_meta import CallMeta
from pipeline.narrate.prompt_context import PromptContext
from pipeline.narrate.registry import section_spec
from pipeline.tokens import estimate_tokens


def _text(message: BaseMessage) -> str:
    return message.content if isinstance(message.content, str) else json.dumps(message.content)


def write_offline(meta: CallMeta | None) -> dict[str, Any]:
    """The offline answer of the call `meta` describes: its section's writer over the prompt's context."""
    if meta is None or meta.context is None:
        raise ValueError(
            "the offline model writes from the run metadata `ask` passes (section and prompt "
            "context); call it through pipeline.model.ask"
        )
    return section_spec(meta.section).offline(PromptContext.from_json(meta.context))


def offline_reply(
    messages: Sequence[BaseMessage],
    answer: dict[str, Any],
    tools: Sequence[dict[str, Any]],
    model_name: str,
) -> ChatResult:
    """`answer` as a model's reply: a tool call when tools are bound, else JSON text; usage estimated."""
    body = json.dumps(answer, ensure_ascii=False, sort_keys=True)
    tokens_in = sum(estimate_tokens(_text(m)) for m in messages)
    tokens_out = estimate_tokens(body)
    usage = {"input_tokens": tokens_in, "output_tokens": tokens_out, "total_tokens": tokens_in + tokens_out}
    if tools:
        name = tools[0]["function"]["name"]
        message = AIMessage(
            content="",
            tool_calls=[{"name": name, "args": answer, "id": "offline-0", "type": "tool_call"}],
            usage_metadata=usage,  # type: ignore[arg-type]
        )
    else:
        message = AIMessage(content=body, usage_metadata=usage)  # type: ignore[arg-type]
    message.response_metadata = {"model_name": model_name}
    return ChatResult(generations=[ChatGeneration(message=message)])


class OfflineChatModel(BaseChatModel):
    """Rule-based writer behind the chat-model interface; same input, same output, always."""

    model_name: str  # given by the provider (offline_model.OFFLINE_MODEL_ID)
    delay_s: float = 0.0  # a fixed pause per call, to give tests and benchmarks something to interrupt

    @property
    def _llm_type(self) -> str:
        return "stockreport-offline"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name}

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], tool_choice=tool_choice, **kwargs)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.delay_s > 0:
            time.sleep(self.delay_s)
        answer = write_offline(CallMeta.of_run(run_manager))
        return offline_reply(messages, answer, kwargs.get("tools") or [], self.model_name)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.delay_s > 0:
            await asyncio.sleep(self.delay_s)
        meta = CallMeta.from_metadata(run_manager.metadata if run_manager is not None else None)
        return offline_reply(messages, write_offline(meta), kwargs.get("tools") or [], self.model_name)
