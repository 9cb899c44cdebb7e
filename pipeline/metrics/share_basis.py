"""Per-share figures and prices on one share basis: the basis in force on the bundle's as_of.

A split changes what one share is. EPS, diluted share counts, a dated `market.shares_outstanding`, a dated
consensus price target and a price series that crosses the split are on the old basis before it; P/E,
market cap and dividend yield divide one by the other, so both must be on the same basis (docs/metrics.md,
Share basis). The splits known:

- `bundle.splits`: recorded by `import sec` (from the filings) or `import splits` (by hand);
- an overnight move of the price series the size of a recorded split, within CORROBORATE_DAYS of it: the
  split's exact day (the series is not split-adjusted);
- an overnight move the size of a split ratio (MOVES: 2-for-1 or more, or a 1-for-2 reverse or more) that no
  recorded split explains: a likely unadjusted split, or a crash; the report cannot tell which.

What is restated, to the basis on as_of (x = the product of the ratios of the splits after the part's date):
- a period's diluted EPS / x and diluted shares * x, where its date is `financials.share_basis`, else its
  `filed`, else its `end`; unless its share count already matches a period on the new basis (a source that
  restated it) rather than the restated count;
- `market.shares_outstanding` * x after `market.as_of`; the consensus price target / x after its `as_of`;
- closes, opens, highs and lows before an explained move / its ratio, volume * it.

An unexplained move: indicators and returns use only the prices from that day on, and P/E, market cap and
dividend yield are insufficient data when the per-share figures were filed before it. Likewise when
`market.shares_outstanding` is about a split ratio (2 or more) times the statements' diluted shares: a split
the bundle does not record.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline.inputs.bundle import Bundle, Period, StockSplit, split_words
from pipeline.metrics.types import ShareBasisInfo, SplitApplied
from pipeline.money import format_money

MOVE_RATIOS = (2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0, 12.0, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0, 100.0)
MOVE_TOLERANCE = 0.05  # the overnight ratio within 5% of a split ratio (a day's drift is far smaller)
PERSIST_TOLERANCE = 0.15  # and the day's close still within 15% of it: the move held
CORROBORATE_DAYS = 60  # a recorded split explains a move within this many days of its date
SHARES_TOLERANCE = 0.10  # shares outstanding vs diluted weighted-average shares: buybacks, dilution
ALREADY_RESTATED = 0.25  # a share count within 25% of the new-basis count is on the new basis already


@dataclass(frozen=True)
class PriceMove:
    """An overnight move of a price series the size of a split ratio (`k` new shares per old)."""

    date: dt.date
    prev_close: float
    open: float
    close: float
    k: float

    @property
    def change_pct(self) -> float:
        return (self.open / self.prev_close - 1.0) * 100.0

    def text(self, file: str = "prices.csv") -> str:
        way = "fell" if self.change_pct < 0 else "rose"
        return (
            f"{file}: the price {way} {abs(self.change_pct):.1f}% overnight on {self.date.isoformat()} "
            f"({self.prev_close:,.2f} -> {self.open:,.2f}), the size of a {split_words(self.k)} split"
        )


def split_like_moves(prices: pd.DataFrame | None, extra: tuple[float, ...] = ()) -> list[PriceMove]:
    """Overnight moves of `prices` whose size matches a split ratio of MOVE_RATIOS (or `extra`, e.g. a
    recorded 3-for-2), forward or reverse, and that held through the day's close."""
    if prices is None or len(prices) < 2:
        return []
    close = prices["Close"].to_numpy(dtype=np.float64)
    opens = prices["Open"].to_numpy(dtype=np.float64) if "Open" in prices.columns else close
    prev = close[:-1]
    overnight = prev / np.where(opens[1:] > 0, opens[1:], close[1:])
    day = prev / close[1:]
    ratios = sorted({*MOVE_RATIOS, *(r for r in extra if r > 1)})
    edge = ratios[0] * (1 - MOVE_TOLERANCE)  # the smallest move that could match any ratio
    candidates = np.flatnonzero((overnight >= edge) | (overnight <= 1 / edge))
    out = []
    for i in candidates:
        for k in [*ratios, *(1 / r for r in ratios)]:
            if abs(overnight[i] / k - 1) <= MOVE_TOLERANCE and abs(day[i] / k - 1) <= PERSIST_TOLERANCE:
                out.append(
                    PriceMove(
                        prices.index[i + 1].date(),
                        float(prev[i]),
                        float(opens[i + 1]) if opens[i + 1] > 0 else float(close[i + 1]),
                        float(close[i + 1]),
                        float(k),
                    )
                )
                break
    return out


@dataclass(frozen=True)
class ShareBasis:
    """The bundle and prices on the as_of share basis, and what was done or could not be done. `unexplained`
    are the moves no recorded split explains (prices.csv); `benchmark_moves` those of benchmark.csv (an index
    or fund: its own splits are not the stock's, so every such move is unexplained)."""

    bundle: Bundle
    prices: pd.DataFrame | None
    benchmark: pd.DataFrame | None
    info: ShareBasisInfo
    unexplained: list[PriceMove] = field(default_factory=list)
    benchmark_moves: list[PriceMove] = field(default_factory=list)

    def warnings(self) -> list[str]:
        """What `validate` and `import prices` tell the user about the price files, with what to do."""
        out = [
            f"{m.text()}: the file is likely not split-adjusted. Use a split-adjusted series, or record the "
            "split (`stockreport import splits FILE --out BUNDLE`, columns date,ratio) so earlier prices and "
            f"per-share lines are restated; until then indicators and returns use only prices from "
            f"{self.info.price_from} on, and P/E, market cap and dividend yield are insufficient data"
            for m in self.unexplained
        ]
        out += [
            f"{m.text('benchmark.csv')}: the benchmark file is likely not split-adjusted; use a split-adjusted "
            f"series; until then the comparison uses only benchmark prices from {m.date.isoformat()} on"
            for m in self.benchmark_moves
        ]
        if self.info.problem and not self.unexplained:
            out.append(self.info.problem)
        return out


@dataclass(frozen=True)
class _Event:
    date: dt.date
    ratio: float
    source: str


def _factor(events: list[_Event], after: dt.date, upto: dt.date) -> tuple[float, list[_Event]]:
    used = [e for e in events if after < e.date <= upto]
    return math.prod(e.ratio for e in used), used


def _period_date(period: Period, share_basis: dt.date | None) -> dt.date:
    return share_basis or period.filed or period.end


def _explaining(move: PriceMove, recorded: list[StockSplit]) -> StockSplit | None:
    for s in recorded:
        if abs(s.ratio / move.k - 1) < 0.02 and abs((move.date - s.date).days) <= CORROBORATE_DAYS:
            return s
    return None


def _already_on_new_basis(
    period: Period, factor: float, periods: list[Period], events: list[_Event], share_basis: dt.date | None
) -> bool:
    """The period's share count is near a new-basis period's count, and far from its own restated count."""
    shares = period.income.shares_diluted if period.income else None
    if shares is None or not shares:
        return False
    newest = max(e.date for e in events)
    refs = [
        p.income.shares_diluted
        for p in periods
        if p is not period and p.income and p.income.shares_diluted and _period_date(p, share_basis) >= newest
    ]
    if not refs:
        return False
    ref = refs[0]
    return abs(shares / ref - 1) <= ALREADY_RESTATED and abs(shares * factor / ref - 1) > ALREADY_RESTATED


def _restated_periods(
    bundle: Bundle, events: list[_Event], applied: list[SplitApplied], notes: list[str]
) -> list[Period]:
    fin = bundle.financials
    assert fin is not None
    out = []
    for p in fin.periods:
        when = _period_date(p, fin.share_basis)
        x, used = _factor(events, when, bundle.as_of)
        if x == 1.0 or p.income is None or (p.income.eps_diluted is None and p.income.shares_diluted is None):
            out.append(p)
            continue
        if _already_on_new_basis(p, x, fin.periods, used, fin.share_basis):
            notes.append(
                f"{p.label}: diluted shares already match the periods after the "
                f"{', '.join(split_words(e.ratio) for e in used)} split: taken as restated by the source"
            )
            out.append(p)
            continue
        inc = p.income.model_copy(
            update={
                "eps_diluted": None if p.income.eps_diluted is None else p.income.eps_diluted / x,
                "shares_diluted": None if p.income.shares_diluted is None else p.income.shares_diluted * x,
            }
        )
        out.append(p.model_copy(update={"income": inc}))
        for e in used:
            applied.append(SplitApplied(date=e.date, ratio=e.ratio, part=f"{p.label} diluted EPS and shares"))
    return out


def resolve_share_basis(
    bundle: Bundle, prices: pd.DataFrame | None, benchmark: pd.DataFrame | None = None
) -> ShareBasis:
    """The bundle and price series restated to the as_of share basis (module docstring)."""
    as_of = bundle.as_of
    recorded = [s for s in bundle.splits if s.date <= as_of]
    extra = tuple(s.ratio if s.ratio > 1 else 1 / s.ratio for s in recorded)
    moves = split_like_moves(prices, extra)
    events: list[_Event] = []
    explained: list[tuple[PriceMove, StockSplit]] = []
    unexplained: list[PriceMove] = []
    for m in moves:
        rec = _explaining(m, recorded)
        if rec is not None:
            explained.append((m, rec))
        else:
            unexplained.append(m)
    matched = {id(rec) for _, rec in explained}
    for m, rec in explained:
        events.append(_Event(m.date, rec.ratio, rec.source or "bundle.splits"))
    events += [_Event(s.date, s.ratio, s.source or "bundle.splits") for s in recorded if id(s) not in matched]
    events.sort(key=lambda e: e.date)
    notes: list[str] = []
    applied: list[SplitApplied] = []

    adjusted = prices
    if prices is not None and explained:
        adjusted = prices.copy()
        for m, rec in explained:
            before = adjusted.index < pd.Timestamp(m.date)
            for col in ("Open", "High", "Low", "Close"):
                if col in adjusted.columns:
                    adjusted.loc[before, col] = adjusted.loc[before, col] / rec.ratio
            if "Volume" in adjusted.columns:
                adjusted.loc[before, "Volume"] = adjusted.loc[before, "Volume"] * rec.ratio
            notes.append(
                f"{m.text()}: the recorded {split_words(rec.ratio)} split; closes before "
                f"{m.date.isoformat()} divided by {rec.ratio:g} for indicators and returns"
            )
            applied.append(SplitApplied(date=m.date, ratio=rec.ratio, part="prices before the split"))
    price_from = max((m.date for m in unexplained), default=None)
    if adjusted is not None and price_from is not None:
        adjusted = adjusted[adjusted.index >= pd.Timestamp(price_from)]
        for m in unexplained:
            notes.append(
                f"{m.text()} and no split is recorded: likely a price file that is not split-adjusted; "
                f"indicators and returns use only prices from {price_from.isoformat()} on"
            )

    updates: dict[str, object] = {}
    if bundle.financials is not None and events:
        periods = _restated_periods(bundle, events, applied, notes)
        updates["financials"] = bundle.financials.model_copy(update={"periods": periods})
    if bundle.market and bundle.market.shares_outstanding and bundle.market.as_of and events:
        x, used = _factor(events, bundle.market.as_of, as_of)
        if x != 1.0:
            updates["market"] = bundle.market.model_copy(
                update={"shares_outstanding": bundle.market.shares_outstanding * x}
            )
            applied += [
                SplitApplied(date=e.date, ratio=e.ratio, part="market.shares_outstanding") for e in used
            ]
    if bundle.consensus and bundle.consensus.price_target and bundle.consensus.as_of and events:
        x, used = _factor(events, bundle.consensus.as_of, as_of)
        if x != 1.0:
            updates["consensus"] = bundle.consensus.model_copy(
                update={"price_target": bundle.consensus.price_target / x}
            )
            applied += [SplitApplied(date=e.date, ratio=e.ratio, part="consensus price target") for e in used]
    restated = bundle.model_copy(update=updates) if updates else bundle
    for e in events:
        done = [a.part for a in applied if a.date == e.date]
        eps_of = [p.split(" diluted EPS", 1)[0] for p in done if " diluted EPS" in p]
        other = [p for p in done if " diluted EPS" not in p]
        what = ([f"diluted EPS and shares of {', '.join(eps_of)}"] if eps_of else []) + other
        if what:
            src = "from the SEC filings" if e.source.startswith("SEC ") else e.source
            notes.append(
                f"{split_words(e.ratio)} split of {e.date.isoformat()} ({src}): restated {'; '.join(what)}"
            )
    problem = _problem(restated, unexplained) or _below_float_floor(bundle, adjusted, events)
    info = ShareBasisInfo(
        as_of=as_of,
        splits=[SplitApplied(date=e.date, ratio=e.ratio, part=e.source) for e in events],
        restated=applied,
        price_from=price_from,
        notes=notes,
        problem=problem,
    )
    bench_moves = split_like_moves(benchmark)
    if benchmark is not None and bench_moves:
        benchmark = benchmark[benchmark.index >= pd.Timestamp(bench_moves[-1].date)]
    return ShareBasis(restated, adjusted, benchmark, info, unexplained, bench_moves)


def _headline(bundle: Bundle) -> Period | None:
    fin = bundle.financials
    if fin is None:
        return None
    return fin.ttm() or (fin.fiscal_years()[0] if fin.fiscal_years() else None)


def _problem(bundle: Bundle, unexplained: list[PriceMove]) -> str | None:
    """Why P/E, market cap and dividend yield cannot be computed on one share basis, if they cannot."""
    head = _headline(bundle)
    fin = bundle.financials
    if head is not None and fin is not None and unexplained:
        when = _period_date(head, fin.share_basis)
        late = [m for m in unexplained if m.date > when]
        if late:
            m = late[-1]
            return (
                f"share basis unknown: {m.text()} after the per-share figures of {head.label} "
                f"(as of {when.isoformat()}), and no split is recorded; record the split "
                "(`stockreport import splits`) or use split-adjusted prices"
            )
    market = bundle.market
    shares = head.income.shares_diluted if head is not None and head.income else None
    if market and market.shares_outstanding and shares:
        r = market.shares_outstanding / shares
        k = _split_size(r)
        if k is not None:
            assert head is not None
            return (
                f"share basis differs: market.shares_outstanding {market.shares_outstanding:,.0f} is {r:.2f} "
                f"times the diluted shares of {head.label} ({shares:,.0f}), the size of a "
                f"{split_words(k)} split the bundle does not record; record it (`stockreport import "
                "splits`) or correct the share counts"
            )
    return None


FLOAT_FLOOR_MARGIN = 1.5  # a close this far below the floor is not rounding or a class-price gap: a basis


def _below_float_floor(bundle: Bundle, prices: pd.DataFrame | None, events: list[_Event]) -> str | None:
    """Why the prices cannot be on the filings' share basis: the 10-K cover's public float over its shares
    outstanding is a floor under the price on the float's date (non-affiliates hold at most all the shares),
    so a close far below it is on a later basis, a split after the last filing that the bundle does not record
    (review-1 #1: NVIDIA's 10-for-1 of 2024-06-10 with split-adjusted prices; no filing by then tags it)."""
    fin = bundle.financials
    pf = fin.public_float if fin is not None else None
    if pf is None or prices is None or prices.empty or "Close" not in prices.columns:
        return None
    upto = prices[prices.index <= pd.Timestamp(pf.date)]
    if upto.empty or (pd.Timestamp(pf.date) - upto.index[-1]).days > 7:
        return None  # the prices do not reach back to the float's date
    close = float(upto["Close"].iloc[-1])
    later, _ = _factor(events, pf.shares_date, bundle.as_of)  # known splits since the cover's share count
    floor = pf.value / pf.shares / later
    if close * FLOAT_FLOOR_MARGIN >= floor:
        return None
    cur = bundle.profile.currency
    return (
        f"share basis unknown: the 10-K filed {pf.filed.isoformat()} puts a floor of {format_money(floor, cur)} a "
        f"share under the price on {pf.date.isoformat()} (public float {format_money(pf.value, cur)} over "
        f"{pf.shares:,.0f} shares), and prices.csv shows {format_money(close, cur)} that day "
        f"({floor / close:.1f} times lower): the prices are on a later "
        "share basis than the filings, a split the bundle does not record; record it "
        "(`stockreport import splits`)"
    )


def _split_size(r: float) -> float | None:
    """The split ratio (2 or more, or its inverse) a share-count ratio is within SHARES_TOLERANCE of."""
    for k in MOVE_RATIOS:
        for cand in (k, 1 / k):
            if abs(r / cand - 1) <= SHARES_TOLERANCE:
                return cand
    return None
