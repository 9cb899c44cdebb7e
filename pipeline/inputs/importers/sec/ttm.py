"""Trailing twelve months from 10-Q filings: the last fiscal year + this year-to-date - last year's same
year-to-date, tag by tag, for duration lines; balance lines from the 10-Q's own balance sheet.

    TTM(E) = FY(F) + YTD(F+1 .. E) - YTD(start of FY F .. E - 1 year)       F = last fiscal-year end <= E

A tag enters the TTM only when all three amounts are reported (filed by the cutoff). A line whose fallback
tags are one concept under different names (lines.DURATION_TAGS: us-gaap renamed revenue to
RevenueFromContractWithCustomerExcludingAssessedTax with ASC 606, and Alphabet's 10-K kept `Revenues` while its
10-Qs moved) and that no single tag covers in all three is built per period: each amount by the line's own
fallback, TTM = FY(tag a) + YTD(tag b) - prior YTD(tag c), recorded in the line's components. Not when a period
reports two of those tags with different amounts (then they are not one concept for this filer); otherwise the
line is missing from the TTM, never filled from a different period. At a fiscal-year end (E = F) the year-to-date
is empty, so the TTM is that fiscal year exactly. The diluted share count is a weighted average, not a sum:
the TTM takes the year-to-date figure. Diluted EPS is summed like the other lines (the usual TTM EPS), on
the one share basis splits.py restates every per-share fact to; as a last check for a split the filings do
not show, only when the fiscal year's and the year-to-date's diluted share counts (where both are tagged) are
within 25% of each other.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.inputs.importers.sec.facts import annual_ends, annual_start, fiscal_year_instants, values
from pipeline.inputs.importers.sec.lines import DURATION_TAGS, Reported, same

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
    """Per-share amounts are restated for the splits the filings show (splits.py); the share counts are a
    last check for a split they do not show. Without both counts there is nothing more to check."""
    if SHARES not in fy or SHARES not in ytd:
        return True
    if min(fy[SHARES].val, ytd[SHARES].val) <= 0:
        return False
    a, b = fy[SHARES].val, ytd[SHARES].val
    return max(a, b) / min(a, b) <= SAME_SHARE_BASIS


def _lines_across_tags(
    duration: dict[str, Reported],
    fy: dict[str, Reported],
    ytd: dict[str, Reported],
    prior: dict[str, Reported],
) -> None:
    """Lines no single tag covers in all three amounts, built per period from the line's fallback (module
    docstring); the value goes under the tag the fiscal year used, with a note naming the three tags."""
    for spec in DURATION_TAGS.values():
        for line, tags in spec.items():
            if tags[0] in PER_SHARE_TAGS or SHARES in tags or any(t in duration for t in tags):
                continue
            picks = [next((t for t in tags if t in part), None) for part in (fy, ytd, prior)]
            if any(t is None for t in picks) or len(set(picks)) == 1:
                continue
            used = {t for t in picks if t is not None}
            conflict = any(
                not same(part[a].val, part[b].val)
                for part in (fy, ytd, prior)
                for a in used
                for b in used
                if a < b and a in part and b in part
            )
            if conflict:
                continue
            t_fy, t_ytd, t_prior = (str(t) for t in picks)
            duration[t_fy] = Reported(
                fy[t_fy].val + ytd[t_ytd].val - prior[t_prior].val,
                max(fy[t_fy].filed, ytd[t_ytd].filed, prior[t_prior].filed),
                f"{line} by period: FY {t_fy} + year-to-date {t_ytd} - prior year-to-date {t_prior} "
                "(one concept under two us-gaap names)",
            )


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
        return TTMInputs(end, fy_start, fy_end, None, fy, fiscal_year_instants(facts, end))
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
    _lines_across_tags(duration, fy, ytd, prior)
    return TTMInputs(
        end,
        prior_end + pd.Timedelta(days=1),
        fy_end,
        prior_end,
        duration,
        values(facts, "quarterly", "instant", end),
    )
