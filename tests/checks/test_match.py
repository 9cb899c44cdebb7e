"""Match rule (rounding, tolerance, approximation, kinds, currency, sign), direction and tone flags."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import BaseModel

from pipeline.checks import Fact, FactIndex, MatchConfig, check_answer, check_text, check_tone
from pipeline.checks.context import Lexicon, content_tokens
from pipeline.checks.fact_index import FIELDS, PeriodInfo, names


def words(text: str) -> frozenset[str]:
    """The distinctive words of a source clause, as facts.text_facts reads them."""
    return content_tokens(text, Lexicon())


FACTS = FactIndex(
    [
        Fact(
            -10.786585,
            "pct",
            "metrics.fundamentals.TTM.net_margin_pct",
            exact=False,
            names=FIELDS["net_margin_pct"][1],
            period="TTM",
        ),
        Fact(
            16.186252,
            "pct",
            "metrics.fundamentals.TTM.gross_margin_pct",
            exact=False,
            names=FIELDS["gross_margin_pct"][1],
            period="TTM",
            label="TTM gross margin",
        ),
        Fact(
            1.2982196,
            "ratio",
            "metrics.fundamentals.TTM.debt_to_equity",
            exact=False,
            names=FIELDS["debt_to_equity"][1],
            period="TTM",
        ),
        Fact(
            15.789474,
            "pct",
            "metrics.fundamentals.TTM.revenue_growth_pct",
            exact=False,
            change=True,
            names=FIELDS["revenue_growth_pct"][1],
            period="TTM",
        ),
        Fact(
            -5.12,
            "pct",
            "metrics.fundamentals.FY2023.revenue_growth_pct",
            exact=False,
            change=True,
            names=FIELDS["revenue_growth_pct"][1],
            period="FY2023",
            year=2023,
        ),
        Fact(
            9.02e9,
            "money",
            "financials.periods[0].income.revenue",
            "CNY",
            names=FIELDS["revenue"][1],
            period="TTM",
        ),
        Fact(6.90, "pct", "peers[1].roe_pct", names=FIELDS["roe_pct"][1], entity="peer:1"),
        Fact(
            32.0,
            "pct",
            "text:call",
            signed=False,
            words=frozenset({"c:revenue"}) | words("public"),
            required=words("public"),
        ),
        Fact(123.0, "pct", "text:call2", signed=False, words=words("AI billings")),
        Fact(870e6, "money", "text:call3", signed=False, words=frozenset({"c:net_income"})),
        Fact(2.35, "pct", "text:half", words=words("AI shares")),
        Fact(
            2024.0,
            "date",
            "financials.periods[1].end",
            names=names("period_end"),
            period="FY2024",
            year=2024,
            unit="year",
        ),
    ],
    lexicon=Lexicon({"company": ["Kingsoft Cloud"], "peer:1": ["AsiaInfo"]}),
    periods=(
        PeriodInfo("TTM", "TTM", None, dt.date(2025, 9, 30)),
        PeriodInfo("FY2024", "FY", 2024, dt.date(2024, 12, 31)),
        PeriodInfo("FY2023", "FY", 2023, dt.date(2023, 12, 31)),
    ),
)


def status(text: str, cfg: MatchConfig | None = None) -> tuple[str, str | None]:
    """Status and source of the one figure in `text` (period labels such as "FY2023" are checked apart)."""
    (c,) = [c for c in check_text(text, FACTS, section="t", config=cfg) if c.kind != "period"]
    return c.status, c.source


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # rounding of a computed fact to the written decimals (half-up or banker's)
        ("Net margin was -10.79%.", "metrics.fundamentals.TTM.net_margin_pct"),
        ("Net margin was -10.8%.", "metrics.fundamentals.TTM.net_margin_pct"),
        ("Gross margin was 16%.", "metrics.fundamentals.TTM.gross_margin_pct"),
        ("Gross margin was 16.2%.", "metrics.fundamentals.TTM.gross_margin_pct"),
        # 0.5% relative tolerance on computed facts
        ("Net margin was -10.78%.", "metrics.fundamentals.TTM.net_margin_pct"),
        ("Gross margin was 16.21%.", "metrics.fundamentals.TTM.gross_margin_pct"),
        ("Leverage stands at 1.30.", "metrics.fundamentals.TTM.debt_to_equity"),
        # a ratio written as a percentage
        ("Debt is 130% of equity.", "metrics.fundamentals.TTM.debt_to_equity"),
        # money after B/M/K normalisation and in the right currency
        ("Revenue was RMB 9.02 billion.", "financials.periods[0].income.revenue"),
        ("Revenue was RMB9,020 million.", "financials.periods[0].income.revenue"),
        ("Revenue was RMB 9.0bn.", "financials.periods[0].income.revenue"),
        # approximation words: a round number is rounded where its zeros are
        ("AI gross billings grew over 120%.", "text:call2"),
        ("Net income was about $900 million.", "text:call3"),
        # banker's and half-up both accepted on a stated 2.35
        ("AI shares were 2.4%.", "text:half"),
        # named by a synonym, a composite ("debt ... equity") or the words of the source clause
        ("Sales were RMB 9.02 billion.", "financials.periods[0].income.revenue"),
        ("Debt is 1.30 times equity.", "metrics.fundamentals.TTM.debt_to_equity"),
        ("Public cloud revenue rose 32%.", "text:call"),
        ("AsiaInfo's return on equity is 6.90%.", "peers[1].roe_pct"),
    ],
)
def test_verified(text: str, expected: str) -> None:
    assert status(text) == ("verified", expected)


@pytest.mark.parametrize(
    "text",
    [
        "Gross margin was 16.30%.",  # 0.7% off a computed fact
        "Net margin was -10.7%.",  # rounds to -10.8
        "Revenue was HK$9.02 billion.",  # wrong currency
        "Revenue was RMB 9.024 billion.",  # more digits than the stated fact supports
        "Revenue growth was 6.87%.",  # a stated 6.90 is not 6.87, tolerance is for computed facts only
        "AI was ~31% of revenue.",  # a stated 32% is not "about 31"
        "Results were due in 2023.",  # no such date
        "Leverage stands at 1.30%.",  # a ratio is not a percentage of itself
        "In 2024 the company grew.",  # a year is a period's only beside a checked figure of that period
        # right number, wrong subject / metric / period / company
        "Net margin was 16.19%.",
        "Revenue grew 16.19%.",
        "Total revenue grew 32%.",  # the source's 32% is public cloud revenue
        "Kingsoft Cloud's return on equity is 6.90%.",
        "FY2023 revenue was RMB 9.02 billion.",
        "In FY2024 the gross margin was 16.19%.",
        # a bare number names nothing: even an exact value is not verified by coincidence
        "The figure was 16.19%.",
        "It came to 1.30.",
    ],
)
def test_unverified(text: str) -> None:
    assert status(text)[0] == "unverified"


def test_a_low_information_number_needs_its_own_clause_to_name_the_subject() -> None:
    assert status("Gross margin was 16%.")[0] == "verified"
    # 16 is two figures: "gross margin" elsewhere in the sentence is not enough
    assert status("Gross margin fell sharply, to 16%.")[0] == "verified"  # subject carried into the clause
    assert status("Gross margin was thin while employees numbered 16%.")[0] == "unverified"


def test_a_verified_check_says_which_fact_and_why() -> None:
    (c,) = check_text("Gross margin was 16.2%.", FACTS, section="t")
    assert (c.status, c.match, c.named, c.label) == ("verified", "rounded", "clause", "TTM gross margin")
    assert c.why == "rounded; named in its clause"
    (c,) = check_text("Gross margin was 16.21%.", FACTS, section="t")
    assert c.match == "within tolerance"
    (c,) = check_text("Revenue grew 16.19%.", FACTS, section="t")
    assert c.status == "unverified" and "gross_margin_pct" in (c.note or "")


def test_tolerances_are_configurable() -> None:
    assert status("Gross margin was 16.30%.", MatchConfig(rel_tol=0.01))[0] == "verified"
    assert status("Gross margin was 16.21%.", MatchConfig(rel_tol=0.001))[0] == "unverified"
    assert status("Gross margin was about 16.9%.")[0] == "verified"  # 4.4% off, approx tolerance 5%
    assert status("Gross margin was about 16.9%.", MatchConfig(approx_tol=0.01))[0] == "unverified"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Net margin was -10.78%.", "verified"),
        ("Net margin was negative (10.78%).", "verified"),
        ("The company posted a 10.78% net loss margin.", "verified"),
        ("Net margin was 10.78%.", "unverified"),
        ("Revenue growth was -15.79%.", "unverified"),  # the fact is +15.79
        ("Public cloud revenue fell 32%.", "verified"),  # a number read from prose carries its sign in words
        ("Public cloud revenue grew -32%.", "verified"),
    ],
)
def test_sign(text: str, expected: str) -> None:
    assert status(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Revenue growth of 15.79% shows improving demand.", "verified"),
        ("Revenue declined 15.79% in the TTM period.", "direction_mismatch"),
        ("FY2023 revenue rose 5.12% on strong demand.", "direction_mismatch"),
        ("FY2023 revenue fell 5.12%.", "verified"),
        ("FY2023 revenue growth was -5.12%.", "verified"),
        # direction words in another clause do not count
        ("Margins are improving, while FY2023 revenue fell 5.12%.", "verified"),
    ],
)
def test_direction(text: str, expected: str) -> None:
    assert status(text)[0] == expected


POSITIVE_PARA = (
    "An 80.87% TTM free cash flow surge signals materially improving cash generation. Durable FCF "
    "growth can fund AI infrastructure and provide buffer during scaling toward sustained profitability."
)
NEGATIVE_PARA = (
    "A debt-to-equity ratio of 1.30 denotes elevated leverage. High leverage raises interest and "
    "refinancing risk, and increases the chance of dilution if cash flows underperform."
)


@pytest.mark.parametrize(
    ("text", "label", "flagged"),
    [
        (POSITIVE_PARA, "Underperform", True),
        (POSITIVE_PARA, "Outperform", False),
        (POSITIVE_PARA, "Neutral", False),
        (NEGATIVE_PARA, "Outperform", True),
        (NEGATIVE_PARA, "Positive", True),
        (NEGATIVE_PARA, "Underperform", False),
        ("Revenue was RMB 9.02 billion.", "Underperform", False),  # no tone words at all
        ("Margins are not strong, growth is not robust and demand is not healthy.", "Outperform", True),
    ],
)
def test_tone(text: str, label: str, flagged: bool) -> None:
    result = check_tone(text, label, section="factor")
    assert result.flagged is flagged, result
    assert (result.reason is not None) is flagged


class Factor(BaseModel):
    title: str
    text: str


class Answer(BaseModel):
    summary: str
    factors: list[Factor]


def test_check_answer_walks_every_string_field() -> None:
    answer = Answer(
        summary="Gross margin was 16.2%.",
        factors=[Factor(title="Leverage", text="Leverage is 1.30. Revenue hit RMB 12 billion.")],
    )
    checks = check_answer(answer, FACTS)
    assert [(c.section, c.written, c.status) for c in checks] == [
        ("summary", "16.2%", "verified"),
        ("factors[0].text", "1.30", "verified"),
        ("factors[0].text", "RMB 12 billion", "unverified"),
    ]
    assert checks[2].sentence == "Revenue hit RMB 12 billion."
