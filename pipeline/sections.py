"""Report sections built straight from the bundle and metrics (no model involved).

The model's prose is merged in by `pipeline.assemble`; everything here is the company's own data or a
computed metric, and a section whose input is missing says so in one line.
"""

from __future__ import annotations

from pipeline.inputs.bundle import Bundle, Period
from pipeline.metrics.model import Metrics
from pipeline.report import (
    BreakdownRow,
    BreakdownTable,
    BusinessSection,
    EventItem,
    GlossaryEntry,
    PeerRow,
    RiskCategoryView,
    RisksSection,
)

# (statement, display line, attribute of the statement part, attribute name)
BREAKDOWN_LINES: list[tuple[str, str, str, str]] = [
    ("Income Statement", "Total Revenue", "income", "revenue"),
    ("Income Statement", "Gross Profit", "income", "gross_profit"),
    ("Income Statement", "EBITDA", "income", "ebitda"),
    ("Income Statement", "Net Income", "income", "net_income"),
    ("Balance Sheet", "Total Assets", "balance", "total_assets"),
    ("Balance Sheet", "Cash, Cash Equivalents and Short-Term Investments", "balance",
     "cash_and_short_term_investments"),
    ("Balance Sheet", "Total Debt", "balance", "total_debt"),
    ("Balance Sheet", "Total Liabilities", "balance", "total_liabilities"),
    ("Balance Sheet", "Stockholders Equity", "balance", "stockholders_equity"),
    ("Cash Flow", "Free Cash Flow", "cash_flow", "free_cash_flow"),
    ("Cash Flow", "Operating Cash Flow", "cash_flow", "operating_cash_flow"),
    ("Cash Flow", "Investing Cash Flow", "cash_flow", "investing_cash_flow"),
    ("Cash Flow", "Financing Cash Flow", "cash_flow", "financing_cash_flow"),
]

GLOSSARY = [
    GlossaryEntry(term="Buy", definition=(
        'A stock rated as a "Buy" is expected to perform better than the overall market or a specific benchmark '
        "over the near-to-medium term. Note: This is not investment advice.")),
    GlossaryEntry(term="Hold", definition=(
        'A stock rated as a "Hold" is expected to perform in line with the overall market or a specific '
        "benchmark. Note: This is not investment advice.")),
    GlossaryEntry(term="Sell", definition=(
        'A stock rated as a "Sell" is expected to perform worse than the overall market or a specific benchmark '
        "over the near-to-medium term. Note: This is not investment advice.")),
    GlossaryEntry(term="Outperform / Neutral / Underperform", definition=(
        "Labels of this report's 0-100 scores: Outperform at 70 or more, Neutral from 45 to 69, Underperform "
        "below 45 (docs/metrics.md).")),
    GlossaryEntry(term="TTM", definition="Trailing twelve months: the latest four reported quarters together."),
    GlossaryEntry(term="DMA", definition="Daily moving average: the mean closing price of the last N trading days."),
    GlossaryEntry(term="MACD", definition=(
        "Moving average convergence divergence: the 12-day minus the 26-day exponential average of the close; "
        "its 9-day average is the signal line.")),
    GlossaryEntry(term="RSI", definition=(
        "Relative strength index (14 days, Wilder smoothing): 0-100; above 70 reads overbought, below 30 "
        "oversold.")),
    GlossaryEntry(term="STOCH", definition=(
        "Slow stochastic %K (14, 3, 3): where the close sits in the 14-day high-low range, 0-100; above 80 "
        "overbought, below 20 oversold.")),
]

DISCLAIMER = (
    "This AI Analyst Stock Report is generated automatically from the bundle's financial, technical and market "
    "data. Every figure is computed in code from that data; the prose is written by a language model and its "
    "numbers are checked against the data (see the number checks). It is for information only and is not "
    "financial advice. Content written by an AI system may contain inaccuracies. Investing in stocks carries "
    "risk, and past performance does not indicate future results. This report does not account for your personal "
    "circumstances, objectives or risk tolerance. Do your own research or consult a qualified financial adviser "
    "before making investment decisions."
)


def column_label(period: Period) -> str:
    return "TTM" if period.kind == "TTM" else period.end.strftime("%b %Y")


def breakdown_table(bundle: Bundle) -> BreakdownTable | None:
    """TTM + fiscal years as the seed page's 'Breakdown' table; values in the statement scale."""
    fin = bundle.financials
    if fin is None:
        return None
    ttm = fin.ttm()
    periods = ([ttm] if ttm else []) + fin.fiscal_years()
    rows = []
    for statement, line, part, attr in BREAKDOWN_LINES:
        values = [getattr(getattr(p, part), attr) if getattr(p, part) is not None else None for p in periods]
        if any(v is not None for v in values):
            rows.append(BreakdownRow(statement=statement, line=line, values=values))  # type: ignore[arg-type]
    return BreakdownTable(currency=fin.currency, scale=fin.scale.value, columns=[column_label(p) for p in periods],
                          rows=rows)


def business_section(bundle: Bundle) -> BusinessSection:
    p = bundle.profile
    missing = None if (p.description or p.revenue_model) else "No company description or revenue model in the bundle."
    return BusinessSection(description=p.description, revenue_model=p.revenue_model, sector=p.sector,
                           industry=p.industry, missing=missing)


def risks_section(bundle: Bundle) -> RisksSection:
    rf = bundle.risk_factors
    if rf is None:
        return RisksSection(missing="No risk factors in the bundle.")
    return RisksSection(total=rf.total, new_count=rf.new_count, top_category=rf.top_category,
                        categories=[RiskCategoryView(name=c.name, description=c.description, count=c.count)
                                    for c in rf.categories])


def peer_rows(bundle: Bundle, metrics: Metrics) -> list[PeerRow]:
    """The bundle's peers plus the subject company's own row (its score is this report's)."""
    if not bundle.peers:
        return []
    market = bundle.market
    head = metrics.fundamentals.headline if metrics.fundamentals else None

    def fig(key: str) -> float | None:
        f = head.figures.get(key) if head else None
        return f.value if f is not None and f.status == "ok" else None

    pe = metrics.valuation.get("pe_ratio")
    dy = metrics.valuation.get("dividend_yield_pct")
    subject = PeerRow(
        ticker=bundle.profile.ticker, name=bundle.profile.name, currency=bundle.profile.currency,
        price=metrics.technicals.last_price, change_pct=None,
        market_cap=market.market_cap if market else None,
        pe_ratio=pe.value if pe is not None and pe.status == "ok" else (market.pe_ratio if market else None),
        roe_pct=fig("roe_pct"), dividend_yield_pct=dy.value if dy is not None and dy.status == "ok" else None,
        revenue_growth_pct=fig("revenue_growth_pct"), eps_growth_pct=None,
        overall_score=metrics.score.overall, is_subject=True,
    )
    rows = [PeerRow(ticker=p.ticker, name=p.name, currency=p.currency, price=p.price, change_pct=p.change_pct,
                    market_cap=p.market_cap, pe_ratio=p.pe_ratio, roe_pct=p.roe_pct,
                    dividend_yield_pct=p.dividend_yield_pct, revenue_growth_pct=p.revenue_growth_pct,
                    eps_growth_pct=p.eps_growth_pct, overall_score=p.overall_score) for p in bundle.peers]
    rows.append(subject)
    return sorted(rows, key=lambda r: -1 if r.overall_score is None else r.overall_score, reverse=True)


def event_items(bundle: Bundle) -> list[EventItem]:
    return [EventItem(date=e.date, title=e.title, summary=e.summary)
            for e in sorted(bundle.events, key=lambda e: e.date, reverse=True)]


def analyst_note(bundle: Bundle, metrics: Metrics) -> str | None:
    pt = metrics.price_target
    c = bundle.consensus
    if c is None:
        return None
    from pipeline.inputs.currencies import money_prefix

    if pt is None:
        return f"The most recent analyst rating on {bundle.profile.ticker} is a {c.rating}."
    return (f"The most recent analyst rating on {bundle.profile.ticker} is a {c.rating} with a "
            f"{money_prefix(pt.currency)}{pt.target:,.2f} price target.")
