"""The page sections built straight from the bundle and metrics (no model involved).

`page_sections` gives every page section without prose; the model-written sections' answers are put in by
`pipeline.report.assemble` (through the registry). Everything here is the company's own data or a computed
metric, and a page section whose input is missing says so in one line.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.inputs.bundle import Bundle, Period
from pipeline.inputs.loaded import LoadedBundle
from pipeline.metrics.names import readable, readable_text
from pipeline.metrics.types import INSUFFICIENT_LABEL, Figure, Metrics, PeerFigures
from pipeline.money import format_money
from pipeline.narrate.fact_format import show_figure
from pipeline.report.document import (
    BreakdownRow,
    BreakdownTable,
    BusinessSection,
    ComparisonSection,
    EarningsCallSection,
    EventItem,
    EventsSection,
    FinancialsSection,
    GlossaryEntry,
    KeyFigure,
    PageSections,
    PeerRow,
    PeersSection,
    RiskCategoryView,
    RisksSection,
    TechnicalsSection,
    TextSection,
    TitledText,
)


@dataclass(frozen=True)
class BreakdownLine:
    """A row of the breakdown table: a statement line of the bundle, or a figure computed from lines."""

    statement: str
    line: str
    part: str  # income, balance, cash_flow
    attr: str  # the statement field, or the metrics figure key for a computed row
    computed_from: tuple[str, ...] = ()  # the fields a computed row needs (any of them present shows the row)


BREAKDOWN_LINES: list[BreakdownLine] = [
    BreakdownLine("Income Statement", "Total Revenue", "income", "revenue"),
    BreakdownLine("Income Statement", "Gross Profit", "income", "gross_profit"),
    BreakdownLine("Income Statement", "EBIT (Operating Income)", "income", "operating_income"),
    BreakdownLine(
        "Income Statement",
        "EBITDA",
        "income",
        "ebitda",
        ("ebitda", "operating_income", "depreciation_amortization"),
    ),
    BreakdownLine("Income Statement", "Net Income", "income", "net_income"),
    BreakdownLine("Balance Sheet", "Total Assets", "balance", "total_assets"),
    BreakdownLine("Balance Sheet", "Cash and Cash Equivalents", "balance", "cash_and_equivalents"),
    BreakdownLine(
        "Balance Sheet",
        "Cash, Cash Equivalents and Short-Term Investments",
        "balance",
        "cash_and_short_term_investments",
    ),
    BreakdownLine("Balance Sheet", "Total Debt", "balance", "total_debt"),
    BreakdownLine("Balance Sheet", "Total Liabilities", "balance", "total_liabilities"),
    BreakdownLine("Balance Sheet", "Stockholders Equity", "balance", "stockholders_equity"),
    BreakdownLine(
        "Cash Flow",
        "Free Cash Flow",
        "cash_flow",
        "free_cash_flow",
        ("free_cash_flow", "operating_cash_flow", "capital_expenditure"),
    ),
    BreakdownLine("Cash Flow", "Operating Cash Flow", "cash_flow", "operating_cash_flow"),
    BreakdownLine("Cash Flow", "Capital Expenditure", "cash_flow", "capital_expenditure"),
    BreakdownLine("Cash Flow", "Investing Cash Flow", "cash_flow", "investing_cash_flow"),
    BreakdownLine("Cash Flow", "Financing Cash Flow", "cash_flow", "financing_cash_flow"),
]

# Headline figures the financials section shows with their value or the reason there is none.
KEY_FIGURES: list[tuple[str, str]] = [
    ("revenue_growth_pct", "Revenue growth"),
    ("gross_margin_pct", "Gross margin"),
    ("ebit_margin_pct", "EBIT margin"),
    ("ebitda", "EBITDA"),
    ("ebitda_margin_pct", "EBITDA margin"),
    ("net_margin_pct", "Net margin"),
    ("roe_pct", "Return on equity (average equity)"),
    ("debt_to_equity", "Debt-to-equity"),
    ("equity_ratio_pct", "Equity ratio"),
    ("current_ratio", "Current ratio"),
    ("net_debt", "Net debt"),
    ("free_cash_flow", "Free cash flow"),
    ("fcf_margin_pct", "Free cash flow margin"),
    ("fcf_growth_pct", "Free cash flow growth"),
    ("ocf_to_net_income", "Operating cash flow / net income"),
]


GLOSSARY = [
    GlossaryEntry(
        term="Buy",
        definition=(
            'A stock rated as a "Buy" is expected to perform better than the overall market or a specific benchmark '
            "over the near-to-medium term. Note: This is not investment advice."
        ),
    ),
    GlossaryEntry(
        term="Hold",
        definition=(
            'A stock rated as a "Hold" is expected to perform in line with the overall market or a specific '
            "benchmark. Note: This is not investment advice."
        ),
    ),
    GlossaryEntry(
        term="Sell",
        definition=(
            'A stock rated as a "Sell" is expected to perform worse than the overall market or a specific benchmark '
            "over the near-to-medium term. Note: This is not investment advice."
        ),
    ),
    GlossaryEntry(
        term="Outperform / Neutral / Underperform",
        definition=(
            "Labels of this report's 0-100 scores: Outperform at 70 or more, Neutral from 45 to 69, Underperform "
            "below 45 (docs/metrics.md)."
        ),
    ),
    GlossaryEntry(
        term="TTM", definition="Trailing twelve months: the latest four reported quarters together."
    ),
    GlossaryEntry(
        term="DMA", definition="Daily moving average: the mean closing price of the last N trading days."
    ),
    GlossaryEntry(
        term="MACD",
        definition=(
            "Moving average convergence divergence: the 12-day minus the 26-day exponential average of the close; "
            "its 9-day average is the signal line."
        ),
    ),
    GlossaryEntry(
        term="RSI",
        definition=(
            "Relative strength index (14 days, Wilder smoothing): 0-100; above 70 reads overbought, below 30 "
            "oversold."
        ),
    ),
    GlossaryEntry(
        term="STOCH",
        definition=(
            "Slow stochastic %K (14, 3, 3): where the close sits in the 14-day high-low range, 0-100; above 80 "
            "overbought, below 20 oversold."
        ),
    ),
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


def _cell(period: Period, line: BreakdownLine, figures: dict[str, Figure]) -> tuple[float | None, str | None]:
    """A breakdown value and, when there is none, why."""
    if line.computed_from:
        fig = figures.get(line.attr)
        if fig is None:
            return None, "not computed"
        return (fig.value, None) if fig.status == "ok" else (None, fig.note or fig.status.replace("_", " "))
    stmt = getattr(period, line.part)
    value = getattr(stmt, line.attr) if stmt is not None else None
    return value, None if value is not None else f"{readable(line.attr)} is not in the bundle for this period"


def _has_inputs(period: Period, line: BreakdownLine) -> bool:
    stmt = getattr(period, line.part)
    fields = line.computed_from or (line.attr,)
    return stmt is not None and any(getattr(stmt, f, None) is not None for f in fields)


def breakdown_table(bundle: Bundle, metrics: Metrics) -> BreakdownTable | None:
    """TTM + fiscal years as the seed page's 'Breakdown' table; values in the statement scale.

    A row appears whenever any column has its inputs (for computed rows, FCF and EBITDA: any of the lines
    they are computed from); a cell without a value carries the reason in `notes`."""
    fin = bundle.financials
    if fin is None:
        return None
    ttm = fin.ttm()
    periods = ([ttm] if ttm else []) + fin.fiscal_years()
    by_label = {p.label: p.figures for p in metrics.fundamentals.periods} if metrics.fundamentals else {}
    rows = []
    for line in BREAKDOWN_LINES:
        if not any(_has_inputs(p, line) for p in periods):
            continue
        cells = [_cell(p, line, by_label.get(p.label, {})) for p in periods]
        formula = None
        if line.computed_from:  # named only when some column is computed rather than reported
            formula = next(
                (
                    f.formula
                    for p in periods
                    if (f := by_label.get(p.label, {}).get(line.attr))
                    and f.status == "ok"
                    and "as reported" not in f.formula
                ),
                None,
            )
        rows.append(
            BreakdownRow(
                statement=line.statement,
                line=line.line,  # type: ignore[arg-type]
                values=[v for v, _ in cells],
                notes=[n for _, n in cells],
                formula=formula,
            )
        )
    return BreakdownTable(
        currency=fin.currency, scale=fin.scale.value, columns=[column_label(p) for p in periods], rows=rows
    )


def key_figures(metrics: Metrics) -> tuple[str | None, list[KeyFigure]]:
    """The headline period's name and its key figures: value, or why there is none; changes name their base."""
    f = metrics.fundamentals
    head = f.headline if f else None
    if f is None or head is None:
        return None, []
    name = f"TTM to {head.end:%b %Y}" if head.kind == "TTM" else head.label
    out = []
    for key, title in KEY_FIGURES:
        fig = head.figures.get(key)
        if fig is None:
            continue
        value = show_figure(fig, f.currency, f.scale) if fig.status == "ok" else "n/a"
        if fig.status == "ok":
            basis = f"{name} vs {fig.base}" if fig.base else fig.note
        else:
            basis = _basis(fig)
        out.append(KeyFigure(key=key, name=title, value=value, status=fig.status, basis=basis))
    return name, out


VALUATION_FIGURES: list[tuple[str, str]] = [
    ("pe_ratio", "P/E ratio"),
    ("dividend_yield_pct", "Dividend yield"),
    ("market_cap", "Market cap"),
]


def _basis(fig: Figure) -> str | None:
    """How a figure was obtained (formula and note), or why it is missing."""
    if fig.status == "ok":
        return readable_text("; ".join(x for x in (fig.formula, fig.note) if x)) or None
    status = fig.status.replace("_", " ")
    return f"{status}: {readable_text(fig.note)}" if fig.note else status


def valuation_figures(metrics: Metrics, currency: str) -> list[KeyFigure]:
    """The figures the valuation sub-score is built from, as the page shows them (value or why it is missing,
    and how each was obtained): a reader sees what drives the score, peers or not."""
    out = []
    for key, title in VALUATION_FIGURES:
        fig = metrics.valuation.get(key)
        if fig is None:
            continue
        value = show_figure(fig, currency) if fig.status == "ok" else "n/a"
        out.append(KeyFigure(key=key, name=title, value=value, status=fig.status, basis=_basis(fig)))
    return out


def business_section(bundle: Bundle) -> BusinessSection:
    p = bundle.profile
    missing = (
        None
        if (p.description or p.revenue_model)
        else "No company description or revenue model in the bundle."
    )
    return BusinessSection(
        description=p.description,
        revenue_model=p.revenue_model,
        sector=p.sector,
        industry=p.industry,
        missing=missing,
    )


def risks_section(bundle: Bundle) -> RisksSection:
    rf = bundle.risk_factors
    if rf is None:
        return RisksSection(missing="No risk factors in the bundle.")
    return RisksSection(
        total=rf.total,
        new_count=rf.new_count,
        top_category=rf.top_category,
        categories=[
            RiskCategoryView(name=c.name, description=c.description, count=c.count) for c in rf.categories
        ],
    )


def _peer_row(row: PeerFigures, **extra: object) -> PeerRow:
    values = {k: (f.value if f.status == "ok" else None) for k, f in row.figures.items()}
    notes = {k: (f.note or f.status.replace("_", " ")) for k, f in row.figures.items() if f.status != "ok"}
    return PeerRow(
        ticker=row.ticker,
        name=row.name,
        currency=row.currency,
        origin=row.origin,
        overall_score=row.overall_score,
        source_rating=row.source_rating,
        change_window=row.change_window,
        score_label=row.score_label,
        score_note=row.score_note,
        as_of=row.as_of,
        source=row.source,
        growth_basis=row.growth_basis,
        cell_notes=notes,
        notes=list(row.notes),
        **values,
        **extra,
    )  # type: ignore[arg-type]


def peer_rows(bundle: Bundle, metrics: Metrics) -> list[PeerRow]:
    """The peers (computed from their own bundles, provided, or missing with the reason), this company's row
    (its score is this report's), sorted by rating, then the sector average (metrics/peers.py)."""
    comp = metrics.peers
    if comp is None:
        return []
    from pipeline.metrics.peers import row_from_metrics

    own = row_from_metrics(
        metrics,
        name=bundle.profile.name,
        currency=bundle.profile.currency,
        origin="subject",
        source="this report",
        window=comp.window,
    )
    rows = [_peer_row(r) for r in comp.rows]
    rows.append(_peer_row(own, is_subject=True))
    # our full scores first (a provisional one rests on under 60% of the weight), then the rows the source
    # rates, each by its own scale: the two are never ranked against each other
    rows.sort(
        key=lambda r: (
            r.overall_score is not None and r.score_label != INSUFFICIENT_LABEL,
            -1 if r.overall_score is None else r.overall_score,
            -1 if r.source_rating is None else r.source_rating,
        ),
        reverse=True,
    )
    if comp.average is not None:
        rows.append(_peer_row(comp.average))
    return rows


def event_items(bundle: Bundle) -> list[EventItem]:
    return [
        EventItem(date=e.date, title=e.title, summary=e.summary)
        for e in sorted(bundle.events, key=lambda e: e.date, reverse=True)
    ]


def analyst_note(bundle: Bundle, metrics: Metrics) -> str | None:
    pt = metrics.price_target
    c = bundle.consensus
    if c is None:
        return None
    if pt is None:
        return f"The most recent analyst rating on {bundle.profile.ticker} is a {c.rating}."
    return (
        f"The most recent analyst rating on {bundle.profile.ticker} is a {c.rating} with a "
        f"{format_money(pt.target, pt.currency)} price target."
    )


def _benchmark_name(bundle: Bundle) -> str | None:
    """ "iShares MSCI Hong Kong ETF (EWH)", as the seed titles the comparison."""
    if not bundle.benchmark:
        return None
    name = bundle.benchmark.name
    if bundle.benchmark.ticker and f"({bundle.benchmark.ticker})" not in name:
        name += f" ({bundle.benchmark.ticker})"
    return name


def _earnings_call(bundle: Bundle) -> EarningsCallSection:
    call = bundle.earnings_call
    if call is None:
        return EarningsCallSection(missing="No earnings call in the bundle: insufficient data.")
    return EarningsCallSection(
        date=call.date,
        quarter=call.quarter,
        next_date=call.next_date,
        positive_updates=[TitledText(title=u.title, text=u.text) for u in call.positive_updates],
        negative_updates=[TitledText(title=u.title, text=u.text) for u in call.negative_updates],
        guidance=call.guidance,
    )


def page_sections(loaded: LoadedBundle, metrics: Metrics) -> PageSections:
    """Every page section from the bundle and metrics, the model's prose not yet in."""
    b, m, t = loaded.bundle, metrics, metrics.technicals
    comparison_missing = None
    if loaded.prices is None:
        comparison_missing = "No daily price history in the bundle: performance vs. benchmark not computed."
    elif loaded.benchmark is None:
        comparison_missing = "No benchmark prices in the bundle: only the stock's own performance is shown."
    period, figures = key_figures(m)
    return PageSections(
        summary=TextSection(),
        business=business_section(b),
        comparison=ComparisonSection(
            benchmark_name=_benchmark_name(b),
            as_of=t.as_of if t.origin == "computed" else None,
            stale=t.stale,
            performance=list(t.performance),
            missing=comparison_missing,
        ),
        earnings_call=_earnings_call(b),
        financials=FinancialsSection(
            period=period,
            key_figures=figures,
            valuation=valuation_figures(m, b.profile.currency),
            breakdown=breakdown_table(b, m),
            missing=None if b.financials else "No financial statements in the bundle: insufficient data.",
        ),
        technicals=TechnicalsSection(
            origin=t.origin,
            as_of=t.as_of,
            stale=t.stale,
            sentiment=t.sentiment,
            last_price=t.last_price,
            readings=list(t.readings),
            missing=None if t.origin != "none" else "No prices or technical snapshot in the bundle.",
        ),
        risks=risks_section(b),
        peers=PeersSection(
            rows=peer_rows(b, m),
            window=m.peers.window if m.peers else None,
            average_rule=m.peers.average_rule if m.peers else None,
            missing=None if b.peers else "No peers in the bundle.",
        ),
        events=EventsSection(
            items=event_items(b),
            analyst_note=analyst_note(b, m),
            missing=None if b.events else "No corporate events in the bundle.",
        ),
        glossary=list(GLOSSARY),
        disclaimer=DISCLAIMER,
    )
