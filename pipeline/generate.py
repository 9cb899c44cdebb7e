"""One ticker end to end: load -> metrics -> model step -> checks -> report -> render.

Nothing is written until the whole report exists in memory, so a failure never leaves a half report.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.assemble import assemble_report
from pipeline.inputs.load import load_bundle
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
