"""Shared helpers for the hardening suite: run a bundle end to end and check what landed on disk."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from pipeline.errors import StockreportError
from pipeline.model.providers import ResolvedModel, resolve_model
from pipeline.report.document import Report
from pipeline.run import run_report

REPO = Path(__file__).resolve().parents[2]
BUNDLES = REPO / "fixtures" / "bundles"
OFFLINE: ResolvedModel = resolve_model("offline")
REPORT_FILES = {"report.json", "report.md", "report.html"}
# Cases run per outcome, printed in the terminal summary (tests/hardening/conftest.py).
COUNTS: Counter[str] = Counter()


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _no_constant(name: str) -> float:
    raise AssertionError(f"report.json holds the non-JSON constant {name}")


def check_outputs(out_root: Path, ticker: str) -> Report:
    """Only complete files: exactly report.json/md/html in one folder, strict JSON, no temp files left."""
    files = files_under(out_root)
    assert {p.name for p in files} == REPORT_FILES, files
    assert len({p.parent for p in files}) == 1
    text = (files[0].parent / "report.json").read_text(encoding="utf-8")
    data = json.loads(text, parse_constant=_no_constant)  # NaN/Infinity would be invalid JSON elsewhere
    report = Report.model_validate(data)
    assert report.ticker == ticker
    for name in ("report.md", "report.html"):
        assert (files[0].parent / name).stat().st_size > 0
    return report


def run_case(bundle_dir: Path, out_root: Path, kind: str, model: ResolvedModel = OFFLINE) -> str:
    """run_report on `bundle_dir`: a clean StockreportError with nothing written, or a valid report.

    Any other exception propagates and fails the test. Returns "error" or "report".
    """
    try:
        done = run_report(bundle_dir, model, out_root)
    except StockreportError as exc:  # InputError is a StockreportError
        message = str(exc)
        assert message.strip(), "an error with no message"
        assert "Traceback" not in message
        assert files_under(out_root) == [], f"files left behind by a failed run: {files_under(out_root)}"
        COUNTS[f"{kind}:error"] += 1
        return "error"
    check_outputs(out_root, done.report.ticker)
    COUNTS[f"{kind}:report"] += 1
    return "report"
