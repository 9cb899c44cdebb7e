"""Characters a reader cannot see never reach a report: `visible(text)` for every rendered format.

- bidi controls (embeddings, overrides, isolates, marks: U+061C, U+200E/F, U+202A-E, U+2066-9) can reorder
  what a reader sees ("Trojan Source"): each is shown as a visible tag such as `[U+202E]`;
- invisible format characters (zero-width space/joiners, word joiner, soft hyphen, BOM, invisible
  operators, interlinear annotations, tag characters) and C0/C1 control characters other than tab and
  newline are removed; U+2028/U+2029 become a newline.
Applied to the whole text of report.json, report.md and report.html (and so the PDF) as they are written:
JSON escapes C0 controls itself, and none of these characters is ever part of the markup.
"""

from __future__ import annotations

import re

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_INVISIBLE = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u180e\u200b-\u200d\u2060-\u2064\u206a-\u206f"
    "\ufeff\ufff9-\ufffb\U000e0000-\U000e007f"
)
_HIDDEN = re.compile(f"[{_BIDI}{_INVISIBLE}\u2028\u2029]")
_IS_BIDI = re.compile(f"[{_BIDI}]")


def _show(match: re.Match[str]) -> str:
    char = match.group()
    if _IS_BIDI.match(char):
        return f"[U+{ord(char):04X}]"
    return "\n" if char in "\u2028\u2029" else ""


def visible(text: str) -> str:
    """`text` with bidi controls made visible and invisible characters removed (see the module doc)."""
    return _HIDDEN.sub(_show, text) if _HIDDEN.search(text) else text
