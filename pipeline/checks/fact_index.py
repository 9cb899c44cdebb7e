"""Every number the model may legitimately write, with the field it comes from and the words that name it.

Facts come from three places:
  * the bundle, walked field by field (`financials.periods[0].income.net_income`, `peers[2].pe_ratio`, ...);
    statement money is stored in units (value * `financials.scale`) with the statement currency; plus counts
    a reader can see (`events (count)`, `peers (count)`);
  * the metrics (`metrics.fundamentals.TTM.net_margin_pct`, `metrics.technicals.values.rsi_14`,
    `metrics.score.overall`, ...), only figures whose status is ok; these are computed, so `exact=False`;
  * numbers written in source texts (transcript, event summaries, call highlights), source `text:<where>`,
    extracted with the same extractor as the model's prose, since the model may quote them.

Each fact carries a kind (pct, ratio, money, count, date, price, per_share, multiple, duration), the concepts
that name it (`names`: "revenue"; "revenue" + "growth"; "free_cash_flow" or "cash_flow") or, for a number in
a source text, the distinctive words of its clause (`words`), the entity it belongs to (a peer, the
benchmark; None for the company), its period ("TTM", "FY2024", "quarter") and performance window ("1M").
Bookkeeping fields (`schema_version`, sources, notes) are never facts.

The index keeps the facts sorted by absolute value, so a lookup is a binary search plus a short scan.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from pydantic import BaseModel

from pipeline.checks.context import Lexicon, Mention, clause_cuts, content_tokens, modifiers
from pipeline.checks.pairing import NO_PAIRING, Pairing, pairing
from pipeline.checks.qualifiers import TextPeriod, basis_of, direction_of, period_of, role_of
from pipeline.checks.vocabulary import MEASURES, QUALIFIERS
from pipeline.checks.written_numbers import (
    PERIOD_LABEL_RE,
    WrittenNumber,
    period_value,
    scan,
    split_sentences,
)
from pipeline.inputs.bundle import Scale
from pipeline.inputs.loaded import LoadedBundle
from pipeline.inputs.peers import peer_names
from pipeline.metrics.types import Figure, Metrics

FactKind = Literal[
    "pct", "money", "ratio", "count", "date", "multiple", "price", "per_share", "duration", "period"
]
Names = tuple[frozenset[str], ...]

# Bundle fields that are bookkeeping, labels or provenance: never facts, and not prose the model might quote.
_BOOKKEEPING = {"schema_version"}
_SKIP_TEXT = {
    "ticker",
    "currency",
    "label",
    "kind",
    "source",
    "transcript",
    "origin",
    "website",
    "exchange",
    "rating",
    "notes",
    "name",
    "sector",
    "industry",
    "country",
    "top_category",
    "quarter",
    "category",
}
_CHANGE_WORDS = ("growth", "change", "upside", "relative", "stock_pct", "benchmark_pct")
DAYS = {"day": 1.0, "week": 7.0, "month": 365.25 / 12, "quarter": 365.25 / 4, "year": 365.25}


def names(*alternatives: str) -> Names:
    """names("revenue growth", "sales") -> ({"revenue", "growth"}, {"sales"}): any one set names the fact."""
    return tuple(frozenset(a.split()) for a in alternatives)


# field name -> (kind, names, label). The label is what the appendix shows; names are vocabulary concepts.
FIELDS: dict[str, tuple[FactKind, Names, str]] = {
    "revenue": ("money", names("revenue"), "revenue"),
    "cost_of_revenue": ("money", names("cost_of_revenue"), "cost of revenue"),
    "gross_profit": ("money", names("gross_profit"), "gross profit"),
    "operating_income": ("money", names("operating_income"), "operating income"),
    "ebitda": ("money", names("ebitda"), "EBITDA"),
    "depreciation_amortization": ("money", names("depreciation"), "depreciation and amortisation"),
    "interest_expense": ("money", names("interest_expense"), "interest expense"),
    "income_tax": ("money", names("income_tax"), "income tax"),
    "net_income": ("money", names("net_income", "loss_verb"), "net income"),
    "eps_diluted": ("per_share", names("eps"), "diluted EPS"),
    "shares_diluted": ("count", names("shares"), "diluted shares"),
    "total_assets": ("money", names("total_assets"), "total assets"),
    "current_assets": ("money", names("current_assets"), "current assets"),
    "cash_and_equivalents": ("money", names("cash"), "cash and equivalents"),
    "cash_and_short_term_investments": ("money", names("cash_sti"), "cash and short-term investments"),
    "total_debt": ("money", names("total_debt"), "total debt"),
    "total_liabilities": ("money", names("total_liabilities"), "total liabilities"),
    "current_liabilities": ("money", names("current_liabilities"), "current liabilities"),
    "stockholders_equity": ("money", names("equity"), "equity"),
    "operating_cash_flow": ("money", names("operating_cash_flow", "cash_flow"), "operating cash flow"),
    "capital_expenditure": ("money", names("capex"), "capital expenditure"),
    "free_cash_flow": ("money", names("free_cash_flow", "cash_flow"), "free cash flow"),
    "investing_cash_flow": ("money", names("investing_cash_flow", "cash_flow"), "investing cash flow"),
    "financing_cash_flow": ("money", names("financing_cash_flow", "cash_flow"), "financing cash flow"),
    "dividends_paid": ("money", names("dividends"), "dividends paid"),
    "revenue_growth_pct": ("pct", names("revenue growth"), "revenue growth"),
    # a margin is also "X ... of sales/revenue" ("net income was 21.58% of sales")
    "gross_margin_pct": (
        "pct",
        names("gross_margin", "gross_profit margin", "margin", "gross_profit revenue"),
        "gross margin",
    ),
    "ebit_margin_pct": (
        "pct",
        names("ebit_margin", "operating_income margin", "margin", "operating_income revenue"),
        "EBIT margin",
    ),
    "ebitda_margin_pct": (
        "pct",
        names("ebitda_margin", "ebitda margin", "margin", "ebitda revenue"),
        "EBITDA margin",
    ),
    "net_margin_pct": (
        "pct",
        names("net_margin", "net_income margin", "margin", "net_income revenue"),
        "net margin",
    ),
    "roe_pct": ("pct", names("roe_average", "roe average_equity", "roe"), "return on average equity"),
    "roe_ending_equity_pct": (
        "pct",
        names("roe_ending", "roe ending_equity", "roe"),
        "return on ending equity",
    ),
    "debt_to_equity": ("ratio", names("debt_to_equity", "total_debt equity"), "debt-to-equity"),
    "equity_ratio_pct": ("pct", names("equity_ratio", "equity total_assets"), "equity ratio"),
    "fcf_growth_pct": ("pct", names("free_cash_flow growth"), "free cash flow growth"),
    "fcf_margin_pct": (
        "pct",
        names("fcf_margin", "free_cash_flow margin", "free_cash_flow revenue"),
        "free cash flow margin",
    ),
    "ocf_to_net_income": (
        "ratio",
        names("operating_cash_flow net_income", "cash_conversion"),
        "operating cash flow / net income",
    ),
    "fcf_to_net_income": ("ratio", names("free_cash_flow net_income"), "free cash flow / net income"),
    "net_debt": ("money", names("net_debt"), "net debt"),
    "current_ratio": ("ratio", names("current_ratio"), "current ratio"),
    "pe_ratio": ("ratio", names("pe"), "P/E"),
    "dividend_yield_pct": ("pct", names("dividend_yield"), "dividend yield"),
    "market_cap": ("money", names("market_cap"), "market capitalisation"),
    "shares_outstanding": ("count", names("shares"), "shares outstanding"),
    "last_price": ("price", names("price"), "last price"),
    "price": ("price", names("price", "stock"), "share price"),
    "change": ("price", names("price growth", "stock growth"), "price change"),
    "change_pct": ("pct", names("stock growth", "price growth", "performance", "growth"), "price change"),
    "eps_growth_pct": ("pct", names("eps growth"), "EPS growth"),
    "overall_score": ("count", names("score"), "overall score"),
    "source_rating": ("count", names("score", "consensus"), "the source's rating"),
    "price_target": ("price", names("price_target"), "price target"),
    "analysts": ("count", names("analysts"), "analysts"),
    "macd": ("ratio", names("macd"), "MACD"),
    "macd_signal": ("ratio", names("macd_signal"), "MACD signal line"),
    "macd_hist": ("ratio", names("macd_hist"), "MACD histogram"),
    "rsi_14": ("ratio", names("rsi"), "14-day RSI"),
    "stoch_k": ("ratio", names("stoch_k"), "stochastic %K"),
    "stoch_d": ("ratio", names("stoch_d"), "stochastic %D"),
    "high_52w": ("price", names("high_52w", "range_52w"), "52-week high"),
    "low_52w": ("price", names("low_52w", "range_52w"), "52-week low"),
    "volatility_pct": ("pct", names("volatility"), "annualised volatility"),
    **{f"sma_{n}": ("price", names(f"sma_{n}", "sma"), f"{n}-day SMA") for n in (20, 50, 100, 200)},
    **{f"ema_{n}": ("price", names(f"ema_{n}", "ema"), f"{n}-day EMA") for n in (20, 50)},
}
# Concepts that rule a fact out when its sentence's clause names them: the other definition of the same idea
# ("return on equity ... on ending equity" is not the average-equity ROE).
EXCLUDES: dict[str, frozenset[str]] = {
    "roe_pct": frozenset({"roe_ending", "ending_equity"}),
    "roe_ending_equity_pct": frozenset({"roe_average", "average_equity"}),
}
_WINDOW_DAYS = {
    **{f"sma_{n}": n for n in (20, 50, 100, 200)},
    **{f"ema_{n}": n for n in (20, 50)},
    "rsi_14": 14,
    "high_52w": 364,
    "low_52w": 364,
}
_WINDOW_LENGTH = {"1M": 365.25 / 12, "3M": 365.25 / 4, "6M": 365.25 / 2, "1Y": 365.25}
_SUBSCORE_NAMES: dict[str, Names] = {
    "income_statement": names("score_income_statement"),
    "balance_sheet": names("score_balance_sheet"),
    "cash_flow": names("cash_flow"),
    "technicals": names("score_technicals"),
    "valuation": names("score_valuation"),
    "earnings_call": names("score_earnings_call", "call"),
    "corporate_events": names("events"),
}


@dataclass(frozen=True)
class Fact:
    """A number from the sources. `value` is signed, in units (money) or percent (pct) or a yyyy/yyyymmdd date.

    `exact`: stated by a source as written (compared by rounding only); computed facts get a tolerance.
    `change`: a growth/change figure, so the direction words of a sentence are checked against its sign.
    `signed`: False for numbers read from prose, whose sign is carried by words ("fell 3.5%").
    `names` / `words`: what a sentence must say to be about this fact (see match.py); `label` is for people.
    `unit`: a date's precision ("day", "month", "year") or a duration's length in days (as text).
    """

    value: float
    kind: FactKind
    source: str
    currency: str | None = None
    exact: bool = True
    change: bool = False
    signed: bool = True
    names: Names = ()
    excludes: frozenset[str] = frozenset()  # concepts that, named in the clause, mean another fact (EXCLUDES)
    words: frozenset[str] = frozenset()
    required: frozenset[str] = frozenset()
    context: frozenset[str] = frozenset()
    inherited: frozenset[str] = frozenset()
    entity: str | None = None
    period: str | None = None
    year: int | None = None
    window: str | None = None
    label: str = ""
    unit: str | None = None
    sentence: str | None = None  # for a number read from prose: which source sentence ("transcript#12")
    # A number read from prose to 3 significant figures or more: the unit of its last written digit (0.1e9 in
    # "$11.3 billion"). The source rounded it there, so a finer figure that rounds to it agrees with it
    # ("$11.33 billion"); fewer figures ("$11 billion") would let too many values through.
    precision: float | None = None
    # A number read from prose, qualified by its source clause (qualifiers.py): "yoy"/"qoq", "share"/"change",
    # "up"/"down", and the quarter or half it is about (`period` "quarter" | "half" | "year").
    basis: str | None = None
    role: str | None = None
    direction: str | None = None
    period_number: int | None = None
    # For a bundle line the metrics also define ("TTM/free_cash_flow", "valuation/pe_ratio"): the metrics'
    # figure (or their refusal) replaces it, so one concept has one value (`FactIndex.with_metrics`).
    concept: str | None = None
    # For a number read from prose: the level its change moved to and the noun it counts (pairing.py).
    paired: Pairing = NO_PAIRING

    @property
    def from_text(self) -> bool:
        return self.source.startswith("text:")


@dataclass(frozen=True)
class PeriodInfo:
    label: str  # "TTM", "FY2024"
    kind: str  # "TTM" | "FY"
    fiscal_year: int | None
    end: dt.date


@dataclass
class FactIndex:
    facts: list[Fact]
    identifiers: tuple[str, ...] = ()
    lexicon: Lexicon = field(default_factory=Lexicon)
    periods: tuple[PeriodInfo, ...] = ()
    _abs: list[float] = field(init=False, repr=False)
    _sorted: list[Fact] = field(init=False, repr=False)

    names: frozenset[frozenset[str]] = frozenset()  # the names the source texts write (source_names)
    scope_words: frozenset[str] = field(init=False, repr=False)
    scope_links: dict[str, frozenset[str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._sorted = sorted(self.facts, key=lambda f: abs(f.value))
        self._abs = [abs(f.value) for f in self._sorted]
        # Words the sources use to narrow a measure ("public" cloud revenue, revenue from "Xiaomi").
        self.scope_words = frozenset(w for f in self.facts for w in f.required)
        # And the distinctive words each scope word goes with in the sources ("external" sales to "Kyndryl"):
        # a sentence may call a source's figure by the source's own scope for the same thing (match.py).
        links: dict[str, set[str]] = {}
        for f in self.facts:
            plain = {w for w in f.words if not w.startswith("c:")} - f.required
            for w in f.required:
                links.setdefault(w, set()).update(plain)
        self.scope_links = {w: frozenset(v) for w, v in links.items()}

    def near(self, magnitude: float, half_width: float) -> list[Fact]:
        """Facts whose |value| lies in [magnitude - half_width, magnitude + half_width]."""
        lo = bisect.bisect_left(self._abs, magnitude - half_width)
        hi = bisect.bisect_right(self._abs, magnitude + half_width)
        return self._sorted[lo:hi]

    @property
    def headline(self) -> str | None:
        """The period a sentence means when it names none: the latest TTM when there is one, else the latest
        fiscal year."""
        for kind in ("TTM", "FY"):
            latest = sorted((p for p in self.periods if p.kind == kind), key=lambda p: p.end)
            if latest:
                return latest[-1].label
        return None

    def prior_of(self, label: str | None) -> str | None:
        """The period a year before `label` (the headline when None): "a year earlier". Like for like only: a
        period of the same length ending a year (+-45 days) before, the same kind first (TTM to Sep 2016
        before TTM to Sep 2017). A fiscal year that ends nine months before a TTM overlaps it and is not "a
        year earlier" (issue 13: no overlapping comparisons), so there may be none."""
        anchor = next((p for p in self.periods if p.label == (label or self.headline)), None)
        if anchor is None:
            return None
        a_year_before = [p for p in self.periods if abs((anchor.end - p.end).days - 365) <= 45]
        a_year_before.sort(key=lambda p: p.kind != anchor.kind)
        return a_year_before[0].label if a_year_before else None

    def with_facts(self, extra: Iterable[Fact]) -> FactIndex:
        return FactIndex([*self.facts, *extra], self.identifiers, self.lexicon, self.periods, self.names)

    def with_metrics(self, metrics: Metrics) -> FactIndex:
        """This index plus the facts of `metrics`: what `build_fact_index(loaded, metrics)` gives, without
        extracting the bundle's and the source texts' facts again (narrate needs an index before and after the
        rescore; the text extraction was ~25% of a report's time).

        A bundle line whose concept the metrics define is left out: the metrics' figure stands for it, and a
        figure the metrics refuse ("insufficient data": HK's free cash flow with no capex deducted) verifies
        nothing, whatever the bundle's raw line says."""
        defined = metric_concepts(metrics)
        kept = [f for f in self.facts if f.concept is None or f.concept not in defined]
        return FactIndex(
            [*kept, *metrics_facts(metrics, self.periods)],
            self.identifiers,
            self.lexicon,
            self.periods,
            self.names,
        )


def _date_facts(value: dt.date, source: str, base: Fact) -> list[Fact]:
    return [
        Fact(
            float(value.year * 10_000 + value.month * 100 + value.day),
            "date",
            source,
            names=base.names,
            words=base.words,
            period=base.period,
            year=value.year,
            label=base.label,
            unit="day",
        ),
        Fact(
            float(value.year * 10_000 + value.month * 100),
            "date",
            source,
            names=base.names,
            words=base.words,
            period=base.period,
            year=value.year,
            label=base.label,
            unit="month",
        ),
        Fact(
            float(value.year),
            "date",
            source,
            names=base.names,
            words=base.words,
            period=base.period,
            year=value.year,
            label=base.label,
            unit="year",
        ),
    ]


def _walk(model: object, path: str) -> Iterator[tuple[str, str, object, BaseModel | None]]:
    """(path, field name, value, owner) for every leaf of a Pydantic model tree."""
    if isinstance(model, BaseModel):
        for name in type(model).model_fields:
            yield from _walk_value(getattr(model, name), f"{path}.{name}" if path else name, name, model)
    elif isinstance(model, list):
        for i, item in enumerate(model):
            yield from _walk(item, f"{path}[{i}]")


def _walk_value(
    value: object, path: str, name: str, owner: BaseModel
) -> Iterator[tuple[str, str, object, BaseModel | None]]:
    if isinstance(value, (BaseModel, list)):
        yield from _walk(value, path)
    else:
        yield path, name, value, owner


def _tokens_with_concepts(text: str, lexicon: Lexicon, mentions: Sequence[Mention]) -> frozenset[str]:
    concepts = {f"c:{m.key}" for m in mentions if not m.key.startswith("entity:") and m.key not in QUALIFIERS}
    return frozenset(concepts) | content_tokens(text, lexicon, [(m.start, m.end) for m in mentions])


_ANAPHORA = re.compile(r"\b(?:this|these|its|such|which)\b", re.I)


@dataclass(frozen=True)
class SourceWords:
    words: frozenset[str]  # distinctive words and concepts ("c:revenue") of the number's clause
    required: frozenset[
        str
    ]  # scope words around its subject ("public" in "public cloud revenue"): one must be said
    context: frozenset[str]  # the distinctive words of its source sentence and the two before it
    inherited: frozenset[str] = frozenset()  # measures of the sentence before, when its own names none
    clause: str = ""  # the source clause, quoted in the fact's label


def _source_words(
    sentence: str,
    at: int,
    numbers: Sequence[tuple[int, int]],
    lexicon: Lexicon,
    before: frozenset[str] = frozenset(),
    mentions: Sequence[Mention] | None = None,
    frames: bool = False,
) -> SourceWords:
    """What names the number at `at` of a source sentence (numbers left out): the words of its clause; when
    that clause has none ("representing a year-over-year growth of 24%"), those of the sentence's first clause
    ("Q2 revenue reached RMB 2.35 billion"); when it points back ("this segment", "its"), the words of the
    clause before it are its scope. `frames`: a year or period label, whose clause, when it names no measure
    ("As we look to 2022, we expect mid-single-digit revenue growth"; "For free cash flow, we expect to
    generate $10 billion in 2022"), is the time of the whole sentence, so the sentence's words name it."""
    original = sentence
    for s, e in numbers:
        sentence = sentence[:s] + " " * (e - s) + sentence[e:]
    found = lexicon.mentions(original) if mentions is None else mentions
    cuts = clause_cuts(original, numbers, found)
    lo = max(c for c in cuts if c <= at)
    hi = min((c for c in cuts if c > at), default=len(sentence))

    def read(a: int, b: int) -> tuple[frozenset[str], frozenset[str]]:
        piece = sentence[a:b]
        mentions = [Mention(m.key, m.start - a, m.end - a) for m in found if a <= m.start and m.end <= b]
        spans = [(s - a, e - a) for s, e in numbers if a <= s < b]
        return _tokens_with_concepts(piece, lexicon, mentions), modifiers(
            piece, mentions, lexicon, spans
        ).words

    words, required = read(lo, hi)
    if words and _ANAPHORA.search(sentence[lo:hi]) and lo > 0:
        start = max(c for c in cuts if c < lo)
        prev_words, _ = read(start, lo)
        words, required = (
            words | prev_words,
            required | frozenset(w for w in prev_words if not w.startswith("c:")),
        )
    elif not words:
        words, required = read(0, cuts[1])
    # A sentence that names nothing continues the one before ("we are raising again our guide to $26.3
    # billion" after a sentence about revenue): that sentence's measures are kept apart, a weaker name.
    inherited = before if not words else frozenset()
    if not words or (frames and not _measures(words)):
        # a clause of numbers alone, or a time that frames the sentence: the whole sentence says what it is
        words, required = read(0, len(sentence))
    return SourceWords(words, required, words, inherited, " ".join(original[lo:hi].strip(" ,;:").split()))


def _measures(words: frozenset[str]) -> bool:
    return any(w.startswith("c:") and w[2:] in MEASURES for w in words)


_TOPIC_SENTENCES = 3  # how far back a sentence with no figure still sets the topic ("Turning to Display.")


@dataclass(frozen=True)
class SourceCall:
    """The earnings call a bundle's call notes and transcript report: its quarter and year (Q2-2025)."""

    quarter: int | None
    year: int | None


def _qualified(
    n: WrittenNumber, clause: str, before: Sequence[str], sentence: str, where: str, call: SourceCall
) -> dict[str, object]:
    """Basis, role, direction and period of a number read from prose (qualifiers.py), from its own clause.
    The period, when the clause names none, is the one the nearest clause before it names ("For the quarter,
    EPS increased 3.9%"; "a full year EPS of $4.96, up 11.7%"); a call's notes default to the call's quarter."""
    q: dict[str, object] = {}
    if n.kind == "pct":
        q["basis"] = basis_of(clause) or basis_of(sentence)
        q["role"] = role_of(clause)
        q["direction"] = direction_of(clause) if q["role"] == "change" else None
    period = period_of(clause, call.year)
    for earlier in reversed(before):
        if period is not None:
            break
        period = period_of(earlier, call.year)
    if period is None and where.startswith("earnings_call"):
        period = TextPeriod("quarter", call.quarter, call.year)
    if period is not None:
        number = period.number
        if period.kind == "quarter" and number is None and period.year == call.year:
            number = call.quarter  # "this quarter" on the call is the call's quarter
        q.update(period=period.kind, year=period.year, period_number=number)
    return q


def text_facts(
    texts: Iterable[tuple[str, str]],
    identifiers: Sequence[str] = (),
    lexicon: Lexicon | None = None,
    call: SourceCall = SourceCall(None, None),
) -> list[Fact]:
    """Facts from prose: each written number of each (where, text) pair, source `text:<where>`, named by the
    words of its own clause (see `_source_words`) and qualified by it (`_qualified`: yoy/qoq, a share or a
    change, up or down, the quarter, half or year). `context` holds the topic words: those of the text's title
    (a call note's "Enterprise Cloud Growth") and of clauses and recent sentences that hold no figure
    ("Turning to Display."), never words that qualify another number ("public" in "..., with public cloud
    revenue increasing by 32%" is not the scope of the sentence's 24%)."""
    lex = lexicon or Lexicon()
    facts: list[Fact] = []
    texts = list(texts)
    titles = {where.removesuffix(".title"): text for where, text in texts if where.endswith(".title")}
    for where, text in texts:
        title = titles.get(where.removesuffix(".text")) if where.endswith(".text") else None
        heading = content_tokens(title, lex) if title else frozenset()
        previous: frozenset[str] = frozenset()  # measures named by the sentence before
        topics: list[frozenset[str]] = []  # the words of recent sentences with no figure
        for i, (_, sentence) in enumerate(split_sentences(text)):
            found = scan(sentence, identifiers)
            norm = found.normalised.text
            spans = [(n.nstart, n.nend) for n in found.numbers]
            mentions = lex.mentions(norm)
            figures = [(n.nstart, n.nend) for n in found.numbers if n.kind != "period" and not n.is_year]
            cuts = clause_cuts(norm, spans, mentions)
            here = _numberless_words(norm, cuts, figures, lex)
            context = heading | here | frozenset().union(*topics)
            for i_n, n in enumerate(found.numbers):
                frames = n.is_year or n.kind == "period"
                source = _source_words(norm, n.nstart, spans, lex, previous, mentions, frames)
                lo = max(c for c in cuts if c <= n.nstart)
                before = [norm[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if b <= lo]
                qualified = _qualified(
                    n, norm[lo : min(c for c in cuts if c > n.nstart)], before, norm, where, call
                )
                for f in _facts_from_written(n, f"text:{where}", source, f"{where}#{i}"):
                    facts.append(
                        replace(
                            f,
                            context=context,
                            paired=pairing(norm, found.numbers, i_n, cuts),
                            **qualified,  # type: ignore[arg-type]
                        )
                    )
            topic = here if figures else _topic_words(norm, lex)
            topics = [*topics, topic][-_TOPIC_SENTENCES:]
            previous = frozenset(f"c:{m.key}" for m in mentions if m.key in MEASURES) or previous
    return facts


_NAME_RUN = re.compile(r"(?<![A-Za-z])[A-Z][A-Za-z'&.-]*(?:\s+(?:(?:and|of|&)\s+)?[A-Z][A-Za-z'&.-]*)*")
_ROUNDUP_NAMES = 3  # a sentence naming more parts than this lists them; it is no single part's topic


def _topic_words(sentence: str, lexicon: Lexicon) -> frozenset[str]:
    """The topic a sentence with no figure sets for the next ones ("Turning to Display."): its words, unless it
    runs through the parts one by one ("Personal Health Care up double-digits; Fabric Care grew high-singles;
    Baby Care, Feminine Care and Grooming up mid-singles; ..."), which makes none of them the topic of the
    company's figures that follow."""
    names = [m for m in _NAME_RUN.finditer(sentence) if m.start() > 0]
    return frozenset() if len(names) > _ROUNDUP_NAMES else content_tokens(sentence, lexicon)


def _numberless_words(
    sentence: str, cuts: Sequence[int], figures: Sequence[tuple[int, int]], lexicon: Lexicon
) -> frozenset[str]:
    """The distinctive words of the clauses of `sentence` (cut at `cuts`, see clause_cuts) that hold no figure
    (its setting, a topic)."""
    words: set[str] = set()
    for a, b in zip(cuts, cuts[1:], strict=False):
        if not any(a <= s < b for s, _ in figures):
            words |= content_tokens(sentence[a:b], lexicon)
    return frozenset(words)


def _quote(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


_SOURCE_NAMES = {
    "earnings_call": "earnings call",
    "transcript": "transcript",
    "events": "event",
    "profile": "company description",
    "risk_factors": "risk factors",
    "prompt": "transcript",
}


_SOURCE_ROUNDED_FIGURES = 3  # see Fact.precision


def _facts_from_written(n: WrittenNumber, source: str, sw: SourceWords, sentence_id: str) -> list[Fact]:
    currency = next(iter(n.currency)) if n.currency and len(n.currency) == 1 else None
    words = sw.words
    where = re.split(r"[.\[]", source.removeprefix("text:"))[0]
    label = f'{_SOURCE_NAMES.get(where, "source text")}: "{_quote(sw.clause)}"'
    base = dict(
        words=words,
        required=sw.required,
        context=sw.context,
        label=label,
        sentence=sentence_id,
        inherited=sw.inherited,
    )
    if n.kind == "date":
        value = int(n.value)
        y = value if n.unit == "year" else value // 10_000
        return [Fact(n.value, "date", source, unit=n.unit, year=y, **base)]  # type: ignore[arg-type]
    if n.kind == "period":
        return [Fact(n.value, "period", source, **base)]  # type: ignore[arg-type]
    if n.kind == "duration":
        days = n.num * DAYS[n.unit or "day"]
        return [Fact(days, "duration", source, unit=n.unit, **base)]  # type: ignore[arg-type]
    kind: FactKind = "money" if n.kind == "money" else n.kind
    fact = Fact(
        n.value,
        kind,
        source,
        currency,
        exact=True,
        signed=n.negative,
        precision=10.0**-n.decimals * n.scale if n.sig_figs >= _SOURCE_ROUNDED_FIGURES else None,
        **base,  # type: ignore[arg-type]
    )
    return [fact]


def _period_of(path: str, loaded: LoadedBundle) -> tuple[str | None, int | None]:
    m = re.match(r"financials\.periods\[(\d+)\]", path)
    if not m or loaded.bundle.financials is None:
        return None, None
    p = loaded.bundle.financials.periods[int(m.group(1))]
    return p.label, p.fiscal_year or p.end.year


def _entity_of(path: str) -> str | None:
    m = re.match(r"peers\[(\d+)\]", path)
    return f"peer:{m.group(1)}" if m else None


def _bundle_number(
    path: str,
    name: str,
    value: float,
    owner: BaseModel | None,
    loaded: LoadedBundle,
    fin_currency: str | None,
    fin_scale: float,
) -> Fact | None:
    b = loaded.bundle
    period, year = _period_of(path, loaded)
    entity = _entity_of(path)
    if path.startswith("risk_factors."):
        kind: FactKind = "count"
        nm = names("risk_factors new", "new") if name == "new_count" else names("risk_factors")
        label = "new risk factors" if name == "new_count" else "risk factors"
    elif path == "financials.periods" or name == "fiscal_year":
        return None  # a period's year: a date fact (see _bundle_facts)
    elif name in FIELDS:
        kind, nm, label = FIELDS[name]
    else:
        kind, nm, label = "money", (), name.replace("_", " ")
    currency: str | None = None
    v = float(value)
    if kind in ("money", "per_share", "price"):
        if path.startswith("financials.") and kind == "money":
            currency, v = fin_currency, v * fin_scale
        elif path.startswith("financials."):
            currency = fin_currency
        else:
            currency = getattr(owner, "currency", None) or b.profile.currency
    if entity is not None:
        label = f"{peer_names(loaded)[int(entity.split(':')[1])]}: {label}"
    elif period is not None:
        label = f"{period} {label}"
    concept = (
        f"{period}/{name}"
        if period is not None and path.startswith("financials.")
        else f"valuation/{name}"
        if path.startswith("market.")
        else None
    )
    return Fact(
        v,
        kind,
        path,
        currency,
        change=any(w in name for w in _CHANGE_WORDS),
        names=nm,
        entity=entity,
        period=period,
        year=year,
        label=label,
        concept=concept,
    )


def _bundle_facts(loaded: LoadedBundle, lexicon: Lexicon) -> tuple[list[Fact], list[tuple[str, str]]]:
    b = loaded.bundle
    fin_currency = b.financials.currency if b.financials else None
    fin_scale = b.financials.scale.factor if b.financials else 1.0
    facts: list[Fact] = []
    texts: list[tuple[str, str]] = []
    for path, name, value, owner in _walk(b, ""):
        if isinstance(value, bool) or value is None or name in _BOOKKEEPING:
            continue
        if isinstance(value, dt.date):
            facts += _date_facts(value, path, _date_base(path, name, loaded, lexicon))
        elif isinstance(value, str):
            if name not in _SKIP_TEXT or path.endswith(".title"):
                texts.append((path, value))
        elif isinstance(value, (int, float)):
            if name == "fiscal_year":
                period, _ = _period_of(path, loaded)
                facts.append(
                    Fact(
                        float(value),
                        "date",
                        path,
                        names=names("period_end"),
                        period=period,
                        year=int(value),
                        label=f"{period} fiscal year",
                        unit="year",
                    )
                )
                continue
            fact = _bundle_number(path, name, value, owner, loaded, fin_currency, fin_scale)
            if fact is not None:
                facts.append(fact)
    if b.financials:
        for i, p in enumerate(b.financials.periods):
            value = (p.fiscal_year or p.end.year) * 10 if p.kind == "FY" else p.end.year * 100 + p.end.month
            facts.append(
                Fact(
                    float(value),
                    "period",
                    f"financials.periods[{i}]",
                    label=f"{p.label} (a period of the statements)",
                )
            )
    if b.earnings_call and b.earnings_call.quarter:
        facts += call_quarter_facts(b.earnings_call.quarter)
    if b.events:
        facts.append(
            Fact(
                float(len(b.events)),
                "count",
                "events (count)",
                names=names("events"),
                label="corporate events in the bundle",
            )
        )
    if b.peers:
        facts.append(
            Fact(
                float(len(b.peers)),
                "count",
                "peers (count)",
                names=names("peers"),
                label="peers in the bundle",
            )
        )
    return facts, texts


def _date_base(path: str, name: str, loaded: LoadedBundle, lexicon: Lexicon) -> Fact:
    """Names, words and period of a bundle date (the value is filled in by _date_facts)."""
    b = loaded.bundle
    period, _ = _period_of(path, loaded)
    m = re.match(r"events\[(\d+)\]", path)
    if m:
        title = b.events[int(m.group(1))].title
        return Fact(
            0.0,
            "date",
            path,
            names=names("events"),
            words=_tokens_with_concepts(title, lexicon, lexicon.mentions(title)),
            label=f'event: "{_quote(title)}"',
        )
    if path.startswith("earnings_call."):
        nm = names("call next", "next") if name == "next_date" else names("call")
        return Fact(
            0.0,
            "date",
            path,
            names=nm,
            label="next earnings call" if name == "next_date" else "earnings call",
        )
    if path.startswith("financials."):
        nm = names("filed") if name == "filed" else names("period_end")
        return Fact(0.0, "date", path, names=nm, period=period, label=f"{period} {name}")
    if path.startswith("consensus."):
        return Fact(0.0, "date", path, names=names("consensus", "price_target"), label="consensus date")
    return Fact(0.0, "date", path, names=names("as_of", "price"), label="data as of")


def _figure_fact(
    fig: Figure,
    source: str,
    name: str,
    money_currency: str | None,
    money_scale: float,
    price_currency: str,
    period: str | None = None,
    year: int | None = None,
) -> Fact | None:
    if fig.status != "ok" or fig.value is None:
        return None
    kinds: dict[str, FactKind] = {
        "pct": "pct",
        "ratio": "ratio",
        "money": "money",
        "price": "price",
        "count": "count",
        "per_share": "per_share",
    }
    kind = kinds[fig.unit]
    value, currency = fig.value, None
    if fig.unit == "money":
        value, currency = fig.value * money_scale, money_currency
    elif fig.unit == "per_share":
        currency = money_currency
    elif fig.unit == "price":
        currency = price_currency
    _, nm, label = FIELDS.get(name, (kind, (), name.replace("_", " ")))
    return Fact(
        value,
        kind,
        source,
        currency,
        exact=False,
        change=any(w in source for w in _CHANGE_WORDS),
        names=nm,
        excludes=EXCLUDES.get(name, frozenset()),
        period=period,
        year=year,
        label=f"{period} {label}" if period else label,
    )


def metric_concepts(m: Metrics) -> frozenset[str]:
    """The concepts the metrics define, whatever their status ("TTM/free_cash_flow", "valuation/pe_ratio"):
    bundle lines of these concepts give way to the metrics (`FactIndex.with_metrics`)."""
    out = {f"valuation/{k}" for k in m.valuation}
    if m.fundamentals:
        out |= {f"{p.label}/{k}" for p in m.fundamentals.periods for k in p.figures}
    return frozenset(out)


def metrics_facts(m: Metrics, periods: Sequence[PeriodInfo] = ()) -> list[Fact]:
    facts: list[Fact] = []
    add = facts.append
    years = {p.label: p.fiscal_year or p.end.year for p in periods}
    if m.fundamentals:
        scale = Scale(m.fundamentals.scale).factor
        # roe_pct divides by the equity `roe_basis` names: on ending equity it is named as ending-equity ROE
        roe_as = "roe_ending_equity_pct" if m.fundamentals.roe_basis == "ending_equity" else "roe_pct"
        for p in m.fundamentals.periods:
            for key, fig in p.figures.items():
                f = _figure_fact(
                    fig,
                    f"metrics.fundamentals.{p.label}.{key}",
                    roe_as if key == "roe_pct" else key,
                    m.fundamentals.currency,
                    scale,
                    m.price_currency,
                    p.label,
                    years.get(p.label, p.end.year),
                )
                if f:
                    add(f)
                    if key == "net_debt":  # "net cash of RMB 540 million" is a net debt of -540 million
                        add(
                            Fact(
                                -f.value,
                                "money",
                                f.source,
                                f.currency,
                                exact=False,
                                names=names("net_cash"),
                                period=f.period,
                                year=f.year,
                                label=f"{p.label} net cash",
                            )
                        )
    for key, fig in m.valuation.items():
        # Valuation money (market cap) is in the price currency, units.
        f = _figure_fact(fig, f"metrics.valuation.{key}", key, m.price_currency, 1.0, m.price_currency)
        if f:
            add(f)
    # Indicators and returns are computed from full-precision prices (or copied from a source): nothing about
    # them is rounded before they are computed, so they are compared by rounding, with no tolerance.
    t = m.technicals
    if t.as_of is not None:  # the day the prices end: prose names it when they are stale
        facts += _date_facts(
            t.as_of,
            "metrics.technicals.as_of",
            Fact(0.0, "date", "", names=names("as_of", "price"), label="prices as of"),
        )
    if t.last_price is not None:
        add(
            Fact(
                t.last_price,
                "price",
                "metrics.technicals.last_price",
                m.price_currency,
                names=FIELDS["last_price"][1],
                label="last price",
            )
        )
    for key, v in t.values.items():
        if v is None:
            continue
        kind, nm, label = FIELDS.get(key, ("ratio", (), key))
        add(
            Fact(
                v,
                kind,
                f"metrics.technicals.values.{key}",
                m.price_currency if kind == "price" else None,
                names=nm,
                label=label,
            )
        )
        if key in _WINDOW_DAYS:
            add(
                Fact(
                    float(_WINDOW_DAYS[key]),
                    "duration",
                    f"metrics.technicals.values.{key}",
                    names=nm,
                    label=f"{label} window",
                )
            )
    performance = (
        ("stock_pct", names("stock growth", "performance", "entity:company growth"), "stock"),
        ("benchmark_pct", names("entity:benchmark"), "benchmark"),
        ("relative_pct", names("relative"), "stock vs benchmark"),
    )
    for row in t.performance:
        if row.window in _WINDOW_LENGTH and row.stock_pct is not None:
            add(
                Fact(
                    _WINDOW_LENGTH[row.window],
                    "duration",
                    f"metrics.technicals.performance.{row.window}",
                    names=tuple(n for _, nm, _ in performance for n in nm),
                    label=f"{row.window} performance window",
                )
            )
        for col, nm, label in performance:
            v = getattr(row, col)
            if v is not None:
                add(
                    Fact(
                        v,
                        "pct",
                        f"metrics.technicals.performance.{row.window}.{col}",
                        change=True,
                        names=nm,
                        window=row.window,
                        entity="benchmark" if col == "benchmark_pct" else None,
                        label=f"{row.window} {label} performance",
                    )
                )
    add(
        Fact(
            float(m.score.overall),
            "count",
            "metrics.score.overall",
            names=names("score"),
            label="overall score",
        )
    )
    facts += _age_facts(m)
    add(
        Fact(
            m.score.coverage_pct,
            "pct",
            "metrics.score.coverage_pct",
            exact=False,
            names=names("coverage", "score weight"),
            label="share of the nominal weight the score covers",
        )
    )
    influence = m.score.model_influence
    if influence is not None:  # the report's own figures about the model-read labels (docs/metrics.md)
        for value, field_name, nm, label in (
            (
                influence.without,
                "without",
                names("model_read score", "model_read"),
                "score without the model-read parts",
            ),
            (
                influence.neutral,
                "neutral",
                names("model_read neutral_labels", "neutral_labels score"),
                "score with the model-read labels at Neutral",
            ),
            (
                abs(influence.shift),
                "shift",
                names("model_read growth", "model_read score"),
                "points the model-read labels moved the score",
            ),
            (
                influence.bound_points,
                "bound_points",
                names("model_read bound", "bound score"),
                "most points the model-read labels can move the score",
            ),
        ):
            if value is not None:
                add(
                    Fact(
                        float(value),
                        "count",
                        f"metrics.score.model_influence.{field_name}",
                        signed=False,
                        names=nm,
                        label=label,
                    )
                )
    add(
        Fact(
            100.0,
            "count",
            "metrics.score (scale)",
            names=names("score"),
            label="top of the 0-100 score scale",
        )
    )
    for s in m.score.subscores:
        sub_names = _SUBSCORE_NAMES.get(s.key, ())
        if s.score is not None:
            add(
                Fact(
                    float(s.score),
                    "count",
                    f"metrics.score.{s.key}",
                    names=sub_names,
                    label=f"{s.title} score",
                )
            )
        if s.weight:
            add(
                Fact(
                    s.weight,
                    "ratio",
                    f"metrics.score.{s.key}.weight",
                    exact=False,
                    names=tuple(alt | {"weight"} for alt in sub_names),
                    label=f"{s.title} weight",
                )
            )
    if m.price_target:
        pt = m.price_target
        add(
            Fact(
                pt.target,
                "price",
                "metrics.price_target.target",
                pt.currency,
                names=names("price_target"),
                label="price target",
            )
        )
        if pt.upside_pct is not None:
            add(
                Fact(
                    pt.upside_pct,
                    "pct",
                    "metrics.price_target.upside_pct",
                    exact=False,
                    change=True,
                    names=names("upside"),
                    label="upside to the price target",
                )
            )
    return facts + _peer_facts(m)


# The words a sentence uses for each dated part of a bundle (metrics.ages), besides "stale" / "old".
_PART_NAMES: dict[str, Names] = {
    "prices": names("price", "as_of"),
    "benchmark": names("entity:benchmark"),
    "technical_snapshot": names("price", "as_of", "technicals", "score_technicals"),
    "market": names("price", "market_cap", "as_of"),
    "statements": names("period_end", "filed"),
    "consensus": names("consensus", "price_target"),
    "earnings_call": names("call"),
    "events": names("events"),
}


def _age_facts(m: Metrics) -> list[Fact]:
    """The ages the report states (metrics.ages: "prices: last day 2022-12-30, 503 trading days before as_of"):
    each part's last date, and how many calendar and trading days before the analysis date it lies. A
    staleness caveat quotes them ("the prices end on 2022-12-30, 503 trading days before the analysis date")."""
    facts: list[Fact] = []
    for age in m.ages:
        nm = (*_PART_NAMES.get(age.part, ()), *names("stale"))
        label = age.part.replace("_", " ")
        facts += _date_facts(
            age.date,
            f"metrics.ages.{age.part}.date",
            Fact(0.0, "date", "", names=nm, label=f"{label}: last date"),
        )
        for days, what in ((age.days, "calendar days"), (age.trading_days, "trading days")):
            if days is not None:
                facts.append(
                    Fact(
                        float(days),
                        "duration",
                        f"metrics.ages.{age.part}.{what.replace(' ', '_')}",
                        names=(*nm, *names("as_of")),
                        label=f"{label}: {what} before the analysis date",
                        unit="day",
                    )
                )
    return facts


_SUFFIXES = re.compile(
    r"\b(?:inc|incorporated|ltd|limited|holdings?|corp|corporation|co|company|group|plc|n\.?v|"
    r"s\.?a|ag|se|class [a-c]|trust|etf)\b\.?|\([^)]*\)|[.,]",
    re.I,
)
_GENERIC_NAME_WORDS = frozenset(
    "the cloud china group global international technologies technology systems "
    "electronic commerce music shares".split()
)


def _peer_facts(m: Metrics) -> list[Fact]:
    """The peer rows computed from the peers' own bundles (entity: that peer) and the sector average (named
    with "peers"). Rows provided by hand are bundle facts already (`peers[2].pe_ratio`)."""
    if m.peers is None:
        return []
    facts: list[Fact] = []
    rows = [r for r in m.peers.rows if r.origin == "computed" and r.listed is not None]
    for row in [*rows, *([m.peers.average] if m.peers.average else [])]:
        average = row.origin == "sector_average"
        where = "metrics.peers.average" if average else f"metrics.peers.{row.ticker}"
        entity = None if average else f"peer:{row.listed}"
        who = "peer median" if average else row.name
        figures: list[tuple[str, Figure]] = list(row.figures.items())
        if row.overall_score is not None:
            figures.append(
                ("overall_score", Figure(value=float(row.overall_score), unit="count", formula="score"))
            )
        if row.source_rating is not None:
            figures.append(
                ("source_rating", Figure(value=float(row.source_rating), unit="count", formula="rating"))
            )
        for key, fig in figures:
            f = _figure_fact(fig, f"{where}.{key}", key, row.currency, 1.0, row.currency or m.price_currency)
            if f is None:
                continue
            nm = tuple(alt | {"peers"} for alt in f.names) if average else f.names
            facts.append(replace(f, names=nm, entity=entity, label=f"{who}: {f.label}"))
    return facts


def _aliases(name: str, extra: Iterable[str] = ()) -> list[str]:
    """ "Kingsoft Cloud Holdings Ltd" -> ["Kingsoft Cloud Holdings Ltd", "Kingsoft Cloud", "Kingsoft"]."""
    short = re.sub(r"\s+", " ", _SUFFIXES.sub(" ", name)).strip()
    out = [name, short]
    first = short.split(" ")[0] if short else ""
    if len(first) >= 3 and first.lower() not in _GENERIC_NAME_WORDS:
        out.append(first)
    return [a for a in dict.fromkeys([*out, *extra]) if a]


def entities_of(loaded: LoadedBundle) -> dict[str, list[str]]:
    """Names a sentence may use for the company, each peer and the benchmark."""
    b = loaded.bundle
    code = b.profile.ticker.split(":")[-1]
    out = {"company": _aliases(b.profile.name, [b.profile.ticker, code, "the company", "the firm"])}
    company_words = {w.lower() for a in out["company"] for w in a.split()}
    for i, (p, name) in enumerate(zip(b.peers, peer_names(loaded), strict=True)):
        peer_code = p.ticker.split(":")[-1]
        aliases = [
            a
            for a in _aliases(name, [p.ticker, peer_code, f"{peer_code}.HK"])
            if a.lower() not in company_words
        ]
        out[f"peer:{i}"] = aliases
    if b.benchmark:
        bench = [*_aliases(b.benchmark.name), "benchmark", "the index", "the market"]
        if b.benchmark.ticker:
            bench.append(b.benchmark.ticker)
        bench += re.findall(r"\(([A-Z]{2,6})\)", b.benchmark.name)
        out["benchmark"] = bench
    else:
        out["benchmark"] = ["benchmark", "the index"]
    return out


def identifiers_of(loaded: LoadedBundle) -> list[str]:
    """Digit-bearing names in the bundle that are not figures: tickers ("HK:3896", "(3896)") and the names
    of the company, its peers and its benchmark ("3M Company", "Acme 2000 Ltd"), as written in full."""
    b = loaded.bundle
    tickers = [b.profile.ticker, *(p.ticker for p in b.peers)]
    if b.benchmark and b.benchmark.ticker:
        tickers.append(b.benchmark.ticker)
    out: list[str] = []
    for t in tickers:
        out.append(t)
        code = t.split(":")[-1]
        if any(c.isdigit() for c in code):
            out += [f"({code})", f"{code}.HK"]
    names = [b.profile.name, *(p.name for p in b.peers), b.benchmark.name if b.benchmark else None]
    out += [n for n in names if n and any(c.isdigit() for c in n) and _NAME_LIKE.fullmatch(n)]
    return out


# A name that may be masked: words, with digits only in short runs glued to letters or standing alone
# ("3M Company", "7-Eleven Inc", "Acme 2000 Ltd", "Fund #3"), and at least one real word. A name that looks
# like a figure ("25.31%", "$2,350,000,000", "Revenue 1.5 billion") is never masked: it would hide that
# figure wherever the prose repeats it.
_NAME_WORD = r"[#(]?(?:[A-Za-z&'.\-]*\d{1,4}[A-Za-z&'\-]*|[^\s\d%$€£¥₹₩]+)[),.]?"
_NAME_LIKE = re.compile(
    rf"(?=.*[A-Za-z]{{2}})(?!.*\d[.,]\d)(?!.*\b(?:million|billion|thousand|trillion|bn|mn)\b)"
    rf"{_NAME_WORD}(?:\s+{_NAME_WORD})*",
    re.IGNORECASE,
)


def periods_of(loaded: LoadedBundle) -> tuple[PeriodInfo, ...]:
    fin = loaded.bundle.financials
    if fin is None:
        return ()
    return tuple(PeriodInfo(p.label, p.kind, p.fiscal_year, p.end) for p in fin.periods)


def call_quarter_facts(quarter: str) -> list[Fact]:
    """The quarter an earnings call reports (`EarningsCall.quarter`, "Q3-2021", the company's own fiscal
    label) as a period fact: a report that names the call's quarter ("Q3 of fiscal 2021") states a fact of
    its input, even where the transcript never says the fiscal year."""
    m = PERIOD_LABEL_RE.search(quarter)
    value = period_value(m) if m else None
    if value is None:
        return []
    return [Fact(value, "period", "earnings_call.quarter", label="quarter of the earnings call")]


def call_of(quarter: str | None, date: dt.date | None = None) -> SourceCall:
    """The quarter and year of an earnings call from its `quarter` ("Q2-2025"); else the call date's year."""
    period = period_of(quarter or "")
    year = period.year if period and period.year else date.year if date else None
    return SourceCall(period.number if period and period.kind == "quarter" else None, year)


def source_call(loaded: LoadedBundle) -> SourceCall:
    """The quarter and year of the bundle's earnings call (its `quarter`, "Q2-2025"; else the call date's year)."""
    call = loaded.bundle.earnings_call
    return SourceCall(None, None) if call is None else call_of(call.quarter, call.date)


def build_fact_index(
    loaded: LoadedBundle, metrics: Metrics | None = None, extra_texts: Sequence[tuple[str, str]] = ()
) -> FactIndex:
    """All facts of a bundle, its metrics, its transcript and any `extra_texts` (where, text) pairs."""
    identifiers = identifiers_of(loaded)
    lexicon = Lexicon(entities_of(loaded))
    facts, texts = _bundle_facts(loaded, lexicon)
    if loaded.transcript_text is not None:
        texts.append(("transcript", loaded.transcript_text))
    texts += list(extra_texts)
    facts += text_facts(texts, identifiers, lexicon, source_call(loaded))
    index = FactIndex(facts, tuple(identifiers), lexicon, periods_of(loaded), source_names(texts, lexicon))
    return index if metrics is None else index.with_metrics(metrics)


def build_text_index(
    texts: Sequence[tuple[str, str]], company: Sequence[str] = (), call_quarter: str | None = None
) -> FactIndex:
    """An index of the numbers in source texts alone (e.g. a transcript for its summary); `company` are the
    names the texts use for the company they are about; `call_quarter` is the quarter of the call the texts
    report, as `EarningsCall.quarter` holds it ("Q3-2021"), read exactly as a bundle's call quarter is."""
    lexicon = Lexicon({"company": tuple(company)} if company else None)
    # The call's quarter is a fact of the input; it does not date the texts' year-less periods: on a Q4 call
    # "for the full year, we expect ..." is the coming year, not the call's.
    facts = text_facts(texts, lexicon=lexicon)
    facts += call_quarter_facts(call_quarter) if call_quarter else []
    return FactIndex(facts, lexicon=lexicon, names=source_names(texts, lexicon))


_CAPITALISED_RUN = re.compile(r"[A-Z][A-Za-z'&.-]*(?:\s+(?:(?:and|of|&)\s+)?[A-Z][A-Za-z'&.-]*)+")
_LOWER_WORD = re.compile(r"(?<![A-Za-z])[a-z][a-z']*")


def source_names(texts: Iterable[tuple[str, str]], lexicon: Lexicon) -> frozenset[frozenset[str]]:
    """The names of two words or more that the texts write in running prose ("In Optical Communications,
    ...", "Life Sciences", "Health Care Benefits"), each as its set of words: a sentence that puts all the
    words of one before a measure narrows it to that part ("optical communications sales"), even in lower
    case. Not names: titles and headings (few lower-case words), vocabulary words ("Adjusted EBITDA Margin"),
    runs holding the company's own name ("CVS Health") and single words (in lower case a single capitalised
    source word is as often a verb: "compname posts revenue" against the call's "Post")."""
    names: set[frozenset[str]] = set()
    for _, text in texts:
        for _, sentence in split_sentences(text):
            runs = [m.group(0) for m in _CAPITALISED_RUN.finditer(sentence)]
            if not runs or len(_LOWER_WORD.findall(sentence)) < 3:
                continue
            for run in runs:
                if content_tokens(run, Lexicon()) & lexicon.entity_words:
                    continue
                vocabulary = [(x.start, x.end) for x in lexicon.mentions(run)]
                tokens = content_tokens(run, lexicon, vocabulary) - _NOT_NAMES
                if len(tokens) > 1:
                    names.add(tokens)
    return frozenset(names)


_NOT_NAMES = frozenset(
    content_tokens(
        "first second third fourth quarter quarters half year fiscal january february march april may june july"
        " august september october november december monday tuesday wednesday thursday friday q ttm",
        Lexicon(),
    )
)
