"""Tone: the one lexicon and formula for how positive or negative a text reads.

Lexicon: a short list of finance words in the spirit of Loughran-McDonald (positive: strong, improving,
robust, increased, up, ...; negative: weak, losses, risk, lower, down, ...). A word preceded within three
words by a negator ("not", "no", "lack of", ...) counts for the other side.

    score = (positives - negatives) / (positives + negatives)        in [-1, 1], 0 without tone words

Two uses, two thresholds on the same score:
- reading a text's tone (`tone_label`, the offline model's label for a call or events): above +0.2
  Positive, below -0.2 Negative, else Neutral; a passage needs two tone words for a label (one sentence
  of a call or an event list, one word, is no reading of it);
- checking prose against a label (`check_tone`): "clearly" positive when score >= 0.5 with at least
  `min_hits` tone words (3 by default), clearly negative when score <= -0.5. A clearly positive paragraph
  about an Underperform/Negative label, or a clearly negative one about an Outperform/Positive label, is
  flagged. Neutral labels are never flagged: mixed prose is what a neutral reading looks like. The evidence
  check (evidence.py) applies the same test to a model's quotes.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel

POSITIVE: frozenset[str] = frozenset(
    """
    strong stronger strongest robust solid improve improved improves improving improvement growth grow grew
    growing gain gains gained surge surged surging outperform outperformed outperforming record healthy
    resilient momentum upside bullish accelerate accelerated accelerating expand expanded expanding expansion
    profitable profitability beat beats exceeded exceed favorable favourable attractive efficient efficiency
    durable tailwind tailwinds opportunity opportunities confident confidence positive rising rose upgrade
    supportive leadership advantage advantages success successful boost boosted
    increase increased increases increasing raised up exceeds exceeding expands grows gaining improvements
""".split()
)
NEGATIVE: frozenset[str] = frozenset(
    """
    weak weaker weakest weakness decline declined declines declining decrease decreased loss losses
    deteriorate deteriorated deteriorating risk risks risky headwind headwinds pressure pressures pressured
    underperform underperformed underperforming bearish slowdown slowing slow concern concerns uncertain
    uncertainty volatile volatility leverage leveraged debt impairment shortfall miss missed negative drag
    persistent struggle struggles struggling challenging challenges challenge difficult downgrade downturn
    dilution dilutive fell drop dropped adverse unprofitable limited constrained burden erosion elevated
    decreasing decreases lower down challenged uncertainties weakened weakening headwinds
""".split()
)
_NEGATORS = frozenset({"not", "no", "never", "without", "lack", "lacks", "lacking", "hardly", "nor"})
_WORD = re.compile(r"[a-z]+")
POSITIVE_LABELS = frozenset({"Outperform", "Positive"})
NEGATIVE_LABELS = frozenset({"Underperform", "Negative"})


LABEL_THRESHOLD = 0.2  # tone_label: |score| above this reads Positive / Negative
LABEL_MIN_HITS = 2  # tone_label of a passage: one tone word is no reading of a whole call or set of events
CLEAR_THRESHOLD = 0.5  # check_tone: |score| at least this, with MIN_HITS tone words, is "clearly" one way
MIN_HITS = 3
Tone = Literal["Positive", "Negative", "Neutral"]


class ToneCheck(BaseModel):
    section: str
    label: str
    score: float
    positives: list[str]
    negatives: list[str]
    flagged: bool
    reason: str | None = None


_LEGAL_NAME = re.compile(r"\b([A-Z][\w.&'-]*)\s+Limited\b")  # "Kingsoft Cloud Holdings Limited" is a name


def tone_words(text: str) -> tuple[list[str], list[str]]:
    """(positive words, negative words) of `text`, after flipping negated ones."""
    words = _WORD.findall(_LEGAL_NAME.sub(r"\1", text).lower())
    pos: list[str] = []
    neg: list[str] = []
    for i, w in enumerate(words):
        side = 1 if w in POSITIVE else -1 if w in NEGATIVE else 0
        if side == 0:
            continue
        if _NEGATORS.intersection(words[max(0, i - 3) : i]):
            side = -side
        (pos if side > 0 else neg).append(w)
    return pos, neg


def _score(pos: list[str], neg: list[str]) -> float:
    total = len(pos) + len(neg)
    return 0.0 if total == 0 else (len(pos) - len(neg)) / total


def tone_score(text: str) -> float:
    """(positives - negatives) / (positives + negatives), in [-1, 1]; 0 when no tone word."""
    return _score(*tone_words(text))


def tone_lean(text: str) -> int:
    """positives - negatives: how far a sentence leans, for picking the sentences that lean most."""
    pos, neg = tone_words(text)
    return len(pos) - len(neg)


def tone_label(text: str, min_hits: int = LABEL_MIN_HITS) -> Tone:
    """The tone `text` reads: Positive above +LABEL_THRESHOLD, Negative below -LABEL_THRESHOLD, Neutral with
    fewer than `min_hits` tone words (pass 1 for a single sentence)."""
    pos, neg = tone_words(text)
    if len(pos) + len(neg) < min_hits:
        return "Neutral"
    score = _score(pos, neg)
    return "Positive" if score > LABEL_THRESHOLD else "Negative" if score < -LABEL_THRESHOLD else "Neutral"


def check_tone(
    text: str,
    label: str | None,
    *,
    section: str = "",
    threshold: float = CLEAR_THRESHOLD,
    min_hits: int = MIN_HITS,
) -> ToneCheck:
    """Score `text` and flag it when its tone is clearly opposite to `label`."""
    pos, neg = tone_words(text)
    total = len(pos) + len(neg)
    score = _score(pos, neg)
    clear = total >= min_hits and abs(score) >= threshold
    flagged, reason = False, None
    if clear and score > 0 and label in NEGATIVE_LABELS:
        flagged, reason = True, f"clearly positive prose ({score:+.2f}) for a {label} label"
    elif clear and score < 0 and label in POSITIVE_LABELS:
        flagged, reason = True, f"clearly negative prose ({score:+.2f}) for a {label} label"
    return ToneCheck(
        section=section,
        label=label or "none",
        score=round(score, 3),
        positives=pos,
        negatives=neg,
        flagged=flagged,
        reason=reason,
    )
