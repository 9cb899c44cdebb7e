"""Right figures through the CLI a user runs (issue 13, Must show): stale prices, a statements-only bundle,
HK_3896's growth and cash flow, and the breakdown rows of AAPL and GOOGL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run_cli

BUNDLES = Path(__file__).resolve().parents[1] / "fixtures" / "bundles"


def _generate(bundle: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[dict[str, Any], str, str]:
    code, _, err = run_cli(["generate", str(bundle), "--out", str(out), "--no-cache"], capsys)
    assert code == 0, err
    folder = next(p for p in out.iterdir() if p.is_dir())
    report = json.loads((folder / "report.json").read_text())
    return report, (folder / "report.md").read_text(), (folder / "report.html").read_text()


def _copy(name: str, tmp_path: Path, edit: Any = None, keep_prices: bool = True) -> Path:
    target = tmp_path / name
    shutil.copytree(BUNDLES / name, target)
    if not keep_prices:
        for f in ("prices.csv", "benchmark.csv"):
            (target / f).unlink(missing_ok=True)
    if edit is not None:
        data = json.loads((target / "bundle.json").read_text())
        edit(data)
        (target / "bundle.json").write_text(json.dumps(data))
    return target


def test_prices_two_years_old_are_never_shown_as_current(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = _copy("AAPL", tmp_path, lambda d: d.update(as_of="2024-12-30"))
    code, out, err = run_cli(["validate", str(bundle)], capsys)
    assert code == 0  # stale is a warning, not an error
    assert "age: prices: last day 2022-12-30, 521 trading days before the analysis date (stale)" in out
    assert (
        "warning: stale prices: 2022-12-30 is more than 10 trading days before the analysis date 2024-12-30"
        in err
    )
    report, md, html = _generate(bundle, tmp_path / "out", capsys)
    assert report["header"]["price_stale"] and report["header"]["price_as_of"] == "2022-12-30"
    assert "Last Price" not in md and "<dt>Last Price</dt>" not in html and "Last Price" not in html
    assert "Close of Dec 30, 2022: $129.93 (**stale**: not the current price)" in md
    assert (
        "Returns to Dec 30, 2022 (**stale**" in md and "Indicators computed on prices to Dec 30, 2022" in md
    )
    subs = {s["key"]: s for s in report["score"]["subscores"]}
    assert subs["technicals"]["score"] is None and "stale" in subs["technicals"]["basis"]
    pe = report["metrics"]["valuation"]["pe_ratio"]
    assert pe["status"] == "insufficient_data" and "stale" in pe["note"]
    text = report["sections"]["technicals"]["text"]  # the prose names the date, never "current"
    assert "The prices end on 2022-12-30, long before the analysis date" in text and "current" not in text


def test_fresh_prices_show_the_last_price(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report, md, _ = _generate(BUNDLES / "AAPL", tmp_path / "out", capsys)
    assert "· Last Price: $129.93 on Dec 30, 2022" in md and not report["header"]["price_stale"]


def test_statements_only_bundle_is_insufficient_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """AAPL's statements, nothing else: three of seven sub-scores, 50% of the weight, below the 60% minimum."""
    bundle = _copy("AAPL", tmp_path, lambda d: d.pop("benchmark"), keep_prices=False)
    report, md, html = _generate(bundle, tmp_path / "out", capsys)
    sc = report["score"]
    assert sc["label"] == "Insufficient data" and sc["provisional"] and sc["coverage_pct"] == 50.0
    assert [m["key"] for m in sc["missing_parts"]] == [
        "technicals",
        "valuation",
        "earnings_call",
        "corporate_events",
    ]
    assert (
        f"**Insufficient data** (provisional score {sc['overall']}/100: coverage 50% is below the 60% minimum)"
        in md
    )
    assert "provisional" in html and "Insufficient data" in html
    summary = report["sections"]["summary"]["text"]
    assert "provisional" in summary and "Technical Analysis" in summary and "Valuation" in summary


def test_hk3896_growth_and_cash_flow(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No TTM-vs-FY 'growth' (15.79%) anywhere; no free cash flow computed without capex, so no cash-flow score."""
    report, md, html = _generate(BUNDLES / "HK_3896", tmp_path / "out", capsys)
    assert "15.79" not in json.dumps(report) and "15.79" not in md
    growth = next(
        k for k in report["sections"]["financials"]["key_figures"] if k["key"] == "revenue_growth_pct"
    )
    assert (
        growth["value"] == "n/a" and "comparing with FY2024 would mix overlapping periods" in growth["basis"]
    )
    income = report["sections"]["financials"]["income_statement"]
    assert "Revenue growth (no like-for-like period a year earlier)" in income and "15.79" not in income
    cash = next(s for s in report["score"]["subscores"] if s["key"] == "cash_flow")
    assert cash["score"] is None and "capital expenditure" in cash["basis"]
    fcf = next(
        r for r in report["sections"]["financials"]["breakdown"]["rows"] if r["line"] == "Free Cash Flow"
    )
    assert fcf["values"][0] is None and "capital expenditure" in fcf["notes"][0]
    assert fcf["values"][1] == -3050  # FY2024's reported FCF is below its OCF: capex was deducted
    assert "| Free Cash Flow | n/a [" in md and "no capital expenditure was deducted" in md


@pytest.mark.parametrize(("ticker", "ebitda_filled"), [("AAPL", True), ("GOOGL", False)])
def test_breakdown_rows_their_inputs_allow(
    ticker: str, ebitda_filled: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report, md, html = _generate(BUNDLES / ticker, tmp_path / "out", capsys)
    rows = {r["line"]: r for r in report["sections"]["financials"]["breakdown"]["rows"]}
    assert {
        "Free Cash Flow",
        "EBITDA",
        "EBIT (Operating Income)",
        "Cash and Cash Equivalents",
        "Capital Expenditure",
    } <= set(rows)
    assert all(v is not None for v in rows["Free Cash Flow"]["values"])  # OCF - capex in every column
    assert all(v is not None for v in rows["Cash and Cash Equivalents"]["values"])
    ebitda = rows["EBITDA"]
    assert all(v is not None for v in ebitda["values"]) is ebitda_filled
    if not ebitda_filled:  # Alphabet tags no D&A before 2021 (`Depreciation` from then): each cell says so
        assert all("depreciation and amortisation" in (n or "") for n in ebitda["notes"])
        assert (
            "EBITDA (TTM, Dec 2016, Dec 2015, Dec 2014, Dec 2013): missing depreciation and amortisation"
            in md
        )
        assert (
            "missing depreciation and amortisation" in html and "depreciation_amortization" not in md + html
        )
