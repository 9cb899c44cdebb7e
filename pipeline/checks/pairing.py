"""What a figure is paired with in its own sentence, on both sides of a match: the level a percentage change
moved to ("revenue rose 10.1% to $76.6 billion") and the thing a count counts ("20 million vaccines").

A source figure paired with something else is another fact that happens to share the number: "adjusted
revenue of 20.7 billion increased by 10.1%" is not the total revenue that "rose 10.1% to $76.6 billion", and
"22 million OTC COVID-19 tests" are not "20 million COVID-19 vaccines". A side that says nothing (no level, no
counted noun) conflicts with nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.checks.context import word_stem
from pipeline.checks.vocabulary import STOPWORDS
from pipeline.checks.written_numbers import WrittenNumber

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_PHRASE_END = re.compile(r"[,;:()\[\]]|[.!?](?:\s|$)")
_COUNTED_WINDOW = 4  # words after a count in which its noun stands ("22 million OTC COVID-19 tests")
_SAME_LEVEL = 0.01  # levels written to different precision ("$76.6 billion", "76.57 billion")


@dataclass(frozen=True)
class Pairing:
    levels: tuple[float, ...] = ()  # money figures a percentage is paired with in its clause
    counted: str | None = None  # the stem of the plural noun a count counts ("test", "vaccin")


NO_PAIRING = Pairing()  # a figure its sentence pairs with nothing


def _counts(n: WrittenNumber) -> bool:
    return n.kind == "count" or (n.kind == "money" and not n.currency and n.scaled)


def counted_noun(text: str, n: WrittenNumber) -> str | None:
    """The first plural noun right after a count, before a stop word or punctuation: "tests" in "22 million OTC
    COVID-19 tests with ...", "vaccines" in "20 million covid-19 vaccines nationwide"."""
    if not _counts(n):
        return None
    tail = text[n.nend : n.nend + 80]
    end = _PHRASE_END.search(tail)
    for word in _WORD.findall(tail[: end.start() if end else len(tail)])[:_COUNTED_WINDOW]:
        lower = word.lower()
        if lower in STOPWORDS:
            break
        if len(lower) > 3 and lower.endswith("s") and not lower.endswith(("ss", "us", "is")):
            return word_stem(lower)
    return None


def change_levels(numbers: Sequence[WrittenNumber], i: int, cuts: Sequence[int]) -> tuple[float, ...]:
    """The money figures a percentage is paired with: those of its own clause ("rose 10.1% to $76.6 billion"),
    or else those of the clause right before it ("sales were $3.7 billion, up 12%")."""
    n = numbers[i]
    if n.kind != "pct":
        return ()
    lo = max(c for c in cuts if c <= n.nstart)
    hi = min((c for c in cuts if c > n.nstart), default=n.nend)

    def money(a: int, b: int) -> tuple[float, ...]:
        return tuple(abs(m.value) for m in numbers if m.kind == "money" and a <= m.nstart < b)

    own = money(lo, hi)
    if own or lo == 0:
        return own
    return money(max(c for c in cuts if c < lo), lo)


def pairing(text: str, numbers: Sequence[WrittenNumber], i: int, cuts: Sequence[int]) -> Pairing:
    """The pairing of `numbers[i]` in the normalised sentence `text` cut into clauses at `cuts`."""
    return Pairing(change_levels(numbers, i, cuts), counted_noun(text, numbers[i]))


def pairing_conflict(written: Pairing, source: Pairing) -> str | None:
    """Why the source figure is paired with something else, or None."""
    if written.levels and source.levels:
        if not any(abs(a - b) <= _SAME_LEVEL * max(a, b) for a in written.levels for b in source.levels):
            return "the source pairs this change with another level"
    if written.counted and source.counted and written.counted != source.counted:
        return f"the source counts {source.counted}, the sentence {written.counted}"
    return None
