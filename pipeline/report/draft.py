"""The report while it is assembled: page sections built from the bundle and metrics, waiting for the prose.

Each model-written section puts its answer in (`SectionSpec.put`); `assemble_report` then seals the draft
into a `Report`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.inputs.loaded import LoadedBundle
from pipeline.metrics.types import Metrics
from pipeline.report.document import Factors, PageSections


@dataclass
class ReportDraft:
    loaded: LoadedBundle
    metrics: Metrics
    sections: PageSections
    factors: Factors = field(default_factory=lambda: Factors(positive=[], negative=[]))
