"""Trailing twelve months from 10-Q filings: the last fiscal year + this year-to-date - last year's same
year-to-date, tag by tag, for duration lines; balance lines from the 10-Q's own balance sheet.

    TTM(E) = FY(F) + YTD(F+1 .. E) - YTD(start of FY F .. E - 1 year)       F = last fiscal-year end <= E

A tag enters the TTM only when all three amounts are reported (filed by the cutoff); otherwise its line is
missing from the TTM, never filled from a different period. At a fiscal-year end (E = F) the year-to-date
is empty, so the TTM is that fiscal year exactly. The diluted share count is a weighted average, not a sum:
the TTM takes the year-to-date figure. Diluted EPS is summed like the other lines (the usual TTM EPS), but
only when the fiscal year's and the year-to-date's diluted share counts are within 25% of each other: across
a stock split the per-share amounts are on different bases (Tesla's 2022 3-for-1), so the TTM has none.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.inputs.importers.sec.facts import annual_ends, annual_start, values
from pipeline.inputs.importers.sec.lines import Reported

SLACK_DAYS = 7  # 52/53-week years: a year-to-date may start a few days off the day after the last year end
SHARES = "WeightedAverageNumberOfDilutedSharesOutstanding"
PER_SHARE_TAGS = {"EarningsPerShareDiluted"}
SAME_SHARE_BASIS = 1.25  # larger ratios of share counts mean a split (or a merger) between the periods


@dataclass(frozen=True)
class TTMInputs:
    end: pd.Timestamp
    start: pd.Timestamp  # the day after the comparable year-to-date of the prior year ended
    fiscal_year_end: pd.Timestamp
    prior_ytd_end: pd.Timestamp | None  # None when E is itself a fiscal-year end
    duration: dict[str, Reported]
    instant: dict[str, Reported]


def _ytd_end_a_year_before(
    facts: pd.DataFrame, fy_start: pd.Timestamp, end: pd.Timestamp
) -> pd.Timestamp | None:
    """The end of last year's year-to-date comparable to one ending `end` (within the slack), if reported."""
    q = facts[
        (facts["set"] == "quarterly")
        & (facts["kind"] == "duration")
        & ((facts["start"] - fy_start).abs() <= pd.Timedelta(days=SLACK_DAYS))
    ]
    target = end - pd.DateOffset(years=1)
    ends = sorted(
        {pd.Timestamp(e) for e in q["end"].unique() if abs((pd.Timestamp(e) - target).days) <= SLACK_DAYS},
        key=lambda e: abs((e - target).days),
    )
    return ends[0] if ends else None


def _same_share_basis(fy: dict[str, Reported], ytd: dict[str, Reported]) -> bool:
    if SHARES not in fy or SHARES not in ytd or min(fy[SHARES].val, ytd[SHARES].val) <= 0:
        return False
    a, b = fy[SHARES].val, ytd[SHARES].val
    return max(a, b) / min(a, b) <= SAME_SHARE_BASIS


def ttm_inputs(facts: pd.DataFrame, end: pd.Timestamp) -> TTMInputs | None:
    """Tag values of the twelve months ending `end`, or None when the base fiscal year is not reported."""
    years = [e for e in annual_ends(facts) if e <= end]
    if not years:
        return None
    fy_end = years[0]
    fy_start = annual_start(facts, fy_end)
    fy = values(facts, "annual", "duration", fy_end)
    if fy_start is None or not fy:
        return None
    if fy_end == end:  # a fiscal-year end: the year-to-date is empty
        return TTMInputs(end, fy_start, fy_end, None, fy, values(facts, "annual", "instant", end))
    ytd = values(facts, "quarterly", "duration", end, fy_end + pd.Timedelta(days=1), SLACK_DAYS)
    prior_end = _ytd_end_a_year_before(facts, fy_start, end)
    if not ytd or prior_end is None:
        return None
    prior = values(facts, "quarterly", "duration", prior_end, fy_start, SLACK_DAYS)
    duration: dict[str, Reported] = {}
    comparable_shares = _same_share_basis(fy, ytd)
    for tag, base in fy.items():
        if tag == SHARES and tag in ytd:
            duration[tag] = ytd[tag]
        elif tag in PER_SHARE_TAGS and not comparable_shares:
            continue
        elif tag in ytd and tag in prior:
            notes = [r.note for r in (base, ytd[tag], prior[tag]) if r.note]
            duration[tag] = Reported(
                base.val + ytd[tag].val - prior[tag].val,
                max(base.filed, ytd[tag].filed, prior[tag].filed),
                "; ".join(notes) if notes else None,
            )
    return TTMInputs(
        end,
        prior_end + pd.Timedelta(days=1),
        fy_end,
        prior_end,
        duration,
        values(facts, "quarterly", "instant", end),
    )
