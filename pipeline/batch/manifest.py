"""`OUT/batch-<id>.json`: what happened to every ticker of a batch, written atomically as tickers finish.

Shape: {"schema", "writer": {"program", "pid", "host"}, "id", "started_at", "finished_at", "model", "formats",
"out", "totals": {...}, "remote": {...}|null,
"tickers": {TICKER: {"bundle", "status", "error", "input_hash", "paths", "tokens": {"input", "output",
"cached"}, "cost_usd", "seconds", "cached", "model_calls", "report_sha256"}}, "interrupted": [...]}.
status: pending | done | failed | cached (cached = the existing report was up to date and skipped).
model_calls, tokens and cost count every request a ticker sent, failed ones and failed tickers included.
"interrupted" keeps the totals of earlier runs into the same folder that were killed before finishing
(their manifests are removed; see pipeline/outdir.py). Writes are throttled (`min_interval_s`) because
re-dumping a 1,000-ticker manifest per ticker costs more than the reports; `flush` forces one.
"schema" and "writer" sign the file as ours: the next run into the folder removes an unfinished manifest
only when it carries them and its writer's pid is gone (`abandoned`); any other batch-*.json is left alone.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from pipeline.errors import StockreportError
from pipeline.files import atomic_write_text
from pipeline.model.cost import add_costs
from pipeline.outdir import run_is_gone

Status = Literal["pending", "done", "failed", "cached"]
SCHEMA = "stockreport.batch-manifest/1"
PROGRAM = "stockreport"
_NAME = re.compile(r"^batch-(\d{8}T\d{6}Z-\d{5})\.json$")
MANIFEST_GLOB = "batch-*.json"
MAX_MANIFEST_BYTES = 256 * 1024 * 1024  # ~1M tickers; a bigger batch-*.json is not one of ours


@dataclass
class TickerResult:
    ticker: str
    bundle: str
    status: Status
    error: str | None = None
    input_hash: str | None = None
    paths: dict[str, str] = field(default_factory=dict)
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    cost_usd: float | None = 0.0  # None: the model has no price (not priced), never a made-up zero
    seconds: float = 0.0
    model_calls: int = 0
    report_sha256: str | None = None  # of the report.json on disk (done/cached), to match file and row

    def entry(self) -> dict[str, Any]:
        d = asdict(self)
        d["tokens"] = {
            "input": d.pop("input_tokens"),
            "output": d.pop("output_tokens"),
            "cached": d.pop("cached_tokens"),
        }
        d["cached"] = self.status == "cached"
        d.pop("ticker")
        return d


def new_batch_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + f"-{os.getpid() % 100000:05d}"


def writer() -> dict[str, Any]:
    return {"program": PROGRAM, "pid": os.getpid(), "host": socket.gethostname()}


def abandoned(path: Path) -> dict[str, Any] | None:
    """The data of `path` when it is provably the unfinished manifest of a dead direct run of ours, else None:
    our file name, schema and writer signature (this host), id matching the name, not finished, not remote,
    and its writer's pid no longer running. Read with the input-file rules (regular file, no symlink out,
    size cap, bounded JSON), so a planted file can neither hang nor flood the run."""
    from pipeline.errors import InputError
    from pipeline.inputs.sources import read_json_file

    name = _NAME.match(path.name)
    if name is None or path.is_symlink():
        return None
    try:
        data = read_json_file(path, max_bytes=MAX_MANIFEST_BYTES, inside=path.parent)
    except InputError:
        return None
    if not isinstance(data, dict):
        return None
    found = data.get("writer")
    signed: dict[str, Any] = found if isinstance(found, dict) else {}
    if (
        data.get("schema") != SCHEMA
        or signed.get("program") != PROGRAM
        or signed.get("host") != socket.gethostname()
        or data.get("id") != name.group(1)
    ):
        return None
    if data.get("finished_at") is not None or data.get("remote"):
        return None
    return data if run_is_gone(signed.get("pid")) else None


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


class Manifest:
    def __init__(
        self,
        out_root: Path,
        batch_id: str,
        *,
        model: str,
        formats: list[str],
        min_interval_s: float = 0.5,
        write: bool = True,
    ) -> None:
        self.path = out_root / f"batch-{batch_id}.json"
        self.write = write  # `generate` of one bundle keeps its output folder free of manifests
        self.data: dict[str, Any] = {
            "schema": SCHEMA,
            "writer": writer(),
            "id": batch_id,
            "started_at": now_iso(),
            "finished_at": None,
            "model": model,
            "formats": formats,
            "out": str(out_root),
            "totals": {},
            "remote": None,
            "tickers": {},
        }
        self.min_interval_s = min_interval_s
        self._lock = threading.Lock()
        self._written = 0.0

    @classmethod
    def load(cls, path: Path) -> Manifest:
        from pipeline.inputs.sources import read_json_file

        data = read_json_file(path, max_bytes=MAX_MANIFEST_BYTES)
        if not isinstance(data, dict):
            raise StockreportError(f"{path}: not a batch manifest (expected a JSON object)")
        m = cls(path.parent, data["id"], model=data["model"], formats=data["formats"])
        m.data = {**data, "schema": SCHEMA, "writer": writer()}  # this process writes it from now on
        return m

    def add_pending(self, ticker: str, bundle: str) -> None:
        with self._lock:
            self.data["tickers"].setdefault(ticker, TickerResult(ticker, bundle, "pending").entry())

    def drop_pending(self, ticker: str) -> None:
        """Forget a pending row (its bundle turned out to be another ticker's)."""
        with self._lock:
            self.data["tickers"].pop(ticker, None)

    def record(self, result: TickerResult) -> None:
        with self._lock:
            self.data["tickers"][result.ticker] = result.entry()
        self.flush(force=False)

    def set_remote(self, remote: dict[str, Any]) -> None:
        with self._lock:
            self.data["remote"] = remote
        self.flush()

    def totals(self) -> dict[str, Any]:
        entries = list(self.data["tickers"].values())
        count = {s: sum(e["status"] == s for e in entries) for s in ("done", "failed", "cached", "pending")}
        return {
            **count,
            "tickers": len(entries),
            "input_tokens": sum(e["tokens"]["input"] for e in entries),
            "output_tokens": sum(e["tokens"]["output"] for e in entries),
            "cost_usd": add_costs(e["cost_usd"] for e in entries),
            "model_calls": sum(e["model_calls"] for e in entries),
        }

    def flush(self, *, force: bool = True, finished: bool = False) -> None:
        with self._lock:
            now = time.monotonic()
            if not force and now - self._written < self.min_interval_s:
                return
            if finished:
                self.data["finished_at"] = now_iso()
            self.data["totals"] = self.totals()
            if not self.write:
                return
            text = json.dumps(self.data, indent=1, ensure_ascii=False) + "\n"
            atomic_write_text(self.path, text)
            self._written = now


def interrupted_manifests(out_root: Path, keep: Path | None = None) -> list[dict[str, Any]]:
    """Remove the unfinished manifests of dead direct runs of ours (call under `claim`); return what each
    recorded: id, start, and totals (calls, tokens and cost spent before the kill), for the new manifest."""
    found: list[dict[str, Any]] = []
    for path in sorted(out_root.glob(MANIFEST_GLOB)):
        if path == keep:
            continue
        data = abandoned(path)
        if data is None:
            continue  # not provably a dead run's: left alone
        try:
            entries = [e for e in (data.get("tickers") or {}).values() if isinstance(e, dict)]
            folded = [
                e for e in data.get("interrupted") or [] if isinstance(e, dict)
            ]  # runs it had folded in
            summary = {
                "id": data.get("id"),
                "started_at": data.get("started_at"),
                "done": sum(e.get("status") == "done" for e in entries),
                "model_calls": sum(int(e.get("model_calls") or 0) for e in entries),
                "input_tokens": sum(int((e.get("tokens") or {}).get("input") or 0) for e in entries),
                "output_tokens": sum(int((e.get("tokens") or {}).get("output") or 0) for e in entries),
                "cost_usd": add_costs(
                    None if e.get("cost_usd") is None else float(e["cost_usd"]) for e in entries
                ),
            }
        except (TypeError, ValueError, AttributeError):
            continue  # ours by signature, but edited since: left alone
        found += [*folded, summary]
        path.unlink(missing_ok=True)
    return found
