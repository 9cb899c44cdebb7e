"""Merge bundle data, metrics and the model's checked prose into one typed `Report`.

The page sections are built from the bundle and metrics first (page_sections.py); then each model-written
section puts its answer in, as its registry entry says (`SectionSpec.put`), typed on its own answer class.
"""

from __future__ import annotations

import datetime as dt

from pipeline import __version__
from pipeline.inputs.loaded import LoadedBundle
from pipeline.metrics.types import Metrics
from pipeline.model.cost import TokenUsage, add_costs, price_table
from pipeline.model.providers import ModelRef
from pipeline.narrate.narration import Narrative
from pipeline.narrate.registry import section_spec
from pipeline.report.document import (
    Header,
    Provenance,
    Report,
    Score,
    SectionProvenance,
    TokenCounts,
)
from pipeline.report.draft import ReportDraft
from pipeline.report.page_sections import page_sections


def _counts(u: TokenUsage) -> TokenCounts:
    return TokenCounts(input_tokens=u.input, output_tokens=u.output, cached_tokens=u.cached)


def _provenance(loaded: LoadedBundle, model: ModelRef, narrative: Narrative) -> Provenance:
    rows = []
    total = TokenUsage()
    for name, r in narrative.results.items():
        used = r.model or model
        reply = r.reply
        total = total + reply.usage
        rows.append(
            SectionProvenance(
                section=name,
                model=used.spec,
                model_id=reply.model_id,
                prompt_version=r.prompt.version,
                attempts=reply.attempts,
                latency_s=round(reply.latency_s, 4),
                cached=reply.cached,
                usage=_counts(reply.usage),
                cost_usd=None if reply.cost_usd is None else round(reply.cost_usd, 6),
            )
        )
    return Provenance(
        model=model.spec,
        provider=model.provider,
        model_id=model.model_id,
        prompt_versions={r.section: r.prompt_version for r in rows},
        input_hash=loaded.input_hash,
        usage=_counts(total),
        cost_usd=add_costs(r.cost_usd for r in rows),
        unpriced_models=list(dict.fromkeys(r.model_id for r in rows if r.cost_usd is None)),
        price_table=price_table().label,
        latency_s=round(sum(r.latency_s for r in rows), 4),
        retries=sum(max(0, r.attempts - 1) for r in rows),
        package_version=__version__,
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        sections=rows,
    )


def assemble_report(loaded: LoadedBundle, model: ModelRef, narrative: Narrative) -> Report:
    """The Report of one ticker. Sections kept from an earlier report name their own model (`result.model`)."""
    b = loaded.bundle
    m: Metrics = narrative.metrics
    draft = ReportDraft(loaded, m, page_sections(loaded, m))
    for name, result in narrative.results.items():
        section_spec(name).put(draft, result.reply.parsed, narrative.labels.get(name))
    t = m.technicals
    header = Header(
        company_name=b.profile.name,
        ticker=b.profile.ticker,
        exchange=b.profile.exchange,
        price_currency=b.profile.currency,
        last_price=t.last_price,
        price_as_of=t.as_of,
        price_stale=t.stale,
        price_origin=t.origin,
        price_target=m.price_target,
        model_display=model.display,
    )
    res = narrative.results
    flagged = [s for r in res.values() for s in (r.flagged + r.dropped_notes)]
    return Report(
        ticker=b.profile.ticker,
        as_of=b.as_of,
        header=header,
        score=Score(
            overall=m.score.overall,
            label=m.score.label,
            provisional=m.score.provisional,
            coverage_pct=m.score.coverage_pct,
            missing_parts=list(m.score.missing_parts),
            model_influence=m.score.model_influence,
            subscores=list(m.score.subscores),
        ),
        factors=draft.factors,
        metrics=m,
        sections=draft.sections,
        provenance=_provenance(loaded, model, narrative),
        number_checks=[
            c
            for r in res.values()
            for c in (c.model_copy(update={"section": f"{r.section}.{c.section}"}) for c in r.checks)
        ],
        flagged_sentences=flagged,
        missing=list(m.missing),
    )
