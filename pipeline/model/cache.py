"""A local SQLite cache of model answers, so regenerating an unchanged prompt costs no tokens.

Key = sha256 of (model spec, resolved provider/model id, answer-changing settings, schema name, messages).
Location: `cache_dir` argument, else `user_cache.default_cache_dir()` (env `STOCKREPORT_CACHE`, else
`~/.cache/stockreport/`); file `answers.sqlite`.
A hit is reported as cached tokens (the original input + output) with zero cost.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import StockreportError
from pipeline.files import make_folder
from pipeline.redact import redact
from pipeline.user_cache import CACHE_ENV, default_cache_dir

CACHE_FILE = "answers.sqlite"


def cache_key(
    spec: str, model_id: str, settings: dict[str, Any], schema_name: str, messages: list[dict[str, str]]
) -> str:
    blob = json.dumps(
        {
            "spec": spec,
            "model_id": model_id,
            "settings": settings,
            "schema": schema_name,
            "messages": messages,
        },
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


@dataclass(frozen=True)
class CachedAnswer:
    raw_text: str
    parsed: dict[str, Any]
    input_tokens: int
    output_tokens: int


class AnswerCache:
    """Tiny key -> answer store; one connection per call so it is safe across threads and processes."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        self.path = (cache_dir or default_cache_dir()) / CACHE_FILE

    def _unusable(self, exc: Exception) -> StockreportError:
        return StockreportError(
            f"the answer cache {self.path} cannot be used ({exc}); point --cache-dir or {CACHE_ENV} at a "
            "writable folder, or pass --no-cache"
        )

    def _connect(self) -> sqlite3.Connection:
        make_folder(self.path.parent, "the answer cache folder")
        try:
            con = sqlite3.connect(self.path, timeout=10)
            con.execute(
                "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, raw_text TEXT NOT NULL, "
                "parsed TEXT NOT NULL, input_tokens INTEGER, output_tokens INTEGER, created REAL)"
            )
        except sqlite3.Error as exc:
            raise self._unusable(exc) from None
        return con

    def check(self) -> None:
        """Fail now, with one line, if the cache cannot be opened (before any model call is paid for)."""
        self._connect().close()

    def get(self, key: str) -> CachedAnswer | None:
        try:
            with self._connect() as con:
                row = con.execute(
                    "SELECT raw_text, parsed, input_tokens, output_tokens FROM answers WHERE key = ?", (key,)
                ).fetchone()
            con.close()
        except sqlite3.Error as exc:
            raise self._unusable(exc) from None
        if row is None:
            return None
        try:
            return CachedAnswer(row[0], json.loads(row[1]), int(row[2] or 0), int(row[3] or 0))
        except (ValueError, TypeError):
            return None  # an entry damaged by hand: asked again

    def put(self, key: str, answer: CachedAnswer) -> None:
        try:
            with self._connect() as con:
                con.execute(
                    "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?)",
                    (  # stored answers pass the same redaction as every file written
                        key,
                        redact(answer.raw_text),
                        redact(json.dumps(answer.parsed, sort_keys=True)),
                        answer.input_tokens,
                        answer.output_tokens,
                        time.time(),
                    ),
                )
            con.close()
        except sqlite3.Error as exc:
            raise self._unusable(exc) from None
