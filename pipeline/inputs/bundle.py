"""The per-ticker input bundle: `bundle.json` as typed Pydantic v2 models.

A bundle is a directory:

    BUNDLE_DIR/
      bundle.json     this model (profile required, everything else optional)
      prices.csv      daily Date,Open,High,Low,Close,Volume of the stock   (optional)
      benchmark.csv   the same for the benchmark named in `benchmark.name` (optional)
      transcript.*    earnings-call transcript referenced by `earnings_call.transcript` (optional)

Money values in statements are plain numbers in `financials.currency` times `financials.scale`
(so a person can type `9.02` with scale "billions"); prices are in `profile.currency`.
Nothing here is computed: the bundle holds only what a source reported.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from pipeline.inputs.currencies import ISO_4217

SCHEMA_VERSION: Literal[1] = 1

# "AAPL", "BRK.B", "HK:3896", "0700.HK", "RDS-A". A plain symbol, optionally prefixed by an
# exchange code; never a path (no slashes, dots at the start, NUL or spaces).
TICKER_RE = re.compile(r"^(?:[A-Z]{1,6}:)?[A-Z0-9]{1,10}(?:[.\-][A-Z0-9]{1,4})?$")


def _check_ticker(value: str) -> str:
    if not TICKER_RE.fullmatch(value):
        raise ValueError(
            "not a plain ticker symbol (expected e.g. 'AAPL', 'BRK.B' or 'HK:3896': upper-case letters/digits, "
            "optional 'EXCHANGE:' prefix)"
        )
    return value


def _check_currency(value: str) -> str:
    if value not in ISO_4217:
        raise ValueError("unknown currency code (expected an ISO 4217 code such as USD, HKD, CNY, EUR)")
    return value


Ticker = Annotated[str, AfterValidator(_check_ticker)]
Currency = Annotated[str, AfterValidator(_check_currency)]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
NonNegFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]
PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
ShortText = Annotated[str, Field(min_length=1, max_length=500)]
LongText = Annotated[str, Field(max_length=20_000)]


class Strict(BaseModel):
    """Base for every bundle model: unknown keys are errors, so typos are caught, not ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Scale(StrEnum):
    """The unit statement amounts are written in; `factor` turns them into units (9020 millions = 9.02e9).
    The one definition of these multipliers: money formatting and the number check read them from here."""

    units = "units"
    thousands = "thousands"
    millions = "millions"
    billions = "billions"

    @property
    def factor(self) -> float:
        return _SCALE_FACTORS[self]


_SCALE_FACTORS = {Scale.units: 1.0, Scale.thousands: 1e3, Scale.millions: 1e6, Scale.billions: 1e9}


class Profile(Strict):
    ticker: Ticker
    name: ShortText
    exchange: ShortText | None = None
    currency: Currency = Field(description="Trading currency of the share price (ISO 4217).")
    sector: ShortText | None = None
    industry: ShortText | None = None
    country: ShortText | None = None
    description: LongText | None = None
    revenue_model: LongText | None = Field(default=None, description="How the company makes money.")
    website: ShortText | None = None


class IncomeStatement(Strict):
    revenue: FiniteFloat | None = None
    cost_of_revenue: FiniteFloat | None = None
    gross_profit: FiniteFloat | None = None
    operating_income: FiniteFloat | None = Field(
        default=None, description="EBIT as reported (operating income)."
    )
    ebitda: FiniteFloat | None = None
    depreciation_amortization: FiniteFloat | None = None
    interest_expense: FiniteFloat | None = None
    income_tax: FiniteFloat | None = None
    net_income: FiniteFloat | None = None
    eps_diluted: FiniteFloat | None = Field(default=None, description="Per share, in units (never scaled).")
    shares_diluted: NonNegFloat | None = Field(
        default=None, description="Share count, in units (never scaled)."
    )


class BalanceSheet(Strict):
    total_assets: NonNegFloat | None = None
    current_assets: NonNegFloat | None = None
    cash_and_equivalents: NonNegFloat | None = None
    cash_and_short_term_investments: NonNegFloat | None = None
    total_debt: NonNegFloat | None = None
    total_liabilities: FiniteFloat | None = None
    current_liabilities: FiniteFloat | None = None
    stockholders_equity: FiniteFloat | None = None


class CashFlowStatement(Strict):
    operating_cash_flow: FiniteFloat | None = None
    capital_expenditure: NonNegFloat | None = Field(
        default=None, description="Cash paid for property, plant and equipment, as a positive number."
    )
    free_cash_flow: FiniteFloat | None = Field(
        default=None, description="As reported by the source; metrics prefer OCF - capex when both exist."
    )
    investing_cash_flow: FiniteFloat | None = None
    financing_cash_flow: FiniteFloat | None = None
    dividends_paid: NonNegFloat | None = None


class LineComponent(Strict):
    """One reported amount a statement line was built from (or deliberately left out of), as the source tagged it.

    `counted` is False for an amount that was reported but not added because it overlaps another component
    (e.g. short-term borrowings equal to the current portion of long-term debt); `note` says why."""

    source: ShortText = Field(
        description="The source's name for the amount, e.g. the XBRL tag 'LongTermDebtCurrent'."
    )
    value: FiniteFloat = Field(description="In the statement currency and scale, as the line itself.")
    counted: bool = True
    note: ShortText | None = None


class Period(Strict):
    label: ShortText = Field(description="Display label, e.g. 'TTM' or 'FY2024'.")
    kind: Literal["TTM", "FY"]
    fiscal_year: int | None = Field(default=None, ge=1900, le=2200)
    start: dt.date | None = None
    end: dt.date = Field(description="Last day of the period (required).")
    filed: dt.date | None = Field(default=None, description="When the source made it public (for --as-of).")
    income: IncomeStatement | None = None
    balance: BalanceSheet | None = None
    cash_flow: CashFlowStatement | None = None
    source: ShortText | None = None
    components: dict[str, list[LineComponent]] = Field(
        default_factory=dict,
        description="Per line (e.g. 'total_debt'), the reported amounts it was built from and those left out.",
    )

    @model_validator(mode="after")
    def _start_before_end(self) -> Period:
        if self.start is not None and self.start >= self.end:
            raise ValueError(f"start {self.start} is not before end {self.end}")
        return self


class PublicFloat(Strict):
    """A 10-K cover page's market value of the shares held by non-affiliates, and the shares outstanding the
    same cover gives: float / shares is a floor under the share price on `date` on that cover's share basis,
    which the price file must not be far below (docs/metrics.md, Share basis)."""

    date: dt.date = Field(description="The day the float is measured (end of the second fiscal quarter).")
    value: PositiveFloat = Field(description="The public float, in the price currency, units.")
    shares: PositiveFloat = Field(description="Shares outstanding on the same cover (all classes).")
    shares_date: dt.date = Field(description="The day of that share count.")
    filed: dt.date


class Financials(Strict):
    currency: Currency = Field(description="Reporting currency of the statements (ISO 4217).")
    scale: Scale = Scale.units
    periods: list[Period] = Field(min_length=1)
    share_basis: dt.date | None = Field(
        default=None,
        description="Per-share lines (EPS, diluted shares) of every period are on the share basis in force "
        "on this date (after every split effective by then), e.g. as restated by the SEC importer; "
        "without it each period is on the basis of its own `filed` date (else its `end`).",
    )
    public_float: PublicFloat | None = Field(
        default=None, description="The newest 10-K cover's public float and shares (SEC importer)."
    )

    @field_validator("periods")
    @classmethod
    def _unique_and_ordered(cls, periods: list[Period]) -> list[Period]:
        for kind, name in (("TTM", "TTM"), ("FY", "fiscal-year")):
            ends = [p.end for p in periods if p.kind == kind]
            if len(set(ends)) != len(ends):
                raise ValueError(f"two {name} periods share an end date")
        labels = [p.label for p in periods]
        if len(set(labels)) != len(labels):
            raise ValueError("two periods share a label")
        return periods

    def fiscal_years(self) -> list[Period]:
        """Fiscal-year periods, newest first."""
        return sorted((p for p in self.periods if p.kind == "FY"), key=lambda p: p.end, reverse=True)

    def ttm_periods(self) -> list[Period]:
        """TTM periods, newest first: the headline TTM, then earlier ones kept as growth bases."""
        return sorted((p for p in self.periods if p.kind == "TTM"), key=lambda p: p.end, reverse=True)

    def ttm(self) -> Period | None:
        """The newest TTM period (the headline when present)."""
        ttms = self.ttm_periods()
        return ttms[0] if ttms else None


class Peer(Strict):
    """A peer company. With only its ticker (and name), its row is computed from its own bundle when one sits
    beside this bundle (docs/metrics.md, Peers); figures typed here are shown as provided, never mixed."""

    ticker: Ticker
    name: ShortText | None = Field(default=None, description="Defaults to the name in the peer's own bundle.")
    currency: Currency | None = None
    price: PositiveFloat | None = None
    change: FiniteFloat | None = Field(default=None, description="Price change over the source's window.")
    change_pct: FiniteFloat | None = None
    market_cap: NonNegFloat | None = Field(default=None, description="In `currency`, units.")
    pe_ratio: FiniteFloat | None = None
    roe_pct: FiniteFloat | None = None
    dividend_yield_pct: NonNegFloat | None = None
    revenue_growth_pct: FiniteFloat | None = None
    eps_growth_pct: FiniteFloat | None = None
    overall_score: Annotated[int, Field(ge=0, le=100)] | None = Field(
        default=None, description="The source's own rating of the peer, as reported."
    )
    as_of: dt.date | None = Field(default=None, description="The day the provided figures are from.")
    source: ShortText | None = None


class CorporateEvent(Strict):
    date: dt.date
    title: ShortText
    summary: LongText | None = None
    category: ShortText | None = None


class RiskCategory(Strict):
    name: ShortText
    description: LongText | None = None
    count: Annotated[int, Field(ge=0)] | None = None


class RiskFactors(Strict):
    total: Annotated[int, Field(ge=0)] | None = None
    new_count: Annotated[int, Field(ge=0)] | None = None
    top_category: ShortText | None = None
    categories: list[RiskCategory] = Field(default_factory=list)
    source: ShortText | None = None
    as_of: dt.date | None = Field(
        default=None, description="The filing or day the risk factors are from; without it they are undated."
    )


class AnalystConsensus(Strict):
    rating: Literal["Strong Buy", "Buy", "Hold", "Sell", "Strong Sell"]
    price_target: PositiveFloat | None = None
    currency: Currency | None = Field(default=None, description="Defaults to the profile currency.")
    analysts: Annotated[int, Field(ge=0)] | None = None
    as_of: dt.date | None = None
    source: ShortText | None = None


class CallUpdate(Strict):
    title: ShortText
    text: LongText


class EarningsCall(Strict):
    date: dt.date
    quarter: ShortText | None = Field(default=None, description="e.g. 'Q2-2025'.")
    next_date: dt.date | None = None
    positive_updates: list[CallUpdate] = Field(default_factory=list)
    negative_updates: list[CallUpdate] = Field(default_factory=list)
    guidance: LongText | None = None
    transcript: ShortText | None = Field(
        default=None, description="File name of the transcript inside the bundle directory."
    )

    @field_validator("transcript")
    @classmethod
    def _plain_file_name(cls, value: str | None) -> str | None:
        # A transcript reference is untrusted text: it may only name a file inside the bundle.
        if value is not None and (
            "/" in value or "\\" in value or value.startswith(".") or "\x00" in value or ":" in value
        ):
            raise ValueError("must be a plain file name inside the bundle directory")
        return value


class TechnicalSnapshot(Strict):
    """Indicator values as a source reported them, for tickers with no daily price history.

    Marked `provided`: metrics read these values as they are and never mix them with computed ones.
    """

    origin: Literal["provided"] = "provided"
    source: ShortText
    as_of: dt.date
    last_price: PositiveFloat
    sma_20: PositiveFloat | None = None
    sma_50: PositiveFloat | None = None
    sma_100: PositiveFloat | None = None
    sma_200: PositiveFloat | None = None
    macd: FiniteFloat | None = None
    macd_signal: FiniteFloat | None = None
    rsi_14: Annotated[float, Field(ge=0, le=100)] | None = None
    stoch_k: Annotated[float, Field(ge=0, le=100)] | None = None
    stoch_d: Annotated[float, Field(ge=0, le=100)] | None = None


class MarketData(Strict):
    """Market figures of the company's own stock as a source reported them (for valuation)."""

    market_cap: NonNegFloat | None = Field(default=None, description="In the profile currency, units.")
    shares_outstanding: NonNegFloat | None = None
    pe_ratio: FiniteFloat | None = None
    dividend_yield_pct: NonNegFloat | None = None
    as_of: dt.date | None = None
    source: ShortText | None = None


def split_words(ratio: float) -> str:
    """How a split is named: 10 -> '10-for-1', 1.5 -> '3-for-2', 0.1 -> '1-for-10 reverse'."""
    if ratio >= 1:
        for den in (1, 2, 3, 4, 5):
            if abs(ratio * den - round(ratio * den)) < 1e-6:
                return f"{round(ratio * den)}-for-{den}"
        return f"{ratio:g}-for-1"
    for num in (1, 2, 3, 4, 5):
        if abs(num / ratio - round(num / ratio)) < 1e-6:
            return f"{num}-for-{round(num / ratio)} reverse"
    return f"1-for-{1 / ratio:g} reverse"


class StockSplit(Strict):
    """A stock split (or reverse split): from `date` on, one old share is `ratio` new shares.

    Per-share figures (EPS, share counts, prices, price targets) dated before the split are on the old share
    basis; the metrics restate them to the basis in force on the bundle's as_of (docs/metrics.md, Share
    basis)."""

    date: dt.date = Field(description="The first trading day on the new share basis (the ex-date).")
    ratio: PositiveFloat = Field(
        description="New shares per old share: 10 for a 10-for-1 split, 0.1 for a 1-for-10 reverse split."
    )
    source: ShortText | None = None

    @field_validator("ratio")
    @classmethod
    def _not_one(cls, value: float) -> float:
        if abs(value - 1.0) < 1e-9:
            raise ValueError("a split ratio of 1 changes nothing")
        return value


class Benchmark(Strict):
    name: ShortText
    ticker: Ticker | None = None


class Bundle(Strict):
    schema_version: Literal[1] = SCHEMA_VERSION
    as_of: dt.date = Field(description="Nothing filed, priced or dated after this day belongs in the bundle.")
    profile: Profile
    financials: Financials | None = None
    benchmark: Benchmark | None = None
    technical_snapshot: TechnicalSnapshot | None = None
    market: MarketData | None = None
    peers: list[Peer] = Field(default_factory=list)
    events: list[CorporateEvent] = Field(default_factory=list)
    risk_factors: RiskFactors | None = None
    consensus: AnalystConsensus | None = None
    earnings_call: EarningsCall | None = None
    splits: list[StockSplit] = Field(
        default_factory=list, description="Stock splits known to the bundle (docs/metrics.md, Share basis)."
    )
    notes: list[LongText] = Field(default_factory=list, description="Free notes on sources and caveats.")

    @model_validator(mode="after")
    def _no_look_ahead(self) -> Bundle:
        late: list[str] = []
        if self.financials:
            for i, p in enumerate(self.financials.periods):
                if p.filed and p.filed > self.as_of:
                    late.append(f"financials.periods[{i}].filed={p.filed}")
                if p.end > self.as_of:
                    late.append(f"financials.periods[{i}].end={p.end}")
        for i, e in enumerate(self.events):
            if e.date > self.as_of:
                late.append(f"events[{i}].date={e.date}")
        if self.earnings_call and self.earnings_call.date > self.as_of:
            late.append(f"earnings_call.date={self.earnings_call.date}")
        if self.market and self.market.as_of and self.market.as_of > self.as_of:
            late.append(f"market.as_of={self.market.as_of}")
        if self.consensus and self.consensus.as_of and self.consensus.as_of > self.as_of:
            late.append(f"consensus.as_of={self.consensus.as_of}")
        if self.technical_snapshot and self.technical_snapshot.as_of > self.as_of:
            late.append(f"technical_snapshot.as_of={self.technical_snapshot.as_of}")
        if self.risk_factors and self.risk_factors.as_of and self.risk_factors.as_of > self.as_of:
            late.append(f"risk_factors.as_of={self.risk_factors.as_of}")
        for i, split in enumerate(self.splits):
            if split.date > self.as_of:
                late.append(f"splits[{i}].date={split.date}")
        if self.financials and self.financials.share_basis and self.financials.share_basis > self.as_of:
            late.append(f"financials.share_basis={self.financials.share_basis}")
        for i, peer in enumerate(self.peers):
            if peer.as_of and peer.as_of > self.as_of:
                late.append(f"peers[{i}].as_of={peer.as_of}")
        if late:
            raise ValueError(f"dated after the bundle's as_of {self.as_of}: " + ", ".join(late))
        return self

    def missing_parts(self) -> list[str]:
        """Names of the optional parts this bundle lacks, so the report can say so."""
        parts = {
            "financials": self.financials,
            "benchmark": self.benchmark,
            "market": self.market,
            "peers": self.peers,
            "events": self.events,
            "risk_factors": self.risk_factors,
            "consensus": self.consensus,
            "earnings_call": self.earnings_call,
        }
        return [name for name, value in parts.items() if not value]
