"""Tone vs label: flag prose whose sentiment is clearly opposite to the computed label it is about.

Lexicon: a short list of finance words in the spirit of Loughran-McDonald (positive: strong, improving,
robust, ...; negative: weak, losses, risk, ...). A word preceded within three words by a negator ("not",
"no", "lack of", ...) counts for the other side.

    score = (positives - negatives) / (positives + negatives)        in [-1, 1]

The paragraph is "clearly" positive when score >= 0.5 with at least `min_hits` tone words (3 by default),
clearly negative when score <= -0.5. A clearly positive paragraph about an Underperform/Negative label, or a
clearly negative one about an Outperform/Positive label, is flagged. Neutral labels are never flagged: mixed
prose is what a neutral reading looks like.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

POSITIVE: frozenset[str] = frozenset("""
    strong stronger strongest robust solid improve improved improves improving improvement growth grow grew
    growing gain gains gained surge surged surging outperform outperformed outperforming record healthy
    resilient momentum upside bullish accelerate accelerated accelerating expand expanded expanding expansion
    profitable profitability beat beats exceeded exceed favorable favourable attractive efficient efficiency
    durable tailwind tailwinds opportunity opportunities confident confidence positive rising rose upgrade
    supportive leadership advantage advantages success successful boost boosted
""".split())
NEGATIVE: frozenset[str] = frozenset("""
    weak weaker weakest weakness decline declined declines declining decrease decreased loss losses
    deteriorate deteriorated deteriorating risk risks risky headwind headwinds pressure pressures pressured
    underperform underperformed underperforming bearish slowdown slowing slow concern concerns uncertain
    uncertainty volatile volatility leverage leveraged debt impairment shortfall miss missed negative drag
    persistent struggle struggles struggling challenging challenges challenge difficult downgrade downturn
    dilution dilutive fell drop dropped adverse unprofitable limited constrained burden erosion elevated
""".split())
_NEGATORS = frozenset({"not", "no", "never", "without", "lack", "lacks", "lacking", "hardly", "nor"})
_WORD = re.compile(r"[a-z]+")
POSITIVE_LABELS = frozenset({"Outperform", "Positive"})
NEGATIVE_LABELS = frozenset({"Underperform", "Negative"})


class ToneCheck(BaseModel):
    section: str
    label: str
    score: float
    positives: list[str]
    negatives: list[str]
    flagged: bool
    reason: str | None = None


def tone_words(text: str) -> tuple[list[str], list[str]]:
    """(positive words, negative words) of `text`, after flipping negated ones."""
    words = _WORD.findall(text.lower())
    pos: list[str] = []
    neg: list[str] = []
    for i, w in enumerate(words):
        side = 1 if w in POSITIVE else -1 if w in NEGATIVE else 0
        if side == 0:
            continue
        if _NEGATORS.intersection(words[max(0, i - 3):i]):
            side = -side
        (pos if side > 0 else neg).append(w)
    return pos, neg


def check_tone(text: str, label: str | None, *, section: str = "", threshold: float = 0.5,
               min_hits: int = 3) -> ToneCheck:
    """Score `text` and flag it when its tone is clearly opposite to `label`."""
    pos, neg = tone_words(text)
    total = len(pos) + len(neg)
    score = 0.0 if total == 0 else (len(pos) - len(neg)) / total
    clear = total >= min_hits and abs(score) >= threshold
    flagged, reason = False, None
    if clear and score > 0 and label in NEGATIVE_LABELS:
        flagged, reason = True, f"clearly positive prose ({score:+.2f}) for a {label} label"
    elif clear and score < 0 and label in POSITIVE_LABELS:
        flagged, reason = True, f"clearly negative prose ({score:+.2f}) for a {label} label"
    return ToneCheck(section=section, label=label or "none", score=round(score, 3), positives=pos,
                     negatives=neg, flagged=flagged, reason=reason)
