"""`StoredAnswersChatOpenAI`: a ChatOpenAI that answers from stored Batch API results, so remote answers take the
live parsing path.

`ask` -> `with_structured_output` -> ChatOpenAI builds the exact /v1/chat/completions body it would POST;
here that body is looked up by its key (sha256 of the body) instead of sent. A known body returns the stored
response through ChatOpenAI's own `_create_chat_result`, then `ask` validates it and `narrate` checks its
numbers, exactly as live. An unknown body is recorded for the next remote batch and answered, for this
dry pass only, by the offline writer (so the pipeline can go on and reveal the later sections' prompts).
The later sections' prompts depend on the first sections' sentiment labels, so once a first section is
unknown the pass stops before them (`Deferred`) instead of recording prompts built from dummy labels.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult
from langchain_openai import ChatOpenAI
from pydantic import PrivateAttr

from pipeline.errors import InputError, StockreportError
from pipeline.files import make_folder
from pipeline.inputs.sources import decode_text, parse_json, read_bytes
from pipeline.model.call_meta import CallMeta
from pipeline.narrate.offline_chat import offline_reply, write_offline
from pipeline.narrate.offline_model import OFFLINE_MODEL_ID
from pipeline.narrate.registry import section_spec
from pipeline.redact import redact

log = logging.getLogger(__name__)
MAX_STORE_BYTES = 1024 * 1024 * 1024  # downloaded answers of one remote batch (up to 50,000 requests)


class Deferred(Exception):  # noqa: N818 - control flow, not an error
    """This ticker must wait for the first sections' remote answers."""


def request_key(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]


@dataclass
class AnswerStore:
    """Remote results by request key, persisted as JSONL so a restart loses nothing already downloaded."""

    path: Path
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> {"body"} or {"error"}
    wanted: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> request body (this round)
    missed_first: bool = False
    stand_ins: set[str] = field(default_factory=set)  # texts of offline stand-in answers in this pass

    def __post_init__(self) -> None:
        if not self.path.exists():
            make_folder(self.path.parent, "the remote batch's state folder")
            return
        text = decode_text(read_bytes(self.path, max_bytes=MAX_STORE_BYTES), str(self.path))
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:  # a run killed mid-append leaves a cut last line: that answer is fetched again
                row = parse_json(line, f"{self.path} line {number}")
                if isinstance(row, dict):
                    self.answers[str(row["key"])] = row
            except (InputError, KeyError, TypeError, IndexError):
                log.warning(
                    "%s line %d: not a stored answer; skipped (it is fetched again)", self.path, number
                )

    def add(self, rows: list[dict[str, Any]]) -> None:
        with self.path.open("a", encoding="utf-8") as fh:
            for row in rows:
                self.answers[row["key"]] = row
                fh.write(redact(json.dumps(row, ensure_ascii=False)) + "\n")  # stored: keys masked
            fh.flush()


def _first_phase(meta: CallMeta | None) -> bool:
    """Is the call for a section whose label feeds the score (asked before the score is final)?"""
    return meta is not None and section_spec(meta.section).phase == "labels"


class StoredAnswersChatOpenAI(ChatOpenAI):
    _store: AnswerStore | None = PrivateAttr(default=None)  # private: LangChain serialises public fields

    def with_store(self, store: AnswerStore) -> StoredAnswersChatOpenAI:
        self._store = store
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        body = self._get_request_payload(messages, stop=stop, **kwargs)
        body.pop("stream", None)
        key = request_key(body)
        store = self._store
        if store is None:
            raise StockreportError("stored answers: no answer store attached (with_store)")
        row = store.answers.get(key)
        if row is not None:
            if row.get("error"):
                raise StockreportError(f"remote batch request {key} failed: {row['error']}")
            return self._create_chat_result(row["body"])
        meta = CallMeta.of_run(run_manager)  # which section: from the run metadata, never the prompt text
        first = _first_phase(meta)
        follow_up = any(m.type == "ai" and m.content in store.stand_ins for m in messages)
        if not follow_up:  # a re-ask of a stand-in answer is no question worth paying for
            if not first and store.missed_first:
                raise Deferred
            store.missed_first = store.missed_first or first
            store.wanted[key] = body
        # A stand-in answer (the offline writer's), never written anywhere: it lets the pass go on.
        result = offline_reply(messages, write_offline(meta), [], OFFLINE_MODEL_ID)
        store.stand_ins.add(str(result.generations[0].message.content))
        return result
