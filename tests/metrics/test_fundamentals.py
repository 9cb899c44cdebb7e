"""Table-driven tests of every fundamental formula, its not-meaningful and missing-data branches, and a
property test that no ratio ever yields inf/NaN."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.metrics import fundamentals as f
from pipeline.metrics import valuation as v
from pipeline.metrics.types import Figure
from pipeline.money import format_money
from tests.support.fuzz import scaled

OK, NM, NA = "ok", "not_meaningful", "insufficient_data"

CASES: list[tuple[str, Callable[..., Figure], dict[str, Any], str, float | None]] = [
    # growth
    ("growth up", f.revenue_growth, {"revenue": 110.0, "prior_revenue": 100.0}, OK, 10.0),
    ("growth down", f.revenue_growth, {"revenue": 90.0, "prior_revenue": 100.0}, OK, -10.0),
    ("growth to zero", f.revenue_growth, {"revenue": 0.0, "prior_revenue": 100.0}, OK, -100.0),
    ("growth from zero", f.revenue_growth, {"revenue": 5.0, "prior_revenue": 0.0}, NM, None),
    ("growth missing prior", f.revenue_growth, {"revenue": 5.0, "prior_revenue": None}, NA, None),
    ("fcf sign change", f.fcf_growth, {"fcf": 3330.0, "prior_fcf": -3050.0}, NM, None),
    ("fcf sign change down", f.fcf_growth, {"fcf": -1.0, "prior_fcf": 2.0}, NM, None),
    ("fcf deeper burn", f.fcf_growth, {"fcf": -150.0, "prior_fcf": -100.0}, OK, -50.0),
    ("fcf smaller burn", f.fcf_growth, {"fcf": -50.0, "prior_fcf": -100.0}, OK, 50.0),
    # margins
    ("gross reported", f.gross_margin, {"revenue": 200.0, "gross_profit": 50.0}, OK, 25.0),
    ("gross from cost", f.gross_margin, {"revenue": 200.0, "cost_of_revenue": 120.0}, OK, 40.0),
    ("gross missing", f.gross_margin, {"revenue": 200.0}, NA, None),
    ("gross zero revenue", f.gross_margin, {"revenue": 0.0, "gross_profit": 1.0}, NM, None),
    ("ebit", f.ebit_margin, {"operating_income": -8.0, "revenue": 100.0}, OK, -8.0),
    ("ebit missing", f.ebit_margin, {"operating_income": None, "revenue": 100.0}, NA, None),
    ("ebitda reported", f.ebitda_margin, {"revenue": 100.0, "ebitda": 30.0}, OK, 30.0),
    (
        "ebitda from parts",
        f.ebitda_margin,
        {"revenue": 100.0, "operating_income": 20.0, "depreciation_amortization": 5.0},
        OK,
        25.0,
    ),
    ("ebitda missing D&A", f.ebitda_margin, {"revenue": 100.0, "operating_income": 20.0}, NA, None),
    ("net", f.net_margin, {"net_income": -972.95, "revenue": 9020.0}, OK, -10.786585365853659),
    ("net negative revenue", f.net_margin, {"net_income": 1.0, "revenue": -5.0}, NM, None),
    # returns and leverage
    (
        "roe average",
        f.roe_average_equity,
        {"net_income": 10.0, "equity": 120.0, "prior_equity": 80.0},
        OK,
        10.0,
    ),
    (
        "roe negative equity",
        f.roe_average_equity,
        {"net_income": 10.0, "equity": -5.0, "prior_equity": 80.0},
        NM,
        None,
    ),
    (
        "roe no prior",
        f.roe_average_equity,
        {"net_income": 10.0, "equity": 100.0, "prior_equity": None},
        NA,
        None,
    ),
    ("roe ending", f.roe_ending_equity, {"net_income": 10.0, "equity": 50.0}, OK, 20.0),
    ("roe ending negative equity", f.roe_ending_equity, {"net_income": 10.0, "equity": -50.0}, NM, None),
    ("d/e", f.debt_to_equity, {"total_debt": 8750.0, "equity": 6740.0}, OK, 8750 / 6740),
    ("d/e negative equity", f.debt_to_equity, {"total_debt": 10.0, "equity": -1.0}, NM, None),
    ("d/e missing debt", f.debt_to_equity, {"total_debt": None, "equity": 1.0}, NA, None),
    ("equity ratio", f.equity_ratio, {"equity": 25.0, "total_assets": 100.0}, OK, 25.0),
    ("equity ratio zero assets", f.equity_ratio, {"equity": 25.0, "total_assets": 0.0}, NM, None),
    ("equity ratio missing", f.equity_ratio, {"equity": None, "total_assets": 10.0}, NA, None),
    # cash flow
    (
        "fcf from parts",
        f.free_cash_flow,
        {"operating_cash_flow": 100.0, "capital_expenditure": 30.0},
        OK,
        70.0,
    ),
    (
        "fcf reported",
        f.free_cash_flow,
        {"operating_cash_flow": 100.0, "capital_expenditure": None, "reported": 60.0},
        OK,
        60.0,
    ),
    ("fcf missing", f.free_cash_flow, {"operating_cash_flow": 100.0, "capital_expenditure": None}, NA, None),
    ("fcf margin", f.fcf_margin, {"fcf": 10.0, "revenue": 50.0}, OK, 20.0),
    ("ocf/ni", f.ocf_to_net_income, {"operating_cash_flow": 120.0, "net_income": 100.0}, OK, 1.2),
    ("ocf/ni loss", f.ocf_to_net_income, {"operating_cash_flow": 120.0, "net_income": -100.0}, NM, None),
    ("ocf/ni missing", f.ocf_to_net_income, {"operating_cash_flow": None, "net_income": 100.0}, NA, None),
    ("fcf/ni", f.fcf_to_net_income, {"fcf": 50.0, "net_income": 100.0}, OK, 0.5),
    ("fcf/ni zero", f.fcf_to_net_income, {"fcf": 50.0, "net_income": 0.0}, NM, None),
    (
        "net debt sti",
        f.net_debt,
        {"total_debt": 8750.0, "cash_and_short_term_investments": 3950.0, "cash_and_equivalents": 1.0},
        OK,
        4800.0,
    ),
    (
        "net debt cash only",
        f.net_debt,
        {"total_debt": 100.0, "cash_and_equivalents": 150.0, "basis": "cash_only"},
        OK,
        -50.0,
    ),
    # no silent fallback: on the cash + short-term investments basis, cash alone is not enough
    ("net debt no STI", f.net_debt, {"total_debt": 100.0, "cash_and_equivalents": 150.0}, NA, None),
    ("net debt missing cash", f.net_debt, {"total_debt": 100.0}, NA, None),
    ("current ratio", f.current_ratio, {"current_assets": 150.0, "current_liabilities": 100.0}, OK, 1.5),
    (
        "current ratio zero liab",
        f.current_ratio,
        {"current_assets": 150.0, "current_liabilities": 0.0},
        NM,
        None,
    ),
    (
        "current ratio missing",
        f.current_ratio,
        {"current_assets": None, "current_liabilities": 1.0},
        NA,
        None,
    ),
    # valuation
    ("pe reported", v.pe_ratio, {"reported_pe": 25.0}, OK, 25.0),
    ("pe reported negative", v.pe_ratio, {"reported_pe": -26.31}, NM, None),
    ("pe from eps", v.pe_ratio, {"last_price": 100.0, "eps_diluted": 4.0}, OK, 25.0),
    ("pe negative eps", v.pe_ratio, {"last_price": 100.0, "eps_diluted": -1.0}, NM, None),
    (
        "pe fx mismatch",
        v.pe_ratio,
        {"last_price": 100.0, "eps_diluted": 4.0, "same_currency": False},
        NA,
        None,
    ),
    ("pe missing eps", v.pe_ratio, {"last_price": 100.0}, NA, None),
    ("yield reported", v.dividend_yield, {"reported_pct": 0.5}, OK, 0.5),
    ("yield computed", v.dividend_yield, {"dividends_paid": 2.0, "market_cap": 100.0}, OK, 2.0),
    ("yield missing", v.dividend_yield, {"market_cap": 100.0}, NA, None),
    ("market cap reported", v.market_cap, {"reported": 5.0}, OK, 5.0),
    ("market cap computed", v.market_cap, {"shares_outstanding": 10.0, "last_price": 2.5}, OK, 25.0),
    ("market cap missing", v.market_cap, {"shares_outstanding": 10.0}, NA, None),
]


@pytest.mark.parametrize(("name", "fn", "kwargs", "status", "expected"), CASES, ids=[c[0] for c in CASES])
def test_formula(
    name: str, fn: Callable[..., Figure], kwargs: dict[str, Any], status: str, expected: float | None
) -> None:
    fig = fn(**kwargs)
    assert fig.status == status, fig
    if status == OK:
        assert fig.value == pytest.approx(expected, rel=1e-12)
        assert fig.formula
    else:
        assert fig.value is None
        assert fig.note, "a missing figure must say why"


def test_missing_note_names_the_line() -> None:
    """Reasons name lines as a reader does, never by their field keys."""
    assert (f.ebit_margin(operating_income=None, revenue=1.0).note or "") == "missing operating income"
    assert (f.free_cash_flow(operating_cash_flow=1.0, capital_expenditure=None).note or "") == (
        "missing capital expenditure"
    )


def test_reasons_write_amounts_with_the_money_formatter() -> None:
    """'net income is -1.39874e+09' and 'revenue is -0' were raw floats in reader text (review finding 19)."""
    usd = lambda v: format_money(v, "USD") or ""  # noqa: E731
    assert f.net_margin(net_income=1.0, revenue=-0.0, show=usd).note == "revenue is zero"
    assert f.ocf_to_net_income(operating_cash_flow=1.0, net_income=-1.39874e9, show=usd).note == (
        "net income is -$1.40B, not positive"
    )
    cny = lambda v: format_money(v, "CNY", scale="millions") or ""  # noqa: E731
    assert f.revenue_growth(revenue=-972.95, prior_revenue=100.0, show=cny).note == (
        "changes sign, from RMB 100.00M to -RMB 972.95M"
    )
    for fig in (
        f.net_margin(net_income=1.0, revenue=-1.39874e9),
        f.roe_average_equity(net_income=1.0, equity=-5e6, prior_equity=2e6),
    ):
        assert "e+0" not in (fig.note or "") and "_" not in (fig.note or "")


def test_fcf_says_which_formula() -> None:
    assert f.free_cash_flow(operating_cash_flow=5.0, capital_expenditure=1.0).formula.startswith("operating")
    reported = f.free_cash_flow(operating_cash_flow=5.0, capital_expenditure=None, reported=3.0)
    assert "reported" in reported.formula and reported.note


def test_upside() -> None:
    assert round(v.upside_pct(target=7.50, last_price=7.15) or 0, 2) == 4.90
    assert v.upside_pct(target=7.50, last_price=None) is None
    assert v.upside_pct(target=7.50, last_price=0.0) is None


finite = st.floats(allow_nan=False, allow_infinity=False)
maybe = st.one_of(st.none(), finite)

RATIO_FUNCS: list[tuple[Callable[..., Figure], tuple[str, ...]]] = [
    (f.revenue_growth, ("revenue", "prior_revenue")),
    (f.fcf_growth, ("fcf", "prior_fcf")),
    (f.gross_margin, ("revenue", "gross_profit", "cost_of_revenue")),
    (f.ebit_margin, ("operating_income", "revenue")),
    (f.ebitda_margin, ("revenue", "ebitda", "operating_income", "depreciation_amortization")),
    (f.net_margin, ("net_income", "revenue")),
    (f.roe_average_equity, ("net_income", "equity", "prior_equity")),
    (f.roe_ending_equity, ("net_income", "equity")),
    (f.debt_to_equity, ("total_debt", "equity")),
    (f.equity_ratio, ("equity", "total_assets")),
    (f.free_cash_flow, ("operating_cash_flow", "capital_expenditure", "reported")),
    (f.fcf_margin, ("fcf", "revenue")),
    (f.ocf_to_net_income, ("operating_cash_flow", "net_income")),
    (f.fcf_to_net_income, ("fcf", "net_income")),
    (f.net_debt, ("total_debt", "cash_and_short_term_investments", "cash_and_equivalents")),
    (f.current_ratio, ("current_assets", "current_liabilities")),
    (v.market_cap, ("reported", "shares_outstanding", "last_price")),
]


@settings(max_examples=scaled(300), deadline=None)
@given(st.sampled_from(RATIO_FUNCS), st.lists(maybe, min_size=4, max_size=4))
def test_never_inf_or_nan(
    spec: tuple[Callable[..., Figure], tuple[str, ...]], values: list[float | None]
) -> None:
    fn, names = spec
    fig = fn(**dict(zip(names, values, strict=False)))
    if fig.status == OK:
        assert fig.value is not None and math.isfinite(fig.value)
    else:
        assert fig.value is None and fig.note
