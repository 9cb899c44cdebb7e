"""Sub-scores (0-100), their labels, and the weighted overall score; rules documented in docs/metrics.md.

Fundamental sub-scores are the (weighted) mean of components; each component maps one figure linearly
between an anchor that scores 0 and one that scores 100, clipped to [0, 100]. A component whose figure is
not `ok` drops out (except the rules stated for losses and negative equity). Each sub-score states its input
coverage (the weight of its components that had a value over the weight of all of them); below
MIN_INPUT_COVERAGE it is not scored, like one with no component (a Cash Flow score from operating cash flow /
net income alone is no cash-flow score). A sub-score whose data is older than its staleness limit
(freshness.py) is not scored either. The overall score is the weighted mean of the sub-scores that exist,
their nominal weights rescaled to sum to 1; its coverage is the nominal weight of those sub-scores, each times
its own input coverage. Below MIN_COVERAGE the overall is provisional and labelled "Insufficient data".
Sentiment sub-scores read only a label, never free text; how far those model-read labels move the overall is
reported beside it (`ModelInfluence`) and bounded (SENTIMENT_SPREAD).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from pipeline.metrics.names import readable
from pipeline.metrics.types import (
    INSUFFICIENT_LABEL,
    Figure,
    IndicatorReading,
    Label,
    MissingPart,
    ModelInfluence,
    OverallLabel,
    Reading,
    ScoreCard,
    SubScore,
)

SubKey = Literal[
    "income_statement",
    "balance_sheet",
    "cash_flow",
    "technicals",
    "valuation",
    "earnings_call",
    "corporate_events",
]

OUTPERFORM_AT = 70  # score >= 70 -> Outperform
NEUTRAL_AT = 45  # 45 <= score < 70 -> Neutral; below -> Underperform

# Nominal weights of the overall score (sum 1.0): financial statements 50%, market 30%, qualitative 20%.
WEIGHTS: dict[SubKey, float] = {
    "income_statement": 0.20,
    "balance_sheet": 0.15,
    "cash_flow": 0.15,
    "technicals": 0.20,
    "valuation": 0.10,
    "earnings_call": 0.10,
    "corporate_events": 0.10,
}
TITLES: dict[SubKey, str] = {
    "income_statement": "Income Statement",
    "balance_sheet": "Balance Sheet",
    "cash_flow": "Cash Flow",
    "technicals": "Technical Analysis",
    "valuation": "Valuation",
    "earnings_call": "Earnings Call Sentiment",
    "corporate_events": "Corporate Events",
}
SENTIMENT_SCORES: dict[str, int] = {"Positive": 70, "Neutral": 50, "Negative": 30}
SENTIMENT_SPREAD = 20.0  # a sentiment label moves its sub-score at most this far from Neutral (50)
MODEL_READ: tuple[SubKey, ...] = ("earnings_call", "corporate_events")  # labels a model reads from text
MIN_COVERAGE = 0.60  # below this share of the nominal weight the overall is provisional: "Insufficient data"
MIN_INPUT_COVERAGE = 0.50  # a sub-score built from less than half of its inputs (by weight) is not scored

NEUTRAL_PE = 20.0  # P/E at which the valuation P/E component scores 50 (earnings yield 5%)
PE_POINTS_PER_YIELD_PCT = 6.0  # +6 points per percentage point of earnings yield above 5%
NEGATIVE_EARNINGS_SCORE = 10.0  # P/E not meaningful (losses): earnings give the price no support
NO_EQUITY_SCORE = 0.0  # negative equity: the debt-to-equity component scores 0
LOSS_CASH_POSITIVE_SCORE = 50.0  # loss year, free cash flow > 0: conversion component
LOSS_CASH_NEGATIVE_SCORE = 0.0  # loss year, free cash flow <= 0 (losing money and burning cash)


@dataclass(frozen=True)
class Anchor:
    """A linear component: `zero_at` scores 0, `full_at` scores 100 (full_at < zero_at: lower is better)."""

    key: str
    zero_at: float
    full_at: float
    weight: float = 1.0


INCOME_ANCHORS = (
    Anchor("revenue_growth_pct", -10.0, 20.0),
    Anchor("gross_margin_pct", 0.0, 60.0),
    Anchor("ebit_margin_pct", -20.0, 20.0),
    Anchor("net_margin_pct", -20.0, 20.0),
)
BALANCE_ANCHORS = (
    Anchor("debt_to_equity", 2.5, 0.0),
    Anchor("equity_ratio_pct", 0.0, 50.0),
    Anchor("current_ratio", 0.5, 2.0),
)
CASH_ANCHORS = (
    Anchor("fcf_margin_pct", -20.0, 20.0),
    Anchor("fcf_growth_pct", -50.0, 50.0),
)
CONVERSION_ANCHORS = (Anchor("ocf_to_net_income", 0.0, 1.5), Anchor("fcf_to_net_income", 0.0, 1.2))
CONVERSION_WEIGHT = 2.0  # cash conversion counts double in the cash-flow score: it is the quality check


def linear_score(value: float, *, zero_at: float, full_at: float) -> float:
    """clip((value - zero_at) / (full_at - zero_at) * 100, 0, 100)."""
    raw = (value - zero_at) / (full_at - zero_at) * 100.0
    return 0.0 if math.isnan(raw) else min(100.0, max(0.0, raw))


def round_score(value: float) -> int:
    """Half-up rounding to an int in [0, 100] (Python's round() is half-to-even)."""
    return int(min(100.0, max(0.0, math.floor(value + 0.5))))


def label_for(score: int) -> Label:
    """Outperform >= 70, Neutral 45-69, Underperform < 45."""
    if score >= OUTPERFORM_AT:
        return "Outperform"
    return "Neutral" if score >= NEUTRAL_AT else "Underperform"


def _ok_value(figures: Mapping[str, Figure], key: str) -> float | None:
    fig = figures.get(key)
    return fig.value if fig is not None and fig.status == "ok" else None


@dataclass(frozen=True)
class _Part:
    """One input of a sub-score: its text in the basis, its 0-100 score (None: no value), its weight, and the
    share of it that had a value (a component built from half of its own inputs counts half)."""

    text: str
    score: float | None
    weight: float = 1.0
    covered: float = 1.0


UNITS = {"pct": "%", "ratio": "", "money": "", "price": "", "count": "", "per_share": ""}


def _dropped(key: str, fig: Figure | None) -> str:
    name = readable(key)
    if fig is None:
        return f"{name}: not in the bundle"
    return f"{name}: {fig.status.replace('_', ' ')}{' (' + fig.note + ')' if fig.note else ''}"


def _linear_parts(figures: Mapping[str, Figure], anchors: Sequence[Anchor]) -> list[_Part]:
    parts = []
    for a in anchors:
        value = _ok_value(figures, a.key)
        fig = figures.get(a.key)
        if value is None or fig is None:
            parts.append(_Part(_dropped(a.key, fig), None, a.weight))
        else:
            s = linear_score(value, zero_at=a.zero_at, full_at=a.full_at)
            parts.append(_Part(f"{readable(a.key)} {value:.2f}{UNITS[fig.unit]} -> {s:.0f}", s, a.weight))
    return parts


def _coverage(parts: Sequence[_Part]) -> tuple[float, float]:
    """(weight of the inputs that had a value, weight of all inputs)."""
    return (
        sum(p.weight * p.covered for p in parts if p.score is not None),
        sum(p.weight for p in parts),
    )


def _combine(key: SubKey, parts: list[_Part], *, stale: str | None = None) -> SubScore:
    used = [p for p in parts if p.score is not None]
    text = "; ".join(p.text for p in parts)
    have, total_inputs = _coverage(parts)
    share = have / total_inputs if total_inputs > 0 else 0.0
    inputs = {"inputs_used": round(have, 3), "inputs_total": round(total_inputs, 3)}
    if not used or stale is not None:
        return SubScore(
            key=key,
            title=TITLES[key],
            score=None,
            label=None,
            weight=WEIGHTS[key],
            basis=stale if stale is not None else f"insufficient data ({text})",
            stale=stale,
            input_coverage_pct=0.0,
            **inputs,
        )
    total = sum(p.weight for p in used)
    mean = sum(p.score * p.weight for p in used if p.score is not None) / total
    score = round_score(mean)
    if share < MIN_INPUT_COVERAGE:
        return SubScore(
            key=key,
            title=TITLES[key],
            score=None,
            label=None,
            weight=WEIGHTS[key],
            basis=(
                f"too few inputs: {have:g} of {total_inputs:g} by weight ({share * 100:.0f}%, minimum "
                f"{MIN_INPUT_COVERAGE * 100:.0f}%; from those alone it would be {score}) ({text})"
            ),
            input_coverage_pct=round(share * 100.0, 2),
            **inputs,
        )
    return SubScore(
        key=key,
        title=TITLES[key],
        score=score,
        label=label_for(score),
        weight=WEIGHTS[key],
        basis=f"{text}; weighted mean {mean:.1f} from {have:g} of {total_inputs:g} inputs by weight",
        input_coverage_pct=round(share * 100.0, 2),
        **inputs,
    )


def absent(key: SubKey, reason: str) -> SubScore:
    """A sub-score whose inputs are not in the bundle at all; `reason` says which."""
    return _combine(key, [_Part(reason, None)])


def stale(key: SubKey, reason: str) -> SubScore:
    """A sub-score whose data is older than its staleness limit: not scored, `reason` says how old."""
    return _combine(key, [_Part(reason, None)], stale=reason)


def income_statement_score(figures: Mapping[str, Figure]) -> SubScore:
    """Mean of revenue growth (-10% -> 0, +20% -> 100), gross margin (0 -> 0, 60% -> 100),
    EBIT margin and net margin (-20% -> 0, +20% -> 100)."""
    return _combine("income_statement", _linear_parts(figures, INCOME_ANCHORS))


def balance_sheet_score(figures: Mapping[str, Figure]) -> SubScore:
    """Mean of debt-to-equity (2.5 -> 0, 0 -> 100; negative equity scores 0), equity ratio
    (0 -> 0, 50% -> 100) and current ratio (0.5 -> 0, 2.0 -> 100)."""
    parts = _linear_parts(figures, BALANCE_ANCHORS)
    de = figures.get("debt_to_equity")
    if de is not None and de.status == "not_meaningful":
        parts[0] = _Part(
            f"debt-to-equity not meaningful (negative equity) -> {NO_EQUITY_SCORE:.0f}", NO_EQUITY_SCORE
        )
    return _combine("balance_sheet", parts)


def cash_flow_score(figures: Mapping[str, Figure], *, net_income: float | None) -> SubScore:
    """FCF margin (-20% -> 0, +20% -> 100), FCF growth (-50% -> 0, +50% -> 100) and cash conversion
    (weight 2): with a profit, the mean of OCF/NI (0 -> 0, 1.5 -> 100) and FCF/NI (0 -> 0, 1.2 -> 100);
    with a loss, 50 when free cash flow is positive, else 0."""
    parts = _linear_parts(figures, CASH_ANCHORS)
    fcf = _ok_value(figures, "free_cash_flow")
    if net_income is not None and net_income > 0:
        every = _linear_parts(figures, CONVERSION_ANCHORS)
        conv = [p for p in every if p.score is not None]
        if conv:
            s = sum(p.score for p in conv if p.score is not None) / len(conv)
            parts.append(
                _Part(
                    "conversion (" + "; ".join(p.text for p in every) + f") -> {s:.0f}",
                    s,
                    CONVERSION_WEIGHT,
                    covered=len(conv) / len(every),
                )
            )
        else:
            parts.append(_Part("conversion: " + "; ".join(p.text for p in every), None, CONVERSION_WEIGHT))
    elif net_income is not None and fcf is not None:
        s = LOSS_CASH_POSITIVE_SCORE if fcf > 0 else LOSS_CASH_NEGATIVE_SCORE
        parts.append(
            _Part(
                f"conversion: net loss with free cash flow {'> 0' if fcf > 0 else '<= 0'} -> {s:.0f}",
                s,
                CONVERSION_WEIGHT,
            )
        )
    else:
        why = "net income not in the bundle" if net_income is None else "free cash flow: insufficient data"
        parts.append(_Part(f"conversion: {why}", None, CONVERSION_WEIGHT))
    return _combine("cash_flow", parts)


def technicals_score(readings: Sequence[IndicatorReading], stale_reason: str | None = None) -> SubScore:
    """50 + 50 * (Positive - Negative) / (readings with a value); None without readings, or when the prices
    are stale (`stale_reason` says how old): old readings say nothing about the trend at the analysis date.
    Input coverage: the readings with a value of all the indicators read."""
    if stale_reason is not None:
        return stale("technicals", stale_reason)
    given = [r.reading for r in readings if r.reading is not None]
    if not given:
        return _combine("technicals", [_Part("no prices or indicator snapshot in the bundle", None)])
    pos, neg = given.count("Positive"), given.count("Negative")
    s = 50.0 + 50.0 * (pos - neg) / len(given)
    missing = [r.name for r in readings if r.reading is None]
    text = f"{pos} Positive, {neg} Negative of {len(given)} readings"
    if missing:
        text += f" ({', '.join(missing)}: insufficient data)"
    return _combine("technicals", [_Part(text, s, float(len(readings)), covered=len(given) / len(readings))])


def valuation_score(figures: Mapping[str, Figure]) -> SubScore:
    """P/E (weight 2): 50 + 6 * (earnings yield % - 5), clipped; 10 when earnings are negative.
    Dividend yield (weight 1): 40 + 10 * yield %, clipped."""
    parts: list[_Part] = []
    pe = figures.get("pe_ratio")
    if pe is not None and pe.status == "ok" and pe.value is not None and pe.value > 0:
        ey = 100.0 / pe.value
        s = min(100.0, max(0.0, 50.0 + PE_POINTS_PER_YIELD_PCT * (ey - 100.0 / NEUTRAL_PE)))
        parts.append(_Part(f"P/E {pe.value:.2f} (earnings yield {ey:.2f}%) -> {s:.0f}", s, 2.0))
    elif pe is not None and pe.status == "not_meaningful":
        parts.append(
            _Part(
                f"P/E not meaningful (negative earnings) -> {NEGATIVE_EARNINGS_SCORE:.0f}",
                NEGATIVE_EARNINGS_SCORE,
                2.0,
            )
        )
    else:
        parts.append(_Part(_dropped("pe_ratio", pe), None, 2.0))
    dy = _ok_value(figures, "dividend_yield_pct")
    if dy is None:
        parts.append(_Part(_dropped("dividend_yield_pct", figures.get("dividend_yield_pct")), None))
    else:
        s = min(100.0, max(0.0, 40.0 + 10.0 * dy))
        parts.append(_Part(f"dividend yield {dy:.2f}% -> {s:.0f}", s))
    return _combine("valuation", parts)


def sentiment_score(
    key: SubKey, label: Reading | None, missing: str = "no sentiment label", stale_reason: str | None = None
) -> SubScore:
    """Positive -> 70, Neutral -> 50, Negative -> 30; None without a label (`missing` says why) or when the
    source is stale (`stale_reason`)."""
    if stale_reason is not None:
        return stale(key, stale_reason)
    if label is None:
        return _combine(key, [_Part(missing, None)])
    return _combine(key, [_Part(f"sentiment label {label}", float(SENTIMENT_SCORES[label]))])


def _weighted(subscores: Sequence[SubScore], override: Mapping[str, float | None]) -> float | None:
    """sum(nominal weight x score) / sum(nominal weight) over the present sub-scores; `override` replaces a
    sub-score (a number) or removes it (None)."""
    pairs = []
    for s in subscores:
        score = override[s.key] if s.key in override else s.score
        if score is not None:
            pairs.append((WEIGHTS[s.key], float(score)))
    total = sum(w for w, _ in pairs)
    return sum(w * v for w, v in pairs) / total if total > 0 else None


def overall_label(score: int, coverage: float) -> OverallLabel:
    return label_for(score) if coverage >= MIN_COVERAGE else INSUFFICIENT_LABEL


def _model_influence(subscores: Sequence[SubScore], overall: int, coverage: float) -> ModelInfluence | None:
    read = [s for s in subscores if s.key in MODEL_READ and s.score is not None]
    if not read:
        return None
    present = sum(WEIGHTS[s.key] for s in subscores if s.score is not None)
    neutral_raw = _weighted(subscores, {s.key: float(SENTIMENT_SCORES["Neutral"]) for s in read})
    without_raw = _weighted(subscores, {s.key: None for s in read})
    assert neutral_raw is not None
    neutral = round_score(neutral_raw)
    bound = SENTIMENT_SPREAD * sum(WEIGHTS[s.key] for s in read) / present
    return ModelInfluence(
        parts=[s.key for s in read],
        without=round_score(without_raw) if without_raw is not None else None,
        neutral=neutral,
        shift=overall - neutral,
        bound=round(bound, 4),
        bound_points=math.ceil(bound - 1e-9),
        model_share_pct=round(100.0 * sum(WEIGHTS[s.key] for s in read) / present, 2),
        label_changed=overall_label(overall, coverage) != overall_label(neutral, coverage),
    )


def _missing_reason(s: SubScore) -> str:
    return (
        s.basis.removeprefix("insufficient data (").removesuffix(")")
        if s.basis.startswith("insufficient data (")
        else s.basis
    )


def score_card(subscores: Sequence[SubScore]) -> ScoreCard:
    """Overall = sum(weight * score) / sum(weight) over the sub-scores that exist; 50 if none.

    Each returned SubScore's `weight` is its effective weight (0 when missing); `basis` says how the
    nominal weight was redistributed. Coverage is the nominal weight present; below MIN_COVERAGE the
    overall is provisional and its label "Insufficient data". With model-read sentiment present, the card
    states the overall without them and with them at Neutral, and the bound on the difference.
    """
    present = [s for s in subscores if s.score is not None]
    total = sum(WEIGHTS[s.key] for s in present)
    missing = [s.key for s in subscores if s.score is None]
    covered = sum(WEIGHTS[s.key] * s.input_coverage_pct / 100.0 for s in present)
    coverage = covered / sum(WEIGHTS[s.key] for s in subscores) if subscores else 0.0
    out: list[SubScore] = []
    for s in subscores:
        nominal = WEIGHTS[s.key]
        if s.score is None:
            extra = f"; nominal weight {nominal:.2f} redistributed over the other sub-scores"
            out.append(s.model_copy(update={"weight": 0.0, "basis": s.basis + extra}))
        elif missing and total > 0:
            eff = nominal / total
            gone = ", ".join(TITLES[k] for k in missing)
            extra = f"; weight {nominal:.2f} nominal, {eff:.3f} after redistributing {gone}"
            out.append(s.model_copy(update={"weight": eff, "basis": s.basis + extra}))
        else:
            out.append(s)
    raw = _weighted(subscores, {})
    overall = 50 if raw is None else round_score(raw)
    return ScoreCard(
        overall=overall,
        label=overall_label(overall, coverage),
        provisional=coverage < MIN_COVERAGE,
        coverage_pct=round(coverage * 100.0, 2),
        missing_parts=[
            MissingPart(key=s.key, title=TITLES[s.key], reason=_missing_reason(s))
            for s in subscores
            if s.score is None
        ],
        model_influence=_model_influence(subscores, overall, coverage),
        subscores=out,
    )
