"""File-system helpers shared by every stage: atomic writes and safe output paths."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from pipeline.errors import StockreportError

_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                    *(f"LPT{i}" for i in range(1, 10))}


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write via a temp file in the same directory + rename, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; reports and bundles are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
