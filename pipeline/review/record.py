"""`record`: run the model step on a bundle and store each section's raw answers for replay.

One file per section: `<root>/<model>/<TICKER>/<section>.json` holding the prompt version, the bundle's input
hash, the date, the token usage, what the model is (`about`: engine and version, model file and digest, for a
local model) and every model call of the section in order (the first answer, then any re-ask answers), each
as the assistant message's text and tool calls. Only those fields are copied out of the LangChain message (a
whitelist), so request headers, keys and response metadata never reach the file.

Every answer is kept, so replay follows the same path as the live run: a reply cut at the output limit
(which the OpenAI SDK raises as an error) is stored with `"finish_reason": "length"` and replays as cut; and
when a section fails, the sections asked so far and the failed one are still written (its replay fails the
same way) before the error is raised.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import BaseMessage
from langchain_core.outputs import LLMResult

from pipeline.errors import StockreportError
from pipeline.files import atomic_write_text, ticker_dir_name
from pipeline.inputs.load import load_bundle
from pipeline.model.ask import cut_reply
from pipeline.model.call_meta import CallMeta
from pipeline.model.providers import ResolvedModel
from pipeline.narrate.narration import NarrateOptions
from pipeline.narrate.prompts import prompt_version
from pipeline.redact import redact, redact_strings
from pipeline.run import Narrated, narrate_bundle

FORMAT = 1
DEFAULT_ROOT = Path("fixtures/recorded")


def model_dir_name(spec: str) -> str:
    """The folder name of a model spec: 'openai:gpt-5.2' -> 'openai_gpt-5.2' (same rule as ticker folders)."""
    return ticker_dir_name(spec.strip())


def recording_path(root: Path, model: str, ticker: str, section: str) -> Path:
    return Path(root) / model_dir_name(model) / ticker_dir_name(ticker) / f"{section}.json"


def message_text(message: BaseMessage) -> str:
    return message.content if isinstance(message.content, str) else json.dumps(message.content)


def request_digest(messages: list[BaseMessage]) -> str:
    """sha256 (16 hex) of the first system + user message: what the section was asked, re-asks excluded."""
    first = [m for m in messages if m.type in ("system", "human")][:2]
    return hashlib.sha256("\0".join(message_text(m) for m in first).encode()).hexdigest()[:16]


@dataclass
class RecordedCall:
    content: str
    tool_calls: list[dict[str, Any]]
    usage: dict[str, int]
    n_messages: int  # how long the conversation was: 2 for the first ask, more for re-asks
    finish_reason: str | None = None  # "length": cut at the output limit (replayed as cut)

    def as_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "content": self.content,
            "tool_calls": self.tool_calls,
            "usage": self.usage,
            "n_messages": self.n_messages,
        }
        if self.finish_reason:
            doc["finish_reason"] = self.finish_reason
        return doc


@dataclass
class Recorder(BaseCallbackHandler):
    """LangChain callback that keeps each chat call's answer, keyed by its section (from the run metadata)."""

    calls: dict[str, list[RecordedCall]] = field(default_factory=dict)
    requests: dict[str, str] = field(default_factory=dict)  # section -> request digest
    _pending: dict[UUID, tuple[str, int]] = field(default_factory=dict)

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        metadata: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        convo = messages[0] if messages else []
        meta = CallMeta.from_metadata(metadata)
        if meta is not None:
            self._pending[run_id] = (meta.section, len(convo))
            self.requests.setdefault(meta.section, request_digest(convo))

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        pending = self._pending.pop(run_id, None)
        if pending is None or not response.generations or not response.generations[0]:
            return
        message = getattr(response.generations[0][0], "message", None)
        if message is None:
            return
        self._keep(pending, message)

    def _keep(self, pending: tuple[str, int], message: BaseMessage) -> None:
        meta = dict(getattr(message, "usage_metadata", None) or {})
        details = meta.get("input_token_details") or {}
        usage = {
            "input_tokens": int(meta.get("input_tokens", 0)),
            "output_tokens": int(meta.get("output_tokens", 0)),
            "cache_read": int(details.get("cache_read", 0) or 0),
        }
        tool_calls = [
            {"name": c["name"], "args": c["args"]} for c in getattr(message, "tool_calls", None) or []
        ]
        # Masked as the answer itself is (model/ask.py): recordings are meant to be committed.
        tool_calls = redact_strings(tool_calls)
        content = redact(message.content if isinstance(message.content, str) else json.dumps(message.content))
        finish = (message.response_metadata or {}).get("finish_reason")
        cut = "length" if finish in ("length", "max_tokens") else None
        self.calls.setdefault(pending[0], []).append(
            RecordedCall(content, tool_calls, usage, pending[1], cut)
        )

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        pending = self._pending.pop(run_id, None)
        partial = cut_reply(error)  # a reply cut at the output limit, raised by the SDK: an answer to replay
        if pending is not None and partial is not None:
            self._keep(pending, partial)
        # any other error is a transport failure that was retried: nothing to replay


def with_recorder(resolved: ResolvedModel, recorder: Recorder) -> ResolvedModel:
    """A copy of `resolved` whose chat model reports every call to `recorder`."""
    chat = resolved.chat_model.model_copy(update={"callbacks": [recorder]})
    return resolved.with_chat(chat)


def _portable(path: Path) -> str:
    """The bundle path relative to the working directory when inside it (recordings travel with the repo)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def record_bundle(
    bundle_dir: Path,
    resolved: ResolvedModel,
    root: Path = DEFAULT_ROOT,
    *,
    today: dt.date | None = None,
    options: NarrateOptions | None = None,
) -> list[Path]:
    """Run the model step of one bundle (never from the answer cache) and write one recording per section.

    A section that fails is recorded too (with the sections before it), then the error is raised."""
    return record_narrated(bundle_dir, resolved, root, today=today, options=options)[0]


def record_narrated(
    bundle_dir: Path,
    resolved: ResolvedModel,
    root: Path = DEFAULT_ROOT,
    *,
    today: dt.date | None = None,
    options: NarrateOptions | None = None,
) -> tuple[list[Path], Narrated]:
    """`record_bundle`, also returning the narrated bundle (benchmarks/bench_local.py measures it)."""
    recorder = Recorder()
    opts = replace(options or NarrateOptions(), cache=None)
    loaded = load_bundle(bundle_dir)
    failure: StockreportError | None = None
    narrated: Narrated | None = None
    try:
        narrated = narrate_bundle(bundle_dir, with_recorder(resolved, recorder), opts, loaded=loaded)
        versions = {k: r.prompt.version for k, r in narrated.narrative.results.items()}
    except StockreportError as exc:
        failure = exc
        versions = {k: prompt_version(k) for k in recorder.calls}
    day = (today or dt.date.today()).isoformat()
    written: list[Path] = []
    for section, version in versions.items():
        calls = recorder.calls.get(section, [])
        total = {k: sum(c.usage[k] for c in calls) for k in ("input_tokens", "output_tokens", "cache_read")}
        doc = {
            "format": FORMAT,
            "model": resolved.spec,
            "model_id": resolved.model_id,
            "about": dict(resolved.about),
            "ticker": loaded.bundle.profile.ticker,
            "section": section,
            "bundle": _portable(Path(bundle_dir)),
            "prompt_version": version,
            "input_hash": loaded.input_hash,
            "request": recorder.requests.get(section, ""),
            "recorded_on": day,
            "usage": total,
            "calls": [c.as_json() for c in calls],
        }
        path = recording_path(root, resolved.spec, loaded.bundle.profile.ticker, section)
        atomic_write_text(path, json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        written.append(path)
    if failure is not None:
        raise failure
    assert narrated is not None
    return written, narrated
