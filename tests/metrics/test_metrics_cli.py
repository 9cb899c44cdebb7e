"""`stockreport metrics` through the real entry point: JSON shape, table, sentiment options, clean errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run_cli

HK = Path(__file__).resolve().parents[2] / "fixtures" / "bundles" / "HK_3896"

TTM_KEYS = {
    "revenue_growth_pct",
    "eps_growth_pct",
    "gross_margin_pct",
    "ebit_margin_pct",
    "ebitda",
    "ebitda_margin_pct",
    "net_margin_pct",
    "roe_pct",
    "roe_ending_equity_pct",
    "debt_to_equity",
    "equity_ratio_pct",
    "free_cash_flow",
    "fcf_growth_pct",
    "fcf_margin_pct",
    "ocf_to_net_income",
    "fcf_to_net_income",
    "net_debt",
    "current_ratio",
    "eps_diluted",
}


def run(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    return run_cli(args, capsys)


def test_json(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(["metrics", str(HK), "--json"], capsys, monkeypatch)
    assert code == 0
    data = json.loads(out)
    assert set(data) == {
        "ticker",
        "as_of",
        "price_currency",
        "fundamentals",
        "technicals",
        "valuation",
        "score",
        "price_target",
        "missing",
        "ages",
        "peers",
        "share_basis",
    }
    assert set(data["score"]) >= {
        "overall",
        "label",
        "provisional",
        "coverage_pct",
        "missing_parts",
        "model_influence",
        "subscores",
    }
    assert set(data["fundamentals"]["periods"][0]["figures"]) == TTM_KEYS
    assert set(data["valuation"]) == {"pe_ratio", "dividend_yield_pct", "market_cap"}
    assert round(data["price_target"]["upside_pct"], 2) == 4.90
    assert [s["key"] for s in data["score"]["subscores"]] == [
        "income_statement",
        "balance_sheet",
        "cash_flow",
        "technicals",
        "valuation",
        "earnings_call",
        "corporate_events",
    ]


def test_sentiment_options(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(["metrics", str(HK), "--json", "--call-sentiment", "Positive"], capsys, monkeypatch)
    subs = {s["key"]: s for s in json.loads(out)["score"]["subscores"]}
    assert code == 0 and subs["earnings_call"]["score"] == 70 and subs["corporate_events"]["score"] is None


def test_table(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(["metrics", str(HK)], capsys, monkeypatch)
    assert code == 0
    assert "HK:3896" in out and "Income Statement" in out and "16.19%" in out and "4.90%" in out


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (None, "bundle directory not found"),
        ("{not json", "bad JSON"),
        (
            '{"as_of": "2024-01-01", "profile": {"ticker": "../x", "name": "X", "currency": "USD"}}',
            "profile.ticker",
        ),
    ],
)
def test_bad_bundle_clean_error(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    content: str | None,
    needle: str,
) -> None:
    root = tmp_path / "b"
    if content is not None:
        root.mkdir()
        (root / "bundle.json").write_text(content)
    code, out, err = run(["metrics", str(root), "--json"], capsys, monkeypatch)
    assert code == 1 and out == ""
    assert needle in err and err.startswith("error: ") and "Traceback" not in err
