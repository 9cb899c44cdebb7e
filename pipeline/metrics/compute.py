"""`compute_metrics`: the one entry point later stages call. Bundle in, typed `Metrics` out, all in code."""

from __future__ import annotations

import dataclasses

import pandas as pd

from pipeline.inputs.bundle import Bundle, Financials, Period, split_words
from pipeline.inputs.loaded import LoadedBundle
from pipeline.metrics import fundamentals as f
from pipeline.metrics import scoring
from pipeline.metrics.figures import insufficient
from pipeline.metrics.freshness import age_of, part_ages
from pipeline.metrics.names import readable
from pipeline.metrics.peers import peer_comparison
from pipeline.metrics.share_basis import resolve_share_basis
from pipeline.metrics.technicals_summary import summarize_technicals
from pipeline.metrics.types import (
    Figure,
    Fundamentals,
    Metrics,
    PartAge,
    PeriodMetrics,
    ScoreCard,
    Sentiments,
    ShareBasisInfo,
    Technicals,
)
from pipeline.metrics.valuation import price_target, valuation_figures
from pipeline.money import format_money

LIKE_FOR_LIKE_SLACK_DAYS = 14  # 52/53-week years end up to a week apart; a quarter is never this close


def period_name(period: Period) -> str:
    """How the report names a period: 'FY2022', or 'TTM to Sep 2022' for any trailing twelve months."""
    return f"TTM to {period.end:%b %Y}" if period.kind == "TTM" else period.label


def like_for_like_base(period: Period, financials: Financials) -> Period | None:
    """The period of the same kind ending a year before `period` (TTM with the TTM a year earlier, FY with the
    prior FY), within LIKE_FOR_LIKE_SLACK_DAYS; None when the bundle has none. Never a TTM with a fiscal year:
    they share months, so the change would not be a year's growth."""
    target = (pd.Timestamp(period.end) - pd.DateOffset(years=1)).date()
    near = [
        p
        for p in financials.periods
        if p.kind == period.kind
        and p is not period
        and abs((p.end - target).days) <= LIKE_FOR_LIKE_SLACK_DAYS
    ]
    return min(near, key=lambda p: abs((p.end - target).days)) if near else None


def _no_base_reason(period: Period, financials: Financials) -> str:
    kind = "TTM" if period.kind == "TTM" else "fiscal-year"
    reason = f"no {kind} period ending a year before {period_name(period)} in the bundle"
    overlapping = next((p for p in financials.fiscal_years() if p.end < period.end), None)
    if period.kind == "TTM" and overlapping is not None:
        reason += f" (comparing with {overlapping.label} would mix overlapping periods)"
    return reason


def _through(name: str, source: Figure | None, result: Figure) -> Figure:
    """A figure computed from another (FCF margin from FCF): when that input is missing, say why it is."""
    if source is None or source.status == "ok" or result.status != "insufficient_data":
        return result
    return result.model_copy(update={"note": f"{name}: {source.note}"})


def net_debt_basis(financials: Financials) -> f.NetDebtBasis:
    """The one net-debt basis of a report: cash with short-term investments when the headline period (TTM,
    else the newest fiscal year) reports them, else cash only, for every period alike."""
    years = financials.fiscal_years()
    head = financials.ttm() or (years[0] if years else None)
    has = (
        head is not None
        and head.balance is not None
        and head.balance.cash_and_short_term_investments is not None
    )
    return "cash_and_short_term_investments" if has else "cash_only"


def period_figures(
    period: Period,
    prior: Period | None,
    no_base: str | None = None,
    *,
    debt_basis: f.NetDebtBasis = "cash_and_short_term_investments",
    money: f.Show = f.plain,
    per_share: f.Show = f.plain,
) -> dict[str, Figure]:
    """All fundamental figures of one period; `prior` is its like-for-like base a year earlier (growth and the
    opening equity), or None with `no_base` saying why there is none; `debt_basis` is the report's one basis
    of net debt; `money` and `per_share` write amounts in reasons (the statement currency and scale)."""
    inc, bal, cf = period.income, period.balance, period.cash_flow
    p_inc = prior.income if prior else None
    p_bal = prior.balance if prior else None
    p_cf = prior.cash_flow if prior else None
    base = period_name(prior) if prior else None
    if prior is None and no_base is None:
        no_base = "no period a year earlier in the bundle"
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
    ebitda = f.ebitda(
        reported=inc.ebitda if inc else None,
        operating_income=inc.operating_income if inc else None,
        depreciation_amortization=inc.depreciation_amortization if inc else None,
    )
    return {
        "revenue_growth_pct": f.revenue_growth(
            revenue=revenue,
            prior_revenue=p_inc.revenue if p_inc else None,
            base=base,
            no_base=no_base,
            show=money,
        ),
        "eps_growth_pct": f.eps_growth(
            eps=inc.eps_diluted if inc else None,
            prior_eps=p_inc.eps_diluted if p_inc else None,
            shares=inc.shares_diluted if inc else None,
            prior_shares=p_inc.shares_diluted if p_inc else None,
            base=base,
            no_base=no_base,
            show=per_share,
        ),
        "gross_margin_pct": f.gross_margin(
            revenue=revenue,
            gross_profit=inc.gross_profit if inc else None,
            cost_of_revenue=inc.cost_of_revenue if inc else None,
            show=money,
        ),
        "ebit_margin_pct": f.ebit_margin(
            operating_income=inc.operating_income if inc else None, revenue=revenue, show=money
        ),
        "ebitda": ebitda,
        "ebitda_margin_pct": _through(
            "EBITDA", ebitda, f.ebitda_margin(revenue=revenue, ebitda=ebitda.value, show=money)
        ),
        "net_margin_pct": f.net_margin(net_income=net_income, revenue=revenue, show=money),
        "roe_pct": f.roe_average_equity(
            net_income=net_income,
            equity=equity,
            prior_equity=p_bal.stockholders_equity if p_bal else None,
            base=base,
            no_base=no_base,
            show=money,
        ),
        "roe_ending_equity_pct": f.roe_ending_equity(net_income=net_income, equity=equity, show=money),
        "debt_to_equity": f.debt_to_equity(
            total_debt=bal.total_debt if bal else None, equity=equity, show=money
        ),
        "equity_ratio_pct": f.equity_ratio(
            equity=equity, total_assets=bal.total_assets if bal else None, show=money
        ),
        "free_cash_flow": fcf,
        "fcf_growth_pct": f.fcf_growth(fcf=None, prior_fcf=None, no_base=no_base)
        if no_base
        else _through(
            "free cash flow",
            fcf,
            _through(
                "prior free cash flow",
                prior_fcf,
                f.fcf_growth(
                    fcf=fcf.value, prior_fcf=prior_fcf.value if prior_fcf else None, base=base, show=money
                ),
            ),
        ),
        "fcf_margin_pct": _through(
            "free cash flow", fcf, f.fcf_margin(fcf=fcf.value, revenue=revenue, show=money)
        ),
        "ocf_to_net_income": f.ocf_to_net_income(
            operating_cash_flow=cf.operating_cash_flow if cf else None, net_income=net_income, show=money
        ),
        "fcf_to_net_income": _through(
            "free cash flow", fcf, f.fcf_to_net_income(fcf=fcf.value, net_income=net_income, show=money)
        ),
        "net_debt": f.net_debt(
            total_debt=bal.total_debt if bal else None,
            cash_and_short_term_investments=bal.cash_and_short_term_investments if bal else None,
            cash_and_equivalents=bal.cash_and_equivalents if bal else None,
            basis=debt_basis,
        ),
        "current_ratio": f.current_ratio(
            current_assets=bal.current_assets if bal else None,
            current_liabilities=bal.current_liabilities if bal else None,
            show=money,
        ),
    }


def compute_fundamentals(financials: Financials, restated: dict[str, str] | None = None) -> Fundamentals:
    """Figures for the headline TTM and each fiscal year, each against its like-for-like base a year earlier.
    Earlier TTM periods are bases only; they get no column of their own. `restated` names, per period label,
    how its per-share lines were put on the as_of share basis (share_basis.py)."""
    ttm = financials.ttm()
    ordered = ([ttm] if ttm else []) + financials.fiscal_years()
    debt_basis = net_debt_basis(financials)

    def money(value: float) -> str:
        return format_money(value, financials.currency, scale=financials.scale.value) or str(value)

    def per_share(value: float) -> str:
        return format_money(value, financials.currency) or str(value)

    periods = []
    for p in ordered:
        base = like_for_like_base(p, financials)
        no_base = None if base else _no_base_reason(p, financials)
        periods.append(
            PeriodMetrics(
                label=p.label,
                kind=p.kind,
                end=p.end,
                base=period_name(base) if base else None,
                figures={
                    **period_figures(
                        p, base, no_base, debt_basis=debt_basis, money=money, per_share=per_share
                    ),
                    **_eps(p, (restated or {}).get(p.label)),
                },
            )
        )
    return Fundamentals(
        currency=financials.currency,
        scale=financials.scale.value,
        roe_basis="average_equity",
        net_debt_basis=debt_basis,
        periods=periods,
    )


def _eps(period: Period, restated: str | None) -> dict[str, Figure]:
    """Diluted EPS of the period on the as_of share basis (statement currency per share)."""
    eps = period.income.eps_diluted if period.income else None
    formula = "diluted EPS as reported, on the share basis of as_of"
    if eps is None:
        return {"eps_diluted": insufficient("per_share", formula, "missing diluted EPS")}
    return {"eps_diluted": Figure(value=eps, unit="per_share", formula=formula, note=restated)}


def _sentiment_missing(bundle: Bundle, key: str) -> str:
    if key == "earnings_call":
        return (
            "no earnings call in the bundle" if bundle.earnings_call is None else "call not read (no label)"
        )
    return "no corporate events in the bundle" if not bundle.events else "events not read (no label)"


def _stale_reason(ages: list[PartAge], part: str) -> str | None:
    """'stale: statements: newest period TTM ends 2025-09-30, 850 days before the analysis date (limit 480
    days)' when the part is older than its limit (freshness.py), else None."""
    age = age_of(ages, part)
    if age is None or not age.stale:
        return None
    return f"stale: {age.text.removesuffix(' (stale)')} (limit {age.limit})"


def _stale_short(ages: list[PartAge], part: str) -> str | None:
    """'stale: statements of 2025-09-30' (inside another reason), or None when the part is not stale."""
    age = age_of(ages, part)
    if age is None or not age.stale:
        return None
    return f"stale: {readable(part)} of {age.date.isoformat()}, limit {age.limit}"


def _stale_technicals(technicals: Technicals, ages: list[PartAge]) -> str | None:
    if technicals.origin == "none":
        return None
    return _stale_reason(ages, "prices" if technicals.origin == "computed" else "technical_snapshot")


def _score_card(
    bundle: Bundle,
    fundamentals: Fundamentals | None,
    technicals: Technicals,
    valuation: dict[str, Figure],
    sentiments: Sentiments,
    ages: list[PartAge],
) -> ScoreCard:
    """Every sub-score; a part whose data is older than its limit is not scored (docs/metrics.md, Staleness)."""
    head = fundamentals.headline if fundamentals else None
    figures = head.figures if head else {}
    headline_period = (
        (bundle.financials.ttm() or bundle.financials.fiscal_years()[0]) if bundle.financials else None
    )
    net_income = headline_period.income.net_income if headline_period and headline_period.income else None
    fundamental = [
        scoring.income_statement_score(figures),
        scoring.balance_sheet_score(figures),
        scoring.cash_flow_score(figures, net_income=net_income),
    ]
    statements_stale = _stale_reason(ages, "statements")
    if fundamentals is None:
        fundamental = [scoring.absent(s.key, "no financial statements in the bundle") for s in fundamental]
    elif statements_stale:
        fundamental = [scoring.stale(s.key, statements_stale) for s in fundamental]
    return scoring.score_card(
        [
            *fundamental,
            scoring.technicals_score(technicals.readings, _stale_technicals(technicals, ages)),
            scoring.valuation_score(valuation),
            scoring.sentiment_score(
                "earnings_call",
                sentiments.earnings_call,
                _sentiment_missing(bundle, "earnings_call"),
                _stale_reason(ages, "earnings_call"),
            ),
            scoring.sentiment_score(
                "corporate_events",
                sentiments.corporate_events,
                _sentiment_missing(bundle, "corporate_events"),
                _stale_reason(ages, "events"),
            ),
        ]
    )


def rescore(metrics: Metrics, loaded: LoadedBundle, sentiments: Sentiments) -> Metrics:
    """The same metrics with the score card recomputed for new sentiment labels (nothing else changes)."""
    card = _score_card(
        loaded.bundle, metrics.fundamentals, metrics.technicals, metrics.valuation, sentiments, metrics.ages
    )
    return metrics.model_copy(update={"score": card})


def compute_metrics(
    loaded: LoadedBundle, sentiments: Sentiments | None = None, *, with_peers: bool = True
) -> Metrics:
    """Every computed figure of a bundle: fundamentals, technicals, valuation, score card, price target, and
    (with `with_peers`) the peer comparison, each peer computed from its own bundle where there is one."""
    sentiments = sentiments or Sentiments()
    ages = part_ages(loaded)
    # one share basis (as_of's) for per-share lines, share counts, targets and prices; ages use the files
    basis = resolve_share_basis(loaded.bundle, loaded.prices, loaded.benchmark)
    loaded = dataclasses.replace(loaded, bundle=basis.bundle, prices=basis.prices, benchmark=basis.benchmark)
    bundle = loaded.bundle
    fundamentals = (
        compute_fundamentals(bundle.financials, restated=_restated_labels(basis.info))
        if bundle.financials
        else None
    )
    technicals = summarize_technicals(
        loaded.prices,
        loaded.benchmark,
        bundle.technical_snapshot,
        bundle.benchmark.name if bundle.benchmark else None,
    )
    stale = _stale_technicals(technicals, ages)
    technicals = technicals.model_copy(
        update={
            "stale": stale is not None,
            "since": basis.info.price_from if loaded.prices is not None else None,
        }
    )
    valuation = valuation_figures(
        bundle,
        None if stale else technicals.last_price,
        price_note=_stale_short(ages, "prices" if technicals.origin == "computed" else "technical_snapshot")
        if stale
        else None,
        market_stale=_stale_short(ages, "market"),
        statements_stale=_stale_short(ages, "statements"),
        share_problem=basis.info.problem,
    )

    card = _score_card(bundle, fundamentals, technicals, valuation, sentiments, ages)
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
        price_target=price_target(
            bundle,
            None if stale else technicals.last_price,
            stale=_stale_reason(ages, "consensus") is not None,
        ),
        missing=missing,
        ages=ages,
        peers=peer_comparison(loaded, _without_peers) if with_peers else None,
        share_basis=basis.info if (basis.info.splits or basis.info.notes or basis.info.problem) else None,
    )


def _restated_labels(info: ShareBasisInfo) -> dict[str, str]:
    """Period label -> how its per-share lines were restated (for the EPS figure's note)."""
    out: dict[str, list[str]] = {}
    for r in info.restated:
        label = r.part.split(" diluted EPS", 1)[0]
        if " diluted EPS" in r.part:
            out.setdefault(label, []).append(f"{split_words(r.ratio)} split of {r.date.isoformat()}")
    return {k: "restated for the " + " and ".join(v) + " to the share basis of as_of" for k, v in out.items()}


def _without_peers(loaded: LoadedBundle, sentiments: Sentiments) -> Metrics:
    """A peer's own metrics: computed like any bundle's, without peers of its own."""
    return compute_metrics(loaded, sentiments, with_peers=False)
