"""The offline model's own reports verify every number they write, at the first ask (issue 12, Must show)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.model.providers import resolve_model
from pipeline.run import run_report

BUNDLES = Path(__file__).resolve().parents[2] / "fixtures" / "bundles"


@pytest.mark.parametrize("ticker", ["HK_3896", "AAPL", "GOOGL", "AFL"])
def test_offline_report_numbers_all_verify(ticker: str, tmp_path: Path) -> None:
    done = run_report(BUNDLES / ticker, resolve_model("offline"), tmp_path, formats=("json",))
    checks = done.report.number_checks
    assert checks and [c for c in checks if c.status != "verified"] == []
    assert all(c.label and c.match for c in checks)  # the appendix can say which fact and why
    assert done.report.flagged_sentences == []
    assert all(s.attempts == 1 for s in done.report.provenance.sections)  # nothing was re-asked
