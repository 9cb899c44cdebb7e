"""Model-step test fixtures: a hand-built Metrics for HK_3896 (seed figures) and the OpenAI stub."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.inputs import load_bundle
from pipeline.inputs.load import LoadedBundle
from pipeline.metrics.types import (
    Figure,
    Fundamentals,
    IndicatorReading,
    Metrics,
    PeriodMetrics,
    PriceTarget,
    ScoreCard,
    SubScore,
    Technicals,
)
from tests.support.openai_stub import OpenAIStub

REPO = Path(__file__).resolve().parents[2]
# The seed page's TTM figures for Kingsoft Cloud (HK:3896).
SEED_FIGURES = {
    "revenue_growth_pct": (6.87, "pct"),
    "gross_margin_pct": (16.21, "pct"),
    "ebit_margin_pct": (-8.34, "pct"),
    "net_margin_pct": (-10.78, "pct"),
    "roe_pct": (-16.46, "pct"),
    "debt_to_equity": (1.30, "ratio"),
    "equity_ratio_pct": (26.28, "pct"),
    "free_cash_flow": (3330.0, "money"),
    "fcf_growth_pct": (80.87, "pct"),
    "ocf_to_net_income": (0.32, "ratio"),
    "fcf_to_net_income": (-0.10, "ratio"),
}


def fig(value: float | None, unit: str = "pct", status: str = "ok") -> Figure:
    return Figure(value=value if status == "ok" else None, status=status, unit=unit, formula="test")  # type: ignore[arg-type]


def make_metrics(figures: dict[str, Figure] | None = None, *, technicals_origin: str = "provided") -> Metrics:
    figures = figures if figures is not None else {k: fig(v, u) for k, (v, u) in SEED_FIGURES.items()}
    readings = [
        IndicatorReading(key=k, name=n, value=v, reading=r, detail="test")
        for k, n, v, r in (
            ("price_vs_sma_20", "20DMA", 6.48, "Positive"),
            ("price_vs_sma_50", "50DMA", 6.20, "Positive"),
            ("price_vs_sma_200", "200DMA", 6.92, "Positive"),
            ("macd", "MACD", 0.36, "Negative"),
            ("rsi_14", "RSI", 60.21, "Neutral"),
            ("stoch", "STOCH", 73.36, "Neutral"),
        )
    ]
    subs = [
        SubScore(key=k, title=k.replace("_", " ").title(), score=s, label=lab, weight=w, basis="test")
        for k, s, lab, w in (
            ("income_statement", 45, "Neutral", 0.25),
            ("balance_sheet", 50, "Neutral", 0.2),
            ("cash_flow", 60, "Neutral", 0.2),
            ("technicals", 80, "Outperform", 0.2),
            ("valuation", 20, "Underperform", 0.15),
            ("earnings_call", None, None, 0.0),
        )
    ]
    return Metrics(
        ticker="HK:3896",
        as_of=dt.date(2026, 1, 28),
        price_currency="HKD",
        fundamentals=Fundamentals(
            currency="CNY",
            scale="millions",
            roe_basis="average_equity",
            # the seed's 6.87% growth matches no column of its table: it compares with the TTM a year earlier
            periods=[
                PeriodMetrics(
                    label="TTM", kind="TTM", end=dt.date(2025, 9, 30), base="TTM to Sep 2024", figures=figures
                )
            ],
        ),
        technicals=Technicals(
            origin=technicals_origin,
            as_of=dt.date(2026, 1, 28),
            last_price=7.15,  # type: ignore[arg-type]
            values={"sma_20": 6.48, "sma_50": 6.20, "macd": 0.36, "rsi_14": 60.21},
            readings=readings,
            sentiment="Positive",
        ),
        valuation={
            "pe_ratio": fig(-26.31, "ratio"),
            "dividend_yield_pct": fig(None, "pct", "insufficient_data"),
        },
        score=ScoreCard(overall=54, label="Neutral", subscores=subs),
        price_target=PriceTarget(
            target=7.50, currency="HKD", last_price=7.15, upside_pct=4.90, rating="Hold"
        ),
        missing=[],
    )


@pytest.fixture(scope="session")
def hk_loaded() -> LoadedBundle:
    return load_bundle(REPO / "fixtures" / "bundles" / "HK_3896")


@pytest.fixture(scope="session")
def hk_metrics() -> Metrics:
    return make_metrics()


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAIStub]:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-do-not-store")
    for var in ("OPENAI_BASE_URL", "OPENAI_COMPATIBLE_API_KEY", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    with OpenAIStub() as server:
        yield server
