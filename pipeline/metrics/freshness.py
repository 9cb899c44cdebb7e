"""How old each dated part of a bundle is relative to its `as_of`, and which parts are stale.

Thresholds (docs/metrics.md, Staleness):

- prices, benchmark (last row of prices.csv / benchmark.csv): 10 trading days (weekdays; no holiday
  calendar); stale: technicals not scored; P/E, market cap, yield and upside without a price.
- technical_snapshot, market (their `as_of`): 10 trading days; technicals not scored / market figures not used.
- statements (end of the newest statement period): 480 days (a 10-K is due within 90 days of a year end);
  stale: income, balance and cash-flow sub-scores not scored; EPS, dividends and shares not used for valuation.
- earnings_call (the call's date): 200 days (two quarterly calls missed); stale: the call is not scored.
- events (the newest event): 365 days (a year without one event: the list is not current); not scored.
- consensus (its `as_of`): 180 days; not scored anyway; shown with its date and "stale", no upside.

One rule for every scored part: data older than its limit leaves the score (and its weight leaves the
coverage), and is shown with its own date, never as current. Parts without a date (peers given by hand without
`as_of`, risk factors without `as_of`) are shown as undated.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from pipeline.inputs.loaded import LoadedBundle
from pipeline.metrics.names import readable
from pipeline.metrics.types import PartAge

PRICE_STALE_TRADING_DAYS = 10
STATEMENTS_STALE_DAYS = 480
CALL_STALE_DAYS = 200
CONSENSUS_STALE_DAYS = 180
EVENTS_STALE_DAYS = 365


def trading_days_between(start: dt.date, end: dt.date) -> int:
    """Weekdays after `start` up to and including `end` (0 when start >= end)."""
    if start >= end:
        return 0
    return int(np.busday_count(start + dt.timedelta(days=1), end + dt.timedelta(days=1)))


def _trading(part: str, what: str, date: dt.date, as_of: dt.date) -> PartAge:
    n = trading_days_between(date, as_of)
    stale = n > PRICE_STALE_TRADING_DAYS
    text = (
        f"{readable(part)}: {what} {date.isoformat()}, {n} trading day{'s' if n != 1 else ''} before the "
        "analysis date"
    )
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
    text = f"{readable(part)}: {what} {date.isoformat()}, {days} day{'s' if days != 1 else ''} before the analysis date"
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
                        " before the analysis date",
                        f" before the analysis date, filed {newest.filed.isoformat()}",
                        1,
                    )
                }
            )
        ages.append(age)
    if b.earnings_call is not None:
        ages.append(_calendar("earnings_call", "call on", b.earnings_call.date, as_of, CALL_STALE_DAYS))
    if b.consensus is not None and b.consensus.as_of is not None:
        ages.append(_calendar("consensus", "as of", b.consensus.as_of, as_of, CONSENSUS_STALE_DAYS))
    if b.events:
        ages.append(_calendar("events", "newest on", max(e.date for e in b.events), as_of, EVENTS_STALE_DAYS))
    return sorted(ages, key=lambda a: a.date)


def is_stale(ages: list[PartAge], part: str) -> bool:
    return any(a.part == part and a.stale for a in ages)


def age_of(ages: list[PartAge], part: str) -> PartAge | None:
    return next((a for a in ages if a.part == part), None)
