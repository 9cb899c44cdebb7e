"""What a section's prompt is made from: `facts` (numbers computed in code, pre-formatted) and `data`
(untrusted text: descriptions, transcripts, event summaries), each data block fenced in the prompt.

The same context travels to the model as run metadata (`CallMeta.context`, JSON), so a model that writes
from the inputs rather than from the prompt text (the offline model) never has to parse a template.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_CONTROL_TAG = re.compile(r"<(\s*/?\s*(?:data|facts|task)\b)", re.I)


def neutralise(text: str) -> str:
    """Make tag-like `<data`, `</data`, `<facts`, `<task` inside untrusted text inert ('<' -> '&lt;')."""
    return _CONTROL_TAG.sub(r"&lt;\1", text)


def fence(text: str, source: str) -> str:
    """Untrusted text as a marked data block the system prompt tells the model never to obey."""
    return DataBlock.of(text, source).fenced


def facts_json(facts: Mapping[str, Any]) -> str:
    """Compact JSON with '<' escaped as \\u003c, so bundle strings (company names) cannot close the block."""
    return json.dumps(facts, ensure_ascii=False, separators=(",", ":"), sort_keys=True).replace(
        "<", "\\u003c"
    )


@dataclass(frozen=True)
class DataBlock:
    source: str
    text: str  # stripped and neutralised: what the model reads inside the fence

    @classmethod
    def of(cls, raw: str, source: str) -> DataBlock:
        return cls(source, neutralise(raw.strip()))

    @property
    def fenced(self) -> str:
        return f'<data source="{self.source}">\n{self.text}\n</data>'


@dataclass(frozen=True)
class PromptContext:
    facts: dict[str, Any]  # JSON: every number formatted the way the number check reads it
    data: dict[str, DataBlock] = field(default_factory=dict)

    def text(self, name: str) -> str:
        """The text of data block `name` ("" when the prompt has none)."""
        block = self.data.get(name)
        return block.text if block is not None else ""

    def template_vars(self) -> dict[str, Any]:
        """What the Jinja templates see: `facts`, `facts_json`, and `data` as fenced strings."""
        return {
            "facts": self.facts,
            "facts_json": facts_json(self.facts),
            "data": {k: b.fenced for k, b in self.data.items()},
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "facts": self.facts,
            "data": {k: {"source": b.source, "text": b.text} for k, b in self.data.items()},
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> PromptContext:
        data = raw.get("data") or {}
        return cls(
            dict(raw.get("facts") or {}),
            {str(k): DataBlock(str(v["source"]), str(v["text"])) for k, v in data.items()},
        )
