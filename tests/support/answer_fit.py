"""Add text to a section's answer without breaking its schema's length limits.

Test stubs that play a hostile model append sentences or markup to every prose field of an offline answer.
Answers over their limits are rejected before anything is checked (and re-asked), so a stub that wants its
payload checked or rendered places each piece only where it fits (`append_within_limits`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pipeline.model.wire_schema import answer_token_bound
from pipeline.narrate.registry import written_sections

LABELS = {"Positive", "Negative", "Neutral", "Insufficient data"}


def answer_schema(answer: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of the section answer class whose fields are `answer`'s keys (the tightest one when
    several have the same fields: technicals and summary are both {"text"})."""
    matching = [s.answer for s in written_sections() if set(s.answer.model_fields) == set(answer)]
    if not matching:
        raise KeyError(f"no section answer has the fields {sorted(answer)}")
    return min(matching, key=answer_token_bound).model_json_schema()


def append_within_limits(
    answer: dict[str, Any],
    pieces_for: Callable[[str], list[str]],
    *,
    skip_keys: frozenset[str] = frozenset({"title"}),
    where: Callable[[str], bool] = lambda text: True,
    once: bool = False,
) -> tuple[dict[str, Any], list[str]]:
    """A copy of `answer` with, on every prose string (not titles or labels), as many of `pieces_for(key)`
    appended as its maxLength allows, in order (`once`: each piece in one field only); and the pieces placed."""
    schema = answer_schema(answer)
    defs = schema.get("$defs", {})
    placed: list[str] = []

    def node_of(node: dict[str, Any]) -> dict[str, Any]:
        ref = node.get("$ref")
        return dict(defs[ref.rsplit("/", 1)[1]]) if isinstance(ref, str) else node

    def walk(value: Any, node: dict[str, Any], key: str) -> Any:
        node = node_of(node)
        if isinstance(value, dict):
            props = node.get("properties", {})
            return {k: walk(v, props.get(k, {}), k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, node.get("items", {}), key) for v in value]
        if not isinstance(value, str) or value in LABELS or key in skip_keys or not where(value):
            return value
        limit = int(node.get("maxLength", 10**6))
        text = value
        for piece in pieces_for(key):
            if once and piece in placed:  # the same sentence in several fields is a loop (checks/support.py)
                continue
            if len(text) + 1 + len(piece) <= limit:
                text = f"{text} {piece}"
                placed.append(piece)
        return text

    return walk(answer, schema, ""), placed
