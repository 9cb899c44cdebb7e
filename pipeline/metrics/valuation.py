"""Valuation figures (P/E, dividend yield, market cap) and the analyst price target with its upside.

Market figures are in the share-price currency (`profile.currency`), in units. A figure that would mix
two currencies (EPS reported in CNY against an HKD price) is `insufficient_data`: the bundle has no FX rate.
An input that is present but unusable (stale prices, stale statements, market data older than its limit)
counts as missing, and the figure's note says why, input by input.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

from pipeline.inputs.bundle import Bundle, Period
from pipeline.metrics.figures import insufficient, not_meaningful, ok
from pipeline.metrics.types import Figure, PriceTarget
from pipeline.money import format_money

Why = Mapping[str, str]  # missing input's readable name -> why it is missing (when there is more to say)


def _missing_note(absent: list[str], why: Why | None) -> str:
    """'missing last price (stale: ...), diluted EPS'."""
    why = why or {}
    return "missing " + ", ".join(f"{n} ({why[n]})" if n in why else n for n in absent)


def pe_ratio(
    *,
    reported_pe: float | None = None,
    last_price: float | None = None,
    eps_diluted: float | None = None,
    same_currency: bool = True,
    currency: str | None = None,
    why: Why | None = None,
) -> Figure:
    """pe_ratio = the bundle's `market.pe_ratio` if given, else last price / latest diluted EPS.

    Not meaningful when earnings are negative or zero (a negative P/E ranks nothing).
    """
    if reported_pe is not None:
        formula = "market.pe_ratio as reported"
        if reported_pe <= 0:
            return not_meaningful(
                "ratio", formula, f"reported P/E is {reported_pe:,.2f}: earnings are negative"
            )
        return ok(reported_pe, "ratio", formula)
    formula = "last price / diluted EPS of the headline period (TTM, else newest FY)"
    if last_price is None or eps_diluted is None:
        absent = [n for n, v in (("last price", last_price), ("diluted EPS", eps_diluted)) if v is None]
        return insufficient("ratio", formula, _missing_note(absent, why))
    if not same_currency:
        return insufficient(
            "ratio", formula, "EPS and price are in different currencies (no FX rate in bundle)"
        )
    if eps_diluted <= 0:
        eps = format_money(eps_diluted, currency) if currency else f"{eps_diluted:,.2f}"
        return not_meaningful("ratio", formula, f"diluted EPS is {eps}: earnings are not positive")
    return ok(last_price / eps_diluted, "ratio", formula)


def dividend_yield(
    *,
    reported_pct: float | None = None,
    dividends_paid: float | None = None,
    market_cap: float | None = None,
    same_currency: bool = True,
    why: Why | None = None,
) -> Figure:
    """dividend_yield_pct = `market.dividend_yield_pct` if given, else dividends paid (TTM/latest FY, in
    units) / market cap * 100."""
    if reported_pct is not None:
        return ok(reported_pct, "pct", "market.dividend_yield_pct as reported")
    formula = "dividends_paid / market_cap * 100"
    if dividends_paid is None or market_cap is None:
        absent = [n for n, v in (("dividends paid", dividends_paid), ("market cap", market_cap)) if v is None]
        return insufficient("pct", formula, _missing_note(absent, why))
    if not same_currency:
        return insufficient("pct", formula, "dividends and price are in different currencies (no FX rate)")
    if market_cap <= 0:
        return not_meaningful("pct", formula, "market cap is zero")
    return ok(dividends_paid / market_cap * 100.0, "pct", formula)


def market_cap(
    *,
    reported: float | None = None,
    shares_outstanding: float | None = None,
    last_price: float | None = None,
    shares_diluted: float | None = None,
    why: Why | None = None,
) -> Figure:
    """market_cap = `market.market_cap` if given, else shares outstanding * last price, else diluted
    weighted-average shares of the headline period * last price (approximate; price currency, units)."""
    if reported is not None:
        return ok(reported, "money", "market.market_cap as reported (price currency, units)")
    if shares_outstanding is None and shares_diluted is not None and last_price is not None:
        return ok(
            shares_diluted * last_price,
            "money",
            "shares_diluted * last price (price currency, units)",
            note="approximate: weighted-average diluted shares of the headline period",
        )
    formula = "shares_outstanding * last price (price currency, units)"
    if shares_outstanding is None or last_price is None:
        absent = [
            n
            for n, v in (("shares outstanding", shares_outstanding), ("last price", last_price))
            if v is None
        ]
        return insufficient("money", formula, _missing_note(absent, why))
    return ok(shares_outstanding * last_price, "money", formula)


def _latest(bundle: Bundle) -> list[Period]:
    """TTM first, then fiscal years newest first."""
    if bundle.financials is None:
        return []
    ttm = bundle.financials.ttm()
    return ([ttm] if ttm else []) + bundle.financials.fiscal_years()


def valuation_figures(
    bundle: Bundle,
    last_price: float | None,
    *,
    price_note: str | None = None,
    market_stale: str | None = None,
    statements_stale: str | None = None,
    share_problem: str | None = None,
) -> dict[str, Figure]:
    """The `Metrics.valuation` dict: pe_ratio, dividend_yield_pct, market_cap.

    `price_note` says why there is no last price (stale prices); `market_stale` why the bundle's reported
    market figures are not used (dated too long before as_of), so they are computed or missing instead;
    `statements_stale` why the statements' EPS, dividends and share count are not used (stale statements);
    `share_problem` why per-share figures and the price cannot be put on one share basis, so figures computed
    from both are insufficient data (reported ones are kept: a source's P/E is on its own basis)."""
    market = None if market_stale else bundle.market
    fin = bundle.financials
    same_currency = fin is None or fin.currency == bundle.profile.currency
    # Only the headline period (TTM, else the newest fiscal year): an older EPS would price stale earnings.
    head = [] if statements_stale else _latest(bundle)[:1]
    eps = next((p.income.eps_diluted for p in head if p.income), None)
    dividends = next((p.cash_flow.dividends_paid for p in head if p.cash_flow), None)
    shares = next((p.income.shares_diluted for p in head if p.income), None)
    if dividends is not None and fin is not None:
        dividends *= fin.scale.factor
    why: dict[str, str] = {}
    if price_note:
        why["last price"] = price_note
    if statements_stale and fin is not None:
        for name in ("diluted EPS", "dividends paid"):
            why[name] = statements_stale
    if market_stale and bundle.market is not None:
        why["shares outstanding"] = f"market data {market_stale.removeprefix('stale: market data ')}: stale"
    cap = market_cap(
        reported=market.market_cap if market else None,
        shares_outstanding=market.shares_outstanding if market else None,
        last_price=last_price,
        shares_diluted=shares,
        why=why,
    )
    cap_why = {**why, "market cap": "see market cap"} if cap.status != "ok" else why
    figures = {
        "pe_ratio": pe_ratio(
            reported_pe=market.pe_ratio if market else None,
            last_price=last_price,
            eps_diluted=eps,
            same_currency=same_currency,
            currency=fin.currency if fin else None,
            why=why,
        ),
        "dividend_yield_pct": dividend_yield(
            reported_pct=market.dividend_yield_pct if market else None,
            dividends_paid=dividends,
            market_cap=cap.value,
            same_currency=same_currency,
            why=cap_why,
        ),
        "market_cap": cap,
    }
    if share_problem is not None:
        cap_reported = "as reported" in cap.formula
        per_share = {"pe_ratio", "market_cap"} | (set() if cap_reported else {"dividend_yield_pct"})
        figures = {
            k: insufficient(v.unit, v.formula, share_problem)
            if k in per_share and v.status != "insufficient_data" and "as reported" not in v.formula
            else v
            for k, v in figures.items()
        }
    return figures


def upside_pct(*, target: float, last_price: float | None) -> float | None:
    """upside_pct = (target / last price - 1) * 100; None without a positive last price."""
    if last_price is None or last_price <= 0:
        return None
    value = (target / last_price - 1.0) * 100.0
    return value if math.isfinite(value) else None


def price_target(
    bundle: Bundle, last_price: float | None, *, stale: bool = False, as_of: dt.date | None = None
) -> PriceTarget | None:
    """The consensus price target and its upside over the last price; None without a consensus target.

    The upside is None when the target's currency differs from the share price's (no FX rate), without a
    current price (none, or stale: the caller passes None), or when the consensus itself is stale (older than
    its limit: a target that old says nothing about the price today).
    """
    consensus = bundle.consensus
    if consensus is None or consensus.price_target is None:
        return None
    currency = consensus.currency or bundle.profile.currency
    same = currency == bundle.profile.currency
    return PriceTarget(
        target=consensus.price_target,
        currency=currency,
        last_price=last_price,
        upside_pct=upside_pct(target=consensus.price_target, last_price=last_price)
        if same and not stale
        else None,
        rating=consensus.rating,
        source=consensus.source,
        as_of=consensus.as_of,
        stale=stale,
    )
