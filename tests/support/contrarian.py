"""A second opinion for several-model pages: the offline answer, rewritten the way a differently-minded model
might answer (labels read Negative, the first strength read as a risk). Numbers are untouched, so the answer
still passes the number check; the page then has real disagreements to show."""

from __future__ import annotations

from typing import Any


def contrarian(answer: dict[str, Any]) -> dict[str, Any]:
    out = dict(answer)
    if "sentiment" in out:
        out["sentiment"] = "Negative"
    if out.get("positive") and isinstance(out.get("negative"), list):
        first, *rest = out["positive"]
        out["positive"] = rest or [first]
        out["negative"] = [*out["negative"], {"title": f"Doubts: {first['title']}", "text": first["text"]}][
            :5
        ]
    return out
