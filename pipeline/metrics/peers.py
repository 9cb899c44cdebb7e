"""The peer comparison (docs/metrics.md, Peers): each listed peer's row, and a sector-average row.

- **Computed** (a peer listed with no figures of its own whose bundle sits beside this one, inputs/peers.py):
  the peer's bundle is read as of *this* bundle's as_of (nothing dated later is used; a peer whose data ends
  earlier is judged stale by the same thresholds), and its row is that bundle's own metrics, by the same
  functions as this report's: market cap (reported, else shares x last price), P/E (reported, else last price /
  diluted EPS of the headline period), dividend yield, ROE on average equity, revenue and EPS growth against
  the like-for-like period a year earlier, the price change over PEER_CHANGE_WINDOW, and its rating is its own
  overall score with the model-read sentiment parts at Neutral (its own report can differ by at most the
  model's bound, 4 points with every part present). A missing or stale input leaves the cell empty with the
  reason, as everywhere else.
- **Provided**: a peer listed with figures keeps them as given, marked provided; with an `as_of` older than
  the price staleness threshold its price-based figures are not shown as current.
- **Missing**: listed with neither figures nor a bundle beside this one: the row says so.
- **Sector average**: the median of the peers' (not this company's) values per column, when at least
  MIN_PEERS_FOR_AVERAGE peers have the value; market cap only over peers quoted in this company's currency.
  The median, not the mean: one peer at a P/E of 423 would otherwise set the "average".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import statistics
import threading
from collections.abc import Callable

import pandas as pd

from pipeline.inputs.bundle import Bundle, Peer
from pipeline.inputs.loaded import LoadedBundle, PeerSource
from pipeline.inputs.peers import has_figures
from pipeline.metrics.figures import insufficient, ok
from pipeline.metrics.freshness import PRICE_STALE_TRADING_DAYS, trading_days_between
from pipeline.metrics.types import Figure, Metrics, PeerComparison, PeerFigures, Sentiments, Unit
from pipeline.metrics.valuation import pe_ratio

PEER_CHANGE_WINDOW = "1Y"
MIN_PEERS_FOR_AVERAGE = 3
COLUMN_UNITS: dict[str, Unit] = {
    "price": "price",
    "change": "price",
    "change_pct": "pct",
    "market_cap": "money",
    "pe_ratio": "ratio",
    "roe_pct": "pct",
    "dividend_yield_pct": "pct",
    "revenue_growth_pct": "pct",
    "eps_growth_pct": "pct",
}
PRICE_BASED = ("price", "change", "change_pct", "market_cap", "pe_ratio", "dividend_yield_pct")
AVERAGED = (
    "market_cap",
    "pe_ratio",
    "roe_pct",
    "dividend_yield_pct",
    "revenue_growth_pct",
    "eps_growth_pct",
    "change_pct",
)
AVERAGE_RULE = (
    f"median of the peers' values per column where at least {MIN_PEERS_FOR_AVERAGE} peers have one "
    "(market cap: peers quoted in this company's currency); this company is not included"
)


def as_of_view(loaded: LoadedBundle, as_of: dt.date) -> LoadedBundle:
    """The bundle as it stood on `as_of`: later statements, prices, events and dated parts left out, and as_of
    moved to `as_of` so every age (and staleness) is measured from that day."""
    b = loaded.bundle
    raw = b.model_dump(mode="python")
    raw["as_of"] = as_of
    raw["peers"] = []
    if b.financials is not None:
        periods = [
            p
            for p in raw["financials"]["periods"]
            if p["end"] <= as_of and (p.get("filed") is None or p["filed"] <= as_of)
        ]
        raw["financials"] = {**raw["financials"], "periods": periods} if periods else None
    basis = b.financials.share_basis if b.financials else None
    if raw["financials"] and basis is not None and basis > as_of:
        # restated to a later basis than this view's: undo the splits after `as_of`, so the view is on the
        # basis of its own day (share_basis.py then sees no split after it)
        later_splits = [s for s in b.splits if as_of < s.date <= basis]
        x = math.prod(s.ratio for s in later_splits)
        for p in raw["financials"]["periods"]:
            inc = p.get("income")
            if inc and x != 1.0:
                if inc.get("eps_diluted") is not None:
                    inc["eps_diluted"] = inc["eps_diluted"] * x
                if inc.get("shares_diluted") is not None:
                    inc["shares_diluted"] = inc["shares_diluted"] / x
        raw["financials"]["share_basis"] = as_of
    raw["splits"] = [s for s in raw["splits"] if s["date"] <= as_of]
    if raw.get("risk_factors") and (raw["risk_factors"].get("as_of") or as_of) > as_of:
        raw["risk_factors"] = None
    raw["events"] = [e for e in raw["events"] if e["date"] <= as_of]
    later = b.as_of > as_of  # undated parts of a later bundle may hold later data
    for key, field in (
        ("market", "as_of"),
        ("consensus", "as_of"),
        ("technical_snapshot", "as_of"),
        ("earnings_call", "date"),
    ):
        part = raw.get(key)
        if part is not None and ((part.get(field) is None and later) or (part.get(field) or as_of) > as_of):
            raw[key] = None
    bundle = Bundle.model_validate(raw)

    def cut(frame: pd.DataFrame | None) -> pd.DataFrame | None:
        if frame is None:
            return None
        kept = frame[frame.index <= pd.Timestamp(as_of)]
        return kept if len(kept) else None

    return dataclasses.replace(
        loaded, bundle=bundle, prices=cut(loaded.prices), benchmark=cut(loaded.benchmark), peers=()
    )


def neutral_sentiments(bundle: Bundle) -> Sentiments:
    """The model-read parts at Neutral where the bundle has them (a peer's rating needs no model call)."""
    return Sentiments(
        earnings_call="Neutral" if bundle.earnings_call else None,
        corporate_events="Neutral" if bundle.events else None,
    )


def _price_figures(m: Metrics, window: str) -> dict[str, Figure]:
    t = m.technicals
    formula = "last close" if t.origin == "computed" else "technical snapshot last price"
    if t.last_price is None:
        why = "no prices in the bundle"
        return {
            "price": insufficient("price", formula, why),
            "change": insufficient("price", "close change", why),
            "change_pct": insufficient("pct", f"{window} price change", why),
        }
    if t.stale:
        why = (
            f"stale: prices end {t.as_of}, more than {PRICE_STALE_TRADING_DAYS} trading days before {m.as_of}"
        )
        return {
            "price": insufficient("price", formula, why),
            "change": insufficient("price", "close change", why),
            "change_pct": insufficient("pct", f"{window} price change", why),
        }
    price = ok(t.last_price, "price", f"{formula} on {t.as_of}")
    row = next((r for r in t.performance if r.window == window), None)
    formula_pct = f"(last close / close {window} earlier - 1) * 100"
    if row is None or row.stock_pct is None:
        why = (
            "a technical snapshot has no price history"
            if t.origin == "provided"
            else f"the price history is shorter than {window}"
        )
        return {
            "price": price,
            "change": insufficient("price", "close change", why),
            "change_pct": insufficient("pct", formula_pct, why),
        }
    pct = row.stock_pct
    start = t.last_price / (1 + pct / 100)
    return {
        "price": price,
        "change": ok(t.last_price - start, "price", f"last close - close {window} earlier"),
        "change_pct": ok(pct, "pct", formula_pct),
    }


def row_from_metrics(
    m: Metrics, *, name: str, currency: str, origin: str, source: str | None, window: str = PEER_CHANGE_WINDOW
) -> PeerFigures:
    """A comparison row from a company's own metrics (this company's row, or a peer's computed one)."""
    head = m.fundamentals.headline if m.fundamentals else None
    figures = _price_figures(m, window)
    for key in ("market_cap", "pe_ratio", "dividend_yield_pct"):
        figures[key] = m.valuation[key]
    for key in ("roe_pct", "revenue_growth_pct", "eps_growth_pct"):
        fig = head.figures.get(key) if head else None
        figures[key] = fig or insufficient("pct", key, "no financial statements in the bundle")
    stale = [a.text for a in m.ages if a.stale]
    basis = None
    if head is not None:
        period = f"TTM to {head.end:%b %Y}" if head.kind == "TTM" else head.label
        basis = f"{period} vs {head.base}" if head.base else f"{period} (no period a year earlier)"
    return PeerFigures(
        ticker=m.ticker,
        name=name,
        origin=origin,
        currency=currency,  # type: ignore[arg-type]
        as_of=m.technicals.as_of,
        source=source,
        figures={k: figures[k] for k in COLUMN_UNITS},
        overall_score=m.score.overall,
        score_label=m.score.label,
        score_note=None,
        change_window=window,
        growth_basis=basis,
        notes=stale,
    )


_rows: dict[tuple[str, str, dt.date, str | None], PeerFigures] = {}
_rows_lock = threading.Lock()


# How a peer's own bundle is scored: compute.py's `compute_metrics` without peers of its own (passed in, so
# this module and compute.py do not import each other).
ComputeMetrics = Callable[[LoadedBundle, Sentiments], Metrics]


def computed_row(peer: Peer, source: PeerSource, as_of: dt.date, compute: ComputeMetrics) -> PeerFigures:
    """The peer's row (cached per process by its files' hash and the date: a batch computes each once)."""
    key = (str(source.folder.resolve()), source.digest or "", as_of, peer.name)
    with _rows_lock:
        if source.digest and key in _rows:
            return _rows[key]
    row = _computed_row(peer, source, as_of, compute)
    if source.digest:
        with _rows_lock:
            if len(_rows) >= 1024:
                _rows.clear()
            _rows[key] = row
    return row


def _computed_row(peer: Peer, source: PeerSource, as_of: dt.date, compute: ComputeMetrics) -> PeerFigures:
    assert source.loaded is not None
    view = as_of_view(source.loaded, as_of)
    m = compute(view, neutral_sentiments(view.bundle))
    prof = view.bundle.profile
    row = row_from_metrics(
        m,
        name=peer.name or prof.name,
        currency=prof.currency,
        origin="computed",
        source=f"computed from its bundle {source.folder.name}/ as of {as_of}",
    )
    if source.loaded.bundle.as_of > as_of:
        row = row.model_copy(
            update={
                "notes": [
                    f"its bundle is as of {source.loaded.bundle.as_of}, after this report's {as_of}: what was filed or "
                    f"dated later is left out (statements restated later count as filed then); build it as of {as_of} "
                    "for its full history",
                    *row.notes,
                ]
            }
        )
    parts = m.score.missing_parts
    note = "its own score, model-read sentiment at Neutral"
    if m.score.provisional:
        note += f"; provisional (coverage {m.score.coverage_pct:.0f}%)"
    elif parts:
        note += f"; not scored: {', '.join(p.title for p in parts)}"
    return row.model_copy(update={"score_note": note})


def provided_row(peer: Peer, index: int, as_of: dt.date) -> PeerFigures:
    where = f"provided in bundle.json peers[{index}]"
    stale = None
    if peer.as_of is not None:
        n = trading_days_between(peer.as_of, as_of)
        if n > PRICE_STALE_TRADING_DAYS:
            stale = (
                f"stale: provided as of {peer.as_of}, {n} trading days before as_of "
                f"(limit {PRICE_STALE_TRADING_DAYS})"
            )
    figures = {}
    for key, unit in COLUMN_UNITS.items():
        value = getattr(peer, key)
        if value is None:
            figures[key] = insufficient(unit, where, "not given")
        elif stale and key in PRICE_BASED:
            figures[key] = insufficient(unit, where, stale)
        elif key == "pe_ratio":  # the rule of this report's own P/E: a negative one ranks nothing
            fig = pe_ratio(reported_pe=float(value))
            figures[key] = fig.model_copy(
                update={"formula": where, "note": fig.note and fig.note.replace("reported", "provided")}
            )
        else:
            figures[key] = ok(float(value), unit, where)
    notes = [stale] if stale else []
    if peer.change is not None or peer.change_pct is not None:
        notes.append(f"its price change is over its source's window, not necessarily {PEER_CHANGE_WINDOW}")
    return PeerFigures(
        ticker=peer.ticker,
        name=peer.name or peer.ticker,
        origin="provided",
        currency=peer.currency,
        as_of=peer.as_of,
        source=peer.source or where,
        figures=figures,
        source_rating=peer.overall_score,
        score_note="the source's own rating, not our score" if peer.overall_score is not None else None,
        notes=notes,
    )


def missing_row(peer: Peer, source: PeerSource | None, root_name: str) -> PeerFigures:
    why = (
        source.problem
        if source is not None and source.problem
        else (f"no figures given and no bundle of {peer.ticker} beside {root_name}/")
    )
    figures = {k: insufficient(u, "peer row", why) for k, u in COLUMN_UNITS.items()}
    return PeerFigures(
        ticker=peer.ticker,
        name=peer.name or peer.ticker,
        origin="missing",
        currency=peer.currency,
        figures=figures,
        notes=[why],
    )


def sector_average(rows: list[PeerFigures], currency: str) -> PeerFigures | None:
    """The median row over the peers (see the module doc); None when no column has enough peers."""
    figures: dict[str, Figure] = {}
    members: set[str] = set()
    for key in AVERAGED:
        have = [
            r
            for r in rows
            if r.figures.get(key) is not None
            and r.figures[key].status == "ok"
            and (key != "market_cap" or r.currency == currency)
            # price changes over different (or unstated) windows do not compare
            and (key != "change_pct" or r.change_window == PEER_CHANGE_WINDOW)
        ]
        unit = COLUMN_UNITS[key]
        if len(have) < MIN_PEERS_FOR_AVERAGE:
            over = f" over {PEER_CHANGE_WINDOW}" if key == "change_pct" else ""
            figures[key] = insufficient(
                unit,
                "median of the peers",
                f"{len(have)} of {len(rows)} peers have it{over} (the average needs {MIN_PEERS_FOR_AVERAGE})",
            )
            continue
        values = [r.figures[key].value for r in have]
        figures[key] = ok(
            statistics.median(v for v in values if v is not None),
            unit,
            f"median of {len(have)} peers ({', '.join(r.ticker for r in have)})",
        )
        members.update(r.ticker for r in have)
    # our scores and the sources' ratings are on different scales: each has its own median, never one of both
    scored = [r.overall_score for r in rows if r.overall_score is not None]
    rated = [r.source_rating for r in rows if r.source_rating is not None]
    if not members and max(len(scored), len(rated)) < MIN_PEERS_FOR_AVERAGE:
        return None
    for key in ("price", "change"):
        figures[key] = insufficient(
            "price", "median of the peers", "prices of different companies do not average"
        )
    score = round(statistics.median(scored)) if len(scored) >= MIN_PEERS_FOR_AVERAGE else None
    rating = round(statistics.median(rated)) if len(rated) >= MIN_PEERS_FOR_AVERAGE else None
    notes = [
        f"{what}: median of {len(xs)} peers"
        if len(xs) >= MIN_PEERS_FOR_AVERAGE
        else f"{what}: {len(xs)} of {len(rows)} peers have one (the median needs {MIN_PEERS_FOR_AVERAGE})"
        for what, xs in (("our score", scored), ("source rating", rated))
        if xs
    ]
    n = len({r.ticker for r in rows if r.origin != "missing"})
    return PeerFigures(
        ticker="",
        name=f"Sector average (median of {n} peers)",
        origin="sector_average",
        currency=currency,
        figures={k: figures[k] for k in COLUMN_UNITS},
        overall_score=score,
        source_rating=rating,
        change_window=PEER_CHANGE_WINDOW,
        score_note="; ".join(notes) or None,
        members=sorted(members),
    )


def peer_comparison(loaded: LoadedBundle, compute: ComputeMetrics) -> PeerComparison | None:
    """The rows of every listed peer (computed, provided or missing) and the sector average."""
    b = loaded.bundle
    if not b.peers:
        return None
    sources = {s.ticker: s for s in loaded.peers}
    rows = []
    for i, peer in enumerate(b.peers):
        if peer.ticker == b.profile.ticker:
            continue  # this company: its own row is the report's
        source = sources.get(peer.ticker)
        if has_figures(peer):
            row = provided_row(peer, i, b.as_of)
        elif source is not None and source.loaded is not None:
            row = computed_row(peer, source, b.as_of, compute)
        else:
            row = missing_row(peer, source, loaded.root.name)
        rows.append(row.model_copy(update={"listed": i}))
    return PeerComparison(
        window=PEER_CHANGE_WINDOW,
        rows=rows,
        average=sector_average(rows, b.profile.currency),
        average_rule=AVERAGE_RULE,
    )
