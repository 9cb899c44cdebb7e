"""Model-read sentiment labels, checked against the quotes the model gives for them.

The earnings-call and events answers carry a label and `evidence`: short verbatim quotes from the source
text given to the model (the fenced transcript, call notes or event summaries). The label the score counts:

- the bundle has no call (no events): the part is missing, whatever the model says;
- "Insufficient data" although the bundle has the call (events): Neutral, flagged; the model cannot make a
  part disappear and so move the others' weight;
- Positive or Negative: kept only when it comes with at least one quote, every quote is found in the source
  text, and the quotes do not read clearly the other way (the tone lexicon of pipeline/checks/tone.py, on
  one tone word or more); otherwise Neutral, flagged;
- Neutral: kept; quotes that are not in the source are flagged.

A quote is found when it appears in the source after normalising both (case, whitespace, curly quotes and
dashes, surrounding quote marks and ellipses) and is MIN_QUOTE_CHARS to MAX_QUOTE_CHARS long, so "growth"
alone (or a whole transcript pasted back) does not count as evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from pipeline.checks.tone import check_tone
from pipeline.metrics.types import Reading

MIN_QUOTE_CHARS = 20
MAX_QUOTE_CHARS = 300
INSUFFICIENT = "Insufficient data"
_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
    }
)
_SPACE = re.compile(r"\s+")
_EDGES = " \t\n\"'.,;:…"

EvidenceStatus = Literal["verified", "not_found", "too_short", "too_long"]


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text.translate(_TRANSLATE).casefold()).strip()


def _core(quote: str) -> str:
    return normalise(quote).replace("...", " ").replace("…", " ").strip(_EDGES)


def quote_status(quote: str, sources: list[str]) -> EvidenceStatus:
    """Whether `quote` is verbatim (after normalising) in one of the source texts."""
    core = _core(quote)
    if len(core) < MIN_QUOTE_CHARS:
        return "too_short"
    if len(core) > MAX_QUOTE_CHARS:
        return "too_long"
    return "verified" if any(core in normalise(s) for s in sources) else "not_found"


@dataclass(frozen=True)
class CheckedQuote:
    quote: str
    status: EvidenceStatus


@dataclass(frozen=True)
class ReadLabel:
    """The label a model gave, the label the score counts, the checked quotes and why they differ."""

    model_label: str
    counted: Reading | None
    quotes: list[CheckedQuote] = field(default_factory=list)
    flag: str | None = None


def resolve_label(
    model_label: str, evidence: list[str], sources: list[str], *, has_source: bool, part: str
) -> ReadLabel:
    """The label the score counts for one model-read part (rules in the module docstring)."""
    quotes = [CheckedQuote(q, quote_status(q, sources)) for q in evidence]
    if not has_source:
        return ReadLabel(model_label, None, quotes)
    bad = [q for q in quotes if q.status != "verified"]
    if model_label == INSUFFICIENT:
        return ReadLabel(
            model_label,
            "Neutral",
            quotes,
            f"{part}: the model answered {INSUFFICIENT} although "
            f"the bundle has the {part}; counted as Neutral",
        )
    if model_label in ("Positive", "Negative") and (not quotes or bad):
        why = (
            "no quote"
            if not quotes
            else f"{len(bad)} of {len(quotes)} quote(s) not found verbatim in the source"
        )
        return ReadLabel(
            model_label,
            "Neutral",
            quotes,
            f"{part}: {model_label} label unsupported ({why}); counted as Neutral",
        )
    if model_label in ("Positive", "Negative"):
        tone = check_tone(" ".join(q.quote for q in quotes), model_label, min_hits=1)
        if tone.flagged:
            return ReadLabel(
                model_label,
                "Neutral",
                quotes,
                f"{part}: {model_label} label unsupported (the quotes "
                f"read the other way: {tone.reason}); counted as Neutral",
            )
    label: Reading = model_label  # type: ignore[assignment]
    flag = f"{part}: {len(bad)} quote(s) not found verbatim in the source" if bad else None
    return ReadLabel(model_label, label, quotes, flag)
