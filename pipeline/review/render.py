"""Showing diffs: rich terminal text (deleted words red and struck, inserted words green) and Markdown for a
pull-request comment (~~deleted~~ **inserted**)."""

from __future__ import annotations

import re

from rich.text import Text

from pipeline.review.diff import Change, ReportDiff

_MD_SPECIAL = re.compile(r"([\\`*_~\[\]<>|#])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _move(c: Change) -> str:
    try:
        delta = float(c.new) - float(c.old)
    except ValueError:
        return ""
    return f" ({delta:+g}{'' if c.significant else ', within tolerance'})"


def headline(c: Change) -> str:
    """One plain line naming the change, e.g. "score overall moved: 57 -> 60 (+3)"."""
    if c.kind == "moved":
        return f"{c.section} {c.name} moved: {c.old} -> {c.new}{_move(c)}"
    if c.kind in ("label", "flipped"):
        what = "sentiment" if c.kind == "flipped" else "label"
        return f"{c.section} {c.name} {what}: {c.old} -> {c.new}"
    if c.kind == "numbers":
        return f"{c.section} numbers changed: removed {c.old}; added {c.new}"
    if c.kind == "checks":
        return f"number checks {c.name}: {c.old} -> {c.new}"
    if c.section == "report":
        return f"report {c.kind}: {c.name}"
    return f"{c.section} {c.kind}: {c.name}"


def _has_words(c: Change) -> bool:
    return c.kind in ("reworded", "added", "removed") and c.section != "report"


def terminal(diffs: list[ReportDiff]) -> Text:
    out = Text()
    for d in diffs:
        n = sum(c.significant for c in d.changes)
        out.append(f"{d.ticker}: ", style="bold")
        out.append(f"{n} change{'s' if n != 1 else ''}\n" if d.changes else "no changes\n")
        for c in d.changes:
            out.append(f"  {headline(c)}\n", style=None if c.significant else "dim")
            if not _has_words(c):
                continue
            out.append("    ")
            for op, words in c.words():
                style = {"-": "red strike", "+": "green bold"}.get(op)
                out.append(words, style=style)
                out.append(" ")
            out.append("\n")
    return out


def markdown(diffs: list[ReportDiff]) -> str:
    lines: list[str] = []
    for d in diffs:
        n = sum(c.significant for c in d.changes)
        lines.append(
            f"### {_md(d.ticker)}: {n} change{'s' if n != 1 else ''}"
            if d.changes
            else f"### {_md(d.ticker)}: no changes"
        )
        lines.append("")
        for c in d.changes:
            lines.append(f"- {_md(headline(c))}")
            if _has_words(c):
                parts = [{"-": f"~~{_md(w)}~~", "+": f"**{_md(w)}**"}.get(op, _md(w)) for op, w in c.words()]
                lines.append(f"  > {' '.join(parts)}")
        lines.append("")
    return "\n".join(lines)
