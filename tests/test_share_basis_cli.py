"""Per-share lines and prices on one share basis, through the commands a user runs (review-1 #1): NVIDIA as of
2024-07-01, three weeks after its 10-for-1 split of 2024-06-10 and after its last filing (2024-05-29, pre-split).
The prices are a synthetic line ending at NVIDIA's real close of 2024-07-01 (124.30, post-split)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.support.cli import run_cli

SEC = Path(__file__).resolve().parents[1] / "fixtures" / "data" / "sec" / "CIK0001045810.json.gz"
SPLIT = pd.Timestamp("2024-06-10")


def _bundle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], *, as_traded: bool, record_split: bool
) -> Path:
    out = tmp_path / "NVDA"
    code, _, err = run_cli(
        ["import", "sec", str(SEC), "--ticker", "NVDA", "--out", str(out), "--as-of", "2024-07-01"], capsys
    )
    assert code == 0, err
    days = pd.bdate_range(end="2024-07-01", periods=260)
    close = np.linspace(47.5, 124.30, len(days))
    if as_traded:  # quoted as traded: before the split, ten times the post-split price
        close = np.where(days < SPLIT, close * 10, close)
    frame = pd.DataFrame(
        {"Date": days.strftime("%Y-%m-%d"), "Open": close, "High": close * 1.01, "Low": close * 0.99}
        | {"Close": close, "Volume": 1_000_000}
    )
    frame.to_csv(out / "prices.csv", index=False)
    if record_split:
        (tmp_path / "splits.csv").write_text(
            "date,ratio,source\n2024-06-10,10,NVIDIA press release 2024-05-22\n"
        )
        code, _, err = run_cli(["import", "splits", str(tmp_path / "splits.csv"), "--out", str(out)], capsys)
        assert code == 0, err
    return out


def _generate(bundle: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[dict[str, Any], str]:
    code, _, err = run_cli(["generate", str(bundle), "--out", str(out), "--no-cache"], capsys)
    assert code == 0, err
    return json.loads((out / "NVDA" / "report.json").read_text()), (out / "NVDA" / "report.md").read_text()


def test_the_sec_importer_finds_the_2021_split(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = _bundle(tmp_path, capsys, as_traded=False, record_split=False)
    splits = json.loads((bundle / "bundle.json").read_text())["splits"]
    assert [(s["date"], s["ratio"]) for s in splits] == [("2021-07-19", 4)]  # the 4-for-1 of 2021 (tagged)


@pytest.mark.parametrize("as_traded", [False, True])
def test_a_recorded_split_puts_eps_and_price_on_one_basis(
    as_traded: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Split recorded with `import splits`: EPS (17.09 as filed) is restated to 1.709, so P/E = 124.30 / 1.709
    = 72.7 and market cap = 24.89B shares x 124.30 = $3.09T (before: 7.27 and $309B, valuation 80 Outperform);
    an as-traded price file is restated too, so the averages are on the price's basis."""
    report, md = _generate(
        _bundle(tmp_path, capsys, as_traded=as_traded, record_split=True), tmp_path / "o", capsys
    )
    v = report["metrics"]["valuation"]
    assert v["pe_ratio"]["value"] == pytest.approx(124.30 / 1.709, rel=0.01)
    assert v["market_cap"]["value"] == pytest.approx(3.09e12, rel=0.01)
    assert "| P/E ratio | 72.73 |" in md and "| Market cap | $3.09T |" in md
    assert report["metrics"]["share_basis"]["problem"] is None
    sma200 = next(r for r in report["metrics"]["technicals"]["readings"] if r["key"] == "price_vs_sma_200")
    assert sma200["value"] < 124.30  # a rising line: the average below the last price, on one basis


def test_an_unexplained_split_sized_move_makes_per_share_valuation_insufficient(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As-traded prices and no split recorded: the 90% overnight fall is split-sized and unexplained, so P/E,
    market cap and yield are insufficient with the reason, never 10x off (`validate` warns)."""
    bundle = _bundle(tmp_path, capsys, as_traded=True, record_split=False)
    code, out, err = run_cli(["validate", str(bundle)], capsys)
    assert code == 0 and "10-for" in out + err
    report, md = _generate(bundle, tmp_path / "o", capsys)
    for key in ("pe_ratio", "market_cap", "dividend_yield_pct"):
        fig = report["metrics"]["valuation"][key]
        assert fig["value"] is None and "share basis unknown" in fig["note"], fig
    assert "7.27" not in md and "$309" not in md


def test_a_split_after_the_last_filing_with_split_adjusted_prices_is_caught(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """review-1 #1 as reported: split-adjusted prices, no split recorded, no filing by 2024-07-01 that tags it.
    The FY2024 10-K cover (filed 2024-02-21) gives a public float of $1.10T on 2023-07-28 over 2.5B shares: a
    floor of $440 a share; the prices show about $53 that day. P/E, market cap and yield are insufficient with
    that reason (before: P/E 7.27, market cap $309B, valuation 80 Outperform)."""
    report, md = _generate(
        _bundle(tmp_path, capsys, as_traded=False, record_split=False), tmp_path / "o", capsys
    )
    for key in ("pe_ratio", "market_cap", "dividend_yield_pct"):
        fig = report["metrics"]["valuation"][key]
        assert fig["value"] is None and "floor of $440.00 a share" in fig["note"], fig
    assert "7.27" not in md and "$309" not in md
    valuation = {s["key"]: s for s in report["score"]["subscores"]}["valuation"]
    assert valuation["score"] is None
