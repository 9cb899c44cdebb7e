"""The `offline` model provider: a deterministic, rule-based writer that needs no key and no network.

It writes each section with the section's offline writer (registry.py) from the prompt's context, which `ask`
passes as run metadata (`CallMeta`: section, ticker, facts and data); it never parses the prompt text, so a
custom template (STOCKREPORT_PROMPTS) changes nothing for it. The chat model (`offline_chat.OfflineChatModel`)
answers the way real models do, through LangChain, so the structured-output parsing, validation, checking and
rendering downstream run exactly as for a hosted model.

Registered as the `offline` model provider through the `stockreport.providers` entry point (pyproject.toml).
This module is light (no LangChain): resolving `offline` is a name and a promise; LangChain is imported when
the first section is asked (a batch whose reports are all up to date never imports it).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from pipeline.model.providers import NO_BUDGET, ModelSettings, Provider, ResolvedModel

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

OFFLINE_MODEL_ID = "offline-rules-v1"
# Tests and the kill benchmark slow the offline model down with this (seconds per model call).
OFFLINE_DELAY_ENV = "STOCKREPORT_OFFLINE_DELAY_S"


def _build(spec: str, model: str, settings: ModelSettings) -> ResolvedModel:
    from pipeline.errors import StockreportError

    if model:
        raise StockreportError(f"model {spec!r}: the offline model takes no name (use 'offline')")
    delay = float(os.environ.get(OFFLINE_DELAY_ENV) or 0)

    def chat() -> BaseChatModel:
        from pipeline.narrate.offline_chat import OfflineChatModel

        return OfflineChatModel(model_name=OFFLINE_MODEL_ID, delay_s=delay)

    return ResolvedModel(
        chat,
        spec,
        "offline",
        OFFLINE_MODEL_ID,
        None,
        {},
        display_name="Offline",
        cacheable=False,
        local=True,
        budget=NO_BUDGET,
    )


PROVIDER = Provider("offline", _build, "the deterministic rule-based writer (no key, no network)")
