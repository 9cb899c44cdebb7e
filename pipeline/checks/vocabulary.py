"""The words that name each fact: subjects, their synonyms, and the qualifiers a sentence uses for them.

A sentence names a subject when one of its phrases appears (case-insensitive; a space in a phrase matches
spaces or hyphens, so "debt to equity" also finds "debt-to-equity"). Longer phrases win over shorter ones at
the same place ("free cash flow" is not also "cash flow", "earnings per share" is not "earnings").
docs/number-checks.md lists the table. Qualifiers (`growth`, `new`, `next`) narrow a subject but name nothing
on their own: "revenue grew" names revenue growth, "grew" alone names nothing.
"""

from __future__ import annotations

PHRASES: dict[str, tuple[str, ...]] = {
    # statements
    "revenue": ("revenue", "revenues", "sales", "net sales", "top line", "turnover", "net revenue"),
    # an insurer's revenue line: Aflac's call says "earned premium", its release "net premium income"
    "premiums": ("earned premium", "earned premiums", "premiums earned", "premium income", "net premiums"),
    "cost_of_revenue": (
        "cost of revenue",
        "cost of revenues",
        "cost of sales",
        "cost of goods sold",
        "cogs",
        "cost of service",
        "costs of service",
        "cost of services",
    ),
    "gross_profit": ("gross profit", "gross profits"),
    "gross_margin": ("gross margin", "gross margins", "adjusted gross margin", "gross profit margin"),
    "operating_income": ("operating income", "operating profit", "operating loss", "ebit"),
    "ebit_margin": ("ebit margin", "operating margin", "operating margins"),
    "ebitda": (
        "ebitda",
        "ebitda profit",
        "adjusted ebitda",
        "non-gaap ebitda",
        "non-gaap ebitda profit",
        "adjusted ebitda profit",
    ),
    "ebitda_margin": ("ebitda margin", "ebitda margins"),
    "net_income": (
        "net income",
        "net loss",
        "net losses",
        "net profit",
        "net earnings",
        "bottom line",
        "earnings",
        "earned",
        "profit",
        "profits",
        "net result",
    ),
    "net_margin": ("net margin", "net margins", "net profit margin", "profit margin", "net income margin"),
    "eps": (
        "eps",
        "earnings per share",
        "diluted eps",
        "per-share earnings",
        "earnings a share",
        "per share",
        "per diluted share",
        "a diluted share",
        "per basic share",
    ),
    "shares": (
        "shares outstanding",
        "diluted shares",
        "share count",
        "weighted shares",
        "diluted shares outstanding",
        "outstanding shares",
    ),
    "depreciation": ("depreciation", "amortization", "amortisation", "d&a"),
    "interest_expense": ("interest expense", "interest costs", "interest cost"),
    "income_tax": ("income tax", "income taxes", "tax expense", "taxes", "tax"),
    "total_assets": ("total assets", "assets"),
    "current_assets": ("current assets",),
    # cash and equivalents, and cash with short-term investments, are two lines (two concepts): "cash" alone is
    # the first
    "cash": ("cash", "cash and equivalents", "cash and cash equivalents", "cash balance", "cash pile"),
    "cash_sti": (
        "cash and short-term investments",
        "cash and short term investments",
        "cash equivalents and short-term investments",
        "cash and marketable securities",
        "cash and investments",
        "cash and liquid investments",
        "cash and securities",
        "liquidity",
    ),
    "total_debt": ("debt", "total debt", "borrowings", "gross debt"),
    "total_liabilities": ("liabilities", "total liabilities"),
    "current_liabilities": ("current liabilities",),
    "equity": (
        "equity",
        "shareholders' equity",
        "stockholders' equity",
        "shareholders equity",
        "stockholders equity",
        "book value",
        "net assets",
    ),
    "operating_cash_flow": (
        "operating cash flow",
        "operating cash flows",
        "cash from operations",
        "cash flow from operations",
        "cash generated from operations",
        "ocf",
        "operating cash",
        "cash from operating activities",
    ),
    "capex": (
        "capex",
        "capital expenditure",
        "capital expenditures",
        "capital spending",
        "capital investment",
        "capex expenditures",
    ),
    "free_cash_flow": ("free cash flow", "free cash flows", "fcf"),
    "investing_cash_flow": (
        "investing cash flow",
        "investing cash flows",
        "investing activities",
        "investing outflow",
        "investing outflows",
        "investing inflow",
        "investing inflows",
        "cash used in investing",
        "cash used in investing activities",
        "net cash used in investing activities",
        "investment outflows",
    ),
    "financing_cash_flow": (
        "financing cash flow",
        "financing cash flows",
        "financing activities",
        "financing inflow",
        "financing inflows",
        "financing outflow",
        "financing outflows",
        "cash from financing",
    ),
    "dividends": ("dividends", "dividend", "dividend payments", "dividends paid", "cash dividend"),
    "cash_flow": ("cash flow", "cash flows"),
    "margin": ("margin", "margins"),
    # metrics
    "roe": ("return on equity", "roe", "return on shareholders' equity"),
    # ROE on average equity and on ending equity are two figures: the basis words name one and rule out the other
    "roe_average": (
        "return on average equity",
        "return on average shareholders' equity",
        "average-equity roe",
        "return on average common equity",
    ),
    "roe_ending": (
        "return on ending equity",
        "return on year-end equity",
        "return on closing equity",
        "return on period-end equity",
        "ending-equity roe",
    ),
    "average_equity": (
        "average equity",
        "average shareholders' equity",
        "average of opening and closing equity",
    ),
    "ending_equity": (
        "ending equity",
        "year-end equity",
        "closing equity",
        "period-end equity",
        "end-of-period equity",
        "equity at year end",
    ),
    "debt_to_equity": ("debt to equity", "debt/equity", "d/e", "leverage", "leverage ratio", "gearing"),
    "equity_ratio": ("equity ratio", "equity to assets", "equity-to-asset ratio"),
    "fcf_margin": ("free cash flow margin", "fcf margin"),
    "net_debt": ("net debt",),
    "net_cash": ("net cash", "net cash position"),
    "current_ratio": ("current ratio",),
    "quick_ratio": ("quick ratio", "acid test"),
    "cash_conversion": ("cash conversion",),
    # market and technicals
    "price": (
        "price",
        "prices",
        "price data",
        "price history",
        "price series",
        "share price",
        "stock price",
        "last price",
        "closing price",
        "close",
        "closed",
        "closes",
        "trades at",
        "trade at",
        "traded at",
        "trading at",
        "last traded",
        "quoted at",
        "priced at",
        "shares ended",
        "stock ended",
        "shares finished",
        "stock finished",
        "ended the year at",
    ),
    "stock": ("stock", "shares", "share", "the stock"),
    "performance": ("returned", "return", "returns", "performance", "performed"),
    "sma": ("moving average", "moving averages", "sma", "simple moving average", "dma"),
    "ema": ("ema", "exponential moving average"),
    "macd": ("macd",),
    "macd_signal": ("signal line", "macd signal", "signal"),
    "macd_hist": ("macd histogram", "histogram"),
    "rsi": ("rsi", "relative strength index", "relative strength"),
    "stoch_k": ("stochastic", "stochastic %k", "%k", "stoch", "stochastic oscillator"),
    "stoch_d": ("stochastic %d", "%d"),
    "high_52w": ("52-week high", "52 week high", "year high", "yearly high", "high"),
    "low_52w": ("52-week low", "52 week low", "year low", "yearly low", "low"),
    "range_52w": ("52-week range", "trading range", "range"),
    "volatility": ("volatility", "annualised volatility", "annualized volatility"),
    "relative": (
        "relative",
        "outperformed",
        "outperform",
        "outperforming",
        "outperformance",
        "underperformed",
        "underperform",
        "underperforming",
        "underperformance",
        "ahead of",
        "behind",
        "trailing",
        "trailed",
        "lagged",
        "lagging",
        "beating",
        "beat",
        "relative to",
        "worse than",
        "better than",
    ),
    "market_cap": (
        "market cap",
        "market capitalisation",
        "market capitalization",
        "market value",
        "worth",
        "valued at",
        "largest",
        "smallest",
        "biggest",
    ),
    "pe": (
        "p/e",
        "pe",
        "pe ratio",
        "p/e ratio",
        "price-to-earnings",
        "price to earnings",
        "price/earnings",
        "earnings multiple",
        "p/e multiple",
    ),
    "dividend_yield": ("dividend yield", "yield", "yields"),
    "score": (
        "score",
        "scores",
        "scored",
        "overall score",
        "sub-score",
        "subscore",
        "sub-scores",
        "rated",
        "the overall",
    ),
    "score_income_statement": ("income statement",),
    "score_balance_sheet": ("balance sheet",),
    "score_technicals": ("technicals", "technical", "technical analysis"),
    "score_valuation": ("valuation",),
    "score_earnings_call": ("earnings call sentiment",),
    "weight": ("weight", "weights", "weighted", "weighting"),
    # the report's own figures: coverage of the score, and what the model-read labels did to it
    "coverage": ("coverage", "covers", "covered", "nominal weight"),
    "model_read": (
        "model-read",
        "model read",
        "model-read parts",
        "model-read labels",
        "model-read sentiment",
        "sentiment labels",
        "model's labels",
        "model labels",
    ),
    "neutral_labels": (
        "counted as neutral",
        "as neutral",
        "at neutral",
        "neutral labels",
        "labels at neutral",
    ),
    "bound": ("bound", "at most", "capped", "cap", "limit", "limited to"),
    "price_target": ("price target", "target price", "target", "analyst target", "consensus target"),
    "upside": ("upside", "downside", "implied upside", "potential"),
    "analysts": ("analysts", "analyst"),
    "consensus": ("consensus", "rating"),
    "risk_factors": ("risk factors", "risks", "risk factor"),
    "events": ("events", "event", "announcements", "corporate events"),
    "peers": ("peers", "peer", "peer group", "comparables", "rivals", "competitors"),
    "call": ("earnings call", "call", "conference call", "results call"),
    "as_of": (
        "as of",
        "as at",
        "last trading day",
        "latest close",
        "data as of",
        "analysis date",
        "date of the analysis",
        "report date",
        "market data",
    ),
    # the age of a part of the data (metrics.ages): "803 trading days old", "long before the analysis date"
    "stale": ("stale", "old", "out of date", "outdated", "not current", "no longer current", "ago", "age"),
    # the base of a change, not an age: "3.5% lower than a year ago" (the longer phrase keeps "ago" from
    # naming "stale")
    "year_ago": ("a year ago", "year ago", "a quarter ago", "quarter ago"),
    "period_end": (
        "ended",
        "ending",
        "year end",
        "year-end",
        "period end",
        "closed its books",
        "statements",
        "financial statements",
        "latest statements",
    ),
    "filed": ("filed", "filing", "published"),
    # qualifiers: narrow a subject, name nothing alone
    "growth": (
        "growth",
        "grew",
        "grow",
        "grows",
        "growing",
        "rose",
        "rise",
        "rises",
        "rising",
        "risen",
        "increase",
        "increased",
        "increases",
        "increasing",
        "up",
        "higher",
        "jump",
        "jumped",
        "jumps",
        "climbed",
        "climb",
        "climbs",
        "gained",
        "gain",
        "gains",
        "expanded",
        "expand",
        "expansion",
        "surged",
        "surge",
        "soared",
        "fell",
        "fall",
        "falls",
        "falling",
        "decline",
        "declined",
        "declines",
        "declining",
        "down",
        "lower",
        "drop",
        "dropped",
        "drops",
        "shrank",
        "shrink",
        "shrinks",
        "shrunk",
        "contraction",
        "contracted",
        "dipped",
        "dip",
        "slipped",
        "slid",
        "lost",
        "loses",
        "year over year",
        "yoy",
        "change",
        "changed",
        "improved",
        "improve",
        "improvement",
        "worsened",
        "deteriorated",
        "doubled",
        "halved",
        "more than doubled",
    ),
    "new": ("new", "newly", "added"),
    "next": ("next", "upcoming", "due"),
}
# Moving averages by window: "20-day moving average", "20-day SMA", "SMA 20", "the 100-day" name one of them.
for _n in (20, 50, 100, 200):
    PHRASES[f"sma_{_n}"] = (
        f"{_n}-day moving average",
        f"{_n}-day sma",
        f"{_n}-day ma",
        f"{_n}dma",
        f"sma {_n}",
        f"sma_{_n}",
        f"{_n}-day average",
        f"{_n}-day simple moving average",
        f"{_n}-day",
    )
for _n in (20, 50):
    PHRASES[f"ema_{_n}"] = (f"{_n}-day ema", f"ema {_n}", f"ema_{_n}", f"{_n}-day exponential moving average")
QUALIFIERS = frozenset({"growth", "new", "next", "year_ago"})
# Subjects that say what a figure measures. A number in a source text whose clause names one of these is
# matched by that subject; one whose clause names only generic words ("share", "call", "events") by its words.
MEASURES = frozenset(
    k
    for k in PHRASES
    if k
    not in {
        "stock",
        "performance",
        "call",
        "events",
        "peers",
        "as_of",
        "period_end",
        "filed",
        "consensus",
        "analysts",
        "weight",
        "score",
        "growth",
        "new",
        "next",
        "year_ago",
        "relative",
        "price",
        "risk_factors",
        "margin",
        "cash_flow",
        "score_income_statement",
        "score_balance_sheet",
        "score_technicals",
        "score_valuation",
        "score_earnings_call",
        "average_equity",
        "ending_equity",
        "stale",
        "model_read",
        "neutral_labels",
        "bound",
    }
)

# Phrases that name a second concept besides their own: "lost" is a change word ("the stock lost 27%") and,
# with money, names a net loss ("Kingsoft Cloud lost RMB 973 million"; fact_index names net income by it).
ALSO: dict[str, str] = {"lost": "loss_verb", "loses": "loss_verb", "losing": "loss_verb", "lose": "loss_verb"}
# Phrases around a number: a multiple of earnings is a P/E ("trades at 21.27x earnings", "21.3 times trailing
# earnings"); context.SentenceContext adds the concept where the pattern matches.
AROUND_NUMBERS: dict[str, str] = {
    "pe": r"(?:\d\s?(?:x|×)|\btimes)\s+(?:(?:its|trailing|forward|ttm|annual|last\s+year'?s?)\s+)*"
    r"(?:earnings|profits?|eps)\b",
}

# Containers: "in the TTM balance sheet" says where a figure sits, not what it is; such a clause keeps the
# subject of the clause before it (they still name the sub-scores: "the balance sheet scores 50").
CONTAINERS = frozenset({"score_balance_sheet", "score_income_statement"})

# Words that say how a figure is measured, not what it covers: "diluted EPS" is still EPS, while "public cloud
# revenue" is not revenue (see context.modifiers).
BASIS_WORDS = frozenset(
    """
diluted basic core adjusted non gaap ifrs reported organic comparable comp total consolidated quarterly qtrly
annual overall net gross underlying normalized normalised headline constant currency like for like
""".split()
)

# Words of a source sentence that say nothing about what a number is (read with the text facts).
STOPWORDS = frozenset(
    """
a an the of and or to in on at for by with from as is was were are be been being its it this that these those
their our his her which who whom than then there here into over under up down per vs versus about around some
more less most least very also still just only both each other such same own so not no nor but if while after
before during through since until we they he she you i me us them my your all any few many much one ones
company companys firm group business businesses segment segments quarter quarters quarterly year years yearly
annual annually period periods month months week weeks day days reported reports report reporting reached reach
reaches representing represent represents contributed contributing contribute contributes accounting account
accounted accounts made make makes total overall including include includes driven drive due primarily mainly
respectively approximately roughly nearly compname qtrly sees see expects expect expected guidance forecast
estimate estimates said says say will would could should may might can had has have having did do does
current currently compared compare comparison prior previous last first second third fourth half full fiscal
q1 q2 q3 q4 h1 h2 ttm fy yoy qoq level levels amount amounts figure figures number numbers rate rates basis
point points percent percentage billion million thousand trillion bn mn approximately value values came come
stood stand stands remained remain remains ended end ending well like versus per cent usd rmb cny hkd eur gbp
jpy dollar dollars yuan renminbi euro euros yen below above against beyond within without across along among
upon toward towards via again further already yet even though rather quite slightly almost near just far
significantly strongly largely partly partially sharply steadily notably mostly slightly indicating showing
shows show highlighted highlight amid same level levels while whereas leaving left leave leaves gives give
giving given compares compared marking marked mark still only once twice thanks helped help we're we've
i'm let's lets deliver delivered delivering finally right now today yesterday tomorrow good great strong
record really quite ago outlook forecast forecasts forecasted guide guided guiding projected projection
projections anticipate anticipated anticipates expecting target targets targeted sequential sequentially
earlier later recent recently lately previously soon meanwhile thereby therefore thus accordingly
raise raises raised raising again latest newest oldest earliest
""".split()
)
