"""SEC figures through `stockreport import sec` and `generate` (review-1 #2, #19): net debt on one stated basis
in every column (NVIDIA tags its current investments as DebtSecuritiesCurrent), and --years refuses negatives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run_cli

SEC = Path(__file__).resolve().parents[1] / "fixtures" / "data" / "sec"


def test_nvidia_net_debt_counts_its_current_debt_securities(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """TTM to 2026-04-26: 8,470 - (13,237 cash + 37,098 DebtSecuritiesCurrent) = -41,865M (before: -4,767M on
    cash alone, with FY2025 on cash + STI in the next column). Every column states the same basis."""
    bundle = tmp_path / "NVDA"
    code, _, err = run_cli(
        ["import", "sec", str(SEC / "CIK0001045810.json.gz"), "--ticker", "NVDA", "--out", str(bundle)],
        capsys,
    )
    assert code == 0, err
    code, _, err = run_cli(["generate", str(bundle), "--out", str(tmp_path / "o"), "--no-cache"], capsys)
    assert code == 0, err
    report = json.loads((tmp_path / "o" / "NVDA" / "report.json").read_text())
    periods = report["metrics"]["fundamentals"]["periods"]
    net = {p["label"]: p["figures"]["net_debt"] for p in periods}
    assert net["TTM"]["value"] == pytest.approx(-41_865e6)
    assert net["FY2026"]["value"] == pytest.approx(-41_202e6)
    bases = {f["formula"] for f in net.values() if f["status"] == "ok"}
    assert bases == {"total_debt - cash_and_short_term_investments"}, bases
    md = (tmp_path / "o" / "NVDA" / "report.md").read_text()
    assert (
        "| Net debt | -$41.87B | total debt minus cash, cash equivalents and short-term investments |" in md
    )


def test_years_must_not_be_negative(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(
        [
            "import",
            "sec",
            str(SEC / "CIK0001045810.json.gz"),
            "--ticker",
            "NVDA",
            "--out",
            str(tmp_path / "N"),
        ]
        + ["--years", "-3"],
        capsys,
    )
    assert code != 0 and "--years" in out + err and not (tmp_path / "N" / "bundle.json").exists()
