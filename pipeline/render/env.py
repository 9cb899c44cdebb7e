"""Jinja2 environments for the report templates, the shared filters, and the view context both formats read.

HTML autoescapes everything; Markdown escapes untrusted text with the `md` / `md_inline` filters (markdown.py).
StrictUndefined: a template that names a field the Report lacks fails loudly instead of printing nothing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from pipeline.metrics.model import IndicatorReading, SubScore
from pipeline.render import format as fmt
from pipeline.report import BreakdownRow, Report

TEMPLATES = Path(__file__).parent / "templates"

FILTERS: dict[str, Any] = {
    "money": fmt.money, "compact": fmt.compact, "scaled": fmt.scaled, "pct": fmt.pct, "ratio": fmt.ratio,
    "num": fmt.num, "sign_class": fmt.sign_class, "neg_class": fmt.neg_class, "reading_class": fmt.reading_class,
    "upside": fmt.upside,
    "date": fmt.date, "currency_label": fmt.currency_label, "datetime": fmt.datetime_utc, "usd": fmt.usd,
}

TREND_KEYS = ("price_vs_sma_20", "price_vs_sma_50", "price_vs_sma_100", "price_vs_sma_200")
FINANCIAL_KEYS = (("income_statement", "Income Statement"), ("balance_sheet", "Balance Sheet"),
                  ("cash_flow", "Cash Flow"))


@functools.lru_cache(maxsize=4)  # built once per process: compiling the templates dominated render time
def environment(*, html: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    if not html:  # Markdown's escapers, registered once here instead of on every render (import: cycle)
        from pipeline.render.markdown import md, md_inline

        env.filters.update(md=md, md_inline=md_inline)
    return env


@dataclass(frozen=True)
class FinancialScore:
    title: str
    subscore: SubScore | None
    commentary: str | None


@dataclass(frozen=True)
class BreakdownGroup:
    statement: str
    rows: list[BreakdownRow]


def context(report: Report) -> dict[str, Any]:
    """What both templates read: the report plus the groupings a template should not compute itself."""
    subs = {str(s.key): s for s in report.score.subscores}
    fin = report.sections.financials
    commentary = {"income_statement": fin.income_statement, "balance_sheet": fin.balance_sheet,
                  "cash_flow": fin.cash_flow}
    groups: list[BreakdownGroup] = []
    if fin.breakdown is not None:
        for row in fin.breakdown.rows:  # a few dozen rows at most: rendering, not a hot path
            if not groups or groups[-1].statement != row.statement:
                groups.append(BreakdownGroup(row.statement, []))
            groups[-1].rows.append(row)
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
        "fin_scores": [FinancialScore(title, subs.get(key), commentary[key]) for key, title in FINANCIAL_KEYS],
        "breakdown_groups": groups,
        "trend_readings": [r for r in readings if r.key in TREND_KEYS],
        "momentum_readings": [r for r in readings if r.key not in TREND_KEYS],
    }
