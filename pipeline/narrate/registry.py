"""The model-written sections: one `SectionSpec` each. Every list of sections and every per-section choice
reads from here: the prompt templates and their version, the facts builder, the answer schema, the offline
writer, the skip rule, the sentiment label a section gives the score, the label its tone must not contradict,
and how its answer goes into the report and back (page_mapping.py).

Sections are asked phase by phase: "labels" first (their sentiment labels feed the score, which is then
recomputed in code), then "prose" (written with the final metrics); within a phase, in registry order.

Adding a section is one `written_section(...)` entry (here, or `register_section` from outside) plus its two
templates, `<name>.system.j2` and `<name>.user.j2` (docs/architecture.md, "Add a section").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from pipeline.checks.evidence import ReadLabel
from pipeline.errors import StockreportError
from pipeline.inputs.loaded import LoadedBundle
from pipeline.metrics.types import Metrics, Reading
from pipeline.narrate import offline_writer as offline
from pipeline.narrate import page_mapping as page
from pipeline.narrate import prompt_facts as facts
from pipeline.narrate.answers import (
    AnswerSchema,
    EarningsCallAnswer,
    EventsAnswer,
    FactorsAnswer,
    FinancialsAnswer,
    SummaryAnswer,
    TechnicalsAnswer,
)
from pipeline.narrate.prompt_context import PromptContext
from pipeline.narrate.prompt_facts import FactsOptions
from pipeline.report.document import Report
from pipeline.report.draft import ReportDraft

A = TypeVar("A", bound=AnswerSchema)
Phase = Literal["labels", "prose"]
PHASES: tuple[Phase, ...] = ("labels", "prose")
SentimentField = Literal["earnings_call", "corporate_events"]

FactsBuilder = Callable[[LoadedBundle, Metrics, FactsOptions], PromptContext]
OfflineWriter = Callable[[PromptContext], dict[str, Any]]  # the JSON answer a model would give
SkipRule = Callable[[LoadedBundle], str | None]  # why the section is not asked for this bundle, or None
ToneTarget = Callable[
    [Metrics, str], str | None
]  # (metrics, answer field path) -> label prose must not contradict
Put = Callable[[ReportDraft, BaseModel, ReadLabel | None], None]
Take = Callable[[Report], AnswerSchema | None]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_VERSION = re.compile(r"^\d+(\.\d+)*$")


@dataclass(frozen=True)
class LabelRule:
    """A section whose answer carries a sentiment label the score counts (checked against its quotes)."""

    part: str  # how flags and notes name it: "earnings call"
    sentiment: SentimentField  # the field of metrics.Sentiments it sets
    has_source: Callable[[LoadedBundle], bool]  # the bundle has the text the label is read from
    counted: Callable[[Report], Reading | None]  # the label a finished report counted (regeneration keeps it)


@dataclass(frozen=True)
class SectionSpec:
    name: str
    phase: Phase
    answer: type[AnswerSchema]
    version: str  # bump when the templates' meaning changes; the prompt version adds a hash of their text
    purpose: str
    facts: FactsBuilder
    offline: OfflineWriter
    put: Put  # the checked answer into the report draft (built by `written_section`: type-checked)
    take: Take  # the answer back out of a finished report (single-section regeneration)
    skip: SkipRule
    label: LabelRule | None = None
    tone_target: ToneTarget | None = None

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"section name {self.name!r}: lowercase letters, digits and '_' only")
        if not _VERSION.match(self.version):
            raise ValueError(f"section {self.name}: version {self.version!r} is not like '2' or '2.1'")
        if self.label is not None and self.phase != "labels":
            raise ValueError(
                f"section {self.name}: a section whose label feeds the score is asked in phase 'labels'"
            )

    @property
    def system_template(self) -> str:
        return f"{self.name}.system.j2"

    @property
    def user_template(self) -> str:
        return f"{self.name}.user.j2"


def _ask_always(loaded: LoadedBundle) -> str | None:
    return None


def _expect(cls: type[A], answer: BaseModel, section: str) -> A:
    if not isinstance(answer, cls):
        raise TypeError(f"section {section}: expected a {cls.__name__}, got {type(answer).__name__}")
    return answer


def written_section(
    *,
    name: str,
    phase: Phase,
    answer: type[A],
    version: str,
    purpose: str,
    facts: FactsBuilder,
    offline: OfflineWriter,
    put: Callable[[ReportDraft, A, ReadLabel | None], None],
    take: Callable[[Report], A | None],
    skip: SkipRule = _ask_always,
    label: LabelRule | None = None,
    tone_target: ToneTarget | None = None,
) -> SectionSpec:
    """A SectionSpec whose report mapping is typed on its own answer class (checked again at run time)."""

    def put_checked(draft: ReportDraft, given: BaseModel, read: ReadLabel | None) -> None:
        put(draft, _expect(answer, given, name), read)

    return SectionSpec(
        name, phase, answer, version, purpose, facts, offline, put_checked, take, skip, label, tone_target
    )


def prose_section(
    *,
    name: str,
    title: str,
    answer: type[A],
    version: str,
    purpose: str,
    facts: FactsBuilder,
    offline: OfflineWriter,
    phase: Phase = "prose",
    skip: SkipRule = _ask_always,
    tone_target: ToneTarget | None = None,
) -> SectionSpec:
    """A section the page has no fixed place for: shown under its `title` in `sections.additional`."""
    return written_section(
        name=name,
        phase=phase,
        answer=answer,
        version=version,
        purpose=purpose,
        facts=facts,
        offline=offline,
        put=page.put_additional(name, title),
        take=page.take_additional(name, answer),
        skip=skip,
        tone_target=tone_target,
    )


# --- the sections ----------------------------------------------------------------------------------------


def _no_call(loaded: LoadedBundle) -> str | None:
    return "No earnings call in the bundle." if loaded.bundle.earnings_call is None else None


def _no_events(loaded: LoadedBundle) -> str | None:
    return "No corporate events in the bundle." if not loaded.bundle.events else None


def _statement_label(metrics: Metrics, path: str) -> str | None:
    """Each statement paragraph (income_statement, ...) against its own sub-score's label."""
    return next((s.label for s in metrics.score.subscores if s.key == path), None)


BUILTIN: tuple[SectionSpec, ...] = (
    written_section(
        name="earnings_call",
        phase="labels",
        answer=EarningsCallAnswer,
        version="2",
        purpose="Earnings-call summary, sentiment, updates and guidance from the fenced transcript.",
        facts=facts.earnings_call_facts,
        offline=offline.offline_earnings_call,
        skip=_no_call,
        label=LabelRule(
            "earnings call",
            "earnings_call",
            lambda b: b.bundle.earnings_call is not None,
            lambda r: r.sections.earnings_call.sentiment,
        ),
        put=page.put_earnings_call,
        take=page.take_earnings_call,
    ),
    written_section(
        name="events",
        phase="labels",
        answer=EventsAnswer,
        version="2",
        purpose="Summary and tone of recent corporate events.",
        facts=facts.events_facts,
        offline=offline.offline_events,
        skip=_no_events,
        label=LabelRule(
            "corporate events",
            "corporate_events",
            lambda b: bool(b.bundle.events),
            lambda r: r.sections.events.sentiment,
        ),
        put=page.put_events,
        take=page.take_events,
    ),
    written_section(
        name="factors",
        phase="prose",
        answer=FactorsAnswer,
        version="2",
        purpose="Three to five positive and negative investment factors.",
        facts=facts.factors_facts,
        offline=offline.offline_factors,
        put=page.put_factors,
        take=page.take_factors,
    ),
    written_section(
        name="financials",
        phase="prose",
        answer=FinancialsAnswer,
        version="2",
        purpose="Financial-statement summary and per-statement commentary.",
        facts=facts.financials_facts,
        offline=offline.offline_financials,
        tone_target=_statement_label,
        put=page.put_financials,
        take=page.take_financials,
    ),
    written_section(
        name="technicals",
        phase="prose",
        answer=TechnicalsAnswer,
        version="2",
        purpose="Technical-analysis paragraph.",
        facts=facts.technicals_facts,
        offline=offline.offline_technicals,
        tone_target=lambda m, path: m.technicals.sentiment,
        put=page.put_technicals,
        take=page.take_technicals,
    ),
    written_section(
        name="summary",
        phase="prose",
        answer=SummaryAnswer,
        version="2",
        purpose="Overall summary under the score.",
        facts=facts.summary_facts,
        offline=offline.offline_summary,
        tone_target=lambda m, path: m.score.label,
        put=page.put_summary,
        take=page.take_summary,
    ),
)

_REGISTRY: dict[str, SectionSpec] = {spec.name: spec for spec in BUILTIN}


def register_section(spec: SectionSpec) -> None:
    """Add a section (after the others of its phase). A name already taken is an error."""
    if spec.name in _REGISTRY:
        raise ValueError(f"section {spec.name!r} is already registered")
    _REGISTRY[spec.name] = spec


def unregister_section(name: str) -> None:
    if any(spec.name == name for spec in BUILTIN):
        raise ValueError(f"section {name!r} is built in")
    _REGISTRY.pop(name, None)


@contextmanager
def extra_section(spec: SectionSpec) -> Iterator[SectionSpec]:
    """The registry with `spec` added for the duration of the block (tests, experiments)."""
    register_section(spec)
    try:
        yield spec
    finally:
        unregister_section(spec.name)


def written_sections() -> tuple[SectionSpec, ...]:
    """Every section in the order it is asked: phase by phase, registry order within a phase."""
    return tuple(spec for phase in PHASES for spec in _REGISTRY.values() if spec.phase == phase)


def section_names() -> tuple[str, ...]:
    return tuple(spec.name for spec in written_sections())


def section_spec(name: str) -> SectionSpec:
    """The spec of `name`; an unknown name is a StockreportError listing the known ones."""
    spec = _REGISTRY.get(name)
    if spec is None:
        raise StockreportError(f"unknown section {name!r}; choose from {', '.join(section_names())}")
    return spec
