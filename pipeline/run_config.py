"""What one run of `generate`, `batch`, `record` or the OpenAI Batch path is configured with: the model and
its settings, the output folder and formats, and the narrate options. Built in one place (the command line),
turned into the model (`build_model`) and the narrate options (`RunConfig.narrate_options`) here.

Light to import (no model stack): the batch runner and the resume check import it before any model is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.model.providers import ModelSettings, ResolvedModel, resolve
from pipeline.render.paths import DEFAULT_FORMATS

if TYPE_CHECKING:
    from pipeline.narrate.narration import NarrateOptions


@dataclass(frozen=True)
class RunConfig:
    """Everything a run needs to rebuild the model and options (picklable for worker processes)."""

    model: str = "offline"
    more_models: tuple[str, ...] = ()  # `-m A -m B`: B and on share A's page behind a switch
    out: Path = Path("outputs")
    formats: tuple[str, ...] = DEFAULT_FORMATS
    base_url: str | None = None
    temperature: float | None = None
    reasoning_effort: str | None = None
    timeout: float | None = None  # seconds per model request; None: the provider's default (CallBudget)
    max_tokens: int | None = None
    slots: int = 1  # requests a local model server answers at once (the run's concurrency)
    strict_numbers: bool = False
    max_transcript_tokens: int | None = None
    no_cache: bool = False
    cache_dir: Path | None = None
    force: bool = False

    @property
    def models(self) -> tuple[str, ...]:
        """Every model of the run, the leading one first."""
        return (self.model, *self.more_models)

    def model_settings(self) -> ModelSettings:
        return ModelSettings(
            base_url=self.base_url,
            temperature=self.temperature,
            reasoning_effort=self.reasoning_effort,
            timeout=self.timeout,
            max_tokens=self.max_tokens,
            slots=self.slots,
        )

    def narrate_options(
        self, *, cache: bool = True, sections: tuple[str, ...] | None = None
    ) -> NarrateOptions:
        """The narrate options of this run; `cache=False` for paths that must see the model itself (record)."""
        from pipeline.model.cache import AnswerCache
        from pipeline.narrate.narration import NarrateOptions

        answers = AnswerCache(self.cache_dir) if cache and not self.no_cache else None
        return NarrateOptions(
            strict_numbers=self.strict_numbers,
            max_transcript_tokens=self.max_transcript_tokens,
            cache=answers,
            sections=sections,
        )


def build_model(cfg: RunConfig) -> ResolvedModel:
    """The configured model; a missing key or an unknown model fails here, before anything is written."""
    return resolve(cfg.model, cfg.model_settings())


def build_more_models(cfg: RunConfig) -> tuple[ResolvedModel, ...]:
    """The models after the first (`-m A -m B ...`), resolved the same way and as early."""
    return tuple(resolve(name, cfg.model_settings()) for name in cfg.more_models)
