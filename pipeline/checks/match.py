"""The match rule: when does a written number agree with a fact? (Documented in docs/number-checks.md.)

Let the written number be `num * scale` with `d` decimals (so its last digit is worth `ulp = 10**-d * scale`).
A fact `f` (compared in magnitude first; sign below) matches when any of:

  1. rounding: `round(f / scale, d) == num`, half-up or half-even (banker's) both accepted;
  2. tolerance, for computed facts only (`exact=False`): `|w - f| <= rel_tol * |f|` (0.5% by default),
     or `approx_tol` (5%) when an approximation word precedes the number ("~", "about", "over", "nearly");
  3. rounded round numbers: with an approximation word, a whole number ending in zeros is read as rounded to
     its significant figures, so the fact is rounded there ("over 120%" for 123%, "about $900 million" for
     870). A stated fact is otherwise compared by rounding only: "~31%" matches neither a stated 32% nor 30.12%.

Kinds must be compatible: a percentage matches pct facts and ratio facts x 100; money matches money facts
(after the B/M/K scale, and only in the same currency when both sides name one); a multiple matches multiples
and ratios; a bare number matches anything but a date; a date matches only dates.

Sign: a written negative ("-10.78%") needs a negative fact (or an unsigned one read from prose). A
written positive matches a negative fact only when a negative word stands in its clause ("a 10.78% loss",
"negative (10.78%)"); otherwise it is a sign mismatch. A parenthesised number "(1.2)" takes either sign.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation

from pipeline.checks.facts import Fact, FactIndex
from pipeline.checks.numbers import WrittenNumber

NEGATIVE_WORDS = re.compile(
    r"\b(?:negative|loss(?:es)?|loss-making|deficit|declin\w*|decreas\w*|fell|fall(?:s|ing)?|down|drop\w*|"
    r"lower|minus|contract\w*|shr[aiu]nk\w*|outflows?|burn\w*|reduc\w*|slump\w*|plung\w*|below)\b",
    re.I,
)
_CLAUSE_BREAK = re.compile(r"[;,:]|\b(?:but|while|whereas|although|though|however|and)\b", re.I)

_COMPATIBLE: dict[str, frozenset[str]] = {
    "pct": frozenset({"pct", "ratio"}),
    "money": frozenset({"money"}),
    "multiple": frozenset({"multiple", "ratio", "count"}),
    "ratio": frozenset({"money", "ratio", "count", "multiple"}),
    "count": frozenset({"money", "ratio", "count", "multiple"}),
    "date": frozenset({"date"}),
}


@dataclass(frozen=True)
class MatchConfig:
    rel_tol: float = 0.005
    approx_tol: float = 0.05


@dataclass(frozen=True)
class Match:
    fact: Fact
    compared: float  # the fact's value in the written number's terms (ratio x 100 for a percentage)
    sign_ok: bool


def clause_around(sentence: str, start: int, end: int) -> str:
    """The clause of `sentence` holding [start, end): cut at , ; : and at but/while/and."""
    cuts = [0, *(m.start() for m in _CLAUSE_BREAK.finditer(sentence)), len(sentence)]
    lo = max(c for c in cuts if c <= start)
    hi = min((c for c in cuts if c >= end), default=len(sentence))
    return sentence[lo:hi]


def _rounds_to(value: float, num: float, decimals: int) -> bool:
    try:
        d = Decimal(repr(round(value, 9)))
        quantum = Decimal(1).scaleb(-decimals)
        target = Decimal(repr(num)).quantize(quantum)
        return any(d.quantize(quantum, rounding=r) == target for r in (ROUND_HALF_UP, ROUND_HALF_EVEN))
    except (InvalidOperation, OverflowError, ValueError):
        return False


def magnitude_matches(w: WrittenNumber, fact_magnitude: float, fact: Fact, cfg: MatchConfig) -> bool:
    """Rules 1-3 on magnitudes (see the module docstring)."""
    written = w.num * w.scale
    if _rounds_to(fact_magnitude / w.scale, w.num, w.decimals):
        return True
    diff = abs(written - fact_magnitude)
    if not fact.exact:
        return diff <= (cfg.approx_tol if w.approx else cfg.rel_tol) * fact_magnitude
    if w.approx and w.decimals == 0 and w.sig_figs < len(f"{w.num:.0f}"):
        # "over 120%", "about $900 million": the written zeros are rounding, so round the fact to them.
        return _rounds_to(fact_magnitude / w.scale, w.num, w.sig_figs - len(f"{w.num:.0f}"))
    return False


def _currency_ok(w: WrittenNumber, fact: Fact) -> bool:
    return w.currency is None or fact.currency is None or fact.currency in w.currency


def candidates(w: WrittenNumber, index: FactIndex, cfg: MatchConfig, clause: str) -> list[Match]:
    """Facts that match `w`, best first: right sign, then rounding-equal, then smallest relative error."""
    if w.num == 0 and w.kind != "date":
        targets = [(0.0, 1.0)]
    else:
        targets = [(w.num * w.scale, 1.0)]
    if w.kind == "pct":
        targets.append((w.num * w.scale / 100.0, 100.0))  # a ratio fact written as a percentage
    negative_word = bool(NEGATIVE_WORDS.search(clause))
    found: list[Match] = []
    allowed = _COMPATIBLE[w.kind]
    for magnitude, factor in targets:
        tol = max(cfg.approx_tol, cfg.rel_tol) * magnitude * 1.05 + 0.5 * 10.0 ** -w.decimals * w.scale / factor
        for fact in index.near(magnitude, tol):
            if fact.kind not in allowed or (factor != 1.0 and fact.kind != "ratio") or not _currency_ok(w, fact):
                continue
            if w.kind == "pct" and factor == 1.0 and fact.kind == "ratio":
                continue
            compared = fact.value * factor
            if not magnitude_matches(w, abs(compared), fact, cfg):
                continue
            if not fact.signed or w.paren:
                sign_ok = True
            elif w.negative:
                sign_ok = compared <= 0
            else:
                sign_ok = compared >= 0 or negative_word
            found.append(Match(fact, compared, sign_ok))
    written = abs(w.value) or 1.0
    found.sort(key=lambda m: (not m.sign_ok, not _rounds_to(abs(m.compared) / w.scale, w.num, w.decimals),
                              round(abs(abs(m.compared) - written) / written, 9), m.fact.source.startswith("text:")))
    return found
