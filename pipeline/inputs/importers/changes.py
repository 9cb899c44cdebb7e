"""What an import or `bundle set` changed in bundle.json, one line per change, so nothing changes silently
(and a re-import that changes nothing says so)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

# Identity of a list item, per list part: a re-import replaces the item with the same key.
LIST_KEYS: dict[str, Callable[[Any], str]] = {
    "peers": lambda p: str(p.get("ticker")) if isinstance(p, dict) else str(p),
    "events": lambda e: f"{e.get('date')} {e.get('title')}" if isinstance(e, dict) else str(e),
    "splits": lambda s: str(s.get("date")) if isinstance(s, dict) else str(s),
    "notes": str,
}


def _show(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 70 else text[:67] + "..."


def _list_change(name: str, before: list[Any], after: list[Any]) -> str | None:
    key = LIST_KEYS.get(name, lambda x: json.dumps(x, sort_keys=True))
    old = {key(x): x for x in before}
    new = {key(x): x for x in after}
    added = [k for k in new if k not in old]
    removed = [k for k in old if k not in new]
    updated = [k for k in new if k in old and new[k] != old[k]]
    if not (added or removed or updated):
        return None
    parts = [
        f"{len(v)} {word}" for v, word in ((added, "added"), (updated, "updated"), (removed, "removed")) if v
    ]
    return f"{name}: {', '.join(parts)} ({len(after)} in all)"


def _dict_changes(name: str, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    lines = []
    for key in [*after, *(k for k in before if k not in after)]:
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        path = f"{name}.{key}"
        if key not in after or new is None:
            lines.append(f"{path}: removed (was {_show(old)})")
        elif key not in before or old is None:
            lines.append(f"{path}: set to {_show(new)}")
        elif isinstance(new, list) and isinstance(old, list):
            lines.append(_list_change(path, old, new) or f"{path}: updated")
        else:
            lines.append(f"{path}: {_show(old)} -> {_show(new)}")
    return lines


def _financials(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str | None:
    if before == after:
        return None
    if not after:
        return "financials: removed"
    labels = [str(p.get("label")) for p in after.get("periods", [])]
    verb = "set" if not before else "replaced"
    return f"financials: {verb}, {len(labels)} periods ({', '.join(labels)}) in {after.get('currency')}"


def describe_changes(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """Lines naming each changed field or part of bundle.json (['created ...'] for a new bundle)."""
    if before is None:
        return [f"created: {after['profile']['ticker']} as of {after.get('as_of')}"]
    lines: list[str] = []
    for part in [*after, *(k for k in before if k not in after)]:
        old, new = before.get(part), after.get(part)
        if part == "schema_version" or old == new:
            continue
        if part == "financials":
            lines.append(_financials(old, new) or "")
        elif isinstance(new, dict) and isinstance(old, dict):
            lines += _dict_changes(part, old, new)
        elif isinstance(new, list) or isinstance(old, list):
            lines.append(_list_change(part, old or [], new or []) or "")
        elif new is None:
            lines.append(f"{part}: removed")
        elif isinstance(new, dict):
            lines.append(f"{part}: set ({', '.join(new)})")
        else:
            lines.append(f"{part}: {_show(old)} -> {_show(new)}")
    lines = [ln for ln in lines if ln]
    return lines or ["no change: the bundle already holds these values"]
