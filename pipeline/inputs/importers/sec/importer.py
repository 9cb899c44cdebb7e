"""SEC XBRL `companyfacts` JSON -> fiscal-year and TTM statement periods of a bundle.

Rules (documented in docs/importing.md):
- fiscal years from forms 10-K and 10-K/A (durations of 350-380 days; balances on the fiscal-year end);
- the TTM from the latest 10-Q after the last fiscal year (ttm.py), and the TTM a year before it, so growth
  compares like with like; none when the newest filing is the 10-K itself;
- no look-ahead: only facts with `filed <= as_of`; the latest filing of a fact wins;
- each line from its tags (lines.py): plain lines take the first tag of a fallback list; debt, cash with
  short-term investments, EBIT and capex are built from components, recorded in the period's `components`;
- the fiscal-year label is the calendar year of the period end (see `fiscal_year_of`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.errors import StockreportError
from pipeline.inputs.bundle import Bundle
from pipeline.inputs.importers.bundle_io import (
    ProfileOptions,
    SourceProfile,
    commit,
    cutoff,
    merge_statement_periods,
    open_bundle,
    read_existing,
    reporting_currency,
    set_as_of,
    statement_options,
)
from pipeline.inputs.importers.common import fiscal_year_of, read_json_source
from pipeline.inputs.importers.names import readable_name
from pipeline.inputs.importers.sec import lines as L
from pipeline.inputs.importers.sec.facts import (
    annual_ends,
    annual_start,
    facts_frame,
    fiscal_year_instants,
    quarterly_ends,
    values,
)
from pipeline.inputs.importers.sec.splits import SecSplit, find_splits, public_float, restate_per_share
from pipeline.inputs.importers.sec.submissions import STATEMENT_FORMS, FilerProfile, read_submissions
from pipeline.inputs.importers.sec.ttm import TTMInputs, ttm_inputs
from pipeline.inputs.sources import fail

STATEMENT_OF = {
    **{line: "income" for line in L.DURATION_TAGS["income"]},
    **{line: "cash_flow" for line in L.DURATION_TAGS["cash_flow"]},
    **{line: "balance" for line in L.INSTANT_TAGS},
    "operating_income": "income",
    "capital_expenditure": "cash_flow",
    "total_debt": "balance",
    "cash_and_short_term_investments": "balance",
}
LINE_ORDER = [
    *L.DURATION_TAGS["income"],
    "operating_income",
    *L.DURATION_TAGS["cash_flow"],
    "capital_expenditure",
    *L.INSTANT_TAGS,
    "cash_and_short_term_investments",
    "total_debt",
]
DEFAULT_SOURCE = {
    **{line: tags[0] for spec in L.DURATION_TAGS.values() for line, tags in spec.items()},
    **{line: tags[0] for line, tags in L.INSTANT_TAGS.items()},
    "operating_income": "OperatingIncomeLoss",
    "capital_expenditure": L.CAPEX_TAGS[0],
    "cash_and_short_term_investments": L.CASH_STI_TOTAL,
    "total_debt": "LongTermDebtNoncurrent+LongTermDebtCurrent",
}


@dataclass
class Built:
    """One period's lines (statement -> line -> value), the tags behind them, components and filing date."""

    lines: dict[str, dict[str, float | int]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    components: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    filed: dt.date | None = None

    def put(
        self,
        line: str,
        value: float,
        source: str,
        filed: dt.date | None,
        components: list[L.Component] | None = None,
    ) -> None:
        value = abs(value) if line in L.POSITIVE else value
        self.lines.setdefault(STATEMENT_OF[line], {})[line] = _number(value, line)
        self.sources[line] = source
        if components:
            self.components[line] = [c.as_dict() for c in components]
        if filed is not None:
            self.filed = max(self.filed, filed) if self.filed else filed


def _number(value: float, line: str) -> float | int:
    """Integers stay integers in JSON (money in units); per-share figures keep their decimals."""
    if line not in L.PER_SHARE and float(value).is_integer():
        return int(value)
    return float(value)


def _filed(vals: L.Values, tags: list[str]) -> dt.date | None:
    dates = [vals[t].filed for t in tags if t in vals]
    return max(dates) if dates else None


def build_lines(duration: L.Values, instant: L.Values) -> Built:
    """Every statement line of one period from its tag values (lines.py)."""
    out = Built()
    for spec in L.DURATION_TAGS.values():
        for line, tags in spec.items():
            found = L.first_tag(duration, tags)
            if found:
                note = duration[found[0]].note
                parts = [L.Component(found[0], found[1], note=note)] if note else None
                out.put(line, found[1], found[0], duration[found[0]].filed, parts)
    for line, tags in L.INSTANT_TAGS.items():
        found = L.first_tag(instant, tags)
        if found:
            out.put(line, found[1], found[0], instant[found[0]].filed)
    inc = out.lines.get("income", {})
    revenue, cost = inc.get("revenue"), inc.get("cost_of_revenue")
    if "gross_profit" not in inc and revenue is not None and cost is not None:
        # Alphabet (and others) report no GrossProfit tag.
        out.put("gross_profit", revenue - cost, "derived revenue-cost_of_revenue", None)
    built: list[tuple[str, L.Line | None, L.Values]] = [
        ("operating_income", L.operating_income(duration, revenue, cost), duration),
        (
            "depreciation_amortization",
            None if "depreciation_amortization" in inc else L.depreciation_amortization(duration),
            duration,
        ),
        ("capital_expenditure", L.capital_expenditure(duration), duration),
        (
            "cash_and_short_term_investments",
            L.cash_and_short_term_investments(
                instant, out.lines.get("balance", {}).get("cash_and_equivalents")
            ),
            instant,
        ),
        ("total_debt", L.total_debt(instant), instant),
    ]
    for line, result, vals in built:
        if result is not None:
            out.put(line, result.value, "+".join(result.tags), _filed(vals, result.tags), result.components)
    return out


# Long tag names: keep the source note within the bundle's 500-character limit.
_ABBREV = {
    "RevenueFromContractWithCustomerExcludingAssessedTax": "RevenueFromContractExclTax",
    "NetCashProvidedByUsedIn": "NetCash",
    "PaymentsToAcquire": "PayAcq",
    "WeightedAverageNumberOfDilutedSharesOutstanding": "DilutedShares",
    "CashAndCashEquivalentsAtCarryingValue": "CashAndEquivalents",
    "StockholdersEquityIncludingPortionAttributableToNoncontrollingInterest": "EquityInclNCI",
    "DepreciationDepletionAndAmortization": "DDA",
    "CostOfGoodsAndServicesSold": "COGS",
}


def _shorten(text: str, limit: int = 500) -> str:
    for long, short in _ABBREV.items():
        text = text.replace(long, short)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _source(head: str, built: Built) -> str:
    """Name only the lines whose value did not come from the first tag of their fallback list."""
    other = [
        f"{line}={built.sources[line]}"
        for line in LINE_ORDER
        if line in built.sources and built.sources[line] != DEFAULT_SOURCE.get(line)
    ]
    return _shorten(head + ("; except " + ", ".join(other) if other else ""))


def _period(head: dict[str, Any], built: Built, source: str) -> dict[str, Any]:
    period = dict(head)
    if built.filed is not None:
        period["filed"] = built.filed.isoformat()
    for statement in ("income", "balance", "cash_flow"):
        if built.lines.get(statement):
            period[statement] = built.lines[statement]
    period["source"] = source
    if built.components:
        period["components"] = built.components
    return period


def fiscal_year_period(facts: pd.DataFrame, end: pd.Timestamp) -> dict[str, Any]:
    built = build_lines(values(facts, "annual", "duration", end), fiscal_year_instants(facts, end))
    fy = fiscal_year_of(end.date())
    head: dict[str, Any] = {"label": f"FY{fy}", "kind": "FY", "fiscal_year": fy}
    start = annual_start(facts, end)
    if start is not None:
        head["start"] = start.date().isoformat()
    head["end"] = end.date().isoformat()
    return _period(
        head, built, _source("SEC companyfacts 10-K, us-gaap default tags (docs/importing.md)", built)
    )


def ttm_period(inputs: TTMInputs, label: str) -> dict[str, Any]:
    built = build_lines(inputs.duration, inputs.instant)
    head = {
        "label": label,
        "kind": "TTM",
        "start": inputs.start.date().isoformat(),
        "end": inputs.end.date().isoformat(),
    }
    base = fiscal_year_of(inputs.fiscal_year_end.date())
    assert inputs.prior_ytd_end is not None
    how = (
        f"SEC companyfacts TTM = FY{base} (10-K) + 10-Q year-to-date to {inputs.end.date()} - year-to-date "
        f"to {inputs.prior_ytd_end.date()}; balances at {inputs.end.date()}; us-gaap default tags"
    )
    return _period(head, built, _source(how, built))


def ttm_periods(facts: pd.DataFrame, last_fy_end: pd.Timestamp) -> list[dict[str, Any]]:
    """The TTM of the latest 10-Q after the last fiscal year, and the TTM a year before it (its growth base)."""
    ends = quarterly_ends(facts, last_fy_end)
    latest = ttm_inputs(facts, ends[0]) if ends else None
    if latest is None or latest.prior_ytd_end is None or not latest.duration:
        return []
    out = [ttm_period(latest, "TTM")]
    earlier = ttm_inputs(facts, latest.prior_ytd_end)
    if earlier is not None and earlier.prior_ytd_end is not None and earlier.duration:
        out.append(ttm_period(earlier, f"TTM {earlier.end:%b %Y}"))
    return out


def sec_periods(
    path: Path, *, currency: str = "USD", as_of: dt.date | None = None, years: int | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """TTM periods (when a 10-Q follows the last 10-K) then fiscal years, newest first, and the entityName."""
    return periods_from_facts(read_json_source(path), str(path), currency=currency, as_of=as_of, years=years)


@dataclass(frozen=True)
class SecStatements:
    """What one companyfacts document gives a bundle: periods, the filer's name, its splits, and the date
    whose share basis every period's per-share lines are on (the newest filing read)."""

    periods: list[dict[str, Any]]
    entity: str | None
    splits: list[SecSplit]
    share_basis: dt.date
    public_float: dict[str, Any] | None = None


def periods_from_facts(
    doc: object,
    label: str | Path,
    *,
    currency: str = "USD",
    as_of: dt.date | None = None,
    years: int | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """`sec_periods` of a parsed companyfacts document; `label` names it in error lines (a path or a URL)."""
    got = statements_from_facts(doc, label, currency=currency, as_of=as_of, years=years)
    return got.periods, got.entity


def statements_from_facts(
    doc: object,
    label: str | Path,
    *,
    currency: str = "USD",
    as_of: dt.date | None = None,
    years: int | None = None,
) -> SecStatements:
    """Periods (per-share lines restated for splits to the newest filing's share basis), name and splits."""
    splits = find_splits(doc, as_of)
    facts = restate_per_share(facts_frame(doc, label, currency, as_of), splits)
    entity = doc.get("entityName") if isinstance(doc, dict) else None
    ends = annual_ends(facts)
    if not len(ends):
        when = f" filed on or before {as_of}" if as_of else ""
        raise fail(label, f"no annual (10-K) revenue, net income or cash-flow facts{when}")
    fiscal_years = [fiscal_year_period(facts, end) for end in (ends[:years] if years else ends)]
    periods = ttm_periods(facts, ends[0]) + fiscal_years
    basis = max(dt.date.fromisoformat(str(p["filed"])) for p in periods if p.get("filed"))
    cover = public_float(doc, as_of) if isinstance(doc, dict) else None
    return SecStatements(periods, entity if isinstance(entity, str) else None, splits, basis, cover)


@dataclass(frozen=True)
class SecDocuments:
    """Parsed EDGAR documents of one filer (as `fetch sec` downloads them); labels name them in errors."""

    facts: object
    facts_label: str
    submissions: object | None = None
    submissions_label: str = "submissions"


def _set_note(raw: dict[str, Any], prefix: str, text: str | None) -> None:
    """Replace this source's note (the one starting with `prefix`) in the bundle's notes."""
    notes = [n for n in raw.get("notes", []) if not str(n).startswith(prefix)]
    raw["notes"] = notes + ([text] if text else [])
    if not raw["notes"]:
        raw.pop("notes")


SEC_SPLIT_SOURCE = "SEC companyfacts"


def _set_splits(raw: dict[str, Any], splits: list[SecSplit]) -> None:
    """The bundle's splits: those the SEC facts show replace earlier SEC ones; splits from elsewhere stay
    (one per date)."""
    kept = [s for s in raw.get("splits", []) if not str(s.get("source", "")).startswith(SEC_SPLIT_SOURCE)]
    new = [
        {
            "date": s.date.isoformat(),
            "ratio": int(s.ratio) if s.ratio.is_integer() else s.ratio,
            "source": s.source(),
        }
        for s in splits
        if s.first_post is not None
    ]
    dates = {s["date"] for s in new}
    merged = sorted(
        [*new, *(s for s in kept if str(s.get("date")) not in dates)], key=lambda s: str(s["date"])
    )
    if merged:
        raw["splits"] = merged
    else:
        raw.pop("splits", None)


def _announced_note(splits: list[SecSplit], basis: dt.date) -> str | None:
    """A split the filings announce but none shows yet: the statements are on the old basis."""
    pending = [s for s in splits if s.first_post is None]
    if not pending:
        return None
    what = ", ".join(f"a {s.label()} split (dated {s.date.isoformat()} in the filings)" for s in pending)
    return (
        f"SEC EDGAR: announced split: {what} shows in no filing by {basis.isoformat()}: per-share lines are "
        "on the basis before it; once it takes effect, record it with `stockreport import splits` so "
        "prices and per-share lines are put on one basis"
    )


def _lag_warning(filer: FilerProfile, periods: list[dict[str, Any]], limit: dt.date | None) -> str | None:
    """When EDGAR lists a 10-K/10-Q filed later than every fact the import used: companyfacts lags it."""
    latest = filer.latest(STATEMENT_FORMS, limit)
    used = max((dt.date.fromisoformat(str(p["filed"])) for p in periods if p.get("filed")), default=None)
    if latest is None or used is None or latest.filed <= used:
        return None
    period = f" for the period to {latest.report_date}" if latest.report_date else ""
    return (
        f"SEC EDGAR: EDGAR lists a {latest.form} filed {latest.filed}{period} whose facts are not in "
        f"companyfacts yet; the newest statements here were filed {used}"
    )


def import_sec(
    source: Path | SecDocuments,
    out_dir: Path,
    *,
    ticker: str | None,
    as_of: dt.date | None = None,
    profile: ProfileOptions | None = None,
    years: int | None = 5,
    warn: Callable[[str], None] | None = None,
) -> Bundle:
    """`stockreport import sec` (and `fetch sec`): fill `financials` of the bundle at `out_dir` (created if
    absent) from companyfacts, and, with a submissions document, the profile fields EDGAR reports."""
    profile = profile or ProfileOptions()
    out_dir = Path(out_dir)
    if isinstance(source, SecDocuments):
        docs = source
    else:
        docs = SecDocuments(read_json_source(Path(source)), str(source))
    existing = read_existing(out_dir)
    currency = reporting_currency(
        existing, profile.currency
    )  # --currency is the facts' unit (USD for US filers)
    limit = cutoff(existing or {}, as_of)
    got = statements_from_facts(docs.facts, docs.facts_label, currency=currency, as_of=limit, years=years)
    periods, entity = got.periods, got.entity
    filer = None
    if docs.submissions is not None:
        filer_ticker = ticker or (str(existing["profile"]["ticker"]) if existing else None)
        if filer_ticker is None:
            raise StockreportError("a submissions file needs --ticker (the exchange is looked up by ticker)")
        filer = read_submissions(docs.submissions, docs.submissions_label, ticker=filer_ticker, as_of=limit)
    raw_name = filer.name if filer else entity
    source_profile = SourceProfile(
        name=readable_name(raw_name) if raw_name else None,
        raw_name=raw_name,
        exchange=filer.exchange if filer else None,
        sector=filer.sector if filer else None,
        industry=filer.industry if filer else None,
        country=filer.country if filer else None,
    )
    raw = open_bundle(out_dir, ticker, statement_options(existing, profile, currency), source_profile)
    set_as_of(raw, as_of, max(dt.date.fromisoformat(str(p["filed"])) for p in periods if p.get("filed")))
    merge_statement_periods(raw, periods, currency, share_basis=got.share_basis)
    if got.public_float is not None and currency == "USD":
        raw["financials"]["public_float"] = got.public_float
    else:
        raw["financials"].pop("public_float", None)
    _set_splits(raw, got.splits)
    announced = _announced_note(got.splits, got.share_basis)
    _set_note(raw, "SEC EDGAR: announced split", announced)
    if announced and warn:
        warn(announced)
    if filer is not None:
        _set_note(raw, "SEC EDGAR: CIK", filer.note(limit))
        lag = _lag_warning(filer, periods, limit)
        _set_note(raw, "SEC EDGAR: EDGAR lists", lag)
        if lag and warn:
            warn(lag)
    return commit(out_dir, raw)
