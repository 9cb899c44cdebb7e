"""One ticker end to end: load -> metrics -> model step -> checks -> report -> render.

Nothing is written until the whole report exists in memory, so a failure never leaves a half report.
`regenerate_sections` re-asks only the named sections and keeps the rest from the existing report.json.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from pipeline.assemble import assemble_report
from pipeline.errors import StockreportError
from pipeline.files import output_dir_for
from pipeline.inputs.load import load_bundle
from pipeline.inputs.sources import MAX_REPORT_BYTES, read_json_file
from pipeline.model.select import ResolvedModel
from pipeline.narrate import NarrateOptions, narrate
from pipeline.render import write_report
from pipeline.report import Report


@dataclass(frozen=True)
class Generated:
    report: Report
    paths: dict[str, Path]
    seconds: float


def generate_one(bundle_dir: Path, resolved: ResolvedModel, out_root: Path, *,
                 options: NarrateOptions | None = None,
                 formats: tuple[str, ...] = ("json", "md", "html")) -> Generated:
    start = time.perf_counter()
    loaded = load_bundle(bundle_dir)
    narrative = narrate(loaded, resolved, options or NarrateOptions())
    report = assemble_report(loaded, resolved, narrative)
    paths = write_report(report, out_root, formats)
    return Generated(report, paths, time.perf_counter() - start)


def regenerate_sections(bundle_dir: Path, resolved: ResolvedModel, out_root: Path, sections: tuple[str, ...], *,
                        options: NarrateOptions | None = None,
                        formats: tuple[str, ...] = ("json", "md", "html")) -> Generated:
    """Re-ask `sections` with `resolved`; every other section keeps its prose and model from report.json.

    The kept sections' numbers are checked again against the current facts (the score may move when the
    earnings call or events section is re-asked), so a stale figure is flagged, not silently kept.
    """
    from pipeline.batch.regen import kept_sections

    start = time.perf_counter()
    loaded = load_bundle(bundle_dir)
    path = output_dir_for(out_root, loaded.bundle.profile.ticker) / "report.json"
    if not path.exists():
        raise StockreportError(f"{path}: no report to update; run generate without --section first")
    try:
        old = Report.model_validate(read_json_file(path, max_bytes=MAX_REPORT_BYTES))
    except ValidationError as exc:
        raise StockreportError(f"{path}: not a valid report ({str(exc).splitlines()[0]})") from None
    if old.provenance.input_hash != loaded.input_hash:
        raise StockreportError(f"{path}: the bundle changed since this report was written; "
                               "regenerate every section (run generate without --section)")
    kept, models, sentiments = kept_sections(old, sections)
    opts = dataclasses.replace(options or NarrateOptions(), sections=tuple(sections))
    narrative = narrate(loaded, resolved, opts, base_sentiments=sentiments, kept=kept)
    report = assemble_report(loaded, resolved, narrative, models={**models, **{s: resolved for s in sections}})
    paths = write_report(report, out_root, formats)
    return Generated(report, paths, time.perf_counter() - start)
