"""The facts builders: each section's prompt context, compact `facts` (numbers from code, pre-formatted) and
`data` (untrusted text, fenced in the prompt). The registry (registry.py) names which builder a section uses.

Facts hold only what a section needs, since every key costs tokens. A figure that metrics could not compute is
given as the string "insufficient data", so the model says so instead of guessing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pipeline.inputs.loaded import LoadedBundle
from pipeline.metrics.fundamentals import NET_DEBT_BASIS_TEXT
from pipeline.metrics.types import Metrics
from pipeline.narrate.fact_format import (
    INSUFFICIENT,
    fmt_money,
    fmt_pct,
    fmt_price,
    fmt_ratio,
    show_figure,
    show_figure_or_why,
)
from pipeline.narrate.prompt_context import DataBlock, PromptContext
from pipeline.narrate.transcript_cut import DEFAULT_MAX_TRANSCRIPT_TOKENS, cut_transcript

# Headline figures each section sees (keys of PeriodMetrics.figures).
_FIN_KEYS = (
    "revenue_growth_pct",
    "gross_margin_pct",
    "ebit_margin_pct",
    "ebitda_margin_pct",
    "net_margin_pct",
    "roe_pct",
    "debt_to_equity",
    "equity_ratio_pct",
    "free_cash_flow",
    "fcf_growth_pct",
    "ocf_to_net_income",
    "fcf_to_net_income",
    "net_debt",
    "current_ratio",
)
_STATEMENT_LINES = {
    "income": ("revenue", "gross_profit", "ebitda", "net_income"),
    "balance": ("total_assets", "total_debt", "total_liabilities", "stockholders_equity"),
    "cash_flow": ("operating_cash_flow", "free_cash_flow"),
}


@dataclass(frozen=True)
class FactsOptions:
    max_transcript_tokens: int | None = None  # transcript budget; None = DEFAULT_MAX_TRANSCRIPT_TOKENS


def period_name(label: str, kind: str, end: dt.date) -> str:
    return f"TTM to {end:%b %Y}" if kind == "TTM" else label


def _headline(metrics: Metrics, keys: tuple[str, ...] = _FIN_KEYS) -> dict[str, Any]:
    """Headline figures; `period_name` and `growth_base` name the two periods every change compares."""
    f = metrics.fundamentals
    if f is None or f.headline is None:
        return {"period": INSUFFICIENT}
    h = f.headline
    out: dict[str, Any] = {
        "period": h.label,
        "period_name": period_name(h.label, h.kind, h.end),
        "period_end": h.end.isoformat(),
    }
    growth = h.figures.get("revenue_growth_pct")
    out["growth_base"] = h.base or (
        f"{INSUFFICIENT}: {growth.note}" if growth and growth.note else INSUFFICIENT
    )
    out.update({k: show_figure(h.figures.get(k), f.currency, f.scale) for k in keys})
    if "net_debt" in keys:  # say what net debt nets, so "net cash" is never read on another basis
        out["net_debt_basis"] = NET_DEBT_BASIS_TEXT[f.net_debt_basis]
    return out


def _score(metrics: Metrics) -> dict[str, Any]:
    """Overall, label, coverage and what is not scored (and why), and the model-read parts' effect."""
    sc = metrics.score
    out: dict[str, Any] = {
        "overall": sc.overall,
        "label": sc.label,
        "coverage": fmt_pct(sc.coverage_pct) or INSUFFICIENT,
    }
    if sc.provisional:
        out["provisional"] = (
            "coverage below the minimum: the number is provisional, the label Insufficient data"
        )
    if sc.missing_parts:
        out["not_scored"] = {m.title: m.reason for m in sc.missing_parts}
    mi = sc.model_influence
    if mi is not None:  # what the model-read labels did to the score (the page shows it too)
        out["model_read_parts"] = {
            "parts": mi.parts,
            "score_without_them": mi.without if mi.without is not None else INSUFFICIENT,
            "score_with_them_neutral": mi.neutral,
            "shift_points": mi.shift,
            "bound_points": mi.bound_points,
        }
    return out


def _statements(loaded: LoadedBundle, metrics: Metrics, periods: int = 2) -> list[dict[str, Any]]:
    """Statement lines of the TTM and the latest fiscal year. A line the metrics define (EBITDA, free cash flow:
    `PeriodMetrics.figures`) is the metrics' figure, or their "insufficient data: why", never the bundle's raw
    line: one value per concept in every part of the prompt and in the number check (fact_index.py)."""
    fin = loaded.bundle.financials
    if fin is None:
        return []
    computed = {p.label: p.figures for p in metrics.fundamentals.periods} if metrics.fundamentals else {}
    ttm = fin.ttm()
    ordered = ([ttm] if ttm is not None else []) + fin.fiscal_years()
    rows = []
    for p in ordered[:periods]:
        row: dict[str, Any] = {"period": p.label}
        figures = computed.get(p.label, {})
        for part, lines in _STATEMENT_LINES.items():
            stmt = getattr(p, part)
            for line in lines:
                if line in figures:
                    row[line] = show_figure_or_why(figures[line], fin.currency, fin.scale.value)
                    continue
                value = getattr(stmt, line, None) if stmt is not None else None
                row[line] = fmt_money(value, fin.currency, fin.scale.value) or INSUFFICIENT
        rows.append(row)
    return rows


def _subscores(metrics: Metrics, keys: tuple[str, ...] | None = None) -> dict[str, Any]:
    return {
        s.key: {"score": s.score if s.score is not None else INSUFFICIENT, "label": s.label or INSUFFICIENT}
        for s in metrics.score.subscores
        if keys is None or s.key in keys
    }


def _technicals(metrics: Metrics) -> dict[str, Any]:
    t = metrics.technicals
    if t.origin == "none":
        return {"origin": "none", "sentiment": INSUFFICIENT}
    ends = t.as_of.isoformat() if t.as_of else "?"
    stale = (
        {
            "stale": f"the prices end on {ends}, long before the analysis date {metrics.as_of.isoformat()}: "
            "name that date, never call the price current"
        }
        if t.stale
        else {}
    )
    return {
        "origin": t.origin,
        "as_of": t.as_of.isoformat() if t.as_of else None,
        **stale,
        "last_price": fmt_price(t.last_price, metrics.price_currency) or INSUFFICIENT,
        "sentiment": t.sentiment or INSUFFICIENT,
        "values": {k: fmt_ratio(v) for k, v in t.values.items() if v is not None},
        "readings": [
            {
                "name": r.name,
                "value": fmt_ratio(r.value) or INSUFFICIENT,
                "reading": r.reading or INSUFFICIENT,
            }
            for r in t.readings
        ],
    }


def _technicals_sentiment(metrics: Metrics) -> str:
    """The technical sentiment, or why it does not describe the analysis date."""
    t = metrics.technicals
    if t.stale and t.as_of is not None:
        return f"not current: the prices end on {t.as_of.isoformat()} (stale)"
    return t.sentiment or INSUFFICIENT


def _valuation(metrics: Metrics) -> dict[str, str]:
    return {k: show_figure(v, metrics.price_currency) for k, v in metrics.valuation.items()}


def _header(loaded: LoadedBundle, metrics: Metrics) -> dict[str, Any]:
    p = loaded.bundle.profile
    return {
        "company": p.name,
        "ticker": p.ticker,
        "as_of": metrics.as_of.isoformat(),
        "statement_currency": metrics.fundamentals.currency if metrics.fundamentals else None,
    }


def _events_data(loaded: LoadedBundle) -> str | None:
    events = sorted(loaded.bundle.events, key=lambda e: e.date, reverse=True)
    if not events:
        return None
    return "\n".join(
        f"- {e.date.isoformat()} [{e.category or 'uncategorised'}] {e.title}: {e.summary or ''}".rstrip()
        for e in events
    )


def _call_data(loaded: LoadedBundle, max_tokens: int | None) -> dict[str, DataBlock]:
    """The transcript (cut to `max_tokens`; None leaves it out) and the bundle's own call notes."""
    data: dict[str, DataBlock] = {}
    call = loaded.bundle.earnings_call
    if loaded.transcript_text is not None and max_tokens is not None:
        data["transcript"] = DataBlock.of(cut_transcript(loaded.transcript_text, max_tokens), "transcript")
    if call and (call.positive_updates or call.negative_updates or call.guidance):
        lines = [f"+ {u.title}: {u.text}" for u in call.positive_updates]
        lines += [f"- {u.title}: {u.text}" for u in call.negative_updates]
        if call.guidance:
            lines.append(f"guidance: {call.guidance}")
        data["call_notes"] = DataBlock.of("\n".join(lines), "call_notes")
    return data


def financials_facts(loaded: LoadedBundle, metrics: Metrics, opts: FactsOptions) -> PromptContext:
    facts = _header(loaded, metrics)
    facts["headline"] = _headline(metrics)
    facts["statements"] = _statements(loaded, metrics)
    facts["scores"] = _subscores(metrics, ("income_statement", "balance_sheet", "cash_flow"))
    return PromptContext(facts)


def technicals_facts(loaded: LoadedBundle, metrics: Metrics, opts: FactsOptions) -> PromptContext:
    facts = _header(loaded, metrics)
    facts["technicals"] = _technicals(metrics)
    return PromptContext(facts)


def factors_facts(loaded: LoadedBundle, metrics: Metrics, opts: FactsOptions) -> PromptContext:
    facts = _header(loaded, metrics)
    facts["headline"] = _headline(metrics)
    facts["technicals_sentiment"] = _technicals_sentiment(metrics)
    facts["valuation"] = _valuation(metrics)
    facts["earnings_call_sentiment"] = _call_sentiment(metrics)
    # Business context and the call's reported highlights (not the transcript: too many tokens here).
    data: dict[str, DataBlock] = {}
    if loaded.bundle.profile.description:
        data["description"] = DataBlock.of(loaded.bundle.profile.description, "description")
    data.update(_call_data(loaded, None))
    return PromptContext(facts, data)


def summary_facts(loaded: LoadedBundle, metrics: Metrics, opts: FactsOptions) -> PromptContext:
    facts = _header(loaded, metrics)
    facts["score"] = _score(metrics)
    facts["scores"] = _subscores(metrics)
    facts["headline"] = _headline(
        metrics,
        ("revenue_growth_pct", "net_margin_pct", "debt_to_equity", "fcf_growth_pct", "gross_margin_pct"),
    )
    facts["technicals_sentiment"] = _technicals_sentiment(metrics)
    facts["valuation"] = _valuation(metrics)
    pt = metrics.price_target
    facts["price_target"] = (
        {"target": fmt_price(pt.target, pt.currency), "upside": fmt_pct(pt.upside_pct) or INSUFFICIENT}
        if pt
        else INSUFFICIENT
    )
    return PromptContext(facts)


def earnings_call_facts(loaded: LoadedBundle, metrics: Metrics, opts: FactsOptions) -> PromptContext:
    facts = _header(loaded, metrics)
    call = loaded.bundle.earnings_call
    facts["call"] = (
        {
            "date": call.date.isoformat(),
            "quarter": call.quarter or INSUFFICIENT,
            "next_date": call.next_date.isoformat() if call.next_date else INSUFFICIENT,
        }
        if call
        else INSUFFICIENT
    )
    data = _call_data(loaded, opts.max_transcript_tokens or DEFAULT_MAX_TRANSCRIPT_TOKENS)
    facts["has_transcript"] = "transcript" in data
    return PromptContext(facts, data)


def events_facts(loaded: LoadedBundle, metrics: Metrics, opts: FactsOptions) -> PromptContext:
    facts = _header(loaded, metrics)
    latest = max((e.date for e in loaded.bundle.events), default=None)
    facts["events"] = {
        "count": len(loaded.bundle.events),
        "latest": latest.isoformat() if latest else INSUFFICIENT,
    }
    text = _events_data(loaded)
    return PromptContext(facts, {"events": DataBlock.of(text, "events")} if text else {})


def _call_sentiment(metrics: Metrics) -> str:
    sub = next((s for s in metrics.score.subscores if s.key == "earnings_call"), None)
    return sub.label if sub and sub.label else INSUFFICIENT
