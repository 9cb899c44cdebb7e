"""Yahoo-Finance-style statement CSVs (rows = line items, columns = period-end dates) -> FY periods.

The files (e.g. FinanceToolkit's `GOOGL_income.csv`, `GOOGL_balance.csv`, `GOOGL_cash.csv`) carry no filing
dates, so `--as-of` keeps a period only if its end plus a filing lag (default 90 days, the slowest
10-K deadline) is on or before the cutoff; `filed` stays unknown (None).
Items are mapped with a fallback list per bundle line; capex and dividends become positive numbers.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import InputError, Problem
from pipeline.inputs.bundle import Bundle
from pipeline.inputs.importers.bundle_io import (
    ProfileOptions,
    commit,
    cutoff,
    merge_statement_periods,
    open_bundle,
    read_existing,
    reporting_currency,
    set_as_of,
    statement_options,
)
from pipeline.inputs.importers.common import fiscal_year_of, read_csv_source
from pipeline.inputs.sources import fail

FILING_LAG_DAYS = 90

ITEMS: dict[str, dict[str, list[str]]] = {
    "income": {
        "revenue": ["TotalRevenue", "OperatingRevenue"],
        "cost_of_revenue": ["CostOfRevenue", "ReconciledCostOfRevenue"],
        "gross_profit": ["GrossProfit"],
        "operating_income": ["OperatingIncome", "TotalOperatingIncomeAsReported"],
        "ebitda": ["EBITDA"],
        "depreciation_amortization": ["ReconciledDepreciation"],
        "interest_expense": ["InterestExpense", "InterestExpenseNonOperating"],
        "income_tax": ["TaxProvision"],
        "net_income": ["NetIncome", "NetIncomeCommonStockholders"],
        "eps_diluted": ["DilutedEPS"],
        "shares_diluted": ["DilutedAverageShares"],
    },
    "balance": {
        "total_assets": ["TotalAssets"],
        "current_assets": ["CurrentAssets"],
        "cash_and_equivalents": ["CashAndCashEquivalents"],
        "cash_and_short_term_investments": ["CashCashEquivalentsAndShortTermInvestments"],
        "total_debt": ["TotalDebt"],
        "total_liabilities": ["TotalLiabilitiesNetMinorityInterest"],
        "current_liabilities": ["CurrentLiabilities"],
        "stockholders_equity": ["StockholdersEquity", "CommonStockEquity"],
    },
    "cash_flow": {
        "operating_cash_flow": ["OperatingCashFlow", "CashFlowFromContinuingOperatingActivities"],
        "capital_expenditure": ["CapitalExpenditure", "PurchaseOfPPE"],
        "free_cash_flow": ["FreeCashFlow"],
        "investing_cash_flow": ["InvestingCashFlow", "CashFlowFromContinuingInvestingActivities"],
        "financing_cash_flow": ["FinancingCashFlow", "CashFlowFromContinuingFinancingActivities"],
        "dividends_paid": ["CashDividendsPaid", "CommonStockDividendPaid"],
    },
}
POSITIVE = {"capital_expenditure", "dividends_paid"}
KEY_LINES = ("revenue", "net_income", "total_assets", "operating_cash_flow")
UNSCALED = {"eps_diluted"}


def read_statement(path: Path, statement: str) -> pd.DataFrame:
    """One statement CSV as a frame: index = bundle line, columns = period end (Timestamp), float values."""
    raw = read_csv_source(path)
    if raw.shape[1] < 2:
        raise fail(path, "not a statement CSV (expected line items in the first column, dates as columns)")
    items = raw.iloc[:, 0].str.strip()
    dates = pd.to_datetime(pd.Series(raw.columns[1:]), errors="coerce", format="%Y-%m-%d")
    if dates.isna().all():
        raise fail(path, "no period-end dates in the header (expected columns like 2024-12-31)", "header")
    values = raw.iloc[:, 1:].apply(pd.to_numeric, errors="coerce")
    values.columns = dates
    values = values.loc[:, dates.notna().to_numpy()]
    values.index = items
    values = values[~values.index.duplicated(keep="first")]
    out = pd.DataFrame(np.nan, index=list(ITEMS[statement]), columns=values.columns)
    for line, names in ITEMS[statement].items():
        for name in reversed(names):  # the first name wins: apply it last
            if name in values.index:
                out.loc[line] = values.loc[name].where(values.loc[name].notna(), out.loc[line])
    if out.isna().all().all():
        first = next(iter(ITEMS[statement].values()))[0]
        raise fail(path, f"no known {statement} line items (e.g. {first}); is this the right statement file?")
    for line in POSITIVE:
        if line in out.index:
            out.loc[line] = out.loc[line].abs()
    return out


def statement_periods(
    income: Path,
    balance: Path,
    cash: Path,
    as_of: dt.date | None = None,
    filing_lag_days: int = FILING_LAG_DAYS,
) -> list[dict[str, object]]:
    """FY `Period` dicts (newest first) from the three statement CSVs."""
    frames = {
        "income": read_statement(income, "income"),
        "balance": read_statement(balance, "balance"),
        "cash_flow": read_statement(cash, "cash_flow"),
    }
    ends = sorted(set().union(*(f.columns for f in frames.values())), reverse=True)
    if as_of is not None:
        ends = [e for e in ends if (e + pd.Timedelta(days=filing_lag_days)).date() <= as_of]
    periods: list[dict[str, object]] = []
    for end in ends:  # a handful of fiscal years
        period: dict[str, object] = {}
        for statement, frame in frames.items():
            if end in frame.columns:
                col = frame[end].dropna()
                block = {
                    k: (float(v) if k in UNSCALED or not float(v).is_integer() else int(v))
                    for k, v in col.items()
                }
                if block:
                    period[statement] = block
        present = {k for b in period.values() if isinstance(b, dict) for k in b}
        if not present & set(KEY_LINES):
            continue  # e.g. the mostly empty oldest column: only per-share data, no statement
        fy = fiscal_year_of(end.date())
        periods.append(
            {
                "label": f"FY{fy}",
                "kind": "FY",
                "fiscal_year": fy,
                "end": end.date().isoformat(),
                **period,
                "source": f"statement CSVs {income.name}, {balance.name}, {cash.name}"[:500],
            }
        )
    if not periods:
        when = f" public by --as-of {as_of} (period end + {filing_lag_days} days)" if as_of else ""
        raise InputError(
            [
                Problem(
                    str(income),
                    "",
                    f"no fiscal-year period with revenue, net income, assets or operating cash flow{when}",
                )
            ]
        )
    return periods


def import_statements(
    income: Path,
    balance: Path,
    cash: Path,
    out_dir: Path,
    *,
    ticker: str,
    as_of: dt.date | None = None,
    profile: ProfileOptions | None = None,
    filing_lag_days: int = FILING_LAG_DAYS,
) -> Bundle:
    """`stockreport import statements`: replace the bundle's FY periods with those of the three CSVs."""
    profile = profile or ProfileOptions()
    out_dir = Path(out_dir)
    existing = read_existing(out_dir)
    currency = reporting_currency(existing, profile.currency)
    limit = cutoff(existing or {}, as_of)
    periods = statement_periods(Path(income), Path(balance), Path(cash), limit, filing_lag_days)
    raw = open_bundle(out_dir, ticker, statement_options(existing, profile, currency))
    latest = max(dt.date.fromisoformat(str(p["end"])) for p in periods) + dt.timedelta(days=filing_lag_days)
    set_as_of(raw, as_of, latest)
    merge_statement_periods(raw, periods, currency)
    return commit(out_dir, raw)
