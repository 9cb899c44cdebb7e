"""`OfflineChatModel`: a deterministic, rule-based LangChain chat model that needs no key and no network.

It reads the section from the prompt's `<task section="...">` tag and the numbers from its `<facts>` JSON
block,
writes the answer with `offline_writer`, and returns it the way real models do: as a tool call when tools are
bound (which is how `BaseChatModel.with_structured_output` asks), else as JSON text. So the structured-output
parsing, validation, checking and rendering downstream run exactly as for a hosted model.
Usage is estimated from text length (tokens ~ chars / 4).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from pipeline.model import offline_writer
from pipeline.model.transcript import approx_tokens

OFFLINE_MODEL_ID = "offline-rules-v1"
_TASK = re.compile(r'<task section="([a-z_]+)">')
_FACTS = re.compile(r"<facts>\s*(.*?)\s*</facts>", re.S)


def _text(message: BaseMessage) -> str:
    return message.content if isinstance(message.content, str) else json.dumps(message.content)


class OfflineChatModel(BaseChatModel):
    """Rule-based writer behind the chat-model interface; same input, same output, always."""

    model_name: str = OFFLINE_MODEL_ID

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

    def _answer(self, messages: list[BaseMessage]) -> dict[str, Any]:
        # The task and facts live in the first user message; later messages (validation feedback) change
        # nothing.
        prompt = next((_text(m) for m in messages if m.type == "human"), "")
        task = _TASK.search(prompt)
        facts = _FACTS.search(prompt)
        if not task or not facts:
            raise ValueError(
                "the offline model needs a <task section=...> tag and a <facts> block in the prompt"
            )
        return offline_writer.write(task.group(1), json.loads(facts.group(1)), prompt)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        answer = self._answer(messages)
        body = json.dumps(answer, ensure_ascii=False, sort_keys=True)
        tokens_in = sum(approx_tokens(_text(m)) for m in messages)
        tokens_out = approx_tokens(body)
        usage = {
            "input_tokens": tokens_in,
            "output_tokens": tokens_out,
            "total_tokens": tokens_in + tokens_out,
        }
        tools = kwargs.get("tools") or []
        if tools:
            name = tools[0]["function"]["name"]
            message = AIMessage(
                content="",
                tool_calls=[{"name": name, "args": answer, "id": "offline-0", "type": "tool_call"}],
                usage_metadata=usage,
            )
        else:
            message = AIMessage(content=body, usage_metadata=usage)
        message.response_metadata = {"model_name": self.model_name}
        return ChatResult(generations=[ChatGeneration(message=message)])
