"""The match rule: when does a written number agree with a fact? (Documented in docs/number-checks.md.)

Value. Let the written number be `num * scale` with `d` decimals. A fact `f` (compared in magnitude first;
sign below) agrees when any of:

  1. rounding: `round(f / scale, d) == num`, half-up or half-even (banker's) both accepted ("exact" when the
     fact has no more digits than written, else "rounded");
  2. tolerance, for computed facts only (`exact=False`): `|w - f| <= rel_tol * |f|` (0.5% by default,
     "within tolerance"), or `approx_tol` (5%) when an approximation word precedes the number ("approximate");
  3. rounded round numbers: with an approximation word, a whole number ending in zeros is read as rounded to
     its significant figures ("over 120%" for 123%, "about $900 million" for 870); "approximate".
  4. rounded by the source: a number read from prose to 3 significant figures or more (`Fact.precision`)
     agrees with a finer written number that rounds to it ("$11.33 billion" for the call's "$11.3 billion");
     "source rounded".

Kinds must be compatible: a percentage matches percentages and ratios x 100; money matches money, prices and
per-share amounts in the same currency when both sides name one (a scaled amount with no currency, "16.33
billion", may also be a count); a bare decimal matches ratios, multiples, prices and per-share amounts; a
bare integer matches counts, ratios and multiples, never a price; a multiple matches multiples and ratios; a
date matches dates of the same precision; a duration matches windows and durations.

Sign: a number written negative (signs.py: "-10.78%", "− 10.78%", "minus 10.78%", "RMB (9.02) billion", "a loss
of RMB 973 million") needs a negative fact (or an unsigned one read from prose); so does one whose clause names
the fact's subject as a loss ("net loss was RMB 973 million", "negative free cash flow of ..."). A written
positive matches a negative fact only when a negative word stands in its clause ("fell 10.78%", "used",
"trailing"); otherwise it is a sign mismatch.

Context (see `choose`): agreeing in value is not enough; the sentence must be about the fact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

from pipeline.checks.context import Clause, Period, SentenceContext, named_by
from pipeline.checks.fact_index import DAYS, Fact, FactIndex, PeriodInfo
from pipeline.checks.pairing import NO_PAIRING, Pairing, pairing_conflict
from pipeline.checks.qualifiers import basis_of, role_of
from pipeline.checks.vocabulary import MEASURES, QUALIFIERS
from pipeline.checks.written_numbers import WrittenNumber

NEGATIVE_WORDS = re.compile(
    r"\b(?:negative|loss(?:es)?|loss-making|deficit|declin\w*|decreas\w*|fell|fall(?:s|ing)?|down|drop\w*|"
    r"lower|minus|contract\w*|shr[aiu]nk\w*|outflows?|burn\w*|reduc\w*|slump\w*|plung\w*|below|used|spent|"
    r"lost|los(?:e|es|ing)|dip\w*|slid|slipped|trail\w*|lag\w*|behind|underperform\w*|worsen\w*|worse|deteriorat\w*)\b",
    re.I,
)

_COMPATIBLE: dict[str, frozenset[str]] = {
    "pct": frozenset({"pct", "ratio"}),
    "money": frozenset({"money", "price", "per_share", "count"}),
    "multiple": frozenset({"multiple", "ratio"}),
    "ratio": frozenset({"ratio", "multiple", "price", "per_share"}),
    "count": frozenset({"count", "ratio", "multiple"}),
    "date": frozenset({"date"}),
    "duration": frozenset({"duration"}),
    "period": frozenset({"period"}),
}
How = Literal[
    "exact",
    "rounded",
    "source rounded",
    "within tolerance",
    "approximate",
    "exact date",
    "window",
    "known period",
]
_HOW_RANK = {
    "exact": 0,
    "exact date": 0,
    "window": 0,
    "known period": 0,
    "rounded": 1,
    "source rounded": 1,
    "within tolerance": 2,
    "approximate": 3,
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
    how: How = "exact"


def _rounds_to(value: float, num: float, decimals: int) -> bool:
    """Half-up or half-even on the decimal value, or how Python prints the float (137.35499999999934 prints as
    137.35 although its decimal reading 137.355 rounds to 137.36)."""
    try:
        d = Decimal(repr(round(value, 9)))
        quantum = Decimal(1).scaleb(-decimals)
        target = Decimal(repr(num)).quantize(quantum)
        if any(d.quantize(quantum, rounding=r) == target for r in (ROUND_HALF_UP, ROUND_HALF_EVEN)):
            return True
        return decimals >= 0 and Decimal(f"{value:.{decimals}f}") == target
    except (InvalidOperation, OverflowError, ValueError):
        return False


def magnitude_matches(w: WrittenNumber, fact_magnitude: float, fact: Fact, cfg: MatchConfig) -> How | None:
    """Rules 1-3 on magnitudes (see the module docstring); how the value agrees, or None."""
    written = w.num * w.scale
    in_written_units = fact_magnitude / w.scale
    if _rounds_to(in_written_units, w.num, w.decimals):
        return "exact" if abs(in_written_units - w.num) <= 1e-9 * max(1.0, abs(w.num)) else "rounded"
    diff = abs(written - fact_magnitude)
    unit = 10.0**-w.decimals * w.scale
    if fact.precision is not None and unit < fact.precision and diff <= 0.5 * fact.precision * (1 + 1e-9):
        return "source rounded"
    if not fact.exact:
        if diff <= cfg.rel_tol * fact_magnitude:
            return "within tolerance"
        return "approximate" if w.approx and diff <= cfg.approx_tol * fact_magnitude else None
    if w.approx and w.decimals == 0 and w.sig_figs < len(f"{w.num:.0f}"):
        # "over 120%", "about $900 million": the written zeros are rounding, so round the fact to them.
        if _rounds_to(in_written_units, w.num, w.sig_figs - len(f"{w.num:.0f}")):
            return "approximate"
    return None


def _currency_ok(w: WrittenNumber, fact: Fact) -> bool:
    if fact.kind == "count":
        return w.currency is None  # "16.33 billion" may count shares; "$16.33 billion" cannot
    return w.currency is None or fact.currency is None or fact.currency in w.currency


def _special(w: WrittenNumber, index: FactIndex) -> list[Match]:
    """Dates match dates of the same precision exactly; durations match windows in the written unit; a period
    label matches a period the sources know."""
    if w.kind == "period":
        # a known period, or (named, see choose) a year a source text states ("fiscal 2022" for "in 2022")
        year = int(w.value) // 10
        return [
            Match(f, f.value, True, "known period") for f in index.near(w.value, 0.5) if f.kind == "period"
        ] + [
            Match(f, w.value, True, "known period")
            for f in index.near(year, 0.5)
            if f.kind == "date" and f.unit == "year" and f.from_text
        ]
    if w.kind == "date":
        return [
            Match(f, f.value, True, "exact date")
            for f in index.near(w.value, 0.5)
            if f.kind == "date" and f.unit == w.unit
        ]
    unit_days = DAYS[w.unit or "day"]
    days = w.num * unit_days
    return [
        Match(f, f.value / unit_days, True, "window")
        for f in index.near(days, unit_days * 0.6)
        if f.kind == "duration" and _rounds_to(f.value / unit_days, w.num, w.decimals)
    ]


def candidates(
    w: WrittenNumber, index: FactIndex, cfg: MatchConfig, clause: str, negated: Iterable[str] = ()
) -> list[Match]:
    """Facts whose value agrees with `w`, best first: right sign, then rounding-equal, then smallest error.
    `negated`: the subjects the clause names as a loss (context.NEGATIVE_NAMING)."""
    loss_named = frozenset(negated)
    if w.kind in ("date", "duration", "period"):
        return _special(w, index)
    if w.num == 0:
        targets = [(0.0, 1.0)]
    else:
        targets = [(w.num * w.scale, 1.0)]
    if w.kind == "pct":
        targets.append((w.num * w.scale / 100.0, 100.0))  # a ratio fact written as a percentage
    negative_word = bool(NEGATIVE_WORDS.search(clause))
    found: list[Match] = []
    allowed = _COMPATIBLE[w.kind]
    if w.kind == "money" and w.currency is None and not w.scaled:
        allowed = allowed - {"count"}
    for magnitude, factor in targets:
        tol = max(cfg.approx_tol, cfg.rel_tol) * magnitude * 1.05 + 0.5 * 10.0**-w.decimals * w.scale / factor
        if w.approx and w.decimals == 0:
            tol += 0.5 * 10.0 ** (len(f"{w.num:.0f}") - w.sig_figs) * w.scale / factor
        for fact in index.near(magnitude, tol):
            if (
                fact.kind not in allowed
                or (factor != 1.0 and fact.kind != "ratio")
                or not _currency_ok(w, fact)
            ):
                continue
            if w.kind == "pct" and factor == 1.0 and fact.kind == "ratio":
                continue
            compared = fact.value * factor
            how = magnitude_matches(w, abs(compared), fact, cfg)
            if how is None:
                continue
            if not fact.signed:
                sign_ok = True
            elif w.negative or any(alt & loss_named for alt in fact.names):
                sign_ok = compared <= 0
            else:
                sign_ok = compared >= 0 or negative_word
            found.append(Match(fact, compared, sign_ok, how))
    written = abs(w.value) or 1.0
    found.sort(
        key=lambda m: (
            not m.sign_ok,
            _HOW_RANK[m.how],
            round(abs(abs(m.compared) - written) / written, 9),
            m.fact.from_text,
        )
    )
    return found


# --- context -------------------------------------------------------------------------------------------

Named = Literal["clause", "sentence"]


def _concepts(concepts: set[str], entities: set[str]) -> set[str]:
    return concepts | {f"entity:{e}" for e in entities}


def _words(concepts: set[str], tokens: Iterable[str]) -> set[str]:
    return set(tokens) | {f"c:{k}" for k in concepts - QUALIFIERS}


def _by_concepts(fact: Fact, clause: Clause, ctx: SentenceContext) -> Named | None:
    """Bundle and metric facts: all the concepts of one of `Fact.names` appear: in the clause, or partly in the
    clause and the rest in a clause of the sentence that holds no figure ("Without the model-read parts, the
    score would be 47"), which counts as the clause too."""
    in_clause = _concepts(clause.concepts, clause.entities)
    if named_by(fact.names, in_clause):
        return "clause"
    setting = named_by(fact.names, in_clause | ctx.setting)
    if setting and setting & in_clause:
        return "clause"
    alt = named_by(fact.names, _concepts(ctx.concepts, ctx.entities))
    if alt and (alt & in_clause or not clause.names_subject):
        return "sentence"
    return None


def _source_scope(fact: Fact, word: str, clause: Clause, scope_links: Mapping[str, frozenset[str]]) -> bool:
    """A scope word the sentence adds is the sources' own name for the fact's thing when the sources use it
    with a distinctive word that both the fact's own words or topic and the clause say: "3.5 points from
    incremental external sales to Kyndryl" for the call's "3.5 points from the new relationship" (topic:
    Kyndryl), where the call speaks elsewhere of "the external sales to Kyndryl"."""
    return bool(scope_links.get(word, frozenset()) & (fact.context | fact.words) & clause.tokens)


def _by_source_words(
    fact: Fact,
    clause: Clause,
    ctx: SentenceContext,
    scope_words: frozenset[str],
    scope_links: Mapping[str, frozenset[str]],
    names: frozenset[frozenset[str]],
) -> Named | None:
    """Numbers read from prose: by the measure their source clause names, or by its distinctive words."""
    found: Named | None = None
    measures = {w for w in fact.words if w.startswith("c:") and w[2:] in MEASURES} | set(fact.inherited)
    # Scope the sentence adds: words written as names ("AI revenue"), names the sources write however the
    # sentence writes them ("optical communications sales") or words the sources use as scope ("public",
    # "enterprise"); other words before a subject may be verbs ("management plans capex").
    written = clause.modifiers.words
    added = clause.modifiers.proper | (written & scope_words)
    added |= {w for name in names if name <= written for w in name}
    unknown = {
        w for w in added - (fact.context | fact.words) if not _source_scope(fact, w, clause, scope_links)
    }
    scope_ok = (not fact.required or fact.required & ctx.tokens) and not unknown
    if measures and scope_ok:
        # The source calls it by a measure of the vocabulary: the sentence must call it the same, say one of
        # its scope words if it has any ("public" cloud revenue; "diluted EPS" is still EPS) and add no scope
        # its source does not mention ("AI revenue grew 24%" when the source's 24% is total revenue).
        if measures & _words(clause.concepts, ()):
            return "clause"
        if measures & _words(ctx.concepts, ()) and not clause.names_subject:
            found = "sentence"
    if fact.words and (scope_ok or not measures):
        # Or by its words ("AI gross billings", "COVID-19 tests administered"): two thirds of them (at most
        # two) in the sentence, at least one in the clause.
        need = min(-(-2 * len(fact.words) // 3), 2)
        shared = len(fact.words & _words(ctx.concepts, ctx.tokens | ctx.phrase_words))
        shared_here = len(fact.words & _words(clause.concepts, clause.tokens | clause.phrase_words))
        if shared >= need and shared_here:
            return "clause"
        if shared >= need and not clause.names_subject:
            found = "sentence"
    return found


def naming(
    fact: Fact,
    clause: Clause,
    ctx: SentenceContext,
    scope_words: frozenset[str] = frozenset(),
    scope_links: Mapping[str, frozenset[str]] | None = None,
    names: frozenset[frozenset[str]] = frozenset(),
) -> Named | None:
    """Where the sentence names the fact: its clause, elsewhere in the sentence (and the clause names no other
    subject), or nowhere. Bundle and metric facts are named by concepts (all of one of `Fact.names`). A number
    from source prose is named by the measure its source clause gives it ("revenue"), with the same scope
    ("public cloud revenue ... 32%" is not "total revenue grew 32%"; "diluted EPS" is EPS), or by its
    distinctive words ("AI gross billings"). A bundle date of an event is named either way."""
    by_names = _by_concepts(fact, clause, ctx) if fact.names else None
    if by_names == "clause":
        return by_names
    by_words = (
        _by_source_words(fact, clause, ctx, scope_words, scope_links or {}, names)
        if fact.words or fact.inherited
        else None
    )
    return by_words if by_words == "clause" else by_names or by_words


def _period_ok(
    fact: Fact, periods: list[Period], index: FactIndex, low_info: bool, all_periods: list[Period]
) -> bool:
    if fact.period is None:
        return True
    if fact.period in ("quarter", "half", "year") and fact.from_text:
        return not periods or any(_text_period_ok(fact, p) for p in periods)
    info = next((p for p in index.periods if p.label == fact.period), None)
    if info is None:
        return not periods
    if not periods:
        # No period of its own: the headline period, or one the sentence names for its other figures
        # ("Revenue in 2020 was $274.52 billion, up 5.51%"); "the current ratio is 4.67" is not FY2015's.
        return fact.period == index.headline or fact.period in {index_label(p, index) for p in all_periods}
    for p in periods:
        if p.kind == "TTM" and info.kind == "TTM" and _same_ttm(p, info, index):
            return True
        if p.kind in ("FY", "year") and info.kind == "FY" and (p.year is None or p.year == fact.year):
            return True
        if p.kind == "prior":
            anchor = next(
                (index_label(q, index) for q in all_periods if q.kind in ("TTM", "FY", "year")), None
            )
            if fact.period == index.prior_of(anchor):
                return True
    return False


def _text_period_ok(fact: Fact, p: Period) -> bool:
    """A number read from prose about a quarter, a half or a full year (qualifiers.period_of), against a period
    the sentence names: the same kind of period, the same quarter or half and the same year when both say."""
    if p.year is not None and fact.year is not None and p.year != fact.year:
        return False
    if fact.period == "quarter":
        same = p.number is None or fact.period_number is None or p.number == fact.period_number
        return (p.kind == "Q" and same) or (p.kind == "year" and p.year is not None)
    if fact.period == "half":
        same = p.number is None or fact.period_number is None or p.number == fact.period_number
        return (p.kind == "H" and same) or (p.kind == "year" and p.year is not None)
    return p.kind in ("FY", "year")  # a full year: "for the year", "fiscal 2025"


def _same_ttm(p: Period, info: PeriodInfo, index: FactIndex) -> bool:
    """ "TTM to Sep 2016" is the TTM ending then; a plain "TTM" / "trailing twelve months" the latest one."""
    if p.year is not None:
        return info.end.year == p.year and (p.month is None or info.end.month == p.month)
    latest = max((q.end for q in index.periods if q.kind == "TTM"), default=None)
    return info.end == latest


def index_label(p: Period, index: FactIndex) -> str | None:
    """The period label of the index a named period stands for ("FY2024" for "fiscal 2024" or "2024")."""
    for info in index.periods:
        if p.kind == "TTM" and info.kind == "TTM" and _same_ttm(p, info, index):
            return info.label
        if p.kind in ("FY", "year") and info.kind == "FY" and p.year == (info.fiscal_year or info.end.year):
            return info.label
    return None


def _entity_ok(fact: Fact, clause: Clause, ctx: SentenceContext) -> bool:
    entities = clause.entities or ctx.entities
    peers = {e for e in entities if e.startswith("peer:")}
    if fact.entity is None or fact.entity == "benchmark":
        return not peers or "company" in entities
    return fact.entity in entities or ("peers" in ctx.concepts and not peers)


_BASIS_NAMES = {"yoy": "year over year", "qoq": "quarter over quarter"}
_ROLE_NAMES = {"share": "a share of a total", "change": "a change"}


def _qualifier_conflict(w: WrittenNumber, fact: Fact, clause: str, sentence: str) -> str | None:
    """Why a number read from prose is not the one written, by what each says it is (qualifiers.py): its
    comparison basis ("39% quarter over quarter" is not "39% year over year") and its role ("contributing 27%
    to total revenue" is not "grew 27%"). None when they agree or either side does not say."""
    if not fact.from_text or w.kind != "pct":
        return None
    basis = basis_of(clause) or basis_of(sentence)
    if basis and fact.basis and basis != fact.basis:
        return f"the source's figure is {_BASIS_NAMES[fact.basis]}, the sentence says {_BASIS_NAMES[basis]}"
    role = role_of(clause)
    if role and fact.role and role != fact.role:
        return f"the source's figure is {_ROLE_NAMES[fact.role]}, the sentence says {_ROLE_NAMES[role]}"
    return None


@dataclass(frozen=True)
class Choice:
    match: Match | None
    named: Named | None
    note: str | None


def choose(
    w: WrittenNumber,
    found: list[Match],
    ctx: SentenceContext,
    index: FactIndex,
    checked_periods: set[str],
    paired: Pairing = NO_PAIRING,
) -> Choice:
    """The fact the sentence means among those that agree in value, or why none is accepted.

    * the sentence must name the fact: a low-information number (WrittenNumber.low_information) in its own
      clause, any other number in its clause or elsewhere in the sentence when its clause names no other
      subject; a full date and a duration need no name (they carry enough information on their own);
    * a named peer's sentence matches only that peer's facts, the company's only the company's;
    * a named period (FY2023, TTM, "a year earlier", a bare year, the quarter) rules out other periods; with
      none named a low-information number is read against the headline period;
    * a named window (past month, year to date, one year) rules out other windows;
    * a source figure paired with another level or another counted noun (pairing.py, `paired` is the written
      number's) is another fact: "adjusted revenue of 20.7 billion increased by 10.1%" for "revenue rose 10.1%
      to $76.6 billion";
    * a year or month matches a period's date only when the sentence states a checked figure of that period
      (`checked_periods`): "In 2024 the net loss was RMB 1.97 billion", not "a financial collapse in 2020".
    """
    clause = ctx.clause_at(w.nstart)
    periods = ctx.periods_for(w.nstart)
    windows = ctx.windows_for(w.nstart)
    low = w.low_information
    accepted: list[tuple[int, Match, Named | None]] = []
    rejected: list[tuple[Match, str]] = []
    for m in found:
        f = m.fact
        named = naming(f, clause, ctx, index.scope_words, index.scope_links, index.names)
        conflict = _qualifier_conflict(w, f, ctx.text[clause.start : clause.end], ctx.text)
        conflict = conflict or pairing_conflict(paired, f.paired)
        if f.excludes & clause.concepts:
            rejected.append((m, "the sentence names another definition of it"))
        elif conflict is not None:
            rejected.append((m, conflict))
        elif not _entity_ok(f, clause, ctx):
            rejected.append((m, "the sentence is about another company"))
        elif not _period_ok(f, periods, index, low, ctx.all_periods):
            rejected.append((m, "the sentence names another period"))
        elif f.window and ((windows and f.window not in windows) or (not windows and low)):
            rejected.append((m, "the sentence names another window" if windows else "no window is named"))
        elif w.kind == "period" and f.kind == "period":
            accepted.append((0, m, named))
        elif w.kind == "date" and w.unit == "day":  # a full date: the sentence says what happened then
            if named:
                accepted.append((0, m, named))
            else:
                rejected.append((m, "the sentence does not say this date's event"))
        elif w.kind == "date" and f.period is not None and f.period != "quarter":
            if f.period in checked_periods:
                accepted.append((1, m, named))
            else:
                rejected.append((m, "a year matches a period only beside a checked figure of that period"))
        elif f.sentence is not None and f.sentence in checked_periods and w.kind in ("date", "period"):
            accepted.append((1, m, named))  # the year of the source sentence the other figures come from
        elif named == "clause" or (named == "sentence" and not low):
            accepted.append((0 if named == "clause" else 1, m, named))
        elif named == "sentence":
            rejected.append((m, "low-information number: its own clause does not name this"))
        else:
            rejected.append((m, "the sentence does not name this"))
    if accepted:
        # Among equals (a bundle's own field first), the source sentence the sentence's other checked figures
        # come from ("$3.5 billion to $3.7 billion" is one guidance sentence, not a year's sales that also
        # were $3.7 billion).
        accepted.sort(
            key=lambda t: (
                not t[1].sign_ok,
                t[0],
                _HOW_RANK[t[1].how],
                t[1].fact.from_text,
                t[1].fact.sentence not in checked_periods,
            )
        )
        _, best, named = accepted[0]
        return Choice(best, named, None)
    if rejected:
        m, why = rejected[0]
        return Choice(
            None, None, f"value agrees with {m.fact.label or m.fact.source} ({m.fact.source}), but {why}"
        )
    subject = sorted(clause.concepts - QUALIFIERS)
    if subject:
        return Choice(
            None, None, f"no source fact for {', '.join(s.replace('_', ' ') for s in subject)} has this value"
        )
    return Choice(None, None, "no source fact has this value")
