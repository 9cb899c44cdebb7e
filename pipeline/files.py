"""File-system helpers shared by every stage: atomic writes, staging names, folders and safe output paths."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from pipeline.errors import StockreportError, os_reason
from pipeline.redact import redact_bytes

# Every file or folder staged by a run carries this marker and the run's pid ('.stockreport-staging-4242-
# report.json.k3x9_a2b.tmp'), so the next run can tell what a dead run left (pipeline/outdir.py) from a
# user's own files, whatever they are called.
STAGING_MARKER = ".stockreport-staging-"
_STAGING_NAME = re.compile(r"^\.stockreport-staging-(\d{1,10})-.+\.[a-z0-9_]{8}(?:\.tmp)?$")

_WINDOWS_DEVICES = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}


def staging_prefix(name: str) -> str:
    """The prefix of a temp file or folder this process stages for `name` (mkstemp/mkdtemp add 8 chars)."""
    return f"{STAGING_MARKER}{os.getpid()}-{name}."


def staging_pid(name: str) -> int | None:
    """The pid in a staging name of ours, or None for any other name."""
    match = _STAGING_NAME.match(name)
    return int(match.group(1)) if match else None


def make_folder(path: Path, what: str = "folder") -> Path:
    """mkdir -p with one clear line when it cannot be done (a file in the way, no permission, read-only)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise StockreportError(
            f"{what} {path} is a file, not a folder; choose a folder (it is created if missing)"
        ) from None
    except NotADirectoryError:
        raise StockreportError(
            f"{what} {path} cannot be created: a part of that path is a file, not a folder"
        ) from None
    except OSError as exc:
        raise StockreportError(f"{what} {path} cannot be created: {os_reason(exc)}") from None
    if not path.is_dir():
        raise StockreportError(f"{what} {path} is not a folder")
    return path


def _stage(path: Path, data: bytes) -> Path:
    """Write `data` to a synced temp file beside `path`; the caller renames it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=staging_prefix(path.name), suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; reports and bundles are meant to be shared
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def atomic_write_many(files: dict[Path, bytes]) -> None:
    """Write several files all or nothing: every one is staged (a full disk fails here, before any old file
    is touched), then all are renamed into place. Raises StockreportError naming the file on OSError.

    Every file the tool writes passes here, so text is redacted here (`redact.redact_bytes`)."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            staged.append((_stage(path, redact_bytes(data)), path))
        for tmp, path in staged:
            os.replace(tmp, path)
    except OSError as exc:
        raise StockreportError(f"cannot write {path}: {os_reason(exc)}") from None
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write via a temp file in the same directory + rename, so readers never see half a file."""
    atomic_write_many({path: data})


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def ticker_dir_name(ticker: str) -> str:
    """'HK:3896' -> 'HK_3896'. Refuses anything that could name a path outside its parent."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", ticker)
    if (
        not name
        or name.strip(".") == ""
        or name.startswith(".")
        or "\x00" in ticker
        or name.split(".")[0].upper() in _WINDOWS_DEVICES
        or len(name) > 64
    ):
        raise StockreportError(f"ticker {ticker!r} cannot be used as an output folder name")
    return name


def output_dir_for(out_root: Path, ticker: str) -> Path:
    """The per-ticker folder under `out_root`, guaranteed to stay inside it."""
    root = out_root.resolve()
    target = (root / ticker_dir_name(ticker)).resolve()
    if target.parent != root:
        raise StockreportError(f"ticker {ticker!r} would write outside {out_root}")
    return target
