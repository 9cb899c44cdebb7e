"""A realistic `Report` built by hand from the HK_3896 seed page, for the renderer tests.

Later replaced by the report the real pipeline generates; until then this is the renderers' fixture.
`make_report(chart=True)` adds a deterministic one-year price/benchmark series so the chart is exercised;
`hostile_report()` puts injection payloads into every untrusted text field the page shows.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from pipeline.checks import NumberCheck
from pipeline.metrics.types import (
    ChartSeries,
    Figure,
    Fundamentals,
    IndicatorReading,
    Metrics,
    PerformanceRow,
    PeriodMetrics,
    PriceTarget,
    ScoreCard,
    SubScore,
    Technicals,
)
from pipeline.report.document import (
    BreakdownRow,
    BreakdownTable,
    BusinessSection,
    ComparisonSection,
    EarningsCallSection,
    EventItem,
    EventsSection,
    Factors,
    FinancialsSection,
    GlossaryEntry,
    Header,
    PageSections,
    PeerRow,
    PeersSection,
    Provenance,
    Report,
    RiskCategoryView,
    RisksSection,
    Score,
    SectionProvenance,
    TechnicalsSection,
    TextSection,
    TitledText,
    TokenCounts,
)

AS_OF = dt.date(2026, 1, 28)
PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[link](http://evil.example)",
    "\n# heading\n",
    "</div>",
)
HOSTILE = " ".join(PAYLOADS)

SUBSCORES = [
    SubScore(
        key="income_statement",
        title="Income Statement",
        score=45,
        label="Neutral",
        weight=0.2,
        basis="revenue growth 6.87%, net margin -10.78%",
    ),
    SubScore(
        key="balance_sheet",
        title="Balance Sheet",
        score=50,
        label="Neutral",
        weight=0.15,
        basis="debt/equity 1.30, equity ratio 26.28%",
    ),
    SubScore(
        key="cash_flow", title="Cash Flow", score=60, label="Neutral", weight=0.15, basis="FCF growth 80.87%"
    ),
    SubScore(
        key="technicals",
        title="Technicals",
        score=68,
        label="Outperform",
        weight=0.25,
        basis="price above 50/100/200DMA",
    ),
    SubScore(
        key="valuation", title="Valuation", score=35, label="Underperform", weight=0.15, basis="negative P/E"
    ),
    SubScore(
        key="earnings_call",
        title="Earnings Call",
        score=None,
        label=None,
        weight=0.05,
        basis="insufficient data",
    ),
    SubScore(
        key="corporate_events",
        title="Corporate Events",
        score=55,
        label="Neutral",
        weight=0.05,
        basis="neutral events",
    ),
]

BREAKDOWN: list[tuple[str, str, list[float]]] = [
    ("Income Statement", "Total Revenue", [9020, 7790, 7050, 8180, 9060, 6580]),
    ("Income Statement", "Gross Profit", [1460, 1340, 850.17, 429.54, 351.29, 356.98]),
    ("Income Statement", "EBITDA", [1590, 443.80, -1080, -1370, -668.37, -449.21]),
    ("Income Statement", "Net Income", [-972.95, -1970, -2180, -2660, -1590, -962.20]),
    ("Balance Sheet", "Total Assets", [25650, 17590, 15070, 17320, 21080, 11960]),
    ("Balance Sheet", "Total Debt", [8750, 5910, 1720, 1690, 1620, 612.27]),
    ("Balance Sheet", "Stockholders Equity", [6740, 5170, 6890, 8800, 10600, 8240]),
    ("Cash Flow", "Free Cash Flow", [3330, -3050, -2130, -1250, -1440, -1880]),
    ("Cash Flow", "Operating Cash Flow", [3330, 628.42, -169.07, 188.97, -708.87, -290.43]),
]

READINGS = [
    ("price_vs_sma_20", "20DMA", 6.48, "Positive"),
    ("price_vs_sma_50", "50DMA", 6.20, "Positive"),
    ("price_vs_sma_100", "100DMA", 6.76, "Positive"),
    ("price_vs_sma_200", "200DMA", 6.92, "Positive"),
    ("macd", "MACD", 0.36, "Negative"),
    ("rsi_14", "RSI", 60.21, "Neutral"),
    ("stoch", "STOCH", 73.36, "Neutral"),
]

PEERS = [
    (
        "HK:3896",
        "Kingsoft Cloud Holdings Ltd",
        7.15,
        -8.57,
        32.40e9,
        -26.31,
        -15.92,
        None,
        23.96,
        55.68,
        54,
        True,
    ),
    (
        "HK:0536",
        "Tradelink Electronic Commerce Limited",
        1.08,
        30.12,
        858.2e6,
        10.33,
        23.35,
        9.81,
        -6.93,
        -18.99,
        72,
        False,
    ),
    (
        "HK:1675",
        "AsiaInfo Technologies Limited",
        8.59,
        59.64,
        8.07e9,
        18.52,
        6.90,
        3.47,
        -17.90,
        56.67,
        71,
        False,
    ),
    ("HK:0863", "OSL Group Limited", 16.76, 85.19, 13.32e9, 423.23, None, None, None, None, 61, False),
]


def synthetic_chart(n: int = 252, start: float = 5.2) -> ChartSeries:
    """Deterministic random walk for the stock and its benchmark, with trailing SMAs (None before full window)."""
    rng = np.random.default_rng(3896)
    close = start * np.exp(np.cumsum(rng.normal(0.0012, 0.025, n)))
    bench = start * np.exp(np.cumsum(rng.normal(0.0004, 0.011, n)))
    csum = np.concatenate(([0.0], np.cumsum(close)))

    def sma(w: int) -> list[float | None]:
        if w > n:
            return [None] * n
        out = (csum[w:] - csum[:-w]) / w
        return [None] * (w - 1) + [round(float(v), 4) for v in out]

    dates = [AS_OF - dt.timedelta(days=int(d)) for d in np.arange(n - 1, -1, -1) * 365 // n]
    return ChartSeries(
        dates=dates,
        close=[round(float(v), 4) for v in close],
        sma_50=sma(50),
        sma_200=sma(200),
        benchmark_rebased=[round(float(v), 4) for v in bench],
    )


def _metrics(chart: ChartSeries | None) -> Metrics:
    fig = lambda v, unit="pct": Figure(value=v, unit=unit, formula="see docs/metrics.md")  # noqa: E731
    ttm = PeriodMetrics(
        label="TTM",
        kind="TTM",
        end=dt.date(2025, 9, 30),
        figures={
            "revenue_growth_pct": fig(6.87),
            "gross_margin_pct": fig(16.21),
            "net_margin_pct": fig(-10.78),
            "ebit_margin_pct": fig(-8.34),
            "roe_pct": fig(-16.46),
            "debt_to_equity": fig(1.30, "ratio"),
            "equity_ratio_pct": fig(26.28),
            "fcf_growth_pct": fig(80.87),
        },
    )
    perf = [
        PerformanceRow(window=w, stock_pct=s, benchmark_pct=b, relative_pct=round(s - b, 2))
        for w, s, b in (
            ("1M", 4.2, 1.1),
            ("3M", -8.57, 2.4),
            ("6M", 12.3, 5.0),
            ("YTD", 3.1, 0.8),
            ("1Y", 37.5, 18.2),
        )
    ]
    tech = Technicals(
        origin="computed" if chart else "provided",
        as_of=AS_OF,
        last_price=7.15,
        values={
            "sma_20": 6.48,
            "sma_50": 6.20,
            "sma_100": 6.76,
            "sma_200": 6.92,
            "macd": 0.36,
            "rsi_14": 60.21,
        },
        readings=[
            IndicatorReading(key=k, name=n, value=v, reading=r, detail=f"{n} {v}") for k, n, v, r in READINGS
        ],
        sentiment="Positive",
        benchmark_name="iShares MSCI Hong Kong ETF (EWH)",
        performance=perf,
        chart=chart,
    )
    return Metrics(
        ticker="HK:3896",
        as_of=AS_OF,
        price_currency="HKD",
        fundamentals=Fundamentals(
            currency="CNY", scale="millions", roe_basis="average_equity", periods=[ttm]
        ),
        technicals=tech,
        valuation={
            "pe_ratio": fig(-26.31, "ratio"),
            "market_cap": fig(32.4e9, "money"),
            "dividend_yield_pct": Figure(value=None, status="insufficient_data", unit="pct", formula="-"),
        },
        score=ScoreCard(overall=54, label="Neutral", subscores=SUBSCORES),
        price_target=PriceTarget(
            target=7.5, currency="HKD", last_price=7.15, upside_pct=4.90, rating="Hold", source="consensus"
        ),
        missing=[],
    )


def make_report(*, chart: bool = False, text: str | None = None) -> Report:
    """The HK_3896 report; `text` (if given) is appended to every untrusted prose field."""
    x = (lambda s: f"{s} {text}") if text else (lambda s: s)  # noqa: E731
    metrics = _metrics(synthetic_chart() if chart else None)
    company = "Kingsoft Cloud Holdings Ltd"
    sections = PageSections(
        summary=TextSection(
            text=x(
                "Overall score reflects improving cash flow and modest revenue growth but "
                "persistent losses and high leverage (largest negative factor)."
            )
        ),
        business=BusinessSection(
            description=x(
                "Kingsoft Cloud Holdings Limited provides cloud services to businesses and "
                "organizations in China."
            ),
            revenue_model=x(
                "Kingsoft Cloud generates revenue primarily through its cloud computing services."
            ),
            sector="Technology",
            industry="Cloud services",
        ),
        comparison=ComparisonSection(
            benchmark_name="iShares MSCI Hong Kong ETF (EWH)", performance=metrics.technicals.performance
        ),
        earnings_call=EarningsCallSection(
            date=dt.date(2025, 8, 20),
            quarter="Q2-2025",
            next_date=dt.date(2026, 3, 25),
            sentiment="Neutral",
            summary=x("The earnings call highlighted significant revenue growth driven by AI."),
            positive_updates=[
                TitledText(
                    title="Strong Revenue Growth",
                    text=x(
                        "Q2 revenue reached RMB 2.35 billion, representing a year-over-year growth of 24%."
                    ),
                )
            ],
            negative_updates=[
                TitledText(
                    title="Gross Margin Pressure", text=x("Adjusted gross margin was 17% this quarter.")
                )
            ],
            guidance=x("Kingsoft Cloud emphasized its strategy of embracing AI opportunities."),
        ),
        financials=FinancialsSection(
            summary=x(
                "Mixed fundamentals: modest TTM revenue growth (6.87%) and strong free cash flow growth "
                "(80.87%), but negative net margin (-10.78%)."
            ),
            income_statement=x("Revenue growth of 6.87% in the TTM period; gross margin 16.21%."),
            balance_sheet=x("A high debt-to-equity ratio of 1.30; equity ratio 26.28%."),
            cash_flow=x("Free cash flow growth of 80.87% in the TTM period."),
            breakdown=BreakdownTable(
                currency="CNY",
                scale="millions",
                columns=["TTM", "Dec 2024", "Dec 2023", "Dec 2022", "Dec 2021", "Dec 2020"],
                rows=[BreakdownRow(statement=s, line=ln, values=v) for s, ln, v in BREAKDOWN],
            ),
        ),  # type: ignore[arg-type]
        technicals=TechnicalsSection(
            origin=metrics.technicals.origin,
            sentiment="Positive",
            last_price=7.15,
            readings=metrics.technicals.readings,
            text=x(
                "For HK:3896, the sentiment is Positive. The current price of 7.15 is above the 50-day MA "
                "of 6.20."
            ),
        ),
        risks=RisksSection(
            total=98,
            new_count=0,
            top_category="Finance & Corporate",
            categories=[
                RiskCategoryView(
                    name="Finance & Corporate",
                    description=x(
                        "Financial and accounting risks. Risks related to the execution of corporate activity and "
                        "strategy"
                    ),
                )
            ],
        ),
        peers=PeersSection(
            rows=[
                PeerRow(
                    ticker=t,
                    name=n,
                    currency="HKD",
                    price=p,
                    change_pct=c,
                    market_cap=m,
                    pe_ratio=pe,
                    roe_pct=roe,
                    dividend_yield_pct=dy,
                    revenue_growth_pct=rg,
                    eps_growth_pct=eg,
                    overall_score=sc,
                    is_subject=subj,
                )
                for t, n, p, c, m, pe, roe, dy, rg, eg, sc, subj in PEERS
            ]
        ),
        events=EventsSection(
            sentiment="Neutral",
            summary=x("Governance updates and routine equity grants."),
            items=[
                EventItem(
                    date=dt.date(2025, 12, 18),
                    title=x("Kingsoft Cloud Grants RSUs Equal to 0.10% of Share Capital to 104 Employees"),
                    summary=x("Kingsoft Cloud Holdings Limited has granted 4,402,557 RSUs."),
                )
            ],
            analyst_note="The most recent analyst rating on (HK:3896) stock is a Hold with a "
            "HK$7.50 price target.",
        ),
        glossary=[
            GlossaryEntry(
                term="Hold",
                definition='A stock rated as a "Hold" is expected to perform in '
                "line with the overall market.",
            )
        ],
        disclaimer="This AI Analyst Stock Report is automatically generated and is not financial advice.",
    )
    usage = TokenCounts(input_tokens=12034, output_tokens=2310, cached_tokens=4096)
    return Report(
        ticker="HK:3896",
        as_of=AS_OF,
        header=Header(
            company_name=company,
            ticker="HK:3896",
            exchange="Hong Kong Stock Exchange",
            price_currency="HKD",
            last_price=7.15,
            price_origin=metrics.technicals.origin,
            price_target=metrics.price_target,
            model_display="OpenAI - gpt-5.2",
        ),
        score=Score(overall=54, label="Neutral", subscores=SUBSCORES),
        factors=Factors(
            positive=[
                TitledText(
                    title="Improving free cash flow",
                    text=x("An 80.87% TTM free cash flow surge signals improving cash generation."),
                )
            ],
            negative=[
                TitledText(
                    title="High leverage", text=x("A debt-to-equity ratio of 1.30 denotes elevated leverage.")
                ),
                TitledText(
                    title="Persistent negative profitability",
                    text=x("Net margin of -10.78% and a negative ROE."),
                ),
            ],
        ),
        metrics=metrics,
        sections=sections,
        provenance=Provenance(
            model="openai:gpt-5.2",
            provider="openai",
            model_id="gpt-5.2-2025-12-11",
            prompt_versions={"summary": "3", "factors": "2"},
            input_hash="sha256:ab12cd34",
            usage=usage,
            cost_usd=0.0412,
            price_table="openai-2026-01",
            latency_s=14.2,
            retries=1,
            package_version="0.1.0",
            generated_at=dt.datetime(2026, 1, 28, 9, 30, tzinfo=dt.UTC),
            sections=[
                SectionProvenance(
                    section="summary",
                    model="openai:gpt-5.2",
                    model_id="gpt-5.2-2025-12-11",
                    prompt_version="3",
                    attempts=2,
                    latency_s=5.1,
                    cached=False,
                    usage=usage,
                    cost_usd=0.0212,
                )
            ],
        ),
        number_checks=[
            NumberCheck(
                section="factors.positive[0].text",
                sentence="An 80.87% TTM free cash flow surge.",
                written="80.87%",
                value=80.87,
                kind="pct",
                status="verified",
                source="fundamentals.TTM.fcf_growth_pct",
                fact_value=80.87,
            ),
            NumberCheck(
                section="summary.text",
                sentence="Revenue grew 12%.",
                written="12%",
                value=12.0,
                kind="pct",
                status="unverified",
                source=None,
                fact_value=None,
            ),
        ],
        flagged_sentences=["Revenue grew 12%."],
        missing=[],
    )


def hostile_report() -> Report:
    """Every untrusted text (description, events, transcript updates, model prose) carries the payloads."""
    r = make_report(chart=True, text=HOSTILE)
    header = r.header.model_copy(update={"company_name": "Evil <b>Corp</b> </div>"})
    return r.model_copy(update={"header": header})
