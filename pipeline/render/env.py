"""Jinja2 environments for the report templates, the shared filters, and the view context both formats read.

HTML autoescapes everything; Markdown escapes untrusted text with the `md` / `md_inline` filters (markdown.py).
StrictUndefined: a template that names a field the Report lacks fails loudly instead of printing nothing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from pipeline.metrics.names import readable
from pipeline.metrics.scoring import MIN_COVERAGE, TITLES, overall_label
from pipeline.metrics.types import IndicatorReading, SubScore
from pipeline.model.cost import cost_text
from pipeline.render import format as fmt
from pipeline.render.markdown_escape import md, md_inline
from pipeline.report.document import BreakdownRow, PeerRow, Report
from pipeline.template_cache import template_bytecode_cache

TEMPLATES = ("pipeline.render", "templates")  # in the package: importlib.resources, so a wheel has them

FILTERS: dict[str, Any] = {
    "money": fmt.money,
    "cost": cost_text,
    "compact": fmt.compact,
    "scaled": fmt.scaled,
    "pct": fmt.pct,
    "pp": fmt.pp,
    "ratio": fmt.ratio,
    "num": fmt.num,
    "check_value": fmt.check_value,
    "readable": readable,
    "sign_class": fmt.sign_class,
    "neg_class": fmt.neg_class,
    "reading_class": fmt.reading_class,
    "upside": fmt.upside,
    "signed_int": fmt.signed_int,
    "date": fmt.date,
    "currency_label": fmt.currency_label,
    "datetime": fmt.datetime_utc,
}

EVIDENCE_STATUS = {
    "verified": "found in the source",
    "not_found": "NOT found in the source",
    "too_short": "too short to count",
    "too_long": "too long to count",
    "cut_word": "NOT on word boundaries in the source (cut mid-word)",
    "markup": "holds markup, not the source's text",
}
TREND_KEYS = ("price_vs_sma_20", "price_vs_sma_50", "price_vs_sma_100", "price_vs_sma_200")
FINANCIAL_KEYS = (
    ("income_statement", "Income Statement"),
    ("balance_sheet", "Balance Sheet"),
    ("cash_flow", "Cash Flow"),
)


@functools.lru_cache(maxsize=4)  # built once per process: compiling the templates dominated render time
def environment(*, html: bool) -> Environment:
    env = Environment(
        loader=PackageLoader(*TEMPLATES),
        bytecode_cache=template_bytecode_cache(),  # compiled once per machine, not once per process
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    if not html:  # Markdown's escapers, registered once here instead of on every render
        env.filters.update(md=md, md_inline=md_inline)
    return env


@dataclass(frozen=True)
class FinancialScore:
    title: str
    subscore: SubScore | None
    commentary: str | None


@dataclass(frozen=True)
class BreakdownCell:
    value: float | None
    note: int | None  # footnote number of the reason the value is missing


@dataclass(frozen=True)
class BreakdownView:
    row: BreakdownRow
    cells: list[BreakdownCell]


@dataclass(frozen=True)
class BreakdownGroup:
    statement: str
    rows: list[BreakdownView]


def breakdown_groups(report: Report) -> tuple[list[BreakdownGroup], list[str]]:
    """Rows grouped by statement; each missing cell points to a footnote giving the reason (one footnote per
    line and reason, naming the columns it applies to)."""
    fin = report.sections.financials
    groups: list[BreakdownGroup] = []
    keys: dict[tuple[str, str], list[str]] = {}
    if fin.breakdown is None:
        return groups, []
    table = fin.breakdown
    for row in table.rows:  # a few dozen rows at most: rendering, not a hot path
        for i, value in enumerate(row.values):
            why = row.notes[i] if i < len(row.notes) else None
            if value is None and why:
                keys.setdefault((row.line, why), []).append(table.columns[i])
    number = {key: n for n, key in enumerate(keys, start=1)}
    for row in table.rows:
        if not groups or groups[-1].statement != row.statement:
            groups.append(BreakdownGroup(row.statement, []))
        whys = [row.notes[i] if i < len(row.notes) else None for i in range(len(row.values))]
        cells = [
            BreakdownCell(v, number.get((row.line, why)) if v is None and why else None)
            for v, why in zip(row.values, whys, strict=True)
        ]
        groups[-1].rows.append(BreakdownView(row, cells))
    notes = [f"{line} ({', '.join(cols)}): {why}" for (line, why), cols in keys.items()]
    return groups, notes


PEER_FINANCIAL_COLUMNS = (
    ("market_cap", "Market Cap"),
    ("pe_ratio", "P/E Ratio"),
    ("roe_pct", "ROE"),
    ("dividend_yield_pct", "Dividend Yield"),
    ("revenue_growth_pct", "Revenue Growth"),
    ("eps_growth_pct", "EPS Growth"),
)
PEER_PRICE_COLUMNS = (("price", "Price"), ("change", "Change"), ("change_pct", "% Change"))
PEER_ORIGIN = {
    "subject": "this report",
    "computed": "computed",
    "provided": "provided",
    "missing": "no data",
    "sector_average": "median",
}


@dataclass(frozen=True)
class PeerView:
    row: PeerRow
    data: str  # where the row's figures come from, in two words
    window: str  # the window of the row's price change, or why it is not known
    cells: dict[str, BreakdownCell]  # column -> value and the footnote of the reason it is missing


def _window(row: PeerRow) -> str:
    if row.change is None and row.change_pct is None:
        return ""
    return row.change_window or "not stated by the source"


def peer_views(report: Report) -> tuple[list[PeerView], list[str], list[str]]:
    """Peer rows with a footnote number on each empty cell (one footnote per column and reason, naming the
    rows), and one line per row on where its figures come from (computed, provided, ...)."""
    keys: dict[tuple[str, str], list[str]] = {}
    titles = dict(PEER_FINANCIAL_COLUMNS + PEER_PRICE_COLUMNS)
    rows = report.sections.peers.rows
    for row in rows:
        for key, title in titles.items():
            why = row.cell_notes.get(key)
            if getattr(row, key) is None and why and row.origin != "missing":
                keys.setdefault((title, why), []).append(row.ticker or "average")
    number = {key: n for n, key in enumerate(keys, start=1)}
    views = [
        PeerView(
            row,
            PEER_ORIGIN.get(row.origin, row.origin),
            _window(row),
            {
                key: BreakdownCell(
                    getattr(row, key),
                    number.get((title, row.cell_notes.get(key, ""))) if getattr(row, key) is None else None,
                )
                for key, title in titles.items()
            },
        )
        for row in rows
    ]
    notes = [f"{title} ({', '.join(tickers)}): {why}" for (title, why), tickers in keys.items()]
    sources = []
    for row in rows:
        if row.origin == "subject":
            continue
        who = row.ticker or row.name
        parts = [row.source or PEER_ORIGIN.get(row.origin, "")]
        if row.origin == "sector_average":
            parts = [report.sections.peers.average_rule or "median of the peers"]
        if row.growth_basis:
            parts.append(f"growth {row.growth_basis}")
        if row.score_note:
            kind = {"provided": "rating: ", "computed": "score: "}.get(row.origin, "")
            parts.append(f"{kind}{row.score_note}")
        parts += row.notes
        sources.append(f"{who}: {'; '.join(p for p in parts if p)}")
    return views, notes, sources


def view_context(report: Report) -> dict[str, Any]:
    """What depends on the model: its sub-scores beside its statement commentary, the label at neutral."""
    subs = {str(s.key): s for s in report.score.subscores}
    fin = report.sections.financials
    commentary = {
        "income_statement": fin.income_statement,
        "balance_sheet": fin.balance_sheet,
        "cash_flow": fin.cash_flow,
    }
    return {
        "fin_scores": [
            FinancialScore(title, subs.get(key), commentary[key]) for key, title in FINANCIAL_KEYS
        ],
        "valuation_score": subs.get("valuation"),
        "neutral_label": (
            overall_label(report.score.model_influence.neutral, report.score.coverage_pct / 100.0)
            if report.score.model_influence
            else None
        ),
    }


def context(report: Report) -> dict[str, Any]:
    """What both templates read: the report plus the groupings a template should not compute itself."""
    groups, notes = breakdown_groups(report)
    peers, peer_notes, peer_sources = peer_views(report)
    readings: list[IndicatorReading] = report.sections.technicals.readings
    benchmark = report.sections.comparison.benchmark_name or report.metrics.technicals.benchmark_name
    return {
        "report": report,
        "h": report.header,
        "s": report.sections,
        "company": report.header.company_name,
        "cur": report.header.price_currency,
        "benchmark": benchmark,
        "chart": report.metrics.technicals.chart,
        **view_context(report),
        "breakdown_groups": groups,
        "breakdown_notes": notes,
        "peer_views": peers,
        "peer_notes": peer_notes,
        "peer_sources": peer_sources,
        "peer_financial_columns": PEER_FINANCIAL_COLUMNS,
        "peer_price_columns": PEER_PRICE_COLUMNS,
        "stale_ages": [a for a in report.metrics.ages if a.stale],
        "min_coverage": MIN_COVERAGE * 100.0,
        "evidence_status": EVIDENCE_STATUS,
        "sub_titles": dict(TITLES),
        "trend_readings": [r for r in readings if r.key in TREND_KEYS],
        "momentum_readings": [r for r in readings if r.key not in TREND_KEYS],
        "other_views": report.views()[1:],
        # said once, beside the factors, instead of a factor card about missing data
        "unweighed": [
            k.name for k in report.sections.financials.key_figures if k.status == "insufficient_data"
        ],
    }
