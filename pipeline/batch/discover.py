"""Which bundles a batch runs: every folder holding bundle.json under a root, or the lines of a list file."""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import StockreportError
from pipeline.inputs.load import BUNDLE_FILE


def find_bundles(source: Path) -> list[Path]:
    """A folder: itself if it is a bundle, else every bundle below it (sorted, so runs are repeatable).

    A file: one bundle folder per line, relative to the file's folder; blank lines and '#' comments skipped.
    """
    if source.is_file():
        lines = [ln.split("#", 1)[0].strip() for ln in source.read_text(encoding="utf-8").splitlines()]
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
