"""Merge bundle data, metrics and the model's checked prose into one typed `Report`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pipeline import __version__
from pipeline.inputs.load import LoadedBundle
from pipeline.metrics.model import Metrics
from pipeline.model.cost import Usage as CostUsage
from pipeline.model.cost import price_table
from pipeline.model.evidence import ReadLabel
from pipeline.model.select import ResolvedModel
from pipeline.narrate import Narrative, SectionResult
from pipeline.report import (
    ComparisonSection,
    EarningsCallSection,
    EventsSection,
    EvidenceQuote,
    Factors,
    FinancialsSection,
    Header,
    PeersSection,
    Provenance,
    Report,
    Score,
    SectionProvenance,
    Sections,
    TechnicalsSection,
    TextSection,
    TitledText,
    Usage,
)
from pipeline.sections import (
    DISCLAIMER,
    GLOSSARY,
    analyst_note,
    breakdown_table,
    business_section,
    event_items,
    key_figures,
    peer_rows,
    risks_section,
)

PROVIDER_NAMES = {"openai": "OpenAI", "anthropic": "Anthropic", "google_genai": "Google", "offline": "Offline",
                  "openai-compatible": "OpenAI-compatible"}


def model_display(resolved: ResolvedModel) -> str:
    return f"{PROVIDER_NAMES.get(resolved.provider, resolved.provider)} - {resolved.model_id}"


def _titled(items: list[Any]) -> list[TitledText]:
    return [TitledText(title=i.title, text=i.text) for i in items]


def _usage(u: CostUsage) -> Usage:
    return Usage(input_tokens=u.input, output_tokens=u.output, cached_tokens=u.cached)


def _label_fields(label: ReadLabel | None) -> dict[str, Any]:
    """The counted sentiment, the model's own label, the checked quotes and the note on any difference."""
    if label is None:
        return {}
    return {"sentiment": label.counted, "model_sentiment": label.model_label, "sentiment_note": label.flag,
            "evidence": [EvidenceQuote(quote=q.quote, status=q.status) for q in label.quotes]}


def _earnings_call(loaded: LoadedBundle, result: SectionResult | None,
                   label: ReadLabel | None) -> EarningsCallSection:
    call = loaded.bundle.earnings_call
    if call is None:
        return EarningsCallSection(missing="No earnings call in the bundle: insufficient data.")
    section = EarningsCallSection(date=call.date, quarter=call.quarter, next_date=call.next_date,
                                  positive_updates=_titled(call.positive_updates),
                                  negative_updates=_titled(call.negative_updates), guidance=call.guidance,
                                  **_label_fields(label))
    if result is not None:
        a: Any = result.answer.parsed
        section.summary = a.summary
        # The bundle's reported highlights win; the model's updates fill in when only a transcript exists.
        if not section.positive_updates and not section.negative_updates:
            section.positive_updates = _titled(a.positive_updates)
            section.negative_updates = _titled(a.negative_updates)
        section.guidance = section.guidance or a.guidance
    return section


def _provenance(loaded: LoadedBundle, resolved: ResolvedModel, narrative: Narrative,
                models: dict[str, ResolvedModel]) -> Provenance:
    rows = []
    total = CostUsage()
    cost: float | None = 0.0
    for name, r in narrative.results.items():
        used = models.get(name, resolved)
        total = total + r.answer.usage
        cost = None if cost is None or r.answer.cost_usd is None else cost + r.answer.cost_usd
        rows.append(SectionProvenance(
            section=name, model=used.spec, model_id=r.answer.model_id, prompt_version=r.prompt.version,
            attempts=r.answer.attempts, latency_s=round(r.answer.latency_s, 4), cached=r.answer.cached,
            usage=_usage(r.answer.usage), cost_usd=round(r.answer.cost_usd or 0.0, 6)))
    return Provenance(
        model=resolved.spec, provider=resolved.provider, model_id=resolved.model_id,
        prompt_versions={r.section: r.prompt_version for r in rows}, input_hash=loaded.input_hash,
        usage=_usage(total), cost_usd=round(cost or 0.0, 6), price_table=price_table().label,
        latency_s=round(sum(r.latency_s for r in rows), 4),
        retries=sum(max(0, r.attempts - 1) for r in rows), package_version=__version__,
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0), sections=rows)


def assemble_report(loaded: LoadedBundle, resolved: ResolvedModel, narrative: Narrative,
                    models: dict[str, ResolvedModel] | None = None) -> Report:
    """The Report of one ticker. `models` names the model of sections that came from another run."""
    b = loaded.bundle
    m: Metrics = narrative.metrics
    res = narrative.results
    ans = {k: v.answer.parsed for k, v in res.items()}
    factors: Any = ans.get("factors")
    fin: Any = ans.get("financials")
    tech: Any = ans.get("technicals")
    events: Any = ans.get("events")
    t = m.technicals
    bench = None
    if b.benchmark:  # "iShares MSCI Hong Kong ETF (EWH)", as the seed titles the comparison
        bench = b.benchmark.name
        if b.benchmark.ticker and f"({b.benchmark.ticker})" not in bench:
            bench += f" ({b.benchmark.ticker})"
    comparison_missing = None
    if loaded.prices is None:
        comparison_missing = "No daily price history in the bundle: performance vs. benchmark not computed."
    elif loaded.benchmark is None:
        comparison_missing = "No benchmark prices in the bundle: only the stock's own performance is shown."
    period, figures = key_figures(m)
    labels = narrative.labels
    price_day = t.as_of if t.origin == "computed" else None
    sections = Sections(
        summary=TextSection(text=ans["summary"].text if "summary" in ans else None),  # type: ignore[attr-defined]
        business=business_section(b),
        comparison=ComparisonSection(benchmark_name=bench, as_of=price_day, stale=t.stale,
                                     performance=list(t.performance), missing=comparison_missing),
        earnings_call=_earnings_call(loaded, res.get("earnings_call"), labels.get("earnings_call")),
        financials=FinancialsSection(
            summary=fin.summary if fin else None, income_statement=fin.income_statement if fin else None,
            balance_sheet=fin.balance_sheet if fin else None, cash_flow=fin.cash_flow if fin else None,
            period=period, key_figures=figures, breakdown=breakdown_table(b, m),
            missing=None if b.financials else "No financial statements in the bundle: insufficient data."),
        technicals=TechnicalsSection(
            origin=t.origin, as_of=t.as_of, stale=t.stale, sentiment=t.sentiment, last_price=t.last_price,
            readings=list(t.readings), text=tech.text if tech else None,
            missing=None if t.origin != "none" else "No prices or technical snapshot in the bundle."),
        risks=risks_section(b),
        peers=PeersSection(rows=peer_rows(b, m), window=m.peers.window if m.peers else None,
                           average_rule=m.peers.average_rule if m.peers else None,
                           missing=None if b.peers else "No peers in the bundle."),
        events=EventsSection(
            summary=events.summary if events else None, **_label_fields(labels.get("events")),
            items=event_items(b), analyst_note=analyst_note(b, m),
            missing=None if b.events else "No corporate events in the bundle."),
        glossary=list(GLOSSARY),
        disclaimer=DISCLAIMER,
    )
    header = Header(company_name=b.profile.name, ticker=b.profile.ticker, exchange=b.profile.exchange,
                    price_currency=b.profile.currency, last_price=t.last_price, price_as_of=t.as_of,
                    price_stale=t.stale, price_origin=t.origin, price_target=m.price_target,
                    model_display=model_display(resolved))
    flagged = [s for r in res.values() for s in (r.flagged + r.dropped_notes)]
    return Report(
        ticker=b.profile.ticker, as_of=b.as_of, header=header,
        score=Score(overall=m.score.overall, label=m.score.label, provisional=m.score.provisional,
                    coverage_pct=m.score.coverage_pct, missing_parts=list(m.score.missing_parts),
                    model_influence=m.score.model_influence, subscores=list(m.score.subscores)),
        factors=Factors(positive=_titled(factors.positive) if factors else [],
                        negative=_titled(factors.negative) if factors else []),
        metrics=m, sections=sections, provenance=_provenance(loaded, resolved, narrative, models or {}),
        number_checks=[c for r in res.values() for c in
                       (c.model_copy(update={"section": f"{r.section}.{c.section}"}) for c in r.checks)],
        flagged_sentences=flagged, missing=list(m.missing),
    )
