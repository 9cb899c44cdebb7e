"""Golden Markdown of HK_3896 (offline model): any change to a section shows as a readable diff.

Accept an intended change with `pytest tests/report/test_golden.py --update-golden` and commit the file.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from pipeline.model.providers import resolve_model
from pipeline.run import run_report

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "fixtures" / "golden" / "HK_3896.report.md"

# Fields that differ on every run (wall-clock time, timings) are masked before comparing.
VOLATILE = [
    (re.compile(r"(\| Generated at \| )[^|]+\|"), r"\1<generated_at> |"),
    (re.compile(r"\b\d+\.\d+ s\b"), "<seconds>"),
]


def masked(text: str) -> str:
    for pattern, repl in VOLATILE:
        text = pattern.sub(repl, text)
    return text


def test_hk3896_markdown_matches_golden(tmp_path: Path, update_golden: bool) -> None:
    done = run_report(
        REPO / "fixtures" / "bundles" / "HK_3896", resolve_model("offline"), tmp_path, formats=("md",)
    )
    current = masked(done.paths["md"].read_text(encoding="utf-8"))
    if update_golden or not GOLDEN.exists():
        GOLDEN.write_text(current, encoding="utf-8")
        if not update_golden:
            pytest.fail(f"golden file was missing; wrote {GOLDEN} (commit it)")
        return
    expected = GOLDEN.read_text(encoding="utf-8")
    if current != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                current.splitlines(keepends=True),
                "golden/HK_3896.report.md",
                "generated",
                n=2,
            )
        )
        pytest.fail(
            "report.md of HK_3896 changed; review the diff, then accept with --update-golden:\n" + diff
        )
