"""A company, peer or benchmark name with digits in it ("3M Company") is a name, not a figure: the report's own
sentences that name the company must not be flagged. A name that looks like a figure is never masked, so it
cannot hide that figure elsewhere in the prose."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run_cli

BUNDLES = Path(__file__).resolve().parents[2] / "fixtures" / "bundles"

NAMES = ["3M Company", "7-Eleven Inc", "Acme 2000 Ltd", "Alphabet Inc. (Class A) #3", "Fund 4 Holdings"]
# Names that read as figures, each with a figure no bundle fact has: the sentence naming them must be flagged.
FIGURE_LIKE = {
    "Growth 55.55%": "55.55%",
    "$7,654,321 Holdings": "$7,654,321",
    "Revenue 8.5 billion": "8.5 billion",
    "Acme 9,876,543,210": "9,876,543,210",
    "AB 3.33": "3.33",
}


def _report(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> dict[str, Any]:
    bundle = tmp_path / "GOOGL"
    shutil.copytree(BUNDLES / "GOOGL", bundle)
    data = json.loads((bundle / "bundle.json").read_text())
    data["profile"]["name"] = name
    (bundle / "bundle.json").write_text(json.dumps(data))
    code, _, err = run_cli(["generate", str(bundle), "--out", str(tmp_path / "out"), "-f", "json"], capsys)
    assert code == 0, err
    report: dict[str, Any] = json.loads((tmp_path / "out" / "GOOGL" / "report.json").read_text())
    return report


@pytest.mark.parametrize("name", NAMES)
def test_offline_report_naming_a_company_with_digits_is_all_verified(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    report = _report(tmp_path, capsys, name)
    assert name in report["sections"]["summary"]["text"]  # the sentence that names the company is checked
    assert [c["written"] for c in report["number_checks"] if c["status"] != "verified"] == []
    assert report["flagged_sentences"] == []


@pytest.mark.parametrize(("name", "figure"), FIGURE_LIKE.items())
def test_a_name_that_looks_like_a_figure_is_still_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, figure: str
) -> None:
    report = _report(tmp_path, capsys, name)
    unverified = [c["written"] for c in report["number_checks"] if c["status"] != "verified"]
    assert any(figure in w or w in figure for w in unverified), unverified
    assert any(name in s for s in report["flagged_sentences"])
