"""Fundamental ratios: one pure function per metric, named arguments, the formula in each docstring.

Every function returns a `Figure`: `status="ok"` with a finite value, `"not_meaningful"` (the arithmetic
exists but its result would mislead: a negative denominator, a sign change, an overflow) or
`"insufficient_data"` (an input line is missing; the note names it). No function ever returns inf or NaN.
Money is in the statement currency and scale; percentages are in percent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pipeline.metrics.figures import insufficient, not_meaningful, ok
from pipeline.metrics.names import readable
from pipeline.metrics.types import Figure, Unit
from pipeline.money import format_amount

Show = Callable[[float], str]  # how an amount is written in a reason: the caller's money format


def plain(value: float) -> str:
    """An amount without its currency (callers that know it pass `money.format_money` instead)."""
    return format_amount(value) or str(value)


def _missing(unit: Unit, formula: str, **inputs: float | None) -> Figure | None:
    """insufficient_data naming every missing input (readable names), or None when all are present."""
    absent = [readable(name) for name, value in inputs.items() if value is None]
    if not absent:
        return None
    return insufficient(unit, formula, "missing " + ", ".join(absent))


def growth_pct(
    *,
    current: float | None,
    prior: float | None,
    formula: str,
    current_name: str = "current",
    prior_name: str = "prior",
    base: str | None = None,
    no_base: str | None = None,
    show: Show = plain,
) -> Figure:
    """(current - prior) / |prior| * 100, against `base` (the like-for-like period a year earlier).

    Insufficient without a like-for-like base (`no_base` says why: growth never compares a TTM with a fiscal
    year, which share months). Not meaningful when prior is zero or the value changes sign (a move from a
    loss to a profit has no sensible percentage). Dividing by |prior| makes a deeper loss a negative growth.
    """
    if no_base is not None:
        return insufficient("pct", formula, no_base)
    gap = _missing("pct", formula, **{current_name: current, prior_name: prior})
    if gap:
        return gap.model_copy(update={"base": base})
    assert current is not None and prior is not None
    if prior == 0:
        return not_meaningful("pct", formula, f"{readable(prior_name)} is zero").model_copy(
            update={"base": base}
        )
    if (current < 0 < prior) or (prior < 0 < current):
        return not_meaningful(
            "pct", formula, f"changes sign, from {show(prior)} to {show(current)}"
        ).model_copy(update={"base": base})
    return ok((current - prior) / abs(prior) * 100.0, "pct", formula).model_copy(update={"base": base})


def revenue_growth(
    *,
    revenue: float | None,
    prior_revenue: float | None,
    base: str | None = None,
    no_base: str | None = None,
    show: Show = plain,
) -> Figure:
    """revenue_growth_pct = (revenue - revenue of the same period a year earlier) / |that revenue| * 100."""
    return growth_pct(
        current=revenue,
        prior=prior_revenue,
        formula="(revenue / prior revenue - 1) * 100",
        current_name="revenue",
        prior_name="prior revenue",
        base=base,
        no_base=no_base,
        show=show,
    )


def _quotient(
    numerator: tuple[str, float | None],
    denominator: tuple[str, float | None],
    *,
    unit: Unit,
    formula: str,
    denominator_label: str,
    scale: float = 1.0,
    show: Show = plain,
) -> Figure:
    """numerator / denominator * scale: insufficient_data naming missing inputs; not meaningful when the
    denominator is not positive (a loss or negative equity flips the sign and the reading)."""
    (num_name, num), (den_name, den) = numerator, denominator
    gap = _missing(unit, formula, **{num_name: num, den_name: den})
    if gap:
        return gap
    assert num is not None and den is not None
    if den <= 0:
        what = "zero" if den == 0 else f"{show(den)}, not positive"
        return not_meaningful(unit, formula, f"{denominator_label} {what}")
    return ok(num / den * scale, unit, formula)


def _margin(
    numerator: float | None, revenue: float | None, *, formula: str, name: str, show: Show = plain
) -> Figure:
    """numerator / revenue * 100; not meaningful when revenue <= 0."""
    return _quotient(
        (name, numerator),
        ("revenue", revenue),
        unit="pct",
        formula=formula,
        denominator_label="revenue is",
        scale=100.0,
        show=show,
    )


def gross_margin(
    *,
    revenue: float | None,
    gross_profit: float | None = None,
    cost_of_revenue: float | None = None,
    show: Show = plain,
) -> Figure:
    """gross_margin_pct = gross_profit / revenue * 100; else (revenue - cost_of_revenue) / revenue * 100."""
    if gross_profit is None and cost_of_revenue is not None and revenue is not None:
        return _margin(
            revenue - cost_of_revenue,
            revenue,
            name="gross_profit",
            formula="(revenue - cost_of_revenue) / revenue * 100",
            show=show,
        )
    return _margin(
        gross_profit, revenue, name="gross_profit", formula="gross_profit / revenue * 100", show=show
    )


def ebit_margin(*, operating_income: float | None, revenue: float | None, show: Show = plain) -> Figure:
    """ebit_margin_pct = operating_income / revenue * 100 (EBIT as reported operating income)."""
    return _margin(
        operating_income,
        revenue,
        name="operating_income",
        formula="operating_income / revenue * 100",
        show=show,
    )


def ebitda(
    *,
    reported: float | None = None,
    operating_income: float | None = None,
    depreciation_amortization: float | None = None,
) -> Figure:
    """ebitda = the reported EBITDA line, else operating_income + depreciation_amortization; never from one of
    the two alone (the note names what is missing)."""
    if reported is not None:
        return ok(reported, "money", "ebitda as reported")
    formula = "operating_income + depreciation_amortization"
    gap = _missing(
        "money",
        formula,
        operating_income=operating_income,
        depreciation_amortization=depreciation_amortization,
    )
    if gap:
        return gap.model_copy(update={"note": f"{gap.note} (and no reported EBITDA line)"})
    assert operating_income is not None and depreciation_amortization is not None
    return ok(operating_income + depreciation_amortization, "money", formula)


def ebitda_margin(
    *,
    revenue: float | None,
    ebitda: float | None = None,
    operating_income: float | None = None,
    depreciation_amortization: float | None = None,
    show: Show = plain,
) -> Figure:
    """ebitda_margin_pct = ebitda / revenue * 100; else (operating_income + D&A) / revenue * 100."""
    if ebitda is None and operating_income is not None and depreciation_amortization is not None:
        return _margin(
            operating_income + depreciation_amortization,
            revenue,
            name="ebitda",
            formula="(operating_income + depreciation_amortization) / revenue * 100",
            show=show,
        )
    return _margin(ebitda, revenue, name="ebitda", formula="ebitda / revenue * 100", show=show)


def net_margin(*, net_income: float | None, revenue: float | None, show: Show = plain) -> Figure:
    """net_margin_pct = net_income / revenue * 100."""
    return _margin(net_income, revenue, name="net_income", formula="net_income / revenue * 100", show=show)


def roe_average_equity(
    *,
    net_income: float | None,
    equity: float | None,
    prior_equity: float | None,
    base: str | None = None,
    no_base: str | None = None,
    show: Show = plain,
) -> Figure:
    """roe_pct = net_income / ((equity + equity a year earlier) / 2) * 100; not meaningful if either equity <= 0.

    The opening equity is the balance at the end of the like-for-like period a year earlier (`base`)."""
    formula = "net_income / ((equity + equity a year earlier) / 2) * 100"
    if no_base is not None:
        return insufficient("pct", formula, no_base)
    gap = _missing(
        "pct",
        formula,
        net_income=net_income,
        stockholders_equity=equity,
        prior_stockholders_equity=prior_equity,
    )
    if gap:
        return gap.model_copy(update={"base": base})
    assert net_income is not None and equity is not None and prior_equity is not None
    if equity <= 0 or prior_equity <= 0:
        return not_meaningful(
            "pct",
            formula,
            f"equity is not positive ({show(prior_equity)} a year earlier, {show(equity)} now)",
        ).model_copy(update={"base": base})
    return ok(net_income / (equity / 2.0 + prior_equity / 2.0) * 100.0, "pct", formula).model_copy(
        update={"base": base}
    )


def roe_ending_equity(*, net_income: float | None, equity: float | None, show: Show = plain) -> Figure:
    """roe_ending_equity_pct = net_income / ending equity * 100; not meaningful if equity <= 0."""
    return _quotient(
        ("net_income", net_income),
        ("stockholders_equity", equity),
        unit="pct",
        formula="net_income / ending equity * 100",
        denominator_label="equity is",
        scale=100.0,
        show=show,
    )


def debt_to_equity(*, total_debt: float | None, equity: float | None, show: Show = plain) -> Figure:
    """debt_to_equity = total_debt / stockholders_equity (a ratio); not meaningful if equity <= 0."""
    return _quotient(
        ("total_debt", total_debt),
        ("stockholders_equity", equity),
        unit="ratio",
        formula="total_debt / stockholders_equity",
        denominator_label="equity is",
        show=show,
    )


def equity_ratio(*, equity: float | None, total_assets: float | None, show: Show = plain) -> Figure:
    """equity_ratio_pct = stockholders_equity / total_assets * 100; not meaningful if assets <= 0."""
    return _quotient(
        ("stockholders_equity", equity),
        ("total_assets", total_assets),
        unit="pct",
        formula="stockholders_equity / total_assets * 100",
        denominator_label="total assets are",
        scale=100.0,
        show=show,
    )


def free_cash_flow(
    *, operating_cash_flow: float | None, capital_expenditure: float | None, reported: float | None = None
) -> Figure:
    """free_cash_flow = operating_cash_flow - capital_expenditure (capex positive).

    Without capex, a free cash flow the source reported is used only when it shows that capex was deducted:
    a reported FCF equal to (or above) operating cash flow means none was (HK_3896's TTM: 3,330 = 3,330), so
    the figure is insufficient data, never an FCF computed without capex.
    """
    formula = "operating_cash_flow - capital_expenditure"
    if operating_cash_flow is not None and capital_expenditure is not None:
        return ok(operating_cash_flow - capital_expenditure, "money", formula)
    if reported is not None and operating_cash_flow is not None and reported >= operating_cash_flow:
        return insufficient(
            "money",
            formula,
            "missing capital expenditure: the reported free cash flow is not "
            "below operating cash flow, so no capital expenditure was deducted",
        )
    if reported is not None:
        implied = (
            "; it is below operating cash flow, so the source deducted capital expenditure"
            if operating_cash_flow is not None
            else ""
        )
        return ok(
            reported,
            "money",
            "free_cash_flow as reported",
            note=f"reported by the source; capital expenditure is not in the bundle{implied}",
        )
    gap = _missing(
        "money", formula, operating_cash_flow=operating_cash_flow, capital_expenditure=capital_expenditure
    )
    assert gap is not None  # reported is None and OCF or capex is, so something is named
    return gap


def fcf_growth(
    *,
    fcf: float | None,
    prior_fcf: float | None,
    base: str | None = None,
    no_base: str | None = None,
    show: Show = plain,
) -> Figure:
    """fcf_growth_pct = (fcf - fcf a year earlier) / |that fcf| * 100; not meaningful on a sign change or 0 start."""
    return growth_pct(
        current=fcf,
        prior=prior_fcf,
        formula="(free cash flow / prior free cash flow - 1) * 100",
        current_name="free_cash_flow",
        prior_name="prior free_cash_flow",
        base=base,
        no_base=no_base,
        show=show,
    )


SPLIT_SUSPECT_RATIO = 1.25  # diluted share counts further apart than this: per-share figures do not compare


def eps_growth(
    *,
    eps: float | None,
    prior_eps: float | None,
    shares: float | None = None,
    prior_shares: float | None = None,
    base: str | None = None,
    no_base: str | None = None,
    show: Show = plain,
) -> Figure:
    """eps_growth_pct = (diluted EPS - diluted EPS a year earlier) / |that EPS| * 100.

    Insufficient when the two periods' diluted share counts are more than 25% apart: a stock split (Tesla's
    3-for-1 in 2022) or a large issuance makes the per-share figures incomparable unless the earlier one was
    restated, which the bundle cannot tell."""
    formula = "(diluted EPS / prior diluted EPS - 1) * 100"
    if (
        no_base is None
        and shares
        and prior_shares
        and max(shares, prior_shares) / min(shares, prior_shares) > SPLIT_SUSPECT_RATIO
    ):
        return insufficient(
            "pct",
            formula,
            f"diluted shares {prior_shares:,.0f} in {base} and {shares:,.0f} now "
            "differ by more than 25% (a split?): per-share figures do not compare",
        ).model_copy(update={"base": base})
    return growth_pct(
        current=eps,
        prior=prior_eps,
        formula=formula,
        current_name="eps_diluted",
        prior_name="prior eps_diluted",
        base=base,
        no_base=no_base,
        show=show,
    )


def fcf_margin(*, fcf: float | None, revenue: float | None, show: Show = plain) -> Figure:
    """fcf_margin_pct = free_cash_flow / revenue * 100 (used by the cash-flow sub-score)."""
    return _margin(fcf, revenue, name="free_cash_flow", formula="free_cash_flow / revenue * 100", show=show)


def _to_net_income(cash: float | None, net_income: float | None, *, name: str, show: Show = plain) -> Figure:
    """cash / net_income; not meaningful when net income <= 0 (a loss flips the ratio's sign)."""
    return _quotient(
        (name, cash),
        ("net_income", net_income),
        unit="ratio",
        formula=f"{name} / net_income",
        denominator_label="net income is",
        show=show,
    )


def ocf_to_net_income(
    *, operating_cash_flow: float | None, net_income: float | None, show: Show = plain
) -> Figure:
    """ocf_to_net_income = operating_cash_flow / net_income; not meaningful when net income <= 0."""
    return _to_net_income(operating_cash_flow, net_income, name="operating_cash_flow", show=show)


def fcf_to_net_income(*, fcf: float | None, net_income: float | None, show: Show = plain) -> Figure:
    """fcf_to_net_income = free_cash_flow / net_income; not meaningful when net income <= 0."""
    return _to_net_income(fcf, net_income, name="free_cash_flow", show=show)


NetDebtBasis = Literal["cash_and_short_term_investments", "cash_only"]
NET_DEBT_BASIS_TEXT: dict[str, str] = {
    "cash_and_short_term_investments": "total debt minus cash, cash equivalents and short-term investments",
    "cash_only": "total debt minus cash and cash equivalents only (no short-term investments)",
}


def net_debt(
    *,
    total_debt: float | None,
    cash_and_short_term_investments: float | None = None,
    cash_and_equivalents: float | None = None,
    basis: NetDebtBasis = "cash_and_short_term_investments",
) -> Figure:
    """net_debt = total_debt - cash_and_short_term_investments (basis "cash_and_short_term_investments"), or
    total_debt - cash_and_equivalents (basis "cash_only"). One basis for every period of a report (the
    caller's choice, compute.net_debt_basis): a period without the basis's cash line is insufficient data,
    never computed on the other basis."""
    if basis == "cash_and_short_term_investments":
        formula = "total_debt - cash_and_short_term_investments"
        gap = _missing(
            "money",
            formula,
            total_debt=total_debt,
            cash_and_short_term_investments=cash_and_short_term_investments,
        )
        cash = cash_and_short_term_investments
    else:
        formula = "total_debt - cash_and_equivalents (cash only)"
        gap = _missing("money", formula, total_debt=total_debt, cash_and_equivalents=cash_and_equivalents)
        cash = cash_and_equivalents
    if gap:
        return gap.model_copy(update={"note": f"{gap.note} (net debt is {NET_DEBT_BASIS_TEXT[basis]} here)"})
    assert total_debt is not None and cash is not None
    return ok(total_debt - cash, "money", formula, note=NET_DEBT_BASIS_TEXT[basis])


def current_ratio(
    *, current_assets: float | None, current_liabilities: float | None, show: Show = plain
) -> Figure:
    """current_ratio = current_assets / current_liabilities; not meaningful if liabilities <= 0."""
    return _quotient(
        ("current_assets", current_assets),
        ("current_liabilities", current_liabilities),
        unit="ratio",
        formula="current_assets / current_liabilities",
        denominator_label="current liabilities are",
        show=show,
    )
