"""How old each dated part of a bundle is relative to its `as_of`, and which parts are stale.

Thresholds (docs/metrics.md, Staleness):

| part | date | stale when older than |
|---|---|---|
| prices, benchmark | last row of prices.csv / benchmark.csv | 10 trading days (weekdays; no holiday calendar) |
| technical_snapshot, market | their `as_of` | 10 trading days |
| statements | end of the newest statement period | 480 days (a 10-K is due within 90 days of a year end) |
| earnings_call | the call's date | 200 days (two quarterly calls missed) |
| consensus | its `as_of` | 180 days |
| events | the newest event | never stale (their absence says nothing); age shown only |

Stale prices (or snapshot) are never shown as the current price: technicals and performance keep their own
date, the technicals sub-score leaves the score, and valuation figures that need the price say why not.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from pipeline.inputs.loaded import LoadedBundle
from pipeline.metrics.types import PartAge

PRICE_STALE_TRADING_DAYS = 10
STATEMENTS_STALE_DAYS = 480
CALL_STALE_DAYS = 200
CONSENSUS_STALE_DAYS = 180


def trading_days_between(start: dt.date, end: dt.date) -> int:
    """Weekdays after `start` up to and including `end` (0 when start >= end)."""
    if start >= end:
        return 0
    return int(np.busday_count(start + dt.timedelta(days=1), end + dt.timedelta(days=1)))


def _trading(part: str, what: str, date: dt.date, as_of: dt.date) -> PartAge:
    n = trading_days_between(date, as_of)
    stale = n > PRICE_STALE_TRADING_DAYS
    text = f"{part}: {what} {date.isoformat()}, {n} trading day{'s' if n != 1 else ''} before as_of"
    return PartAge(
        part=part,
        date=date,
        days=(as_of - date).days,
        trading_days=n,
        stale=stale,
        limit=f"{PRICE_STALE_TRADING_DAYS} trading days",
        text=text + (" (stale)" if stale else ""),
    )


def _calendar(part: str, what: str, date: dt.date, as_of: dt.date, limit_days: int | None) -> PartAge:
    days = (as_of - date).days
    stale = limit_days is not None and days > limit_days
    text = f"{part}: {what} {date.isoformat()}, {days} day{'s' if days != 1 else ''} before as_of"
    return PartAge(
        part=part,
        date=date,
        days=days,
        stale=stale,
        limit=f"{limit_days} days" if limit_days is not None else "none",
        text=text + (" (stale)" if stale else ""),
    )


def part_ages(loaded: LoadedBundle) -> list[PartAge]:
    """The age of every dated part present, oldest first."""
    b = loaded.bundle
    as_of = b.as_of
    ages: list[PartAge] = []
    for part, frame in (("prices", loaded.prices), ("benchmark", loaded.benchmark)):
        if frame is not None and len(frame):
            ages.append(_trading(part, "last day", frame.index[-1].date(), as_of))
    if b.technical_snapshot is not None:
        ages.append(_trading("technical_snapshot", "as of", b.technical_snapshot.as_of, as_of))
    if b.market is not None and b.market.as_of is not None:
        ages.append(_trading("market", "as of", b.market.as_of, as_of))
    if b.financials is not None and b.financials.periods:
        newest = max(b.financials.periods, key=lambda p: p.end)
        what = f"newest period {newest.label} ends"
        age = _calendar("statements", what, newest.end, as_of, STATEMENTS_STALE_DAYS)
        if newest.filed is not None:
            age = age.model_copy(
                update={
                    "text": age.text.replace(
                        " before as_of", f" before as_of, filed {newest.filed.isoformat()}", 1
                    )
                }
            )
        ages.append(age)
    if b.earnings_call is not None:
        ages.append(_calendar("earnings_call", "call on", b.earnings_call.date, as_of, CALL_STALE_DAYS))
    if b.consensus is not None and b.consensus.as_of is not None:
        ages.append(_calendar("consensus", "as of", b.consensus.as_of, as_of, CONSENSUS_STALE_DAYS))
    if b.events:
        ages.append(_calendar("events", "newest on", max(e.date for e in b.events), as_of, None))
    return sorted(ages, key=lambda a: a.date)


def is_stale(ages: list[PartAge], part: str) -> bool:
    return any(a.part == part and a.stale for a in ages)


def age_of(ages: list[PartAge], part: str) -> PartAge | None:
    return next((a for a in ages if a.part == part), None)
