"""File-system helpers shared by every stage: atomic writes and safe output paths."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from pipeline.errors import StockreportError
from pipeline.redact import redact_bytes

_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                    *(f"LPT{i}" for i in range(1, 10))}


def _stage(path: Path, data: bytes) -> Path:
    """Write `data` to a synced temp file beside `path`; the caller renames it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
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
        raise StockreportError(f"cannot write {path}: {exc.strerror or exc}") from None
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
    if (not name or name.strip(".") == "" or name.startswith(".") or "\x00" in ticker
            or name.split(".")[0].upper() in _WINDOWS_DEVICES or len(name) > 64):
        raise StockreportError(f"ticker {ticker!r} cannot be used as an output folder name")
    return name


def output_dir_for(out_root: Path, ticker: str) -> Path:
    """The per-ticker folder under `out_root`, guaranteed to stay inside it."""
    root = out_root.resolve()
    target = (root / ticker_dir_name(ticker)).resolve()
    if target.parent != root:
        raise StockreportError(f"ticker {ticker!r} would write outside {out_root}")
    return target
