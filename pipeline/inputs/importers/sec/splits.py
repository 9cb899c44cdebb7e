"""Stock splits in an SEC companyfacts file, and the per-share facts restated to one share basis.

A filing states EPS and share counts on the share basis in force when it was filed; a split restates the
comparatives of later filings but not the older filings themselves. The importer keeps the latest filing of
each fact, so periods that no later filing repeats stay on an older basis (NVIDIA's FY2022 after its 2024
split). Every per-share fact is therefore restated to the basis of the newest filing read (docs/importing.md,
"Stock splits"):

- a split is named by `StockholdersEquityNoteStockSplitConversionRatio1` (or `...Ratio`): its ratio, and dates
  that may be the announcement, the approval or the effective day;
- which filings are before it is read from the filings themselves: the cover-page share count
  (`dei:EntityCommonStockSharesOutstanding`) of consecutive filings jumping by the ratio, else a period's
  diluted share count as two filings state it (the later one restated by the ratio);
- a split found by both those signals without a ratio tag counts too (k >= 2); one signal alone does not
  (a merger also multiplies the share count);
- a split whose ratio tag is filed but that no filing yet shows on the new basis is "announced": nothing is
  restated, and it is recorded with that note.

Restated: `EarningsPerShareDiluted` / k and `WeightedAverageNumberOfDilutedSharesOutstanding` x k for every
fact filed before the split's first filing on the new basis.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline.inputs.bundle import split_words

RATIO_TAGS = (
    "StockholdersEquityNoteStockSplitConversionRatio1",
    "StockholdersEquityNoteStockSplitConversionRatio",
)
COVER_SHARES = "EntityCommonStockSharesOutstanding"
DILUTED_SHARES = "WeightedAverageNumberOfDilutedSharesOutstanding"
PER_SHARE_DIVIDE = ("EarningsPerShareDiluted",)
SHARE_COUNT_MULTIPLY = (DILUTED_SHARES,)
FORMS = ("10-K", "10-K/A", "10-Q", "10-Q/A")
RATIO_TOLERANCE = 0.06  # share counts also move by buybacks and issuance between two filings
SAME_SPLIT_DAYS = 730  # two ratio facts of the same value this close describe one split
MIN_UNTAGGED_RATIO = 2.0  # untagged: only a doubling or more is read as a split


@dataclass(frozen=True)
class SecSplit:
    """One split found in the facts. `first_post` is the first filing on the new basis (None: announced only)."""

    ratio: float
    date: dt.date
    last_pre: dt.date | None
    first_post: dt.date | None
    evidence: tuple[str, ...] = field(default_factory=tuple)

    def label(self) -> str:
        return split_words(self.ratio)

    def source(self) -> str:
        how = "; ".join(self.evidence)
        if self.first_post is None:
            return f"SEC companyfacts: {how}; announced, no filing on the new basis yet"
        window = f"after the filing of {self.last_pre.isoformat()}, " if self.last_pre else ""
        return (
            f"SEC companyfacts: {how}; effective {window}by the first filing on the new basis "
            f"{self.first_post.isoformat()}"
        )


def _near(observed: float, k: float) -> bool:
    return abs(observed / k - 1.0) <= RATIO_TOLERANCE


def public_float(doc: dict[str, object], as_of: dt.date | None) -> dict[str, object] | None:
    """The newest 10-K cover's public float (`dei:EntityPublicFloat`, USD) filed by `as_of`, with the cover's
    shares outstanding (summed over share classes), or None when the file has no such pair."""
    floats = _rows(doc, "dei", "EntityPublicFloat", "USD", as_of)
    if floats.empty:
        return None
    last = floats.iloc[-1]
    cover = _rows(doc, "dei", COVER_SHARES, "shares", as_of)
    same = cover[cover["filed"] == last["filed"]]
    if same.empty:
        return None
    newest = same[same["end"] == same["end"].max()]
    return {
        "date": last["end"].date().isoformat(),
        "value": float(last["val"]),
        "shares": float(newest["val"].sum()),
        "shares_date": newest["end"].iloc[0].date().isoformat(),
        "filed": last["filed"].date().isoformat(),
    }


def _rows(doc: dict[str, object], ns: str, tag: str, unit: str, as_of: dt.date | None) -> pd.DataFrame:
    facts = doc.get("facts")
    block = facts.get(ns, {}) if isinstance(facts, dict) else {}
    entry = block.get(tag) if isinstance(block, dict) else None
    units = entry.get("units", {}) if isinstance(entry, dict) else {}
    rows = units.get(unit) if isinstance(units, dict) else None
    records = [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    for col in ("start", "end", "val", "filed", "form"):
        if col not in frame.columns:
            frame[col] = None
    for col in ("start", "end", "filed"):
        frame[col] = pd.to_datetime(frame[col], errors="coerce", format="%Y-%m-%d")
    frame["val"] = pd.to_numeric(frame["val"], errors="coerce")
    frame = frame[frame["form"].isin(FORMS)]
    frame = frame.dropna(subset=["end", "filed", "val"])
    frame = frame[np.isfinite(frame["val"].to_numpy(dtype=np.float64)) & (frame["val"] > 0)]
    if as_of is not None:
        frame = frame[frame["filed"] <= pd.Timestamp(as_of)]
    return frame.sort_values("filed", kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class _Jump:
    ratio: float
    before: dt.date  # the filing on the old basis
    after: dt.date  # the first filing on the new basis
    how: str


def _cover_jumps(cover: pd.DataFrame) -> list[_Jump]:
    """Consecutive filings whose cover-page share counts differ by a factor of 1.4 or more."""
    by_filing = cover.groupby("filed", sort=True)["val"].max()
    out = []
    dates, vals = list(by_filing.index), by_filing.to_numpy(dtype=np.float64)
    for i in range(1, len(vals)):
        r = vals[i] / vals[i - 1]
        if r >= 1.4 or r <= 1 / 1.4:
            out.append(
                _Jump(
                    float(r),
                    dates[i - 1].date(),
                    dates[i].date(),
                    f"cover-page shares {vals[i - 1]:,.0f} (filed {dates[i - 1].date()}) -> "
                    f"{vals[i]:,.0f} (filed {dates[i].date()})",
                )
            )
    return out


def _restated_comparatives(shares: pd.DataFrame, *, per_share: bool = False) -> list[_Jump]:
    """A period's diluted share count (or diluted EPS, `per_share`: its inverse) as two filings state it,
    the later one 1.4x or more apart."""
    out = []
    what = "diluted EPS" if per_share else "diluted shares"
    key = shares["start"].dt.strftime("%Y-%m-%d").fillna("") + "/" + shares["end"].dt.strftime("%Y-%m-%d")
    for _, group in shares.assign(_k=key).groupby("_k", sort=False):
        if len(group) < 2:
            continue
        g = group.sort_values("filed", kind="stable")
        vals, filed = g["val"].to_numpy(dtype=np.float64), list(g["filed"])
        for i in range(1, len(vals)):
            r = vals[i - 1] / vals[i] if per_share else vals[i] / vals[i - 1]
            if r >= 1.4 or r <= 1 / 1.4:
                out.append(
                    _Jump(
                        float(r),
                        filed[i - 1].date(),
                        filed[i].date(),
                        f"{what} of the period to {g['end'].iloc[i].date()} restated from "
                        f"{vals[i - 1]:,.0f} to {vals[i]:,.0f}",
                    )
                )
    return out


def _boundary(
    jumps: Iterable[_Jump], k: float, filings: list[dt.date]
) -> tuple[dt.date | None, dt.date | None, str | None]:
    """(last filing on the old basis, first on the new one, evidence) for ratio k: the first filing that
    shows the new basis, and the filing just before it."""
    matching = [j for j in jumps if _near(j.ratio, k)]
    if not matching:
        return None, None, None
    first_post = min(j.after for j in matching)
    before = [d for d in filings if d < first_post]
    last_pre = max(before) if before else None
    return last_pre, first_post, matching[0].how


def _tagged(doc: dict[str, object], as_of: dt.date | None) -> list[tuple[float, list[tuple[dt.date, bool]]]]:
    """(ratio, the dates its facts name, each with whether it is an instant) per split the ratio tags report."""
    frames = [_rows(doc, "us-gaap", tag, "pure", as_of) for tag in RATIO_TAGS]
    present = [f for f in frames if not f.empty]
    out: list[tuple[float, list[tuple[dt.date, bool]]]] = []
    if not present:
        return out
    facts = pd.concat(present, ignore_index=True)
    for ratio, group in facts.groupby(facts["val"].round(6), sort=True):
        if abs(float(ratio) - 1.0) < 1e-9:
            continue
        # an instant names a day (announcement, approval or effective day); a duration a month or a period
        dates: set[tuple[dt.date, bool]] = set()
        for row in group.itertuples(index=False):
            if pd.isna(row.start):
                dates.add((row.end.date(), True))
            else:
                dates |= {(row.start.date(), False), (row.end.date(), False)}
        cluster: list[tuple[dt.date, bool]] = []
        for d in sorted(dates):
            if cluster and (d[0] - cluster[-1][0]).days > SAME_SPLIT_DAYS:
                out.append((float(ratio), cluster))
                cluster = []
            cluster.append(d)
        if cluster:
            out.append((float(ratio), cluster))
    return out


def _date_inside(
    dates: list[tuple[dt.date, bool]], last_pre: dt.date | None, first_post: dt.date | None
) -> dt.date:
    """The split's day as the tags name it, inside the filing window when one is known: the latest instant
    there (the effective day follows the announcement), else the earliest duration bound there, else the
    window's end, else the latest instant (an announced split)."""
    inside = [
        d
        for d in dates
        if (last_pre is None or d[0] > last_pre) and (first_post is None or d[0] <= first_post)
    ]
    instants = [d for d, instant in inside if instant]
    if instants:
        return max(instants)
    if inside:
        return min(d for d, _ in inside)
    if first_post is not None:
        return first_post
    return max((d for d, instant in dates if instant), default=max(d for d, _ in dates))


def find_splits(doc: object, as_of: dt.date | None) -> list[SecSplit]:
    """Every split the facts filed by `as_of` show, oldest first (rules in the module docstring)."""
    if not isinstance(doc, dict):
        return []
    cover = _cover_jumps(_rows(doc, "dei", COVER_SHARES, "shares", as_of))
    comparatives = _restated_comparatives(
        _rows(doc, "us-gaap", DILUTED_SHARES, "shares", as_of)
    ) + _restated_comparatives(
        _rows(doc, "us-gaap", PER_SHARE_DIVIDE[0], "USD/shares", as_of), per_share=True
    )
    jumps = cover + comparatives
    filings = _filing_dates(doc, as_of)
    found: list[SecSplit] = []
    used: set[int] = set()
    for ratio, dates in _tagged(doc, as_of):
        # the tag does not say forward or reverse; the share counts do
        k = ratio
        days = [d for d, _ in dates]
        near = [
            j for j in jumps if _near(j.ratio, 1 / ratio) and any(abs((j.after - d).days) < 400 for d in days)
        ]
        if near and not any(_near(j.ratio, ratio) for j in jumps):
            k = 1 / ratio
        candidates = [
            j for j in jumps if _near(j.ratio, k) and any(-30 < (j.after - d).days < 400 for d in days)
        ]
        last_pre, first_post, how = _boundary(candidates, k, filings)
        used.update(id(j) for j in candidates)
        evidence = [f"{RATIO_TAGS[0]} = {ratio:g} (dated {', '.join(sorted({d.isoformat() for d in days}))})"]
        if how:
            evidence.append(how)
        elif filings and max(days) < filings[0]:
            # before the first 10-K/10-Q in the file: every filing here is on the new basis already
            first_post = filings[0]
            evidence.append(f"before the first filing in the file ({filings[0].isoformat()})")
        found.append(
            SecSplit(k, _date_inside(dates, last_pre, first_post), last_pre, first_post, tuple(evidence))
        )
    # untagged: a cover-page jump confirmed by restated comparatives of the same ratio
    for j in cover:
        if id(j) in used or not (j.ratio >= MIN_UNTAGGED_RATIO or j.ratio <= 1 / MIN_UNTAGGED_RATIO):
            continue
        rounded = _round_ratio(j.ratio)
        if rounded is None:
            continue
        k = rounded
        confirm = [c for c in comparatives if _near(c.ratio, k) and abs((c.after - j.after).days) < 200]
        if not confirm:
            continue
        last_pre, first_post, _ = _boundary([j, *confirm], k, filings)
        found.append(
            SecSplit(k, first_post or j.after, last_pre, first_post, (j.how, confirm[0].how, "no ratio tag"))
        )
    return sorted(found, key=lambda s: s.date)


def _filing_dates(doc: dict[str, object], as_of: dt.date | None) -> list[dt.date]:
    """Filing dates of the 10-K/10-Q filings that report diluted shares, EPS or the cover share count."""
    frames = [
        _rows(doc, "us-gaap", DILUTED_SHARES, "shares", as_of),
        _rows(doc, "us-gaap", PER_SHARE_DIVIDE[0], "USD/shares", as_of),
        _rows(doc, "dei", COVER_SHARES, "shares", as_of),
    ]
    return sorted({d.date() for f in frames for d in f["filed"]})


def _round_ratio(r: float) -> float | None:
    """The split ratio a share-count jump is closest to (whole numbers and their inverses), if near one."""
    k = float(round(r)) if r >= 1 else 1.0 / round(1.0 / r)
    return k if _near(r, k) else None


def restate_per_share(facts: pd.DataFrame, splits: list[SecSplit]) -> pd.DataFrame:
    """The facts with per-share tags restated to the basis after every applied split (module docstring);
    `as_filed` keeps the filed value and `restated` says how, on the rows that changed."""
    out = facts.copy()
    out["as_filed"] = np.nan
    out["restated"] = None
    applied = [s for s in splits if s.first_post is not None]
    if not applied:
        return out
    per_share = out["tag"].isin(PER_SHARE_DIVIDE + SHARE_COUNT_MULTIPLY)
    factor = np.ones(len(out))
    notes: list[list[str]] = [[] for _ in range(len(out))]
    filed = out["filed"].to_numpy()
    for s in applied:
        assert s.first_post is not None
        before = per_share.to_numpy() & (filed < np.datetime64(s.first_post))
        factor = np.where(before, factor * s.ratio, factor)
        for i in np.flatnonzero(before):
            notes[i].append(f"{s.label()} split of {s.date.isoformat()}")
    changed = factor != 1.0
    divide = out["tag"].isin(PER_SHARE_DIVIDE).to_numpy()
    vals = out["val"].to_numpy(dtype=np.float64)
    out.loc[changed, "as_filed"] = vals[changed]
    out["val"] = np.where(changed, np.where(divide, vals / factor, vals * factor), vals)
    out["restated"] = [
        (
            f"as filed {f.date().isoformat()}: {v:g}, restated "
            f"{'/' if d else 'x'}{k:g} for the {' and '.join(n)}"
            if c
            else None
        )
        for f, v, d, k, n, c in zip(out["filed"], vals, divide, factor, notes, changed, strict=True)
    ]
    return out
