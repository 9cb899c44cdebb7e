"""The facts of an SEC companyfacts file that the importer reads, as one long frame, and lookups into it.

Rows come from two sets of forms, kept apart:
- `annual`: forms 10-K and 10-K/A; durations of 350-380 days (a fiscal year) and instants (balances);
- `quarterly`: forms 10-Q and 10-Q/A; durations of 80-380 days (a quarter or a year-to-date) and instants.
No look-ahead: only facts with `filed <= as_of`. Per (set, tag, start, end) the latest `filed` wins, so a
restatement filed by the cutoff replaces the original.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.inputs.importers.sec.lines import CASH_STI_TOTAL, STI_TAGS, Reported, all_tags
from pipeline.inputs.sources import fail

ANNUAL_FORMS = ("10-K", "10-K/A")
QUARTERLY_FORMS = ("10-Q", "10-Q/A")
FY_DAYS = (350, 380)
PART_YEAR_DAYS = (80, 380)
ANCHOR_TAGS = (
    "Revenues",
    "RevenueFromContractWithCustomerExcludingAssessedTax",
    "RevenueFromContractWithCustomerIncludingAssessedTax",
    "SalesRevenueNet",
    "SalesRevenueGoodsNet",
    "NetIncomeLoss",
    "ProfitLoss",
    "NetIncomeLossAvailableToCommonStockholdersBasic",
    "NetCashProvidedByUsedInOperatingActivities",
    "NetCashProvidedByUsedInOperatingActivitiesContinuingOperations",
)


def _unit_for(tag: str, currency: str) -> str:
    if tag == "EarningsPerShareDiluted":
        return f"{currency}/shares"
    if tag == "WeightedAverageNumberOfDilutedSharesOutstanding":
        return "shares"
    return currency


def facts_frame(doc: object, path: Path | str, currency: str, as_of: dt.date | None) -> pd.DataFrame:
    """Long frame (set, kind, tag, start, end, val, filed, accn) of the facts used, filed by `as_of`."""
    if not isinstance(doc, dict) or not isinstance(doc.get("facts"), dict):
        raise fail(path, "not an SEC companyfacts file (no 'facts' object)")
    gaap = doc["facts"].get("us-gaap")
    if not isinstance(gaap, dict) or not gaap:
        raise fail(path, "no us-gaap facts in this companyfacts file")
    parts = []
    for tag in sorted(all_tags() & gaap.keys()):
        units = gaap[tag].get("units", {}) if isinstance(gaap[tag], dict) else {}
        rows = units.get(_unit_for(tag, currency))
        if isinstance(rows, list) and rows:
            part = pd.DataFrame.from_records([r for r in rows if isinstance(r, dict)])
            part["tag"] = tag
            parts.append(part)
    if not parts:
        raise fail(path, f"no annual statement facts in {currency} (tags such as Revenues, NetIncomeLoss)")
    facts = pd.concat(parts, ignore_index=True)
    for col in ("start", "end", "val", "filed", "form", "accn"):
        if col not in facts.columns:
            facts[col] = None
    facts["set"] = facts["form"].map(
        {**dict.fromkeys(ANNUAL_FORMS, "annual"), **dict.fromkeys(QUARTERLY_FORMS, "quarterly")}
    )
    facts = facts[facts["set"].notna()].copy()
    for col in ("start", "end", "filed"):
        facts[col] = pd.to_datetime(facts[col], errors="coerce", format="%Y-%m-%d")
    facts["val"] = pd.to_numeric(facts["val"], errors="coerce")
    facts = facts.dropna(subset=["end", "filed", "val"])
    facts = facts[np.isfinite(facts["val"].to_numpy(dtype=np.float64))]
    if as_of is not None:
        facts = facts[facts["filed"] <= pd.Timestamp(as_of)]
    days = (facts["end"] - facts["start"]).dt.days
    low, high = (
        np.where(facts["set"] == "annual", FY_DAYS[0], PART_YEAR_DAYS[0]),
        np.where(facts["set"] == "annual", FY_DAYS[1], PART_YEAR_DAYS[1]),
    )
    facts["kind"] = np.where(
        facts["start"].isna(), "instant", np.where((days >= low) & (days <= high), "duration", "other")
    )
    facts = facts[facts["kind"] != "other"]
    facts = facts.sort_values(["filed", "accn"], kind="stable")
    # an annual duration is one per (tag, end); quarterly ones differ by start (quarter vs year-to-date)
    key = np.where(
        (facts["set"] == "quarterly") & (facts["kind"] == "duration"),
        facts["start"].dt.strftime("%Y-%m-%d"),
        "",
    )
    facts = facts.assign(_key=key).drop_duplicates(["set", "kind", "tag", "_key", "end"], keep="last")
    return facts[["set", "kind", "tag", "start", "end", "val", "filed", "accn"]].reset_index(drop=True)


def values(
    facts: pd.DataFrame,
    set_: str,
    kind: str,
    end: pd.Timestamp,
    start: pd.Timestamp | None = None,
    slack_days: int = 0,
) -> dict[str, Reported]:
    """tag -> Reported for one period: `end` exact; `start` (durations) within `slack_days` when given."""
    sub = facts[(facts["set"] == set_) & (facts["kind"] == kind) & (facts["end"] == end)]
    if start is not None:
        sub = sub[(sub["start"] - start).abs() <= pd.Timedelta(days=slack_days)]
    out: dict[str, Reported] = {}
    restated = sub["restated"] if "restated" in sub.columns else [None] * len(sub)
    for row, note in zip(sub.itertuples(index=False), restated, strict=True):  # a few dozen tags a period
        out[str(row.tag)] = Reported(
            float(row.val), row.filed.date(), note if isinstance(note, str) else None
        )
    return out


def annual_ends(facts: pd.DataFrame) -> pd.DatetimeIndex:
    """Fiscal-year ends: ends of annual revenue, net income or operating-cash-flow facts, newest first."""
    anchors = facts[
        (facts["set"] == "annual") & (facts["kind"] == "duration") & facts["tag"].isin(ANCHOR_TAGS)
    ]
    return pd.DatetimeIndex(sorted(anchors["end"].unique(), reverse=True))


def annual_start(facts: pd.DataFrame, end: pd.Timestamp) -> pd.Timestamp | None:
    """The start of the fiscal year ending `end` (its anchor facts' latest start)."""
    anchors = facts[
        (facts["set"] == "annual")
        & (facts["kind"] == "duration")
        & facts["tag"].isin(ANCHOR_TAGS)
        & (facts["end"] == end)
    ]
    starts = anchors["start"].dropna()
    return None if starts.empty else pd.Timestamp(starts.max())


def quarterly_ends(facts: pd.DataFrame, after: pd.Timestamp) -> list[pd.Timestamp]:
    """Ends of 10-Q year-to-date anchor facts later than `after` (the last fiscal-year end), newest first."""
    q = facts[
        (facts["set"] == "quarterly")
        & (facts["kind"] == "duration")
        & facts["tag"].isin(ANCHOR_TAGS)
        & (facts["end"] > after)
    ]
    return sorted((pd.Timestamp(e) for e in q["end"].unique()), reverse=True)


def fiscal_year_instants(facts: pd.DataFrame, end: pd.Timestamp) -> dict[str, Reported]:
    """The 10-K's balances at a fiscal-year end. A 10-K that tags no current investments (NVIDIA FY2026) takes
    them from a later 10-Q's comparative column for the same day: the same balance on the same date."""
    instant = values(facts, "annual", "instant", end)
    tags = (CASH_STI_TOTAL, *STI_TAGS)
    if any(t in instant for t in tags):
        return instant
    later = values(facts, "quarterly", "instant", end)
    found = {
        t: Reported(
            r.val, r.filed, f"from the 10-Q filed {r.filed.isoformat()} (its comparative at {end.date()})"
        )
        for t, r in later.items()
        if t in tags
    }
    return {**instant, **found}
