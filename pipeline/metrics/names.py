"""Readable names of statement lines, figures and bundle parts: what every reason a reader sees says instead
of a field key ("capital expenditure", not "capital_expenditure"). Keys not listed read with spaces."""

from __future__ import annotations

import re

NAMES: dict[str, str] = {
    # statement lines
    "revenue": "revenue",
    "prior revenue": "revenue a year earlier",
    "cost_of_revenue": "cost of revenue",
    "gross_profit": "gross profit",
    "operating_income": "operating income",
    "ebitda": "EBITDA",
    "depreciation_amortization": "depreciation and amortisation",
    "interest_expense": "interest expense",
    "income_tax": "income tax",
    "net_income": "net income",
    "eps_diluted": "diluted EPS",
    "prior eps_diluted": "diluted EPS a year earlier",
    "shares_diluted": "diluted shares",
    "total_assets": "total assets",
    "current_assets": "current assets",
    "cash_and_equivalents": "cash and equivalents",
    "cash_and_short_term_investments": "cash and short-term investments",
    "total_debt": "total debt",
    "total_liabilities": "total liabilities",
    "current_liabilities": "current liabilities",
    "stockholders_equity": "equity",
    "prior_stockholders_equity": "equity a year earlier",
    "operating_cash_flow": "operating cash flow",
    "capital_expenditure": "capital expenditure",
    "free_cash_flow": "free cash flow",
    "prior free_cash_flow": "free cash flow a year earlier",
    "investing_cash_flow": "investing cash flow",
    "financing_cash_flow": "financing cash flow",
    "dividends_paid": "dividends paid",
    # figures
    "revenue_growth_pct": "revenue growth",
    "eps_growth_pct": "EPS growth",
    "gross_margin_pct": "gross margin",
    "ebit_margin_pct": "EBIT margin",
    "ebitda_margin_pct": "EBITDA margin",
    "net_margin_pct": "net margin",
    "roe_pct": "return on average equity",
    "roe_ending_equity_pct": "return on ending equity",
    "debt_to_equity": "debt-to-equity",
    "equity_ratio_pct": "equity ratio",
    "fcf_growth_pct": "free cash flow growth",
    "fcf_margin_pct": "free cash flow margin",
    "ocf_to_net_income": "operating cash flow / net income",
    "fcf_to_net_income": "free cash flow / net income",
    "net_debt": "net debt",
    "current_ratio": "current ratio",
    "pe_ratio": "P/E",
    "dividend_yield_pct": "dividend yield",
    "market_cap": "market cap",
    "shares_outstanding": "shares outstanding",
    # bundle parts (ages, staleness)
    "prices": "prices",
    "benchmark": "benchmark prices",
    "technical_snapshot": "technical snapshot",
    "statements": "statements",
    "market": "market data",
    "consensus": "analyst consensus",
    "earnings_call": "earnings call",
    "events": "corporate events",
    "risk_factors": "risk factors",
    "peers": "peers",
}


def readable(key: str) -> str:
    """The name a reader sees for a field key: 'capital_expenditure' -> 'capital expenditure'."""
    return NAMES.get(key, key.replace("_", " "))


_KEY = re.compile(r"\b(?:(market|consensus)\.)?([a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z]+(?=\s+as reported))\b")


def readable_text(text: str) -> str:
    """A formula or reason with every field key in it read ('dividends_paid / market_cap * 100' ->
    'dividends paid / market cap * 100'; 'market.pe_ratio as reported' -> "market data's P/E as reported")."""

    def name(m: re.Match[str]) -> str:
        part = f"{readable(m.group(1))}'s " if m.group(1) else ""
        return part + readable(m.group(2))

    return _KEY.sub(name, text)
