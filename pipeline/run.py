"""The one run path: load -> metrics -> narrate -> assemble -> render.

Every way of making a report goes through these functions, with options built in one place (`RunConfig`):

    stockreport generate / batch       batch/runner.py -> run_report, per ticker
    stockreport generate --section     regenerate_sections (earlier answers kept, re-checked)
    stockreport batch --via openai-batch   batch/openai_batch.py -> narrate_bundle per pass, finish_report
    stockreport record / replay        review/record.py, review/replay.py -> narrate_bundle (and assemble)

Nothing is written until the whole report exists in memory, so a failure never leaves a half report.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from pipeline.errors import StockreportError
from pipeline.inputs.load import load_bundle
from pipeline.inputs.loaded import LoadedBundle
from pipeline.inputs.sources import MAX_REPORT_BYTES, read_json_file
from pipeline.metrics.types import Sentiments
from pipeline.model.ask import ModelReply
from pipeline.model.cost import TokenUsage
from pipeline.model.providers import ResolvedModel, model_ref
from pipeline.narrate.narration import Earlier, NarrateOptions, Narrative, SectionResult, narrate
from pipeline.narrate.prompts import PromptMessages
from pipeline.narrate.registry import section_spec, written_sections
from pipeline.render.paths import DEFAULT_FORMATS, report_file
from pipeline.render.write import write_report
from pipeline.report.assemble import assemble_report
from pipeline.report.document import ModelView, Report
from pipeline.run_config import RunConfig, build_model

__all__ = [
    "Narrated",
    "ReportRun",
    "RunConfig",
    "build_model",
    "combine_models",
    "earlier_sections",
    "finish_report",
    "narrate_bundle",
    "regenerate_sections",
    "run_report",
]


@dataclass(frozen=True)
class Narrated:
    """A bundle after the model step: loaded, its metrics scored with the model's labels, every section checked."""

    loaded: LoadedBundle
    narrative: Narrative


@dataclass(frozen=True)
class ReportRun:
    report: Report
    paths: dict[str, Path]  # format -> file written (empty when nothing was written)
    seconds: float


def narrate_bundle(
    bundle_dir: Path,
    model: ResolvedModel,
    options: NarrateOptions,
    *,
    earlier: Earlier | None = None,
    loaded: LoadedBundle | None = None,
) -> Narrated:
    """Load (unless given) -> metrics -> narrate."""
    loaded = loaded or load_bundle(bundle_dir)
    return Narrated(loaded, narrate(loaded, model, options, earlier))


def finish_report(
    narrated: Narrated,
    model: ResolvedModel,
    out_root: Path | None,
    formats: tuple[str, ...] = DEFAULT_FORMATS,
    *,
    started: float | None = None,
) -> ReportRun:
    """Assemble -> render (when `out_root` is given)."""
    start = time.perf_counter() if started is None else started
    report = assemble_report(narrated.loaded, model.ref, narrated.narrative)
    paths = write_report(report, out_root, formats) if out_root is not None else {}
    return ReportRun(report, paths, time.perf_counter() - start)


def run_report(
    bundle_dir: Path,
    model: ResolvedModel,
    out_root: Path | None,
    *,
    options: NarrateOptions | None = None,
    formats: tuple[str, ...] = DEFAULT_FORMATS,
    more_models: Sequence[ResolvedModel] = (),
) -> ReportRun:
    """One ticker end to end; with `more_models`, one page for all the models (`combine_models`)."""
    start = time.perf_counter()
    if more_models:
        loaded = load_bundle(bundle_dir)
        reports = [
            finish_report(
                narrate_bundle(bundle_dir, m, options or NarrateOptions(), loaded=loaded), m, None
            ).report
            for m in (model, *more_models)
        ]
        report = combine_models(reports)
        paths = write_report(report, out_root, formats) if out_root is not None else {}
        return ReportRun(report, paths, time.perf_counter() - start)
    narrated = narrate_bundle(bundle_dir, model, options or NarrateOptions())
    return finish_report(narrated, model, out_root, formats, started=start)


def combine_models(reports: Sequence[Report]) -> Report:
    """One report of several models: the first (lead) model's view at the top level, every model's view
    in `models`, and where they disagree (review/disagree.py). The bundle-derived parts are the same in each
    (one load, deterministic metrics), so the page shows them once."""
    from pipeline.review.disagree import disagreements

    lead = reports[0]
    views = [
        ModelView(
            model=r.provenance.model,
            model_display=r.header.model_display,
            score=r.score,
            factors=r.factors,
            sections=r.sections,
            provenance=r.provenance,
            number_checks=r.number_checks,
            flagged_sentences=r.flagged_sentences,
        )
        for r in reports
    ]
    return lead.model_copy(update={"models": views, "disagreements": disagreements(reports)})


def earlier_sections(report: Report, wanted: tuple[str, ...]) -> Earlier:
    """What regeneration keeps from `report`: every section not in `wanted`, rebuilt as the answer it was
    (`SectionSpec.take`) with its model, prompt version, usage and cost, and the labels the score counted."""
    for name in wanted:
        section_spec(name)  # an unknown name fails here, listing the known ones
    kept: dict[str, SectionResult] = {}
    for p in report.provenance.sections:
        if p.section in wanted:
            continue
        parsed = section_spec(p.section).take(report)
        if parsed is None:
            continue
        usage = TokenUsage(p.usage.input_tokens, p.usage.output_tokens, p.usage.cached_tokens)
        reply = ModelReply(
            parsed,
            parsed.model_dump_json(),
            usage,
            p.latency_s,
            p.attempts,
            0,
            p.model_id,
            p.cached,
            p.cost_usd,
        )
        kept[p.section] = SectionResult(
            p.section,
            PromptMessages(p.section, "", "", p.prompt_version),
            reply,
            [],
            model=model_ref(p.model, p.model_id),
        )
    counted = {spec.label.sentiment: spec.label.counted(report) for spec in written_sections() if spec.label}
    return Earlier(kept, Sentiments.model_validate(counted))


def regenerate_sections(
    bundle_dir: Path,
    model: ResolvedModel,
    out_root: Path,
    sections: tuple[str, ...],
    *,
    options: NarrateOptions | None = None,
    formats: tuple[str, ...] = DEFAULT_FORMATS,
) -> ReportRun:
    """Re-ask `sections` with `model`; every other section keeps its prose and model from report.json.

    The kept sections' numbers are checked again against the current facts (the score may move when the
    earnings call or events section is re-asked), so a stale figure is flagged, not silently kept.
    """
    start = time.perf_counter()
    for name in sections:
        section_spec(name)  # an unknown name fails before anything is read, listing the known ones
    loaded = load_bundle(bundle_dir)
    path = report_file(out_root, loaded.ticker)
    if not path.exists():
        raise StockreportError(f"{path}: no report to update; run generate without --section first")
    try:
        old = Report.model_validate(read_json_file(path, max_bytes=MAX_REPORT_BYTES))
    except ValidationError as exc:
        raise StockreportError(f"{path}: not a valid report ({str(exc).splitlines()[0]})") from None
    if len(old.models) > 1:
        raise StockreportError(
            f"{path}: this report holds {len(old.models)} models; regenerate it whole with every --model"
        )
    if old.provenance.input_hash != loaded.input_hash:
        raise StockreportError(
            f"{path}: the bundle changed since this report was written; "
            "regenerate every section (run generate without --section)"
        )
    earlier = earlier_sections(old, sections)
    opts = dataclasses.replace(options or NarrateOptions(), sections=tuple(sections))
    narrated = narrate_bundle(bundle_dir, model, opts, earlier=earlier, loaded=loaded)
    return finish_report(narrated, model, out_root, formats, started=start)
