"""Model-read sentiment labels, checked against the quotes the model gives for them.

The earnings-call and events answers carry a label and `evidence`: short verbatim quotes from the source
text given to the model (the fenced transcript, call notes or event summaries). The label the score counts:

- the bundle has no call (no events): the part is missing, whatever the model says;
- "Insufficient data" although the bundle has the call (events): Neutral, flagged; the model cannot make a
  part disappear and so move the others' weight;
- Positive or Negative: kept only when it comes with at least one quote, every quote is found in the source
  text, the quotes carry the label's tone (more words of that tone than of the other, in the one lexicon of
  pipeline/checks/tone.py: a neutral fragment supports no label), no quote's own sentence in the source
  reads clearly the other way (a fragment cut out of a sentence that says the opposite is cherry-picked),
  and the section's own prose does not contradict the label (it names another label, "read Positive on
  balance", or reads clearly the other way); otherwise Neutral, flagged;
- Neutral: kept; quotes that are not in the source are flagged.

A quote is found when it appears in the source after normalising both (case, whitespace, curly quotes and
dashes, surrounding quote marks and ellipses), starts and ends on word boundaries there (a quote cut
mid-word, "ncerns about ... tensi", is not what the source says), holds no markup (the prompt's fence,
"</data>", is not the source's text) and is MIN_QUOTE_CHARS to MAX_QUOTE_CHARS long, so "growth" alone (or a
whole transcript pasted back) does not count as evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from pipeline.checks.tone import check_tone, tone_words
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

EvidenceStatus = Literal["verified", "not_found", "too_short", "too_long", "cut_word", "markup"]
_MARKUP = re.compile(r"</?\s*[a-z][a-z0-9_-]*(?:\s[^<>]*)?>|<\s*/|&lt;|&gt;", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
# A label the prose states: "read Positive on balance", "sentiment is negative", "a neutral tone overall".
_SEP = r"[\s,:'\"]+"
_NOT_A_VERDICT = (
    r"(?!" + _SEP + r"(?:updates?|factors?|items?|points?|news|developments?|sides?|risks?|surprises?))"
)
_STATED = re.compile(
    r"\b(?:read|reads|reading|sentiment|tone|mood|verdict)\b(?:"
    + _SEP
    + r"\w+){0,3}?"
    + _SEP
    + r"(positive|negative|neutral)\b"
    + _NOT_A_VERDICT
    + r"|\b(positive|negative|neutral)"
    + _SEP
    + r"(?:on\s+balance|overall|tone|sentiment|reading)\b",
    re.IGNORECASE,
)


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text.translate(_TRANSLATE).casefold()).strip()


def _core(quote: str) -> str:
    return normalise(quote).replace("...", " ").replace("…", " ").strip(_EDGES)


def _on_word_boundaries(core: str, text: str) -> bool | None:
    """None when `core` is not in `text`; else whether some occurrence starts and ends on word boundaries."""
    start, found = 0, False
    while (i := text.find(core, start)) >= 0:
        found = True
        j = i + len(core)
        before = text[i - 1] if i > 0 else " "
        after = text[j] if j < len(text) else " "
        # inside a word: letters or digits on both sides, or a hyphen/apostrophe joined to one ("pre-" of "pre-tax")
        cut_start = before.isalnum() and (core[0].isalnum() or core[0] in "-'")
        cut_end = after.isalnum() and (core[-1].isalnum() or core[-1] in "-'")
        if not (cut_start or cut_end):
            return True
        start = i + 1
    return False if found else None


def quote_status(quote: str, sources: list[str]) -> EvidenceStatus:
    """Whether `quote` is verbatim (after normalising) in one of the source texts, on word boundaries."""
    if _MARKUP.search(quote):
        return "markup"
    core = _core(quote)
    if len(core) < MIN_QUOTE_CHARS:
        return "too_short"
    if len(core) > MAX_QUOTE_CHARS:
        return "too_long"
    seen = [_on_word_boundaries(core, normalise(s)) for s in sources]
    if any(seen):
        return "verified"
    return "cut_word" if any(x is False for x in seen) else "not_found"


def quote_sentence(quote: str, sources: list[str]) -> str | None:
    """The source sentence the quote sits in (normalised), for reading it in context."""
    core = _core(quote)
    for s in sources:
        for sentence in _SENTENCE_END.split(normalise(s)):
            if core in sentence:
                return sentence
    return None


def stated_label(prose: str) -> Reading | None:
    """The one label the prose states ("the call read Positive on balance"); None when it states none, or
    more than one."""
    said = {(m.group(1) or m.group(2)).capitalize() for m in _STATED.finditer(prose)}
    return said.pop() if len(said) == 1 else None  # type: ignore[return-value]


def _leans(texts: list[str], label: str) -> bool:
    """The texts together have more words of the label's tone than of the other (tone.py)."""
    pos, neg = tone_words(" ".join(texts))
    return len(pos) > len(neg) if label == "Positive" else len(neg) > len(pos)


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


def _unsupported(label: str, quotes: list[str], sources: list[str], prose: str) -> str | None:
    """Why found quotes do not support a Positive or Negative label, or None when they do (module rules)."""
    tone = check_tone(" ".join(quotes), label, min_hits=1)
    if tone.flagged:
        return f"the quotes read the other way: {tone.reason}"
    if not _leans(quotes, label):
        return f"the quotes do not carry a {label.lower()} tone"
    for q in quotes:
        sentence = quote_sentence(q, sources)
        context = check_tone(sentence, label, min_hits=2) if sentence else None
        if context is not None and context.flagged:
            return f"the quote {q!r} is cut from a sentence that reads the other way"
    said = stated_label(prose)
    if said is not None and said != label:
        return f"the section's own text says the tone is {said}"
    own = check_tone(prose, label)
    if own.flagged:
        return f"the section's own text reads the other way: {own.reason}"
    return None


def resolve_label(
    model_label: str,
    evidence: list[str],
    sources: list[str],
    *,
    has_source: bool,
    part: str,
    prose: str = "",
) -> ReadLabel:
    """The label the score counts for one model-read part (rules in the module docstring); `prose` is the
    section's own text (its summary), which must not contradict the label."""
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
        reason = _unsupported(model_label, [q.quote for q in quotes], sources, prose)
        if reason is not None:
            return ReadLabel(
                model_label,
                "Neutral",
                quotes,
                f"{part}: {model_label} label unsupported ({reason}); counted as Neutral",
            )
    label: Reading = model_label  # type: ignore[assignment]
    flag = f"{part}: {len(bad)} quote(s) not found verbatim in the source" if bad else None
    return ReadLabel(model_label, label, quotes, flag)
