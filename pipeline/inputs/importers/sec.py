"""SEC XBRL `companyfacts` JSON -> fiscal-year statement periods of a bundle.

Rules (documented in docs/importing.md):
- only facts from forms 10-K and 10-K/A; duration facts count when they span 350-380 days (a fiscal year),
  instant facts (balance sheet) when they sit on a fiscal-year end found from the duration facts;
- no look-ahead: only facts with `filed <= as_of` are seen; per (tag, period end) the latest `filed` wins,
  so a later restatement replaces the original figure (if it was filed by `as_of`);
- each line item tries a fallback list of tags in order, per period; the tag used is recorded in `source`;
- the fiscal-year label is the calendar year of the period end (see `fiscal_year_of`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.inputs.bundle import Bundle
from pipeline.inputs.importers.bundle_io import (
    ProfileOptions,
    commit,
    cutoff,
    merge_fiscal_years,
    open_bundle,
    read_existing,
    set_as_of,
)
from pipeline.inputs.importers.common import fiscal_year_of, read_json_source
from pipeline.inputs.sources import fail

FORMS = ("10-K", "10-K/A")
MIN_DAYS, MAX_DAYS = 350, 380


@dataclass(frozen=True)
class Recipe:
    """`tags` are summed and all required, except `optional` ones which count as 0 when absent."""

    tags: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return "+".join(self.tags + self.optional)


def _r(*tags: str, optional: tuple[str, ...] = ()) -> Recipe:
    return Recipe(tags, optional)


# statement -> line -> fallback recipes, first found wins (per period).
DURATION_LINES: dict[str, dict[str, list[Recipe]]] = {
    "income": {
        "revenue": [_r("Revenues"), _r("RevenueFromContractWithCustomerExcludingAssessedTax"),
                    _r("RevenueFromContractWithCustomerIncludingAssessedTax"), _r("SalesRevenueNet"),
                    _r("SalesRevenueGoodsNet")],
        "cost_of_revenue": [_r("CostOfRevenue"), _r("CostOfGoodsAndServicesSold"), _r("CostOfGoodsSold"),
                            _r("CostOfGoodsAndServiceExcludingDepreciationDepletionAndAmortization")],
        "gross_profit": [_r("GrossProfit")],
        "operating_income": [_r("OperatingIncomeLoss")],
        "depreciation_amortization": [_r("DepreciationDepletionAndAmortization"), _r("DepreciationAndAmortization"),
                                      _r("DepreciationAmortizationAndAccretionNet")],
        "interest_expense": [_r("InterestExpense"), _r("InterestExpenseNonoperating"), _r("InterestExpenseDebt")],
        "income_tax": [_r("IncomeTaxExpenseBenefit")],
        "net_income": [_r("NetIncomeLoss"), _r("ProfitLoss"), _r("NetIncomeLossAvailableToCommonStockholdersBasic")],
        "eps_diluted": [_r("EarningsPerShareDiluted")],
        "shares_diluted": [_r("WeightedAverageNumberOfDilutedSharesOutstanding")],
    },
    "cash_flow": {
        "operating_cash_flow": [_r("NetCashProvidedByUsedInOperatingActivities"),
                                _r("NetCashProvidedByUsedInOperatingActivitiesContinuingOperations")],
        "capital_expenditure": [_r("PaymentsToAcquirePropertyPlantAndEquipment"),
                                _r("PaymentsToAcquireProductiveAssets")],
        "investing_cash_flow": [_r("NetCashProvidedByUsedInInvestingActivities"),
                                _r("NetCashProvidedByUsedInInvestingActivitiesContinuingOperations")],
        "financing_cash_flow": [_r("NetCashProvidedByUsedInFinancingActivities"),
                                _r("NetCashProvidedByUsedInFinancingActivitiesContinuingOperations")],
        "dividends_paid": [_r("PaymentsOfDividends"), _r("PaymentsOfDividendsCommonStock")],
    },
}
INSTANT_LINES: dict[str, list[Recipe]] = {
    "total_assets": [_r("Assets")],
    "current_assets": [_r("AssetsCurrent")],
    "cash_and_equivalents": [_r("CashAndCashEquivalentsAtCarryingValue")],
    "cash_and_short_term_investments": [_r("CashCashEquivalentsAndShortTermInvestments")],
    "total_liabilities": [_r("Liabilities")],
    "current_liabilities": [_r("LiabilitiesCurrent")],
    "stockholders_equity": [_r("StockholdersEquity"),
                            _r("StockholdersEquityIncludingPortionAttributableToNoncontrollingInterest")],
    # total_debt = long-term debt (incl. its current part) + short-term borrowings, see _total_debt.
    "_long_term_debt": [_r("LongTermDebt"), _r("LongTermDebtNoncurrent", optional=("LongTermDebtCurrent",)),
                        _r("ConvertibleDebtNoncurrent", optional=("ConvertibleDebtCurrent",))],
    "_commercial_paper": [_r("CommercialPaper")],
    "_short_term_borrowings": [_r("ShortTermBorrowings")],
}
ANCHOR_LINES = ("revenue", "net_income", "operating_cash_flow")
PER_SHARE = {"eps_diluted"}
SHARES = {"shares_diluted"}
POSITIVE = {"capital_expenditure", "dividends_paid"}  # cash paid, stored as a positive number


def _all_tags() -> set[str]:
    recipes = [r for lines in DURATION_LINES.values() for rs in lines.values() for r in rs]
    recipes += [r for rs in INSTANT_LINES.values() for r in rs]
    return {t for r in recipes for t in r.tags + r.optional}


def _unit_for(tag: str, currency: str) -> str:
    if tag == "EarningsPerShareDiluted":
        return f"{currency}/shares"
    if tag == "WeightedAverageNumberOfDilutedSharesOutstanding":
        return "shares"
    return currency


def facts_frame(doc: object, path: Path, currency: str, as_of: dt.date | None) -> pd.DataFrame:
    """Long frame (tag, start, end, val, filed, accn) of the 10-K facts we use, filed by `as_of`,
    deduplicated so that per (tag, duration/instant, end) the latest filing wins."""
    if not isinstance(doc, dict) or not isinstance(doc.get("facts"), dict):
        raise fail(path, "not an SEC companyfacts file (no 'facts' object)")
    gaap = doc["facts"].get("us-gaap")
    if not isinstance(gaap, dict) or not gaap:
        raise fail(path, "no us-gaap facts in this companyfacts file")
    parts = []
    for tag in sorted(_all_tags() & gaap.keys()):
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
    facts = facts[facts["form"].isin(FORMS)].copy()
    facts["end"] = pd.to_datetime(facts["end"], errors="coerce", format="%Y-%m-%d")
    facts["start"] = pd.to_datetime(facts["start"], errors="coerce", format="%Y-%m-%d")
    facts["filed"] = pd.to_datetime(facts["filed"], errors="coerce", format="%Y-%m-%d")
    facts["val"] = pd.to_numeric(facts["val"], errors="coerce")
    facts = facts.dropna(subset=["end", "filed", "val"])
    if as_of is not None:
        facts = facts[facts["filed"] <= pd.Timestamp(as_of)]
    days = (facts["end"] - facts["start"]).dt.days
    facts["kind"] = np.where(facts["start"].isna(), "instant",
                             np.where(days.between(MIN_DAYS, MAX_DAYS), "duration", "other"))
    facts = facts[facts["kind"] != "other"]
    facts = facts.sort_values(["filed", "accn"], kind="stable")
    return facts.drop_duplicates(["tag", "kind", "end"], keep="last")[
        ["tag", "kind", "start", "end", "val", "filed", "accn"]]


def _apply(recipes: list[Recipe], vals: pd.DataFrame, filed: pd.DataFrame) -> tuple[pd.Series, pd.Series,
                                                                                     pd.Series]:
    """Per period end: value of the first recipe that resolves, its name, and its latest filed date."""
    value = pd.Series(np.nan, index=vals.index)
    name = pd.Series(None, index=vals.index, dtype=object)
    when = pd.Series(pd.NaT, index=vals.index, dtype="datetime64[ns]")
    for r in recipes:
        cols = [t for t in r.tags + r.optional if t in vals.columns]
        if any(t not in vals.columns for t in r.tags):
            continue
        required = vals[list(r.tags)].notna().all(axis=1)
        total = vals[cols].fillna(0.0).sum(axis=1)
        take = required & value.isna()
        value = value.where(~take, total)
        name = name.where(~take, r.name)
        when = when.where(~take, filed[cols].max(axis=1))
    return value, name, when


def _pivot(facts: pd.DataFrame, kind: str, ends: pd.DatetimeIndex) -> tuple[pd.DataFrame, pd.DataFrame]:
    sub = facts[facts["kind"] == kind]
    vals = sub.pivot(index="end", columns="tag", values="val").reindex(ends)
    filed = sub.pivot(index="end", columns="tag", values="filed").reindex(ends)
    return vals, filed


def sec_periods(path: Path, *, currency: str = "USD", as_of: dt.date | None = None,
                years: int | None = None) -> tuple[list[dict[str, object]], str | None]:
    """Fiscal-year `Period` dicts (newest first) from a companyfacts file, and the filer's entityName."""
    doc = read_json_source(path)
    facts = facts_frame(doc, path, currency, as_of)
    entity = doc.get("entityName") if isinstance(doc, dict) else None
    anchor_tags = {t for line in ANCHOR_LINES for r in DURATION_LINES["income"].get(line, [])
                   + DURATION_LINES["cash_flow"].get(line, []) for t in r.tags}
    anchors = facts[(facts["kind"] == "duration") & facts["tag"].isin(anchor_tags)]
    if anchors.empty:
        when = f" filed on or before {as_of}" if as_of else ""
        raise fail(path, f"no annual (10-K) revenue, net income or cash-flow facts{when}")
    ends = pd.DatetimeIndex(sorted(anchors["end"].unique(), reverse=True))
    if years:
        ends = ends[:years]
    starts = anchors.sort_values("start").drop_duplicates("end", keep="last").set_index("end")["start"]

    dvals, dfiled = _pivot(facts, "duration", ends)
    ivals, ifiled = _pivot(facts, "instant", ends)
    lines: dict[str, dict[str, pd.Series]] = {}
    used: dict[str, pd.Series] = {}
    filed_cols: list[pd.Series] = []
    for statement, spec in [*DURATION_LINES.items(), ("balance", INSTANT_LINES)]:
        vals, filed = (ivals, ifiled) if statement == "balance" else (dvals, dfiled)
        for line, recipes in spec.items():
            value, name, when = _apply(recipes, vals, filed)
            lines.setdefault(statement, {})[line] = value.abs() if line in POSITIVE else value
            used[line] = name
            filed_cols.append(when)

    inc, bal = lines["income"], lines["balance"]
    # GOOGL (and others) report no GrossProfit tag: derive it as revenue - cost of revenue.
    derived_gp = inc["gross_profit"].isna() & inc["revenue"].notna() & inc["cost_of_revenue"].notna()
    inc["gross_profit"] = inc["gross_profit"].where(~derived_gp, inc["revenue"] - inc["cost_of_revenue"])
    used["gross_profit"] = used["gross_profit"].where(~derived_gp, "derived revenue-cost_of_revenue")
    debt_parts = [bal.pop("_long_term_debt"), bal.pop("_commercial_paper"), bal.pop("_short_term_borrowings")]
    has_debt = pd.concat(debt_parts, axis=1).notna().any(axis=1)
    bal["total_debt"] = pd.concat(debt_parts, axis=1).fillna(0.0).sum(axis=1).where(has_debt)
    used["total_debt"] = pd.concat([used.pop(k) for k in ("_long_term_debt", "_commercial_paper",
                                                          "_short_term_borrowings")], axis=1).apply(
        lambda row: "+".join(v for v in row if isinstance(v, str)) or None, axis=1)
    period_filed = pd.concat(filed_cols, axis=1).max(axis=1)

    periods: list[dict[str, object]] = []
    for end in ends:  # one row per fiscal year (a handful), not a hot path
        period: dict[str, object] = {}
        for statement in ("income", "balance", "cash_flow"):
            block = {line: _number(s[end], line) for line, s in lines[statement].items() if pd.notna(s[end])}
            if block:
                period[statement] = block
        fy = fiscal_year_of(end.date())
        start = starts.get(end)
        # Name only the lines whose value did not come from the first tag of their fallback list.
        tags = [f"{line}={used[line][end]}" for line in _line_order()
                if isinstance(used[line][end], str) and used[line][end] != _DEFAULT_TAG.get(line)]
        head = {"label": f"FY{fy}", "kind": "FY", "fiscal_year": fy}
        if start is not None and pd.notna(start):
            head["start"] = start.date().isoformat()
        head["end"] = end.date().isoformat()
        head["filed"] = period_filed[end].date().isoformat()
        source = "SEC companyfacts 10-K, us-gaap default tags (docs/importing.md)" + (
            "; except " + ", ".join(tags) if tags else "")
        periods.append({**head, **period, "source": _shorten(source)})
    return periods, entity if isinstance(entity, str) else None


_DEFAULT_TAG = {**{line: rs[0].name for spec in DURATION_LINES.values() for line, rs in spec.items()},
                **{line: rs[0].name for line, rs in INSTANT_LINES.items()},
                "gross_profit": "GrossProfit", "total_debt": "LongTermDebt"}


def _line_order() -> list[str]:
    return [*DURATION_LINES["income"], *DURATION_LINES["cash_flow"],
            *[k for k in INSTANT_LINES if not k.startswith("_")], "total_debt"]


def _number(value: float, line: str) -> float | int:
    """Integers stay integers in JSON (money in units); per-share figures keep their decimals."""
    if line not in PER_SHARE and float(value).is_integer():
        return int(value)
    return float(value)


# Long tag names: keep the source note within the bundle's 500-character limit.
_ABBREV = {"RevenueFromContractWithCustomerExcludingAssessedTax": "RevenueFromContractExclTax",
           "NetCashProvidedByUsedIn": "NetCash", "PaymentsToAcquire": "PayAcq",
           "WeightedAverageNumberOfDilutedSharesOutstanding": "DilutedShares",
           "CashAndCashEquivalentsAtCarryingValue": "CashAndEquivalents",
           "StockholdersEquityIncludingPortionAttributableToNoncontrollingInterest": "EquityInclNCI",
           "DepreciationDepletionAndAmortization": "DDA", "CostOfGoodsAndServicesSold": "COGS"}


def _shorten(text: str, limit: int = 500) -> str:
    for long, short in _ABBREV.items():
        text = text.replace(long, short)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def import_sec(path: Path, out_dir: Path, *, ticker: str | None, as_of: dt.date | None = None,
               profile: ProfileOptions | None = None, years: int | None = 5) -> Bundle:
    """`stockreport import sec`: fill `financials` of the bundle at `out_dir` (created if absent)."""
    profile = profile or ProfileOptions()
    out_dir = Path(out_dir)
    # The facts' unit key is the reporting currency (--currency, USD by default for US filers).
    currency = profile.currency
    limit = cutoff(read_existing(out_dir) or {}, as_of)
    periods, entity = sec_periods(Path(path), currency=currency, as_of=limit, years=years)
    raw = open_bundle(out_dir, ticker, profile, default_name=entity)
    set_as_of(raw, as_of, max(dt.date.fromisoformat(str(p["filed"])) for p in periods))
    merge_fiscal_years(raw, periods, currency)
    return commit(out_dir, raw)
