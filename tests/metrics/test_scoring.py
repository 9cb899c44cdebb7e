"""Sub-score rules, labels, weight redistribution, and a property test of the overall score's bounds."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.metrics import scoring as s
from pipeline.metrics.types import Figure, IndicatorReading, SubScore
from tests.support.fuzz import scaled


def ok(value: float, unit: Any = "pct") -> Figure:
    return Figure(value=value, unit=unit, formula="test")


def bad(status: Any = "insufficient_data", unit: Any = "pct") -> Figure:
    return Figure(value=None, status=status, unit=unit, formula="test", note="test")


@pytest.mark.parametrize(
    ("score", "label"),
    [
        (0, "Underperform"),
        (44, "Underperform"),
        (45, "Neutral"),
        (69, "Neutral"),
        (70, "Outperform"),
        (100, "Outperform"),
    ],
)
def test_label_thresholds(score: int, label: str) -> None:
    assert s.label_for(score) == label


@pytest.mark.parametrize(
    ("value", "zero_at", "full_at", "expected"),
    [
        (5.0, 0.0, 10.0, 50.0),
        (-5.0, 0.0, 10.0, 0.0),
        (50.0, 0.0, 10.0, 100.0),
        (1.25, 2.5, 0.0, 50.0),  # lower is better
        (3.0, 2.5, 0.0, 0.0),
    ],
)
def test_linear_score(value: float, zero_at: float, full_at: float, expected: float) -> None:
    assert s.linear_score(value, zero_at=zero_at, full_at=full_at) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "expected"), [(44.5, 45), (45.4999, 45), (69.5, 70), (-3.0, 0), (130.0, 100)]
)
def test_round_score_half_up_and_clamped(value: float, expected: int) -> None:
    assert s.round_score(value) == expected


def test_income_statement_mean_of_available() -> None:
    sub = s.income_statement_score(
        {
            "revenue_growth_pct": ok(5.0),
            "gross_margin_pct": ok(30.0),
            "ebit_margin_pct": bad(),
            "net_margin_pct": ok(0.0),
        }
    )
    assert sub.score == 50  # 50, 50, 50; EBIT dropped
    assert "EBIT margin: insufficient data (test)" in sub.basis and "_pct" not in sub.basis
    assert sub.label == "Neutral"
    assert (sub.inputs_used, sub.inputs_total, sub.input_coverage_pct) == (3.0, 4.0, 75.0)


def test_a_subscore_from_too_few_of_its_inputs_is_not_scored() -> None:
    """NVDA as of 2014: cash flow from operating cash flow / net income alone (no FCF, so no FCF margin,
    growth or FCF/NI) is 1 of 4 inputs by weight: below the 50% minimum, not scored, and it says so."""
    cash = s.cash_flow_score(
        {
            "fcf_margin_pct": bad(),
            "fcf_growth_pct": bad(),
            "free_cash_flow": bad(unit="money"),
            "ocf_to_net_income": ok(1.48, "ratio"),
            "fcf_to_net_income": bad(unit="ratio"),
        },
        net_income=1.0,
    )
    assert cash.score is None and cash.label is None
    assert (cash.inputs_used, cash.inputs_total, cash.input_coverage_pct) == (1.0, 4.0, 25.0)
    assert cash.basis.startswith("too few inputs: 1 of 4 by weight (25%, minimum 50%")
    # exactly at the minimum it is scored, and the overall coverage counts it at its share
    half = s.income_statement_score({"gross_margin_pct": ok(30.0), "net_margin_pct": ok(0.0)})
    assert half.score == 50 and half.input_coverage_pct == 50.0
    card = s.score_card([half, sub("technicals", 60)])
    assert card.coverage_pct == pytest.approx((0.2 * 0.5 + 0.2) / 0.4 * 100)


def test_income_statement_none_when_nothing() -> None:
    sub = s.income_statement_score({})
    assert sub.score is None and sub.label is None and "insufficient" in sub.basis


@pytest.mark.parametrize(
    ("figures", "expected"),
    [
        (
            {
                "debt_to_equity": ok(0.0, "ratio"),
                "equity_ratio_pct": ok(50.0),
                "current_ratio": ok(2.0, "ratio"),
            },
            100,
        ),
        ({"debt_to_equity": bad("not_meaningful", "ratio"), "equity_ratio_pct": ok(-10.0)}, 0),
        ({"debt_to_equity": ok(1.25, "ratio"), "equity_ratio_pct": ok(25.0)}, 50),
        # one of three inputs: under the minimum input coverage, not scored
        ({"debt_to_equity": ok(1.25, "ratio"), "equity_ratio_pct": bad()}, None),
    ],
)
def test_balance_sheet(figures: dict[str, Figure], expected: int | None) -> None:
    assert s.balance_sheet_score(figures).score == expected


@pytest.mark.parametrize(
    ("figures", "net_income", "expected"),
    [
        # profit: margin 100, growth 50, conversion mean(ocf 1.5 -> 100, fcf 0.6 -> 50) = 75 at weight 2
        (
            {
                "fcf_margin_pct": ok(20.0),
                "fcf_growth_pct": ok(0.0),
                "free_cash_flow": ok(1.0, "money"),
                "ocf_to_net_income": ok(1.5, "ratio"),
                "fcf_to_net_income": ok(0.6, "ratio"),
            },
            10.0,
            75,
        ),
        # loss with positive FCF: margin 100, conversion 50 (weight 2) -> 66.7
        (
            {
                "fcf_margin_pct": ok(36.9),
                "fcf_growth_pct": bad("not_meaningful"),
                "free_cash_flow": ok(3330.0, "money"),
            },
            -972.95,
            67,
        ),
        # loss and cash burn
        ({"fcf_margin_pct": ok(-30.0), "free_cash_flow": ok(-5.0, "money")}, -1.0, 0),
        ({}, None, None),
    ],
)
def test_cash_flow(figures: dict[str, Figure], net_income: float | None, expected: int | None) -> None:
    assert s.cash_flow_score(figures, net_income=net_income).score == expected


def reading(r: Any) -> IndicatorReading:
    return IndicatorReading(key="rsi_14", name="RSI", value=1.0, reading=r, detail="")


@pytest.mark.parametrize(
    ("readings", "expected"),
    [
        (["Positive"] * 4, 100),
        (["Negative"] * 3, 0),
        (["Positive", "Negative"], 50),
        (["Positive", "Positive", "Neutral", None], 83),
        ([None], None),
        ([], None),
    ],
)
def test_technicals_from_readings_only(readings: list[Any], expected: int | None) -> None:
    assert s.technicals_score([reading(r) for r in readings]).score == expected


@pytest.mark.parametrize(
    ("figures", "expected"),
    [
        ({"pe_ratio": ok(20.0, "ratio")}, 50),
        ({"pe_ratio": ok(10.0, "ratio")}, 80),
        ({"pe_ratio": bad("not_meaningful", "ratio")}, 10),
        ({"pe_ratio": ok(20.0, "ratio"), "dividend_yield_pct": ok(3.0)}, 57),  # (50*2 + 70) / 3
        ({"pe_ratio": bad(), "dividend_yield_pct": bad()}, None),
    ],
)
def test_valuation(figures: dict[str, Figure], expected: int | None) -> None:
    assert s.valuation_score(figures).score == expected


@pytest.mark.parametrize(
    ("label", "expected"), [("Positive", 70), ("Neutral", 50), ("Negative", 30), (None, None)]
)
def test_sentiment(label: Any, expected: int | None) -> None:
    assert s.sentiment_score("earnings_call", label).score == expected


def sub(key: Any, score: int | None) -> SubScore:
    return SubScore(
        key=key,
        title=key,
        score=score,
        label=None if score is None else s.label_for(score),
        weight=s.WEIGHTS[key],
        basis="test",
    )


def test_weights_sum_to_one() -> None:
    assert sum(s.WEIGHTS.values()) == pytest.approx(1.0)


def test_missing_weight_is_redistributed() -> None:
    card = s.score_card([sub("income_statement", 80), sub("technicals", 40), sub("valuation", None)])
    # (0.2*80 + 0.2*40) / 0.4 = 60
    assert card.overall == 60 and card.label == "Neutral"
    by_key = {x.key: x for x in card.subscores}
    assert by_key["valuation"].weight == 0.0 and "redistributed" in by_key["valuation"].basis
    assert by_key["income_statement"].weight == pytest.approx(0.5)
    assert "Valuation" in by_key["income_statement"].basis


def test_no_subscores_is_neutral_50() -> None:
    card = s.score_card([sub("income_statement", None)])
    assert (card.overall, card.label, card.provisional) == (50, "Insufficient data", True)


score_or_none = st.one_of(st.none(), st.integers(min_value=0, max_value=100))


@settings(max_examples=scaled(300), deadline=None)
@given(st.lists(score_or_none, min_size=len(s.WEIGHTS), max_size=len(s.WEIGHTS)))
def test_overall_in_bounds_and_label_consistent(scores: list[int | None]) -> None:
    card = s.score_card([sub(k, v) for k, v in zip(s.WEIGHTS, scores, strict=True)])
    assert 0 <= card.overall <= 100
    coverage = sum(w for w, v in zip(s.WEIGHTS.values(), scores, strict=True) if v is not None)
    assert card.coverage_pct == pytest.approx(coverage * 100, abs=0.01)
    if coverage >= s.MIN_COVERAGE - 1e-9:
        assert card.label == s.label_for(card.overall) and not card.provisional
    else:
        assert card.label == "Insufficient data" and card.provisional
    assert [m.key for m in card.missing_parts] == [
        k for k, v in zip(s.WEIGHTS, scores, strict=True) if v is None
    ]
    present = [v for v in scores if v is not None]
    if present:
        assert min(present) <= card.overall <= max(present)
        assert sum(x.weight for x in card.subscores) == pytest.approx(1.0)


@settings(max_examples=scaled(200), deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "revenue_growth_pct",
                "gross_margin_pct",
                "ebit_margin_pct",
                "net_margin_pct",
                "debt_to_equity",
                "equity_ratio_pct",
                "current_ratio",
                "fcf_margin_pct",
                "fcf_growth_pct",
                "ocf_to_net_income",
                "fcf_to_net_income",
                "free_cash_flow",
                "pe_ratio",
                "dividend_yield_pct",
            ]
        ),
        st.floats(allow_nan=False, allow_infinity=False).map(lambda x: ok(x, "ratio")),
    ),
    st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)),
)
def test_subscores_in_bounds_for_any_finite_figures(
    figures: dict[str, Figure], net_income: float | None
) -> None:
    for sub_score in (
        s.income_statement_score(figures),
        s.balance_sheet_score(figures),
        s.cash_flow_score(figures, net_income=net_income),
        s.valuation_score(figures),
    ):
        assert sub_score.score is None or 0 <= sub_score.score <= 100
        if sub_score.score is not None:
            assert sub_score.label == s.label_for(sub_score.score)


@pytest.mark.parametrize(
    ("present", "provisional"),
    [
        (("income_statement", "balance_sheet", "cash_flow"), True),  # statements only: 50% of the weight
        (("income_statement", "balance_sheet", "cash_flow", "valuation"), False),  # 60%: the minimum
        (("income_statement", "balance_sheet", "cash_flow", "technicals"), False),
        (("technicals", "valuation", "earnings_call", "corporate_events"), True),  # 50%
    ],
)
def test_minimum_coverage(present: tuple[str, ...], provisional: bool) -> None:
    card = s.score_card([sub(k, 83 if k in present else None) for k in s.WEIGHTS])
    assert card.overall == 83 and card.provisional is provisional
    assert card.label == ("Insufficient data" if provisional else "Outperform")


SENTIMENTS = st.sampled_from([None, "Positive", "Neutral", "Negative"])


@settings(max_examples=scaled(400), deadline=None)
@given(others=st.lists(score_or_none, min_size=5, max_size=5), call=SENTIMENTS, events=SENTIMENTS)
def test_model_read_labels_move_the_score_at_most_the_bound(
    others: list[int | None], call: str | None, events: str | None
) -> None:
    """Whatever the two model-read labels, the overall is within ceil(bound) points of the overall with them at
    Neutral; the bound is 20 x their nominal weight / the present nominal weight (4 points with all seven)."""
    keys = [k for k in s.WEIGHTS if k not in s.MODEL_READ]
    subs = [sub(k, v) for k, v in zip(keys, others, strict=True)]
    subs += [s.sentiment_score("earnings_call", call), s.sentiment_score("corporate_events", events)]  # type: ignore[arg-type]
    card = s.score_card(subs)
    mi = card.model_influence
    if call is None and events is None:
        assert mi is None
        return
    assert mi is not None
    present = sum(s.WEIGHTS[x.key] for x in subs if x.score is not None)
    read = sum(
        s.WEIGHTS[k] for k, v in (("earnings_call", call), ("corporate_events", events)) if v is not None
    )
    assert mi.bound == pytest.approx(20 * read / present, abs=1e-4)
    assert abs(card.overall - mi.neutral) <= mi.bound_points == math.ceil(mi.bound - 1e-9)
    assert mi.shift == card.overall - mi.neutral
    if call in (None, "Neutral") and events in (None, "Neutral"):
        assert mi.shift == 0
    assert mi.label_changed == (card.label != s.overall_label(mi.neutral, card.coverage_pct / 100))
    if all(v is None for v in others):
        assert mi.without is None


def test_all_seven_parts_bound_is_four_points() -> None:
    subs = [sub(k, 74) for k in s.WEIGHTS if k not in s.MODEL_READ]
    subs += [
        s.sentiment_score("earnings_call", "Negative"),
        s.sentiment_score("corporate_events", "Negative"),
    ]
    card = s.score_card(subs)
    assert card.model_influence is not None and card.model_influence.bound == 4.0
    # 0.8 x 74 + 0.2 x 30 = 65.2 -> 65 (Neutral); at Neutral 0.8 x 74 + 0.2 x 50 = 69.2 -> 69 (Neutral)
    assert (card.overall, card.model_influence.neutral, card.model_influence.without) == (65, 69, 74)
    assert card.model_influence.shift == -4 and not card.model_influence.label_changed
