"""The JSON Schema sent to a provider for a Pydantic answer class, and the output tokens an answer can need.

Length and list limits (maxLength, minItems, ...) go out as they are to a provider that enforces them while
generating (`ResolvedModel.schema_limits`: llama.cpp compiles the schema into a grammar, so a small model
cannot write a 61-character title). Providers whose strict mode rejects or ignores them (OpenAI) get a
schema without them, and each limit is said in the field's description instead; either way Pydantic
checks them when the answer is validated (`ask`), and a violation is fed back to the model.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from pydantic import BaseModel

_LIMIT_WORDS = {
    "maxLength": "at most {} characters",
    "minLength": "at least {} characters",
    "maxItems": "at most {} items",
    "minItems": "at least {} items",
}
_UNSAID = {("minLength", 1)}  # "not empty" goes without saying
# `default` makes a field optional to some strict modes; every field is required on the wire.
_ALWAYS_OUT = {"default"}
# Characters per token assumed when bounding an answer's tokens: English prose runs at ~4 characters per
# token with these tokenizers; figures and names run denser, so 3 leaves room.
CHARS_PER_TOKEN = 3
_KEY_TOKENS = 4  # a quoted key, colon and separators


def _limits_said(node: dict[str, Any]) -> str:
    said = [
        words.format(node[k]).replace("1 items", "1 item")
        for k, words in _LIMIT_WORDS.items()
        if k in node and (k, node[k]) not in _UNSAID
    ]
    return "; ".join(said)


def _strip(node: object, keep_limits: bool) -> object:
    if isinstance(node, list):
        return [_strip(v, keep_limits) for v in node]
    if not isinstance(node, dict):
        return node
    out = {
        k: _strip(v, keep_limits)
        for k, v in node.items()
        if k not in _ALWAYS_OUT and (keep_limits or k not in _LIMIT_WORDS)
    }
    said = "" if keep_limits else _limits_said(node)
    if said:
        described = str(out.get("description", "")).strip()
        out["description"] = f"{described} ({said})" if described else said[0].upper() + said[1:] + "."
    return out


@functools.cache
def _json_schema(schema: type[BaseModel]) -> dict[str, Any]:
    # Pydantic regenerates the JSON Schema on every call; `ask` needs it once per model call
    return schema.model_json_schema()


def wire_schema(schema: type[BaseModel], *, limits: bool = False) -> dict[str, Any]:
    """JSON Schema sent to the provider: every field required; length and list limits kept when the
    provider enforces them (`limits`), else said in the descriptions."""
    # _strip rebuilds every dict and list, so the caller gets its own copy, never the cached one
    out = _strip(_json_schema(schema), limits)
    assert isinstance(out, dict)
    out.setdefault("description", (schema.__doc__ or schema.__name__).strip().splitlines()[0])
    return out


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return dict(defs[ref.removeprefix("#/$defs/")])
    return node


def _bound(node: dict[str, Any], defs: dict[str, Any], per: int) -> int:
    node = _resolve(node, defs)
    if "anyOf" in node:
        return max(_bound(n, defs, per) for n in node["anyOf"])
    if "enum" in node or "const" in node:
        values = node.get("enum") or [node.get("const")]
        return 2 + max(math.ceil(len(str(v)) / per) for v in values)
    kind = node.get("type")
    if kind == "string":
        return 2 + math.ceil(int(node.get("maxLength", 4000)) / per)
    if kind == "array":
        return 2 + int(node.get("maxItems", 20)) * (1 + _bound(node.get("items", {}), defs, per))
    if kind == "object":
        props = node.get("properties", {})
        return 2 + sum(_KEY_TOKENS + _bound(p, defs, per) for p in props.values())
    return 8  # numbers, booleans, null


@functools.cache
def answer_token_bound(schema: type[BaseModel], chars_per_token: int = CHARS_PER_TOKEN) -> int:
    """Output tokens an answer of `schema` can need at its limits (maxLength / maxItems; unbounded fields
    count as 4,000 characters or 20 items), at `chars_per_token`. The output cap of providers that size it
    to the answer. With 1 it is a true bound (no token is shorter than a character): small models' tokenizers
    split figures into single digits, so a grammar-complete answer cut at the 3-characters estimate is
    possible, and was seen (SmolLM2, a technicals paragraph cut three times)."""
    full = _json_schema(schema)
    return _bound(full, full.get("$defs", {}), max(1, chars_per_token))
