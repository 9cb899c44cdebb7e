"""The output folder: one writer at a time, and the leftovers of a killed run cleared by the next one.

- `claim(out)`: an exclusive `flock` on `OUT/.stockreport.lock` for the whole run. A second writer is
  refused with a clear error naming the holder's pid, or waits for it (`--wait`). The kernel drops the lock
  when its holder dies, even by SIGKILL, so a crash never leaves a stale lock behind.
- Under the lock nobody else writes to OUT, so whatever a dead run left there is garbage: staged files of
  `files.atomic_write_many` that were never renamed into place (`.report.json.k3x9_a2b.tmp`) and
  throwaway render folders are removed, and `interrupted_manifests` folds the manifests that a killed
  batch never finished into the new run's manifest (their accounting is kept there) and removes them.
  Manifests of remote (OpenAI Batch) runs are kept: they are the state `--resume-remote` needs.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeline.errors import StockreportError

LOCK_FILE = ".stockreport.lock"
# mkstemp's name for a staged file (`_stage` in files.py): '.' + target name + '.' + 8 random chars + '.tmp'
_STAGED = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
_RENDER_DIR = re.compile(r"^\.render-[a-z0-9_]{8}$")
_MANIFEST = "batch-*.json"

log = logging.getLogger(__name__)

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks here; runs are not guarded
    fcntl = None  # type: ignore[assignment]


def _holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return f"pid {info.get('pid')}, started {info.get('started')}"
    except (OSError, ValueError, AttributeError):
        return "pid unknown"


def _open_locked(path: Path, out_root: Path, wait: bool) -> int:
    """An fd of `path` holding its exclusive lock. The file is removed when a run ends, so a lock taken on a
    file that was just removed is retried on the new one (the usual lock-file race)."""
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        except OSError as exc:
            raise StockreportError(f"cannot lock the output folder {out_root}: {exc.strerror or exc}") from None
        if fcntl is None:  # pragma: no cover
            return fd
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder(fd)
                if not wait:
                    raise StockreportError(
                        f"{out_root} is in use by another stockreport run ({holder}); wait for it to finish, "
                        "pass --wait to queue behind it, or choose another --out") from None
                log.warning("%s is in use by another stockreport run (%s); waiting for it (--wait)", out_root,
                            holder)
                fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
        except BaseException:
            os.close(fd)
            raise
        if same:
            return fd
        os.close(fd)


@contextmanager
def claim(out_root: Path, *, wait: bool = False) -> Iterator[None]:
    """Hold OUT for this run (see the module doc); on entry, clear the staging leftovers of dead runs.

    The lock file is removed at the end, so a finished run leaves nothing of its own in OUT."""
    out_root.mkdir(parents=True, exist_ok=True)
    path = out_root / LOCK_FILE
    fd = _open_locked(path, out_root, wait)
    try:
        started = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "started": started}).encode(), 0)
        remove_staging_leftovers(out_root)
        yield
    finally:
        path.unlink(missing_ok=True)  # still holding the lock: a waiter retries on a fresh file
        os.close(fd)  # releases the lock


def remove_staging_leftovers(out_root: Path) -> list[Path]:
    """Staged files and render folders that a dead run never renamed into place (call under `claim`)."""
    removed: list[Path] = []
    folders = [out_root, *(p for p in out_root.iterdir() if p.is_dir() and not p.is_symlink())]
    for folder in folders:
        for entry in folder.iterdir():
            if entry.is_symlink():
                continue
            if entry.is_file() and _STAGED.match(entry.name):
                entry.unlink(missing_ok=True)
                removed.append(entry)
            elif entry.is_dir() and _RENDER_DIR.match(entry.name):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed


def interrupted_manifests(out_root: Path, keep: Path | None = None) -> list[dict[str, Any]]:
    """Remove the unfinished manifests of dead direct runs (call under `claim`); return what each recorded:
    id, start, and totals (calls, tokens and cost spent before the kill), for the new manifest to keep."""
    found: list[dict[str, Any]] = []
    for path in sorted(out_root.glob(_MANIFEST)):
        if path == keep or path.is_symlink() or not path.is_file():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not ours to judge: left alone
        if not isinstance(data, dict) or data.get("finished_at") is not None or data.get("remote"):
            continue
        entries = [e for e in (data.get("tickers") or {}).values() if isinstance(e, dict)]
        found += [e for e in data.get("interrupted") or [] if isinstance(e, dict)]  # runs it had folded in
        found.append({
            "id": data.get("id"), "started_at": data.get("started_at"),
            "done": sum(e.get("status") == "done" for e in entries),
            "model_calls": sum(int(e.get("model_calls") or 0) for e in entries),
            "input_tokens": sum(int((e.get("tokens") or {}).get("input") or 0) for e in entries),
            "output_tokens": sum(int((e.get("tokens") or {}).get("output") or 0) for e in entries),
            "cost_usd": round(sum(float(e.get("cost_usd") or 0) for e in entries), 6),
        })
        path.unlink(missing_ok=True)
    return found
