"""Who a model call is for, carried as LangChain run metadata, never parsed back out of the prompt text.

`ask` passes `CallMeta.config()` to the chat model's `invoke` (RunnableConfig `metadata`, `tags`,
`run_name`). Every party that needs to know which section and ticker a call belongs to reads it from there:
the offline model (which also writes from the prompt's context, see `context`), the recorder (a callback:
`on_chat_model_start(..., metadata=...)`), the replay model and the OpenAI Batch answer store (their
`run_manager.metadata`). So a custom prompt template (STOCKREPORT_PROMPTS) can say anything in any markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # named in annotations only: the offline provider loads without LangChain
    from langchain_core.callbacks import CallbackManagerForLLMRun
    from langchain_core.runnables import RunnableConfig

SECTION_KEY = "stockreport_section"
TICKER_KEY = "stockreport_ticker"
CONTEXT_KEY = "stockreport_context"


@dataclass(frozen=True)
class CallMeta:
    section: str
    ticker: str
    # The prompt's inputs as JSON ({"facts": {...}, "data": {name: text}}), for models that write from them
    # rather than from the rendered prompt (the offline model). The prompt already holds the same text.
    context: Mapping[str, Any] | None = None

    def config(self) -> RunnableConfig:
        metadata: dict[str, Any] = {SECTION_KEY: self.section, TICKER_KEY: self.ticker}
        if self.context is not None:
            metadata[CONTEXT_KEY] = dict(self.context)
        return {
            "metadata": metadata,
            "tags": [f"section:{self.section}", f"ticker:{self.ticker}"],
            "run_name": f"stockreport.{self.section}",
        }

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, Any] | None) -> CallMeta | None:
        """The CallMeta of a run's metadata, or None when the call did not come through `ask`."""
        if not metadata:
            return None
        section, ticker = metadata.get(SECTION_KEY), metadata.get(TICKER_KEY)
        if not isinstance(section, str) or not isinstance(ticker, str):
            return None
        context = metadata.get(CONTEXT_KEY)
        return cls(section, ticker, context if isinstance(context, Mapping) else None)

    @classmethod
    def of_run(cls, run_manager: CallbackManagerForLLMRun | None) -> CallMeta | None:
        """Inside a chat model's `_generate`: the CallMeta its run was started with."""
        return cls.from_metadata(run_manager.metadata if run_manager is not None else None)
