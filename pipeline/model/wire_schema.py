"""The JSON Schema sent to a provider for a Pydantic answer class, loosened for strict structured-output modes.

Constraints that a provider's strict JSON-schema mode may not accept (lengths, list sizes, defaults) are kept
out of the wire schema; Pydantic still enforces them when the answer is validated (`ask`), so a violation is
fed back to the model as a validation error.
"""

from __future__ import annotations

import functools
from typing import Any

from pydantic import BaseModel

# Keywords that strict structured-output modes reject or handle unevenly; Pydantic still enforces them.
_LOOSE_KEYWORDS = {"maxLength", "minLength", "maxItems", "minItems", "default"}


def _strip(node: object) -> object:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in _LOOSE_KEYWORDS}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


@functools.cache
def _json_schema(schema: type[BaseModel]) -> dict[str, Any]:
    # Pydantic regenerates the JSON Schema on every call; `ask` needs it once per model call
    return schema.model_json_schema()


def wire_schema(schema: type[BaseModel]) -> dict[str, Any]:
    """JSON Schema sent to the provider: the model's schema minus length/size limits, every field required."""
    # _strip rebuilds every dict and list, so the caller gets its own copy, never the cached one
    out = _strip(_json_schema(schema))
    assert isinstance(out, dict)
    out.setdefault("description", (schema.__doc__ or schema.__name__).strip().splitlines()[0])
    return out
