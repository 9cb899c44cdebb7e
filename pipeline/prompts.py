"""Prompt templates: one system + one user Jinja2 template per section under `prompts/`, rendered strictly.

`prompts/manifest.json` names each section's templates and version (validated by `Manifest`, extra keys
forbidden). Templates get two things: `facts` (a JSON block of numbers computed in code, already formatted the
way the number checker reads them) and `data` (untrusted text: descriptions, transcripts, event summaries),
each value already fenced as `<data source="...">...</data>` with any tag-like `<data`, `</data`, `<facts`,
`<task` inside neutralised. Raw untrusted text never enters a template context.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.errors import StockreportError

PROMPTS_DIR = Path(os.environ.get("STOCKREPORT_PROMPTS") or Path(__file__).resolve().parents[1] / "prompts")
SECTIONS = ("earnings_call", "events", "factors", "financials", "technicals", "summary")
_CONTROL_TAG = re.compile(r"<(\s*/?\s*(?:data|facts|task)\b)", re.I)


class SectionTemplates(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str = Field(pattern=r"^\d+(\.\d+)*$")
    purpose: str
    system: str = Field(pattern=r"^[\w.\-]+\.j2$")
    user: str = Field(pattern=r"^[\w.\-]+\.j2$")


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    sections: dict[str, SectionTemplates]


@dataclass(frozen=True)
class PromptMessages:
    section: str
    system: str
    user: str
    version: str  # "<manifest version>+<sha256 of both templates, 8 hex>", so an unbumped edit still shows

    def as_langchain(self) -> list[Any]:
        from langchain_core.messages import HumanMessage, SystemMessage

        return [SystemMessage(self.system), HumanMessage(self.user)]


@functools.lru_cache(maxsize=4)
def load_manifest(prompts_dir: Path = PROMPTS_DIR) -> Manifest:
    path = prompts_dir / "manifest.json"
    try:
        return Manifest.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StockreportError(f"{path}: prompt manifest not found") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise StockreportError(f"{path}: {loc}: {first['msg']}") from None


@functools.lru_cache(maxsize=4)
def _env(prompts_dir: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(prompts_dir)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def neutralise(text: str) -> str:
    """Make tag-like `<data`, `</data`, `<facts`, `<task` inside untrusted text inert ('<' -> '&lt;')."""
    return _CONTROL_TAG.sub(r"&lt;\1", text)


def fence(text: str, source: str) -> str:
    """Untrusted text as a marked data block the system prompt tells the model never to obey."""
    return f'<data source="{source}">\n{neutralise(text.strip())}\n</data>'


def facts_json(facts: dict[str, Any]) -> str:
    """Compact JSON with '<' escaped as \\u003c, so bundle strings (company names) cannot close the block."""
    return json.dumps(facts, ensure_ascii=False, separators=(",", ":"), sort_keys=True).replace(
        "<", "\\u003c"
    )


def render_prompt(section: str, context: dict[str, Any], prompts_dir: Path = PROMPTS_DIR) -> PromptMessages:
    """Render a section's system and user templates; a missing variable raises StockreportError.

    `context` needs `facts` (dict) and `data` (dict of names to fenced strings, see `fence`); templates may
    ask
    for more. `section` and `facts_json` are added here.
    """
    manifest = load_manifest(prompts_dir)
    if section not in manifest.sections:
        raise StockreportError(
            f"no prompt templates for section {section!r} (have: {', '.join(manifest.sections)})"
        )
    entry = manifest.sections[section]
    env = _env(prompts_dir)
    ctx = {**context, "section": section}
    if "facts" in context:
        ctx["facts_json"] = facts_json(context["facts"])
    try:
        system = env.get_template(entry.system).render(ctx).strip()
        user = env.get_template(entry.user).render(ctx).strip()
        sources = [env.loader.get_source(env, n)[0] for n in (entry.system, entry.user)]  # type: ignore[union-attr]
    except jinja2.UndefinedError as exc:
        raise StockreportError(f"prompt {section}: template variable missing: {exc.message}") from None
    except jinja2.TemplateError as exc:
        raise StockreportError(f"prompt {section}: {exc}") from None
    digest = hashlib.sha256("\0".join(sources).encode()).hexdigest()[:8]
    return PromptMessages(section, system, user, f"{entry.version}+{digest}")


def build_prompt(
    section: str,
    loaded: Any,
    metrics: Any,
    *,
    max_transcript_tokens: int | None = None,
    prompts_dir: Path = PROMPTS_DIR,
) -> PromptMessages:
    """Facts + fenced data for `section` from a LoadedBundle and Metrics, rendered."""
    from pipeline.model.facts import build_context

    return render_prompt(section, build_context(section, loaded, metrics, max_transcript_tokens), prompts_dir)
