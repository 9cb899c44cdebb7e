"""Read an earnings-call transcript and cut it to a token budget.

Budget rule: tokens are estimated as characters / 4 (`pipeline.tokens`, the one estimate).

1. If the whole transcript fits the budget, it is kept whole (a JSON transcript as speaker turns).
2. Otherwise it is split into speaker turns: prepared remarks first, then Q&A, in call order (JSON transcripts
   with `prepared_remarks` / `q_and_a` lists; plain text splits on blank lines, or on lines when there are no
   blank lines, with a "Questions and Answers" / "Q&A" heading line starting the Q&A part). Operator turns are
   dropped (boilerplate).
3. Sentences are taken in passes: pass 1 takes the first sentence of every turn (each prepared-remarks turn's
   opening line and each Q&A question's and answer's opening), pass 2 the second sentence of every turn, and
   so
   on, each pass walking the turns in call order, until the next sentence would exceed the budget.
4. The kept sentences are printed in call order, one turn per paragraph, "[...]" marking cut text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from pipeline.tokens import CHARS_PER_TOKEN, estimate_tokens

DEFAULT_MAX_TRANSCRIPT_TOKENS = 6000
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
_QA_HEADING = re.compile(r"^\s*(questions?\s*(and|&)\s*answers?|q\s*&\s*a)\s*:?\s*$", re.I)


@dataclass(frozen=True)
class Turn:
    speaker: str | None
    text: str
    part: str  # "prepared" or "qa"


def _from_json(data: dict[str, Any]) -> list[Turn]:
    """la83la turns ({speaker, speech}) or the normalised transcript.json that `import transcript` writes
    ({format: "turns", ...: [{speaker, text}]} or {format: "sentences", sentences: [...]})."""
    turns: list[Turn] = []
    if data.get("format") == "sentences":
        return [Turn(None, s, "prepared") for s in data.get("sentences") or [] if isinstance(s, str)]
    for key, part in (("prepared_remarks", "prepared"), ("q_and_a", "qa")):
        for item in data.get(key) or []:
            text = item.get("speech", item.get("text")) if isinstance(item, dict) else None
            if isinstance(text, str):
                turns.append(Turn(str(item.get("speaker") or "") or None, text, part))
    return turns


def _from_text(text: str) -> list[Turn]:
    blocks = re.split(r"\n\s*\n", text) if re.search(r"\n\s*\n", text) else text.splitlines()
    turns: list[Turn] = []
    part = "prepared"
    for block in blocks:
        block = block.strip()
        if not block:
            continue
        if _QA_HEADING.match(block):
            part = "qa"
            continue
        speaker = None
        m = re.match(r"^([A-Z][\w .'\-]{1,60}):\s+(.*)$", block, re.S)
        if m:
            speaker, block = m.group(1).strip(), m.group(2)
        turns.append(Turn(speaker, block, part))
    return turns


def parse_transcript(text: str) -> list[Turn]:
    """Turns of a transcript given as la83la-style JSON or as plain text."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict):
            return _from_json(data)
    return _from_text(text)


def _render(turns: list[Turn], kept: list[list[str]], counts: list[int]) -> str:
    out: list[str] = []
    part = None
    for turn, sentences, n in zip(turns, kept, counts, strict=True):
        if not sentences:
            continue
        if turn.part != part:
            part = turn.part
            out.append("## Prepared remarks" if part == "prepared" else "## Questions and answers")
        body = " ".join(sentences) + (" [...]" if len(sentences) < n else "")
        out.append(f"{turn.speaker}: {body}" if turn.speaker else body)
    return "\n\n".join(out)


def cut_transcript(text: str, max_tokens: int = DEFAULT_MAX_TRANSCRIPT_TOKENS) -> str:
    """The transcript, whole when it fits `max_tokens` (chars/4), else cut by the passes in the module doc."""
    is_json = text.lstrip().startswith("{")
    if estimate_tokens(text) <= max_tokens and not is_json:
        return text.strip()
    turns = [t for t in parse_transcript(text) if (t.speaker or "").lower() != "operator"]
    if is_json:  # JSON transcripts are always shown as speaker turns, whole when they fit
        whole = _render(turns, [[t.text.strip()] for t in turns], [1] * len(turns))
        if estimate_tokens(whole) <= max_tokens:
            return whole
    sentences = [[s.strip() for s in _SENTENCE_END.split(t.text.strip()) if s.strip()] for t in turns]
    kept: list[list[str]] = [[] for _ in turns]
    budget = max_tokens * CHARS_PER_TOKEN - 60  # room for the two part headings
    used = 0
    depth = 0
    while True:
        added = False
        for i, sents in enumerate(sentences):
            if depth < len(sents):
                # a turn's first sentence also pays for its speaker label, paragraph break and "[...]"
                cost = len(sents[depth]) + 1 + (len(turns[i].speaker or "") + 10 if depth == 0 else 0)
                if used + cost > budget:
                    return _render(turns, kept, [len(s) for s in sentences])
                kept[i].append(sents[depth])
                used += cost
                added = True
        if not added:
            return _render(turns, kept, [len(s) for s in sentences])
        depth += 1
