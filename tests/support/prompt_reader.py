"""Stub servers play a hosted model: all they get is the prompt text over HTTP, so they read it as a model
would (the shipped templates' `<task section=...>`, `<facts>` and `<data source=...>` markup) and answer
with that section's offline writer.

The pipeline itself never does this: the section and the prompt's context reach the offline model, the
recorder and the replay models as run metadata (pipeline/model/call_meta.py). Only these stand-ins for a
remote model, which cannot receive run metadata, read the text, and so they need the default templates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import BaseMessage

from pipeline.narrate.prompt_context import DataBlock, PromptContext
from pipeline.narrate.registry import section_spec

_TASK = re.compile(r'<task section="([a-z_]+)">')
_FACTS = re.compile(r"<facts>\s*(.*?)\s*</facts>", re.S)
_DATA = re.compile(r'<data source="([^"]+)">\n?(.*?)\n?</data>', re.S)


def _text(message: BaseMessage) -> str:
    return message.content if isinstance(message.content, str) else json.dumps(message.content)


def read_prompt(messages: Sequence[BaseMessage]) -> tuple[str, PromptContext]:
    """The section and the context a default-template prompt was rendered from (first user message)."""
    prompt = next((_text(m) for m in messages if m.type == "human"), "")
    task, facts = _TASK.search(prompt), _FACTS.search(prompt)
    if not task or not facts:
        raise ValueError("the stub reads prompts rendered from the shipped templates (<task> and <facts>)")
    data = {m.group(1): DataBlock(m.group(1), m.group(2)) for m in _DATA.finditer(prompt)}
    return task.group(1), PromptContext(json.loads(facts.group(1)), data)


def offline_answer(messages: Sequence[BaseMessage]) -> dict[str, Any]:
    """What the offline writer answers to this prompt, as the JSON a model returns."""
    section, context = read_prompt(messages)
    return section_spec(section).offline(context)
