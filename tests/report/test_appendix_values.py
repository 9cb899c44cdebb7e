"""Review-1 finding 19: the number-check appendix shows dates and period labels as written ("Q2-2025",
"2025-12-18", "TTM to Sep 2025"), never their encodings (20,252.00, 20,251,218.00, 202,509.00), and no raw
floats. Through `stockreport generate` on the sample bundles whose prose has dates and periods."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.checks.written_numbers import PERIOD_LABEL_RE, period_label, period_value
from pipeline.report.document import Report
from tests.support.cli import run_cli

BUNDLES = Path(__file__).resolve().parents[2] / "fixtures" / "bundles"


@pytest.mark.parametrize(
    "label", ["FY2024", "Q2-2025", "Q4-2019", "H1-2025", "H2-2024", "TTM to Sep 2025", "TTM to Jan 2017"]
)
def test_period_label_reads_back_what_period_value_encodes(label: str) -> None:
    m = PERIOD_LABEL_RE.search(label)
    assert m is not None
    value = period_value(m)
    assert value is not None and period_label(value) == label


@pytest.mark.parametrize("bundle", ["HK_3896", "AFL"])
def test_the_appendix_shows_dates_and_periods_as_written(
    bundle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STOCKREPORT_CACHE", str(tmp_path / "cache"))
    code, _, err = run_cli(
        ["generate", str(BUNDLES / bundle), "--format", "json", "--format", "md", "--out", str(tmp_path)],
        capsys,
    )
    assert code == 0, err
    folder = tmp_path / bundle
    report = Report.model_validate_json((folder / "report.json").read_text(encoding="utf-8"))
    md = (folder / "report.md").read_text(encoding="utf-8")
    appendix = md.split("## Appendix: Number Checks", 1)[1]
    rows = [r for r in appendix.splitlines() if r.startswith("| ") and not r.startswith("| Section")]
    assert len(rows) == len(report.number_checks)
    dated = [row for c, row in zip(report.number_checks, rows, strict=True) if c.kind in ("date", "period")]
    assert dated, "no date or period in the prose: the test would pass with the feature deleted"
    for row in dated:
        value, fact_value = row.split(" | ")[2], row.split(" | ")[6]
        assert re.fullmatch(r"\d{4}(-\d\d){0,2}|FY\d{4}|[QH]\d-\d{4}|TTM to [A-Z][a-z]{2} \d{4}", value), row
        assert "," not in value and "," not in fact_value and ".00" not in value, row
    # no float printed with more digits than a reader needs, anywhere in the appendix
    assert not re.search(r"\d\.\d{5,}", appendix)
