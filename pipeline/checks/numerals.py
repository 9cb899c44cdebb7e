"""Numbers a reader sees that are not written with ASCII digits: read them, or flag them, never skip them.

Read (as WrittenNumbers, written_numbers.py):
  * multiples of a change written as a verb: "doubled" (+100%), "tripled"/"trebled" (+200%), "quadrupled"
    (+300%), "quintupled" (+400%), "halved" (-50%), "by half" (50%: "fell by half");
  * number words with "a", "half" or "and a half" and a scale: "a dozen percent" (12%), "a billion yuan",
    "half a billion yuan" (0.5 billion), "two and a half billion yuan" (2.5 billion).

Flagged as unparsed (`lookalike_spans`):
  * a character a reader takes for a digit (lookalikes.py, from Unicode's confusables: Cyrillic З and Ч, Ƽ,
    Bengali ৪ ...) next to a digit, "%", or a unit ("З16.19%" reads as 316.19%, so it must not verify as 16.19%);
    an ASCII O/o/l/I/| glued to digits and to no other letter ("l6.19%", "1O0%");
  * any other numeral (a character with a numeric value that is not an ASCII digit after normalisation):
    dingbat and circled digits ("❶16.19%", "❾❽%"), CJK numerals ("九十八%"), fractions;
  * roman numerals with a unit or a currency ("XLII percent", "Ⅻ percent" (NFKC: XII), "RMB XL billion").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from pipeline.checks.lookalikes import DIGIT_LOOKALIKES

_UNIT_WORDS = (
    r"%|per[\s-]?cent\b|percent\b|pct\b|bps\b|basis\s+points?\b|percentage\s+points?\b|billions?\b|millions?\b|"
    r"thousands?\b|trillions?\b|bn\b|mn\b|times\b|fold\b|yuan\b|dollars?\b|euros?\b|pounds?\b|yen\b"
)
_NEXT_UNIT = re.compile(rf"\s*(?:{_UNIT_WORDS})", re.I)
_ASCII_LOOKALIKES = frozenset("OolI|")
# The characters worth a look (every look-alike and numeral is non-ASCII; DIGIT_LOOKALIKES has no ASCII key), so
# plain ASCII prose costs one regex scan, not a Python loop over its characters.
_CANDIDATE = re.compile(r"[^\x00-\x7f]|(?<=\d)[OolI|]|[OolI|](?=\d)")
_ROMAN = r"(?=[MDCLXVI])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
ROMAN_WITH_UNIT = re.compile(
    rf"(?<![A-Za-z0-9])(?P<roman>{_ROMAN}|(?i:{_ROMAN}))(?![A-Za-z0-9])(?=\s*(?:{_UNIT_WORDS}))", re.I
)
ROMAN_WITH_CURRENCY = re.compile(
    rf"(?:US\$|HK\$|\$|€|£|¥|\b(?:RMB|USD|CNY|HKD|EUR|GBP|JPY))\s?(?P<roman>{_ROMAN})(?![A-Za-z0-9])"
)


def _numeral(c: str) -> bool:
    """A character with a numeric value that the check does not read as a digit (❶, 九, ½ ...)."""
    return not c.isascii() and unicodedata.numeric(c, None) is not None


def _token(text: str, i: int) -> tuple[int, int]:
    start, end = i, i + 1
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end


def _numberish(token: str) -> bool:
    return any(ch.isdigit() or ch == "%" for ch in token)


def lookalike_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, reason) of every token of `text` (normalised, see module docstring) that shows a number the
    check cannot read: look-alike digits, other numerals, roman numerals with a unit or currency."""
    flagged_to = -1
    for m in _CANDIDATE.finditer(text):
        i, c = m.start(), m.group()
        if i < flagged_to or c.isspace():
            continue
        reason: str | None = None
        if _numeral(c):
            reason = "a numeral the check cannot read"
        elif c in DIGIT_LOOKALIKES:
            start, end = _token(text, i)
            if _numberish(text[start:end]) or _NEXT_UNIT.match(text, end):
                reason = f"a character that looks like the digit {DIGIT_LOOKALIKES[c]}"
        elif c in _ASCII_LOOKALIKES:
            before = text[i - 1] if i else " "
            after = text[i + 1] if i + 1 < len(text) else " "
            if (before.isdigit() and not after.isalpha()) or (after.isdigit() and not before.isalpha()):
                reason = "a letter that looks like a digit, glued to digits"
        if reason is not None:
            start, end = _token(text, i)
            flagged_to = end
            yield start, end, reason
    for pattern in (ROMAN_WITH_UNIT, ROMAN_WITH_CURRENCY):
        for m in pattern.finditer(text):
            roman = m.group("roman")
            if not roman or (roman.islower() and len(roman) < 2) or roman in ("MM", "M"):
                continue
            if m.start("roman") >= flagged_to or pattern is ROMAN_WITH_CURRENCY:
                unit = _NEXT_UNIT.match(text, m.end("roman"))
                yield m.start("roman"), unit.end() if unit else m.end("roman"), "a roman numeral"


# --- numbers written as words that written_numbers' number words do not cover --------------------------

MULTIPLE_VERBS: dict[str, float] = {"doubl": 100.0, "tripl": 200.0, "trebl": 200.0, "quadrupl": 300.0}
MULTIPLE_VERBS |= {"quintupl": 400.0, "halv": -50.0}
MULTIPLE_RE = re.compile(r"\b(?P<stem>doubl|tripl|trebl|quadrupl|quintupl|halv)(?:ed|es|ing)\b", re.I)
BY_HALF_RE = re.compile(r"\bby\s+(?:a\s+)?half\b", re.I)
_SMALL_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety"
).split()
_WORD_VALUE = {w: float(i + 1) for i, w in enumerate(_SMALL_WORDS[:19])} | {
    w: float(20 + 10 * i) for i, w in enumerate(_SMALL_WORDS[19:])
}
SCALE_WORDS = {
    "dozen": 12.0,
    "hundred": 100.0,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
}
FRACTION_RE = re.compile(
    rf"\b(?:(?P<n>{'|'.join(_SMALL_WORDS)})\s+and\s+a\s+half|(?P<half>half)\s+an?|(?P<a>an?|one))\s+"
    r"(?P<scale>dozen|hundred|thousand|million|billion|trillion)\b",
    re.I,
)


def fraction_value(m: re.Match[str]) -> tuple[float, float]:
    """(num, scale) of "two and a half billion" (2.5, 1e9), "half a billion" (0.5, 1e9), "a dozen" (12, 1)."""
    scale = SCALE_WORDS[m.group("scale").lower()]
    if m.group("n"):
        num = _WORD_VALUE[m.group("n").lower()] + 0.5
    elif m.group("half"):
        num = 0.5
    else:
        num = 1.0
    if scale < 1e3:  # "a dozen", "a hundred": a plain number, no scale
        return num * scale, 1.0
    return num, scale
