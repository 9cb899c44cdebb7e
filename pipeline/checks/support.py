"""Is a section's prose analysis of this company's data at all? The failures of weak models that number checks
cannot see, because they write few or no numbers:

- it cites none of its facts: not one number in it matches the data the prompt gave (a section with no
  verified number is generic text, whatever it says), unless all it says is that its data is missing;
- it repeats itself: the same sentence twice, or most of its word sequences (a small model's loop);
- it is about another company: it names other companies (by "Name Inc."-style names or "EXCHANGE: TICKER")
  more often than this one.

`unsupported_reasons` says which, in words; an empty list is a pass. The section is then flagged as
unsupported (dropped under --strict-numbers), never published as analysis (narration.py).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from pipeline.checks.answer_checks import NumberCheck
from pipeline.checks.written_numbers import split_sentences

NOT_PROSE = {"title", "sentiment"}  # short labels, not prose
NOT_PROSE_LISTS = {"evidence"}  # quotes copied from the data: theirs, not the model's words
MIN_SENTENCE_WORDS = 4  # "Insufficient data." twice is not a loop
NGRAM = 4
REPEATED_NGRAMS = 0.5  # share of a text's word 4-grams that are repeats, above which it loops
MIN_NGRAMS = 12  # too short to judge a share
SUFFIXES = "Inc|Incorporated|Corp|Corporation|Ltd|Limited|plc|PLC|LLC|AG|SA|NV|Co|Company|Group|Holdings|Technologies"
_COMPANY = re.compile(rf"\b((?:[A-Z][\w&'-]*\.?\s+){{0,3}}[A-Z][\w&'-]*),?\s+(?:{SUFFIXES})\b\.?")
_LISTING = re.compile(r"\b(?:NASDAQ|NYSE|HKEX|HKG|SEHK|LSE|TSX|ASX|OTC)\s*:\s*([A-Z0-9.]{1,10})\b")
_WORD = re.compile(r"[a-z0-9]+")
# A sentence that says its data is missing makes no claim to support ("Free cash flow has insufficient data").
_NO_DATA = re.compile(
    r"\binsufficient data\b|\bnot available\b|\bno (?:data|price history|figures?)\b|\bnot (?:reported|given)\b"
    r"|\bthere (?:is|are) no\b|\bholds? no\b|\bcannot be (?:judged|assessed|computed)\b",
    re.I,
)
# Words of a company name that tell no company apart ("Apple Inc." -> {"apple"}).
_GENERIC = {
    "the",
    "and",
    "of",
    "company",
    "group",
    "holdings",
    "international",
    "technologies",
    "technology",
    "inc",
    "corp",
    "corporation",
    "ltd",
    "limited",
    "plc",
    "co",
    "class",
}


def prose_fields(fields: Iterable[tuple[str, str]]) -> list[str]:
    """The model's own prose among an answer's (path, text) fields: no titles, labels or copied quotes."""
    out = []
    for path, text in fields:
        parts = re.split(r"[.\[\]]+", path)
        if any(p in NOT_PROSE for p in parts[-1:]) or any(p in NOT_PROSE_LISTS for p in parts):
            continue
        out.append(text)
    return out


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def repetition(texts: Sequence[str]) -> str | None:
    """Why the prose repeats itself, or None."""
    sentences = Counter(  # the same sentence, character for character: a loop (variants are not)
        " ".join(s.split())
        for text in texts
        for _, s in split_sentences(text)
        if len(_words(s)) >= MIN_SENTENCE_WORDS
    )
    twice = [s for s, n in sentences.items() if n > 1]
    if twice:
        return f"repeats itself ({len(twice)} sentence(s) written more than once)"
    for text in texts:
        words = _words(text)
        grams = [tuple(words[i : i + NGRAM]) for i in range(len(words) - NGRAM + 1)]
        if len(grams) >= MIN_NGRAMS:
            repeats = len(grams) - len(set(grams))
            if repeats / len(grams) > REPEATED_NGRAMS:
                return f"repeats itself ({repeats} of {len(grams)} word sequences are repeats)"
    return None


def _name_words(name: str) -> set[str]:
    return {w for w in _words(name) if w not in _GENERIC and len(w) > 1}


def other_company(texts: Sequence[str], company: str, ticker: str) -> str | None:
    """Why the prose is about another company than `company` (`ticker`), or None."""
    own_words = _name_words(company)
    own_ticker = ticker.upper().split(":")[-1].split(".")[0]
    text = " ".join(texts)
    others: Counter[str] = Counter()
    for match in _COMPANY.finditer(text):
        words = _name_words(match.group(1))
        if words and not words & own_words:
            others[match.group(0).strip().rstrip(".,")] += 1
    for match in _LISTING.finditer(text):
        symbol = match.group(1).split(".")[0].lstrip("0") or "0"
        if symbol not in (own_ticker, own_ticker.lstrip("0")):
            others[match.group(0)] += 1
    if not others:
        return None
    lowered = _words(text)
    own = sum(1 for w in lowered if w in own_words) + len(re.findall(rf"\b{re.escape(own_ticker)}\b", text))
    if sum(others.values()) <= own:
        return None
    names = ", ".join(n for n, _ in others.most_common(3))
    return f"is about another company ({names}; this report is on {company})"


def unsupported_reasons(
    fields: Iterable[tuple[str, str]], checks: Sequence[NumberCheck], company: str, ticker: str
) -> list[str]:
    """Why a section's prose is not analysis of this company's data (empty: it is)."""
    texts = [t for t in prose_fields(fields) if t.strip() and t.strip() != "Insufficient data."]
    if not texts:
        return []  # nothing written: the section says its data is missing, which is not a claim
    reasons = []
    claims = [s for t in texts for _, s in split_sentences(t) if not _NO_DATA.search(s)]
    if claims and not any(c.status == "verified" for c in checks):
        reasons.append("cites none of its facts (no number in it matches the data)")
    for reason in (repetition(texts), other_company(texts, company, ticker)):
        if reason:
            reasons.append(reason)
    return reasons
