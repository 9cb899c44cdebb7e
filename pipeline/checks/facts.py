"""Every number the model may legitimately write, with the field it comes from.

Facts come from three places:
  * the bundle, walked field by field (`financials.periods[0].income.net_income`, `peers[2].pe_ratio`, ...);
    statement money is stored in units (value * `financials.scale`) with the statement currency;
  * the metrics (`metrics.fundamentals.TTM.net_margin_pct`, `metrics.technicals.values.rsi_14`,
    `metrics.score.overall`, ...), only figures whose status is ok; these are computed, so `exact=False`;
  * numbers written in source texts (transcript, event summaries, call highlights), source `text:<where>`,
    extracted with the same extractor as the model's prose, since the model may quote them.

The index keeps the facts sorted by absolute value, so a lookup is a binary search plus a short scan.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel

from pipeline.checks.numbers import WrittenNumber, extract_numbers
from pipeline.inputs.load import LoadedBundle
from pipeline.metrics.model import Figure, Metrics

FactKind = Literal["pct", "money", "ratio", "count", "date", "multiple"]

# Bundle string fields that are labels or provenance, not prose the model might quote.
_SKIP_TEXT = {"ticker", "currency", "label", "kind", "source", "transcript", "origin", "website", "exchange",
              "rating", "notes", "name", "sector", "industry", "country", "top_category", "quarter", "category"}
_CHANGE_WORDS = ("growth", "change", "upside", "relative", "stock_pct", "benchmark_pct")
_COUNT_FIELDS = {"total", "new_count", "analysts", "overall_score", "count", "shares_diluted",
                 "shares_outstanding", "score", "overall"}
_RATIO_FIELDS = {"pe_ratio", "macd", "macd_signal", "macd_hist", "rsi_14", "stoch_k", "stoch_d", "weight"}


@dataclass(frozen=True)
class Fact:
    """A number from the sources. `value` is signed, in units (money) or percent (pct) or a yyyy/yyyymmdd date.

    `exact`: stated by a source as written (compared by rounding only); computed facts get a tolerance.
    `change`: a growth/change figure, so the direction words of a sentence are checked against its sign.
    `signed`: False for numbers read from prose, whose sign is carried by words ("fell 3.5%").
    """

    value: float
    kind: FactKind
    source: str
    currency: str | None = None
    exact: bool = True
    change: bool = False
    signed: bool = True


@dataclass
class FactIndex:
    facts: list[Fact]
    identifiers: tuple[str, ...] = ()
    _abs: list[float] = field(init=False, repr=False)
    _sorted: list[Fact] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._sorted = sorted(self.facts, key=lambda f: abs(f.value))
        self._abs = [abs(f.value) for f in self._sorted]

    def near(self, magnitude: float, half_width: float) -> list[Fact]:
        """Facts whose |value| lies in [magnitude - half_width, magnitude + half_width]."""
        lo = bisect.bisect_left(self._abs, magnitude - half_width)
        hi = bisect.bisect_right(self._abs, magnitude + half_width)
        return self._sorted[lo:hi]


def _kind_of(name: str, value: float) -> FactKind:
    if name.endswith("_pct") or name.endswith("pct"):
        return "pct"
    if name in _COUNT_FIELDS or name == "fiscal_year":
        return "date" if name == "fiscal_year" else "count"
    if name in _RATIO_FIELDS:
        return "ratio"
    return "money"


def _date_facts(value: dt.date, source: str) -> list[Fact]:
    return [Fact(float(value.year * 10_000 + value.month * 100 + value.day), "date", source),
            Fact(float(value.year), "date", source)]


def _walk(model: object, path: str) -> Iterator[tuple[str, str, object, BaseModel | None]]:
    """(path, field name, value, owner) for every leaf of a Pydantic model tree."""
    if isinstance(model, BaseModel):
        for name in type(model).model_fields:
            yield from _walk_value(getattr(model, name), f"{path}.{name}" if path else name, name, model)
    elif isinstance(model, list):
        for i, item in enumerate(model):
            yield from _walk(item, f"{path}[{i}]")


def _walk_value(value: object, path: str, name: str, owner: BaseModel) -> Iterator[
        tuple[str, str, object, BaseModel | None]]:
    if isinstance(value, (BaseModel, list)):
        yield from _walk(value, path)
    else:
        yield path, name, value, owner


def text_facts(texts: Iterable[tuple[str, str]], identifiers: Sequence[str] = ()) -> list[Fact]:
    """Facts from prose: each written number of each (where, text) pair, source `text:<where>`."""
    facts: list[Fact] = []
    for where, text in texts:
        for n in extract_numbers(text, identifiers):
            facts.append(_fact_from_written(n, f"text:{where}"))
    return facts


def _fact_from_written(n: WrittenNumber, source: str) -> Fact:
    currency = next(iter(n.currency)) if n.currency and len(n.currency) == 1 else None
    return Fact(n.value, n.kind, source, currency, exact=True, signed=n.negative)


def _bundle_facts(loaded: LoadedBundle) -> tuple[list[Fact], list[tuple[str, str]]]:
    b = loaded.bundle
    fin_currency = b.financials.currency if b.financials else None
    fin_scale = b.financials.scale.factor if b.financials else 1.0
    facts: list[Fact] = []
    texts: list[tuple[str, str]] = []
    for path, name, value, owner in _walk(b, ""):
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, dt.date):
            facts += _date_facts(value, path)
        elif isinstance(value, str):
            if name not in _SKIP_TEXT or path.endswith(".title"):
                texts.append((path, value))
        elif isinstance(value, (int, float)):
            kind = _kind_of(name, float(value))
            currency: str | None = None
            v = float(value)
            if kind == "money":
                if path.startswith("financials.") and name not in ("eps_diluted",):
                    currency, v = fin_currency, v * fin_scale
                elif path.startswith("financials."):
                    currency = fin_currency
                else:
                    currency = getattr(owner, "currency", None) or b.profile.currency
            facts.append(Fact(v, kind, path, currency, change=any(w in name for w in _CHANGE_WORDS)))
    return facts, texts


def _figure_fact(fig: Figure, source: str, money_currency: str | None, money_scale: float,
                 price_currency: str) -> Fact | None:
    if fig.status != "ok" or fig.value is None:
        return None
    kinds: dict[str, FactKind] = {"pct": "pct", "ratio": "ratio", "money": "money", "price": "money", "count": "count"}
    kind = kinds[fig.unit]
    value, currency = fig.value, None
    if fig.unit == "money":
        value, currency = fig.value * money_scale, money_currency
    elif fig.unit == "price":
        currency = price_currency
    return Fact(value, kind, source, currency, exact=False, change=any(w in source for w in _CHANGE_WORDS))


def _metrics_facts(m: Metrics) -> list[Fact]:
    facts: list[Fact] = []
    add = facts.append
    if m.fundamentals:
        scale = {"units": 1.0, "thousands": 1e3, "millions": 1e6, "billions": 1e9}[m.fundamentals.scale]
        for p in m.fundamentals.periods:
            for key, fig in p.figures.items():
                f = _figure_fact(fig, f"metrics.fundamentals.{p.label}.{key}", m.fundamentals.currency, scale,
                                 m.price_currency)
                if f:
                    add(f)
    for key, fig in m.valuation.items():
        # Valuation money (market cap) is in the price currency, units.
        f = _figure_fact(fig, f"metrics.valuation.{key}", m.price_currency, 1.0, m.price_currency)
        if f:
            add(f)
    t = m.technicals
    if t.as_of is not None:  # the day the prices end: prose names it when they are stale
        facts += _date_facts(t.as_of, "metrics.technicals.as_of")
    if t.last_price is not None:
        add(Fact(t.last_price, "money", "metrics.technicals.last_price", m.price_currency, exact=False))
    for key, v in t.values.items():
        if v is None:
            continue
        kind: FactKind = "pct" if key.endswith("_pct") else "ratio" if key in _RATIO_FIELDS else "money"
        add(Fact(v, kind, f"metrics.technicals.values.{key}", m.price_currency if kind == "money" else None,
                 exact=False))
    for row in t.performance:
        for col in ("stock_pct", "benchmark_pct", "relative_pct"):
            v = getattr(row, col)
            if v is not None:
                add(Fact(v, "pct", f"metrics.technicals.performance.{row.window}.{col}", exact=False, change=True))
    add(Fact(float(m.score.overall), "count", "metrics.score.overall"))
    for s in m.score.subscores:
        if s.score is not None:
            add(Fact(float(s.score), "count", f"metrics.score.{s.key}"))
        if s.weight:
            add(Fact(s.weight, "ratio", f"metrics.score.{s.key}.weight", exact=False))
    if m.price_target:
        pt = m.price_target
        add(Fact(pt.target, "money", "metrics.price_target.target", pt.currency))
        if pt.upside_pct is not None:
            add(Fact(pt.upside_pct, "pct", "metrics.price_target.upside_pct", exact=False, change=True))
    return facts


def identifiers_of(loaded: LoadedBundle) -> list[str]:
    """Digit-bearing names in the bundle that are not figures: tickers ("HK:3896", "(3896)")."""
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
    return out


def build_fact_index(loaded: LoadedBundle, metrics: Metrics | None = None,
                     extra_texts: Sequence[tuple[str, str]] = ()) -> FactIndex:
    """All facts of a bundle, its metrics, its transcript and any `extra_texts` (where, text) pairs."""
    identifiers = identifiers_of(loaded)
    facts, texts = _bundle_facts(loaded)
    if loaded.transcript_text is not None:
        texts.append(("transcript", loaded.transcript_text))
    texts += list(extra_texts)
    facts += text_facts(texts, identifiers)
    if metrics is not None:
        facts += _metrics_facts(metrics)
    return FactIndex(facts, tuple(identifiers))


def build_text_index(texts: Sequence[tuple[str, str]]) -> FactIndex:
    """An index of the numbers in source texts alone (e.g. a transcript for its summary)."""
    return FactIndex(text_facts(texts))
