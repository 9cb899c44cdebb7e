"""Prompt templates: a system and a user Jinja2 template per model-written section, rendered strictly.

The templates ship inside the package (`pipeline/narrate/templates/<section>.system.j2` and `.user.j2`, read
through importlib.resources by Jinja's PackageLoader, so a wheel install has them). A folder named by the
environment variable STOCKREPORT_PROMPTS overrides them file by file: a template found there wins.

Templates get `facts` (numbers computed in code, already formatted the way the number checker reads them),
`facts_json` (the same, as compact JSON), `data` (untrusted text, each value fenced as
`<data source="...">...</data>` with tag-like text inside neutralised: prompt_context.py) and `section`.
Raw untrusted text never enters a template context. Nothing reads anything back out of the rendered text:
the section and ticker travel as run metadata (pipeline/model/call_meta.py).

The prompt version of a section, `prompt_version`, is the one formula used by the renderer, the resume check
and replay's staleness check: "<SectionSpec.version>+<sha256(system source NUL user source), 8 hex>", so an
edit without a version bump still shows.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jinja2

from pipeline.errors import StockreportError
from pipeline.inputs.loaded import LoadedBundle
from pipeline.metrics.types import Metrics
from pipeline.narrate.prompt_context import PromptContext, facts_json
from pipeline.narrate.prompt_facts import FactsOptions
from pipeline.narrate.registry import SectionSpec, section_names, section_spec, written_sections
from pipeline.template_cache import template_bytecode_cache

if TYPE_CHECKING:  # the resume check renders no prompt: it must not import the model stack
    from langchain_core.messages import BaseMessage

PROMPTS_ENV = "STOCKREPORT_PROMPTS"
PACKAGE_TEMPLATES = ("pipeline.narrate", "templates")


@dataclass(frozen=True)
class PromptMessages:
    section: str
    system: str
    user: str
    version: str  # prompt_version(section)

    def as_langchain(self) -> list[BaseMessage]:
        from langchain_core.messages import HumanMessage, SystemMessage

        return [SystemMessage(self.system), HumanMessage(self.user)]


def prompts_override() -> str | None:
    """The folder of STOCKREPORT_PROMPTS, read when asked (so a test or a caller can change it)."""
    return os.environ.get(PROMPTS_ENV) or None


@functools.lru_cache(maxsize=8)
def _environment(override: str | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(override)] if override else []
    loaders.append(jinja2.PackageLoader(*PACKAGE_TEMPLATES))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        # The package's templates compiled once per machine; an override folder's are compiled per process.
        bytecode_cache=None if override else template_bytecode_cache(),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _spec(section: str) -> SectionSpec:
    try:
        return section_spec(section)
    except StockreportError:
        raise StockreportError(
            f"no prompt templates for section {section!r} (have: {', '.join(section_names())})"
        ) from None


def template_sources(section: str, override: str | None = None) -> tuple[str, str]:
    """The text of the section's system and user templates (override folder first, then the package)."""
    spec = _spec(section)
    return _sources(spec.system_template, spec.user_template, override or prompts_override())


def _sources(system: str, user: str, override: str | None) -> tuple[str, str]:
    env = _environment(override)
    assert env.loader is not None
    out = []
    for name in (system, user):
        try:
            out.append(env.loader.get_source(env, name)[0])
        except jinja2.TemplateNotFound:
            where = f"{PROMPTS_ENV}={override} or the package" if override else "the package"
            raise StockreportError(f"prompt template {name} not found in {where}") from None
    return out[0], out[1]


def prompt_version(section: str, override: str | None = None) -> str:
    """'<spec version>+<sha256(system NUL user)[:8]>' of the templates."""
    system, user = template_sources(section, override)
    digest = hashlib.sha256(f"{system}\0{user}".encode()).hexdigest()[:8]
    return f"{_spec(section).version}+{digest}"


def prompt_versions() -> dict[str, str]:
    """Every registered section's current prompt version."""
    return {spec.name: prompt_version(spec.name) for spec in written_sections()}


def render_prompt(section: str, variables: Mapping[str, Any]) -> PromptMessages:
    """Render a section's system and user templates; a missing variable raises StockreportError naming it.

    `variables` needs `facts` (dict) and `data` (names to fenced strings); `section` and `facts_json` are added.
    """
    spec = _spec(section)
    override = prompts_override()
    env = _environment(override)
    ctx = {**variables, "section": section}
    if "facts" in variables and "facts_json" not in variables:
        ctx["facts_json"] = facts_json(variables["facts"])
    try:
        system = env.get_template(spec.system_template).render(ctx).strip()
        user = env.get_template(spec.user_template).render(ctx).strip()
    except jinja2.UndefinedError as exc:
        raise StockreportError(f"prompt {section}: template variable missing: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise StockreportError(f"prompt {section}: template {exc.name} not found") from None
    except jinja2.TemplateError as exc:
        raise StockreportError(f"prompt {section}: {exc}") from None
    return PromptMessages(section, system, user, prompt_version(section, override))


def render_context(section: str, context: PromptContext) -> PromptMessages:
    return render_prompt(section, context.template_vars())


def build_prompt(
    section: str, loaded: LoadedBundle, metrics: Metrics, *, max_transcript_tokens: int | None = None
) -> PromptMessages:
    """The section's facts and fenced data for a bundle and its metrics, rendered."""
    context = _spec(section).facts(loaded, metrics, FactsOptions(max_transcript_tokens))
    return render_context(section, context)
