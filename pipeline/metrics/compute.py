"""`compute_metrics`: the one entry point later stages call. Bundle in, typed `Metrics` out, all in code."""

from __future__ import annotations

from pipeline.inputs.bundle import Bundle, Financials, Period
from pipeline.inputs.load import LoadedBundle
from pipeline.metrics import fundamentals as f
from pipeline.metrics import scoring
from pipeline.metrics.model import (
    Figure,
    Fundamentals,
    Metrics,
    PeriodMetrics,
    ScoreCard,
    Sentiments,
    Technicals,
)
from pipeline.metrics.technicals import summarize_technicals
from pipeline.metrics.valuation import price_target, valuation_figures


def _prior_fy(period: Period, fiscal_years: list[Period]) -> Period | None:
    """The newest fiscal year that ends before `period` ends (fiscal_years is newest first).

    For TTM this is the latest full year; for a fiscal year it is the year before.
    """
    return next((p for p in fiscal_years if p.end < period.end), None)


def period_figures(period: Period, prior: Period | None) -> dict[str, Figure]:
    """All fundamental figures of one period; `prior` supplies growth bases and the opening equity."""
    inc, bal, cf = period.income, period.balance, period.cash_flow
    p_inc = prior.income if prior else None
    p_bal = prior.balance if prior else None
    p_cf = prior.cash_flow if prior else None
    revenue = inc.revenue if inc else None
    net_income = inc.net_income if inc else None
    equity = bal.stockholders_equity if bal else None

    fcf = f.free_cash_flow(
        operating_cash_flow=cf.operating_cash_flow if cf else None,
        capital_expenditure=cf.capital_expenditure if cf else None,
        reported=cf.free_cash_flow if cf else None,
    )
    prior_fcf = (
        f.free_cash_flow(
            operating_cash_flow=p_cf.operating_cash_flow,
            capital_expenditure=p_cf.capital_expenditure,
            reported=p_cf.free_cash_flow,
        )
        if p_cf
        else None
    )
    return {
        "revenue_growth_pct": f.revenue_growth(
            revenue=revenue, prior_revenue=p_inc.revenue if p_inc else None
        ),
        "gross_margin_pct": f.gross_margin(
            revenue=revenue,
            gross_profit=inc.gross_profit if inc else None,
            cost_of_revenue=inc.cost_of_revenue if inc else None,
        ),
        "ebit_margin_pct": f.ebit_margin(
            operating_income=inc.operating_income if inc else None, revenue=revenue
        ),
        "ebitda_margin_pct": f.ebitda_margin(
            revenue=revenue,
            ebitda=inc.ebitda if inc else None,
            operating_income=inc.operating_income if inc else None,
            depreciation_amortization=inc.depreciation_amortization if inc else None,
        ),
        "net_margin_pct": f.net_margin(net_income=net_income, revenue=revenue),
        "roe_pct": f.roe_average_equity(
            net_income=net_income, equity=equity, prior_equity=p_bal.stockholders_equity if p_bal else None
        ),
        "roe_ending_equity_pct": f.roe_ending_equity(net_income=net_income, equity=equity),
        "debt_to_equity": f.debt_to_equity(total_debt=bal.total_debt if bal else None, equity=equity),
        "equity_ratio_pct": f.equity_ratio(equity=equity, total_assets=bal.total_assets if bal else None),
        "free_cash_flow": fcf,
        "fcf_growth_pct": f.fcf_growth(fcf=fcf.value, prior_fcf=prior_fcf.value if prior_fcf else None),
        "fcf_margin_pct": f.fcf_margin(fcf=fcf.value, revenue=revenue),
        "ocf_to_net_income": f.ocf_to_net_income(
            operating_cash_flow=cf.operating_cash_flow if cf else None, net_income=net_income
        ),
        "fcf_to_net_income": f.fcf_to_net_income(fcf=fcf.value, net_income=net_income),
        "net_debt": f.net_debt(
            total_debt=bal.total_debt if bal else None,
            cash_and_short_term_investments=bal.cash_and_short_term_investments if bal else None,
            cash_and_equivalents=bal.cash_and_equivalents if bal else None,
        ),
        "current_ratio": f.current_ratio(
            current_assets=bal.current_assets if bal else None,
            current_liabilities=bal.current_liabilities if bal else None,
        ),
    }


def compute_fundamentals(financials: Financials) -> Fundamentals:
    """Figures for TTM (vs the latest fiscal year before its end) and each fiscal year (vs the one before)."""
    years = financials.fiscal_years()
    ttm = financials.ttm()
    ordered = ([ttm] if ttm else []) + years
    periods = [
        PeriodMetrics(label=p.label, kind=p.kind, end=p.end, figures=period_figures(p, _prior_fy(p, years)))
        for p in ordered
    ]
    return Fundamentals(
        currency=financials.currency,
        scale=financials.scale.value,
        roe_basis="average_equity",
        periods=periods,
    )


def _score_card(bundle: Bundle, fundamentals: Fundamentals | None, technicals: Technicals,
                valuation: dict[str, Figure], sentiments: Sentiments) -> ScoreCard:
    head = fundamentals.headline if fundamentals else None
    figures = head.figures if head else {}
    headline_period = (
        (bundle.financials.ttm() or bundle.financials.fiscal_years()[0]) if bundle.financials else None
    )
    net_income = headline_period.income.net_income if headline_period and headline_period.income else None
    return scoring.score_card(
        [
            scoring.income_statement_score(figures),
            scoring.balance_sheet_score(figures),
            scoring.cash_flow_score(figures, net_income=net_income),
            scoring.technicals_score(technicals.readings),
            scoring.valuation_score(valuation),
            scoring.sentiment_score("earnings_call", sentiments.earnings_call),
            scoring.sentiment_score("corporate_events", sentiments.corporate_events),
        ]
    )


def rescore(metrics: Metrics, loaded: LoadedBundle, sentiments: Sentiments) -> Metrics:
    """The same metrics with the score card recomputed for new sentiment labels (nothing else changes)."""
    card = _score_card(loaded.bundle, metrics.fundamentals, metrics.technicals, metrics.valuation, sentiments)
    return metrics.model_copy(update={"score": card})


def compute_metrics(loaded: LoadedBundle, sentiments: Sentiments | None = None) -> Metrics:
    """Every computed figure of a bundle: fundamentals, technicals, valuation, score card, price target."""
    bundle = loaded.bundle
    sentiments = sentiments or Sentiments()
    fundamentals = compute_fundamentals(bundle.financials) if bundle.financials else None
    technicals = summarize_technicals(
        loaded.prices,
        loaded.benchmark,
        bundle.technical_snapshot,
        bundle.benchmark.name if bundle.benchmark else None,
    )
    valuation = valuation_figures(bundle, technicals.last_price)

    card = _score_card(bundle, fundamentals, technicals, valuation, sentiments)
    missing = bundle.missing_parts()
    if loaded.prices is None:
        missing.append("prices")
    return Metrics(
        ticker=bundle.profile.ticker,
        as_of=bundle.as_of,
        price_currency=bundle.profile.currency,
        fundamentals=fundamentals,
        technicals=technicals,
        valuation=valuation,
        score=card,
        price_target=price_target(bundle, technicals.last_price),
        missing=missing,
    )
