"""Which bundles a batch runs: every folder holding bundle.json under a root, or the lines of a list file."""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import StockreportError
from pipeline.inputs.input_hash import BUNDLE_FILE
from pipeline.inputs.sources import decode_text, read_bytes

MAX_LIST_BYTES = 16 * 1024 * 1024  # a list of ~200,000 bundle paths


def find_bundles(source: Path) -> list[Path]:
    """A folder: itself if it is a bundle, else every bundle below it (sorted, so runs are repeatable).

    A file: one bundle folder per line, relative to the file's folder; blank lines and '#' comments skipped.
    """
    if source.is_file() or (source.exists() and not source.is_dir()):
        text = decode_text(read_bytes(source, max_bytes=MAX_LIST_BYTES), str(source), what="list file")
        lines = [ln.split("#", 1)[0].strip() for ln in text.splitlines()]
        found = [(source.parent / ln) if not Path(ln).is_absolute() else Path(ln) for ln in lines if ln]
    elif source.is_dir():
        if (source / BUNDLE_FILE).is_file():
            return [source]
        found = sorted(p.parent for p in source.rglob(BUNDLE_FILE))
    else:
        raise StockreportError(f"{source}: no such folder or list file")
    if not found:
        raise StockreportError(f"{source}: no bundles found (folders holding {BUNDLE_FILE})")
    return found
