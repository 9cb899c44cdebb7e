"""`--model replay:<model>`: answer from recordings (see record.py) through the normal parsing/checking path.

`ReplayChatModel` is a LangChain chat model like the offline one: it takes the section and the ticker from the
run metadata `ask` passes (`CallMeta`; never from the prompt text), opens
`<root>/<model>/<TICKER>/<section>.json` and returns the recorded assistant message for this point of the
conversation (call n = number of assistant messages already in it, so re-asks replay in order). It is the
`replay` model provider, registered through the `stockreport.providers` entry point (pyproject.toml). The answer
then goes through `ask`'s validation, the number checks, assembly and rendering exactly as a live one.

Per section it reports one of three states, logged as a warning and kept in `statuses`:
- fresh: the recording matches the current prompt templates, bundle files and prompt text;
- stale: its prompt version (manifest version + template hash) differs from the current templates, or the
  input hash of its bundle differs from the bundle now on disk, or the rendered prompt text differs (facts
  computed by code changed); it is still replayed, so a review can see what the old answer now does;
- missing: no recording; replay stops with a StockreportError naming the file and the record command.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import PrivateAttr

from pipeline.errors import StockreportError
from pipeline.inputs.load import load_bundle
from pipeline.model.call_meta import CallMeta
from pipeline.model.providers import CallBudget, ModelSettings, Provider, ResolvedModel, provider_named
from pipeline.narrate.narration import NarrateOptions
from pipeline.narrate.prompts import prompt_version
from pipeline.report.document import Report
from pipeline.review.record import DEFAULT_ROOT, recording_path, request_digest
from pipeline.run import finish_report, narrate_bundle

log = logging.getLogger(__name__)
ROOT_ENV = "STOCKREPORT_RECORDED"
# A recording answers at once: nothing to wait for between attempts, no deadline to bound.
REPLAY_BUDGET = CallBudget(timeout_s=0.0, max_attempts=5, section_s=0.0, backoff=False)
State = Literal["fresh", "stale", "missing"]


@dataclass(frozen=True)
class SectionStatus:
    ticker: str
    section: str
    state: State
    reasons: tuple[str, ...]
    path: Path

    def line(self) -> str:
        why = f": {'; '.join(self.reasons)}" if self.reasons else ""
        return f"replay {self.ticker} {self.section}: {self.state}{why}"


def current_prompt_version(section: str, prompts_dir: Path | None = None) -> str:
    """The section's prompt version now (`narrate.prompts.prompt_version`, the renderer's own formula)."""
    try:
        return prompt_version(section, str(prompts_dir) if prompts_dir else None)
    except StockreportError:
        return "(no template)"


@functools.lru_cache(maxsize=32)
def _bundle_hash(path: str, mtime_ns: int) -> str | None:
    try:
        return load_bundle(Path(path)).input_hash
    except StockreportError:
        return None


def current_input_hash(bundle: str, root: Path | None = None) -> str | None:
    """The input hash of the recorded bundle folder as it is now (None when it is gone or invalid).

    A relative path is tried from the working directory, then from each folder above the recordings `root`
    (recordings store repository-relative paths, and tests may run from elsewhere).
    """
    path = Path(bundle)
    if not path.is_absolute() and not path.is_dir() and root is not None:
        bases = Path(root).resolve().parents
        path = next((b / bundle for b in bases if (b / bundle).is_dir()), path)
    if not (path / "bundle.json").is_file():
        return None
    newest = max(f.stat().st_mtime_ns for f in path.iterdir() if f.is_file())
    return _bundle_hash(str(path.resolve()), newest)


def load_recording(path: Path) -> dict[str, Any] | None:
    from pipeline.inputs.sources import MAX_REPORT_BYTES, read_json_file

    if not path.exists() and not path.is_symlink():
        return None
    doc = read_json_file(path, max_bytes=MAX_REPORT_BYTES)
    if not isinstance(doc, dict):
        raise StockreportError(f"{path}: not a recording (expected a JSON object)")
    return doc


def staleness(
    rec: dict[str, Any],
    section: str,
    prompts_dir: Path | None = None,
    request: str | None = None,
    root: Path | None = None,
) -> list[str]:
    """Why a recording no longer matches (empty when fresh)."""
    reasons = []
    now = current_prompt_version(section, prompts_dir)
    if rec.get("prompt_version") != now:
        reasons.append(f"prompt version {rec.get('prompt_version')} recorded, {now} now")
    current = current_input_hash(rec.get("bundle", ""), root)
    if current is not None and current != rec.get("input_hash"):
        reasons.append(f"input hash {str(rec.get('input_hash'))[:19]} recorded, {current[:19]} now")
    if request is not None and not reasons and request != rec.get("request"):
        reasons.append("prompt text differs (facts computed by code changed)")
    return reasons


class ReplayChatModel(BaseChatModel):
    """Answers from recordings under `root/model`; never calls a network."""

    root: str
    model: str
    prompts_dir: str | None = None
    _statuses: dict[tuple[str, str], SectionStatus] = PrivateAttr(default_factory=dict)

    @property
    def _llm_type(self) -> str:
        return "stockreport-replay"

    @property
    def statuses(self) -> list[SectionStatus]:
        return list(self._statuses.values())

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], tool_choice=tool_choice, **kwargs)

    def _status(self, ticker: str, section: str, messages: list[BaseMessage]) -> tuple[SectionStatus, Any]:
        path = recording_path(Path(self.root), self.model, ticker, section)
        rec = load_recording(path)
        key = (ticker, section)
        if rec is None:
            status = SectionStatus(ticker, section, "missing", ("no recording",), path)
        elif key in self._statuses:
            return self._statuses[key], rec
        else:
            pdir = Path(self.prompts_dir) if self.prompts_dir else None
            reasons = staleness(rec, section, pdir, request_digest(messages), Path(self.root))
            status = SectionStatus(ticker, section, "stale" if reasons else "fresh", tuple(reasons), path)
        if key not in self._statuses:
            self._statuses[key] = status
            if status.state != "fresh":
                log.warning("%s", status.line())
        return status, rec

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        call_meta = CallMeta.of_run(run_manager)  # section and ticker travel as run metadata
        if call_meta is None:
            raise StockreportError("replay: the call carries no section or ticker (call it through ask)")
        ticker, section = call_meta.ticker, call_meta.section
        status, rec = self._status(ticker, section, messages)
        if rec is None:
            raise StockreportError(
                f"replay: no recording for {ticker} {section} ({status.path}); record it "
                f"with: stockreport record BUNDLE --model {self.model}"
            )
        n = sum(m.type == "ai" for m in messages)  # answers already given in this conversation
        calls = rec.get("calls") or []
        if n >= len(calls):
            raise StockreportError(
                f"replay: {status.path} holds {len(calls)} answer(s) but call {n + 1} was "
                f"asked (the recording is stale: record it again)"
            )
        call = calls[n]
        usage = call.get("usage") or {}
        meta = {
            "input_tokens": int(usage.get("input_tokens", 0)),
            "output_tokens": int(usage.get("output_tokens", 0)),
            "total_tokens": int(usage.get("input_tokens", 0)) + int(usage.get("output_tokens", 0)),
        }
        tools = kwargs.get("tools") or []
        recorded_tools = call.get("tool_calls") or []
        if tools and recorded_tools:  # the tool name follows the current schema class name
            name = tools[0]["function"]["name"]
            message = AIMessage(
                content="",
                usage_metadata=meta,  # type: ignore[arg-type]
                tool_calls=[
                    {
                        "name": name,
                        "args": recorded_tools[0]["args"],
                        "id": f"replay-{n}",
                        "type": "tool_call",
                    }
                ],
            )
        elif recorded_tools:
            message = AIMessage(
                content=json.dumps(recorded_tools[0]["args"], ensure_ascii=False), usage_metadata=meta
            )  # type: ignore[arg-type]
        else:  # text answers (json_schema mode) replay as text; `ask` parses them the same way
            message = AIMessage(content=call.get("content", ""), usage_metadata=meta)  # type: ignore[arg-type]
        message.response_metadata = {"model_name": f"replay:{self.model}"}
        if call.get("finish_reason"):  # a reply that was cut at the output limit replays as cut
            message.response_metadata["finish_reason"] = str(call["finish_reason"])
        return ChatResult(generations=[ChatGeneration(message=message)])


def _replay_model(spec: str, model: str, root: Path | None = None) -> tuple[ResolvedModel, ReplayChatModel]:
    model = model.strip()
    if not model:
        raise StockreportError(f"model {spec!r} names no recorded model after 'replay:'")
    folder = Path(root or os.environ.get(ROOT_ENV) or DEFAULT_ROOT)
    chat = ReplayChatModel(root=str(folder), model=model)
    resolved = ResolvedModel(
        lambda: chat,
        spec,
        "replay",
        f"replay:{model}",
        None,
        {},
        cacheable=False,
        budget=dataclasses.replace(REPLAY_BUDGET, transcript_tokens=_recorded_transcript_tokens(model)),
        free=True,
    )
    return resolved, chat


def _recorded_transcript_tokens(model: str) -> int | None:
    """The transcript budget the recorded model used by default (local models cut the transcript shorter),
    so the replayed prompts are the recorded ones; an unknown provider keeps the default."""
    provider = provider_named(model.split(":", 1)[0])
    return provider.transcript_tokens if provider is not None else None


def resolve_replay(spec: str, model: str, root: Path | None = None) -> ResolvedModel:
    """The ResolvedModel for `replay:<model>`; recordings under `root` (default $STOCKREPORT_RECORDED or
    ./recordings)."""
    return _replay_model(spec, model, root)[0]


def _build(spec: str, model: str, settings: ModelSettings) -> ResolvedModel:
    return resolve_replay(spec, model)


PROVIDER = Provider("replay", _build, "answers recorded by `stockreport record` ($STOCKREPORT_RECORDED)")


@dataclass(frozen=True)
class Replayed:
    report: Report | None  # None when a section was missing
    statuses: list[SectionStatus]
    error: str | None = None


def replay_bundle(bundle_dir: Path, model: str, root: Path | None = None) -> Replayed:
    """Replay one bundle end to end (no cache) and return the report with each section's status."""
    resolved, chat = _replay_model(f"replay:{model}", model, root)
    loaded = load_bundle(bundle_dir)  # a bundle that does not load is the caller's error, not a replay state
    try:
        narrated = narrate_bundle(bundle_dir, resolved, NarrateOptions(cache=None), loaded=loaded)
    except StockreportError as exc:
        return Replayed(None, chat.statuses, str(exc))
    return Replayed(finish_report(narrated, resolved, None).report, chat.statuses)
