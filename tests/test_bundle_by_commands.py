"""A bundle built from nothing but commands (the sequence in docs/importing.md), against a local EDGAR, reaches
every section of the report: no section says its data is missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.edgar_server import EdgarServer

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "docs" / "examples"
PRICES = REPO / "fixtures" / "data" / "prices" / "financetoolkit-historical_dataset.csv.gz"


def test_commands_alone_build_a_bundle_that_reaches_every_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, b = tmp_path / "bundles", str(tmp_path / "bundles" / "AAPL")
    steps = [
        ["new", "AAPL", "--out", b, "--as-of", "2022-12-30"],
        [
            "fetch",
            "sec",
            "AAPL",
            "GOOGL",
            "NVDA",
            "--as-of",
            "2022-12-30",
            "--out",
            str(root),
            "--no-progress",
        ],
        [
            "import",
            "prices",
            str(PRICES),
            "--ticker",
            "AAPL",
            "--benchmark",
            str(PRICES),
            "--benchmark-ticker",
            "Benchmark",
            "--benchmark-name",
            "SPDR S&P 500 ETF Trust (SPY)",
            "--out",
            b,
        ],
        ["import", "profile", str(EXAMPLES / "profile.yaml"), "--out", b],
        ["import", "market", str(EXAMPLES / "market.csv"), "--out", b],
        ["import", "consensus", str(EXAMPLES / "consensus.json"), "--out", b],
        ["import", "events", str(EXAMPLES / "events.csv"), "--out", b],
        ["import", "risk-factors", str(EXAMPLES / "risk-factors.yaml"), "--out", b],
        ["import", "earnings-call", str(EXAMPLES / "earnings-call.yaml"), "--out", b],
        ["import", "peers", str(EXAMPLES / "peers.csv"), "--out", b],
        ["import", "peers", str(EXAMPLES / "peers-provided.csv"), "--out", b],
        ["bundle", "set", b, "profile.website=https://www.apple.com"],
    ]
    with EdgarServer() as edgar:
        monkeypatch.setenv("SEC_USER_AGENT", "Stockreport Tests tests@example.com")
        monkeypatch.setenv("STOCKREPORT_SEC_BASE_URL", edgar.url)
        monkeypatch.setenv("STOCKREPORT_CACHE", str(tmp_path / "cache"))
        for step in steps:
            code, _, err = run_cli(step, capsys)
            assert code == 0, (step, err)
    code, out, err = run_cli(["validate", b], capsys)
    assert code == 0 and "missing" not in out, out
    code, _, err = run_cli(["generate", b, "--out", str(tmp_path / "out"), "--no-cache"], capsys)
    assert code == 0, err
    report = json.loads((tmp_path / "out" / "AAPL" / "report.json").read_text())
    sections = report["sections"]
    missing = {k: v.get("missing") for k, v in sections.items() if isinstance(v, dict) and v.get("missing")}
    assert missing == {}
    assert report["header"]["company_name"] == "Apple Inc." and report["header"]["exchange"] == "NASDAQ"
    assert sections["business"]["description"].startswith("Apple designs")
    assert sections["events"]["analyst_note"] and len(sections["events"]["items"]) == 2
    assert [c["name"] for c in sections["risks"]["categories"]][0] == "Macroeconomic and Industry Risks"
    origins = {r["ticker"]: r["origin"] for r in sections["peers"]["rows"]}
    assert origins == {"AAPL": "subject", "GOOGL": "computed", "NVDA": "computed", "MSFT": "provided"}
    assert report["score"]["coverage_pct"] == 100.0  # every scored part has its data
