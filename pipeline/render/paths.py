"""Where a report's files go: `OUT/<TICKER>/report.json|md|html|pdf`. The one definition of these names.

The writer (write.py), the resume check (batch/resume.py) and the batch manifest (batch/runner.py) all
take the names from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pipeline.files import output_dir_for

FORMATS = ("json", "md", "html", "pdf")
DEFAULT_FORMATS = ("json", "md", "html")
FILE_NAMES = {"json": "report.json", "md": "report.md", "html": "report.html", "pdf": "report.pdf"}


def report_dir(out_root: Path, ticker: str) -> Path:
    """OUT/<TICKER>/, guaranteed to stay inside OUT (`files.output_dir_for`)."""
    return output_dir_for(out_root, ticker)


def report_file(out_root: Path, ticker: str, fmt: str = "json") -> Path:
    return report_dir(out_root, ticker) / FILE_NAMES[fmt]


def report_files(folder: Path, formats: Iterable[str]) -> dict[str, Path]:
    """format -> path of each known format's file inside a ticker's folder."""
    return {f: folder / FILE_NAMES[f] for f in formats if f in FILE_NAMES}
