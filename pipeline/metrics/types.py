"""Typed output of the metrics stage: the contract that prompts, checks, report and render read.

Every number here is computed in code (or, for a `provided` technical snapshot, copied from the source and
marked so). Field names and dict keys are stable: `stockreport metrics --json` prints `Metrics` as-is, and
docs/metrics.md documents each key.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Reading = Literal["Positive", "Negative", "Neutral"]
Label = Literal["Outperform", "Neutral", "Underperform"]
INSUFFICIENT_LABEL: Literal["Insufficient data"] = "Insufficient data"
# The overall label: below the minimum coverage the score is provisional and labelled "Insufficient data".
OverallLabel = Literal["Outperform", "Neutral", "Underperform", "Insufficient data"]
Status = Literal["ok", "not_meaningful", "insufficient_data"]
Unit = Literal["pct", "ratio", "money", "price", "count", "per_share"]


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Figure(Frozen):
    """One computed number, how it was computed, and why it is missing when it is.

    `value` is None unless `status == "ok"`. Percentages are in percent (-10.78, not -0.1078); money is in
    the statement currency and scale of `Fundamentals`.
    """

    value: float | None
    status: Status = "ok"
    unit: Unit = Field(
        description="pct: percent; ratio; money: statement currency and scale; price: share-price currency, "
        "units; count; per_share: statement currency per share, units (EPS)."
    )
    formula: str
    note: str | None = None
    base: str | None = Field(
        default=None,
        description="For a change or an average over two periods: the "
        "earlier period compared with, e.g. 'FY2021' or 'TTM Sep 2016'.",
    )


class PeriodMetrics(Frozen):
    label: str
    kind: Literal["TTM", "FY"]
    end: dt.date
    base: str | None = Field(
        default=None,
        description="The like-for-like period a year earlier that growth "
        "compares with (TTM with the TTM a year before, FY with the prior FY), if any.",
    )
    # Keys: revenue_growth_pct, eps_growth_pct, gross_margin_pct, ebit_margin_pct, ebitda, ebitda_margin_pct,
    # net_margin_pct,
    # roe_pct, roe_ending_equity_pct, debt_to_equity, equity_ratio_pct, free_cash_flow, fcf_growth_pct,
    # fcf_margin_pct, ocf_to_net_income, fcf_to_net_income, net_debt, current_ratio.
    figures: dict[str, Figure]


class Fundamentals(Frozen):
    currency: str
    scale: Literal["units", "thousands", "millions", "billions"]
    roe_basis: Literal["average_equity", "ending_equity"] = Field(
        description="Which equity `roe_pct` divides by; the other is in `roe_ending_equity_pct`."
    )
    net_debt_basis: Literal["cash_and_short_term_investments", "cash_only"] = Field(
        default="cash_and_short_term_investments",
        description="What `net_debt` subtracts from total debt, the same in every period: cash with "
        "short-term investments, or cash and equivalents only (when the headline period reports no "
        "short-term investments).",
    )
    periods: list[PeriodMetrics] = Field(
        description="TTM first (when present), then fiscal years newest first."
    )

    @property
    def headline(self) -> PeriodMetrics | None:
        return self.periods[0] if self.periods else None


class IndicatorReading(Frozen):
    key: str = Field(description="price_vs_sma_20|50|100|200, macd, rsi_14, stoch")
    name: str = Field(description="Display name: 20DMA, 50DMA, 100DMA, 200DMA, MACD, RSI, STOCH.")
    value: float | None
    reading: Reading | None = Field(description="None when the data is insufficient.")
    detail: str


class PerformanceRow(Frozen):
    window: Literal["1M", "3M", "6M", "YTD", "1Y"]
    stock_pct: float | None
    benchmark_pct: float | None
    relative_pct: float | None = Field(
        description="stock_pct - benchmark_pct in percentage points, of the two rounded to 2 decimals as shown "
        "(so the page's columns add up)."
    )


class ChartSeries(Frozen):
    """Daily series for the price-vs-benchmark chart (last year at most), aligned on `dates`."""

    dates: list[dt.date]
    close: list[float]
    sma_50: list[float | None]
    sma_200: list[float | None]
    benchmark_rebased: list[float | None] = Field(
        description="Benchmark close rebased to the stock's first close."
    )


class Technicals(Frozen):
    origin: Literal["computed", "provided", "none"] = Field(
        description="computed from prices.csv, provided by the bundle's technical snapshot, or none."
    )
    as_of: dt.date | None = Field(default=None, description="The last price day the values are computed on.")
    stale: bool = Field(
        default=False,
        description="The price data ends too long before the bundle's as_of "
        "(docs/metrics.md, Staleness): values are labelled with their own date, never as current.",
    )
    last_price: float | None = None
    since: dt.date | None = Field(
        default=None,
        description="Indicators and returns use only prices from this day on: an unexplained split-sized "
        "move that day (docs/metrics.md, Share basis).",
    )
    # Keys: sma_20, sma_50, sma_100, sma_200, ema_20, ema_50, macd, macd_signal, macd_hist, rsi_14,
    # stoch_k, stoch_d, high_52w, low_52w, volatility_pct (annualised, percent).
    values: dict[str, float | None] = Field(default_factory=dict)
    readings: list[IndicatorReading] = Field(default_factory=list)
    sentiment: Reading | None = None
    benchmark_name: str | None = None
    performance: list[PerformanceRow] = Field(default_factory=list)
    chart: ChartSeries | None = None


class SubScore(Frozen):
    key: Literal[
        "income_statement",
        "balance_sheet",
        "cash_flow",
        "technicals",
        "valuation",
        "earnings_call",
        "corporate_events",
    ]
    title: str
    score: int | None = Field(
        description="0-100; None when the inputs are insufficient (weight then redistributed)."
    )
    label: Label | None
    weight: float
    basis: str = Field(description="The inputs and arithmetic behind the score, in one line.")
    inputs_used: float = Field(
        default=0.0, description="Weight of the inputs that had a value (docs/metrics.md, Input coverage)."
    )
    inputs_total: float = Field(default=0.0, description="Weight of all the sub-score's inputs.")
    input_coverage_pct: float = Field(
        default=100.0,
        description="inputs_used / inputs_total in percent; below the minimum the sub-score is not scored "
        "(0 when not scored).",
    )
    stale: str | None = Field(
        default=None, description="Why the sub-score's data is stale (then not scored)."
    )


class MissingPart(Frozen):
    key: str
    title: str
    reason: str


class ModelInfluence(Frozen):
    """How far the model-read sentiment labels moved the overall score (docs/metrics.md, Model-read parts)."""

    parts: list[str] = Field(description="The sub-scores whose label a model read (earnings call, events).")
    without: int | None = Field(
        description="Overall from the other sub-scores alone (their weight redistributed)."
    )
    neutral: int = Field(description="Overall with the model-read parts counted as Neutral.")
    shift: int = Field(description="overall - neutral: what the model's labels did to the score.")
    bound: float = Field(
        description="The most the labels can move the overall from `neutral`, in points "
        "(before rounding): 20 x their nominal weight / the nominal weight present."
    )
    bound_points: int = Field(description="The same on the rounded scores shown: ceil(bound).")
    model_share_pct: float = Field(
        default=0.0,
        description="The model-read parts' share of the weight scored, in percent: 100 when nothing else "
        "could be scored (a call-only bundle), so the overall is the model's label alone (30, 50 or 70).",
    )
    label_changed: bool = Field(description="The label differs from the label at `neutral`: model-driven.")


class ScoreCard(Frozen):
    overall: int
    label: OverallLabel
    provisional: bool = Field(
        default=False,
        description="Coverage below the minimum: the number is shown as "
        "provisional and the label is 'Insufficient data'.",
    )
    coverage_pct: float = Field(
        default=100.0,
        description="Share of the nominal weight the present sub-scores carry, each times its own input "
        "coverage, in percent (docs/metrics.md, Coverage).",
    )
    missing_parts: list[MissingPart] = Field(default_factory=list)
    model_influence: ModelInfluence | None = None
    subscores: list[SubScore]


class SplitApplied(Frozen):
    """A split and what it restated (or, in `ShareBasisInfo.splits`, where it is recorded)."""

    date: dt.date
    ratio: float = Field(description="New shares per old share.")
    part: str = Field(description="What was restated, e.g. 'FY2022 diluted EPS and shares'; or the source.")


class ShareBasisInfo(Frozen):
    """Per-share figures and prices on one share basis (docs/metrics.md, Share basis)."""

    as_of: dt.date = Field(description="Every per-share figure and price is on the share basis of this day.")
    splits: list[SplitApplied] = Field(default_factory=list, description="The splits known, oldest first.")
    restated: list[SplitApplied] = Field(default_factory=list, description="What each split restated.")
    price_from: dt.date | None = Field(
        default=None,
        description="An unexplained split-sized move in the prices: indicators use prices from this day on.",
    )
    notes: list[str] = Field(default_factory=list, description="One line per restatement or doubt.")
    problem: str | None = Field(
        default=None,
        description="Why P/E, market cap and dividend yield cannot be put on one basis (then insufficient).",
    )


class PriceTarget(Frozen):
    target: float
    currency: str
    last_price: float | None
    upside_pct: float | None
    rating: str
    source: str | None = None
    as_of: dt.date | None = Field(
        default=None, description="The consensus date; None: the bundle gives none."
    )
    stale: bool = Field(
        default=False, description="The consensus is older than its limit: shown with its date, no upside."
    )


class Sentiments(Frozen):
    """Labels the model step gives; the score arithmetic consumes them but never free text."""

    earnings_call: Reading | None = None
    corporate_events: Reading | None = None


class PartAge(Frozen):
    """How old one part of the bundle is relative to its as_of (docs/metrics.md, Staleness)."""

    part: str = Field(
        description="prices, benchmark, technical_snapshot, statements, market, consensus, "
        "earnings_call or events."
    )
    date: dt.date
    days: int = Field(description="Calendar days before as_of.")
    trading_days: int | None = Field(default=None, description="Weekdays after `date` up to as_of (prices).")
    stale: bool
    limit: str = Field(description="The threshold it is held to, e.g. '10 trading days'.")
    text: str = Field(
        description="One line for people, e.g. 'prices: last day 2022-12-30, 803 trading days ...'."
    )


PeerOrigin = Literal["subject", "computed", "provided", "missing", "sector_average"]


class PeerFigures(Frozen):
    """One row of the peer comparison: computed from the peer's own bundle, as provided in this bundle, missing
    (and why), or the sector average. Figures say why a cell is missing, like every other figure."""

    ticker: str
    name: str
    origin: PeerOrigin
    currency: str | None = Field(
        default=None, description="The share-price currency of price and market cap."
    )
    as_of: dt.date | None = Field(
        default=None,
        description="Computed: the last price day used; provided: the date given with the figures.",
    )
    source: str | None = None
    # Keys: price, change, change_pct, market_cap, pe_ratio, roe_pct, dividend_yield_pct, revenue_growth_pct,
    # eps_growth_pct.
    figures: dict[str, Figure] = Field(default_factory=dict)
    overall_score: int | None = Field(
        default=None,
        description="This tool's score (this company, or a peer computed from its own bundle); never a source's "
        "rating, which is on another scale (`source_rating`).",
    )
    source_rating: int | None = Field(
        default=None, description="The rating a provided peer's source gives it, as reported (not our score)."
    )
    change_window: str | None = Field(
        default=None, description="The window of the price change, when known (computed rows: 1Y)."
    )
    score_label: str | None = None
    score_note: str | None = Field(default=None, description="How the score or rating was obtained.")
    growth_basis: str | None = Field(
        default=None, description="The periods growth compares, e.g. 'FY2022 vs FY2021' (computed rows)."
    )
    notes: list[str] = Field(default_factory=list, description="Stale parts, or why the row has no data.")
    members: list[str] = Field(
        default_factory=list, description="Sector average: the peers each column uses."
    )
    listed: int | None = Field(default=None, description="Its position in bundle.peers (peers[i]).")


class PeerComparison(Frozen):
    window: str = Field(description="The window of the price change, e.g. '1Y' (performance windows).")
    rows: list[PeerFigures]
    average: PeerFigures | None = None
    average_rule: str


class Metrics(Frozen):
    ticker: str
    as_of: dt.date
    price_currency: str
    fundamentals: Fundamentals | None
    technicals: Technicals
    # Keys: pe_ratio, dividend_yield_pct, market_cap (each a Figure; insufficient_data when unknown).
    valuation: dict[str, Figure]
    score: ScoreCard
    price_target: PriceTarget | None
    missing: list[str] = Field(description="Bundle parts that were absent, so the report can say so.")
    ages: list[PartAge] = Field(default_factory=list, description="How old each dated part is, oldest first.")
    peers: PeerComparison | None = Field(
        default=None,
        description="The bundle's peers, computed from their own "
        "bundles where possible (docs/metrics.md, Peers).",
    )
    share_basis: ShareBasisInfo | None = Field(
        default=None, description="Splits and the restatements that put per-share figures on one basis."
    )
