"""Match rule (rounding, tolerance, approximation, kinds, currency, sign), direction and tone flags."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from pipeline.checks import Fact, FactIndex, MatchConfig, check_answer, check_text, check_tone

FACTS = FactIndex([
    Fact(-10.786585, "pct", "metrics.fundamentals.TTM.net_margin_pct", exact=False),
    Fact(16.186252, "pct", "metrics.fundamentals.TTM.gross_margin_pct", exact=False),
    Fact(1.2982196, "ratio", "metrics.fundamentals.TTM.debt_to_equity", exact=False),
    Fact(-0.0623, "ratio", "metrics.x.growth_ratio", exact=False),
    Fact(15.789474, "pct", "metrics.fundamentals.TTM.revenue_growth_pct", exact=False, change=True),
    Fact(-5.12, "pct", "metrics.fundamentals.FY2023.revenue_growth_pct", exact=False, change=True),
    Fact(9.02e9, "money", "financials.periods[0].income.revenue", "CNY"),
    Fact(6.90, "pct", "peers[1].roe_pct"),
    Fact(32.0, "pct", "text:call", signed=False),
    Fact(123.0, "pct", "text:call2", signed=False),
    Fact(870e6, "money", "text:call3", signed=False),
    Fact(2.35, "pct", "text:half"),
    Fact(2024.0, "date", "financials.periods[1].end"),
])


def status(text: str, cfg: MatchConfig | None = None) -> tuple[str, str | None]:
    (c,) = check_text(text, FACTS, section="t", config=cfg)
    return c.status, c.source


@pytest.mark.parametrize(("text", "expected"), [
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
    ("AI billings grew over 120%.", "text:call2"),
    ("It was about $900 million.", "text:call3"),
    # banker's and half-up both accepted on a stated 2.35
    ("The share was 2.4%.", "text:half"),
    ("In 2024 the company grew.", "financials.periods[1].end"),
])
def test_verified(text: str, expected: str) -> None:
    assert status(text) == ("verified", expected)


@pytest.mark.parametrize("text", [
    "Gross margin was 16.30%.",          # 0.7% off a computed fact
    "Net margin was -10.7%.",            # rounds to -10.8
    "Revenue was HK$9.02 billion.",      # wrong currency
    "Revenue was RMB 9.024 billion.",    # more digits than the stated fact supports
    "Revenue growth was 6.87%.",         # a stated 6.90 is not 6.87, tolerance is for computed facts only
    "AI was ~31% of revenue.",           # a stated 32% is not "about 31"
    "Results were due in 2023.",         # no such date
    "Leverage stands at 1.30%.",         # a ratio is not a percentage of itself
])
def test_unverified(text: str) -> None:
    assert status(text)[0] == "unverified"


def test_tolerances_are_configurable() -> None:
    assert status("Gross margin was 16.30%.", MatchConfig(rel_tol=0.01))[0] == "verified"
    assert status("Gross margin was 16.21%.", MatchConfig(rel_tol=0.001))[0] == "unverified"
    assert status("Gross margin was about 16.9%.")[0] == "verified"  # 4.4% off, approx tolerance 5%
    assert status("Gross margin was about 16.9%.", MatchConfig(approx_tol=0.01))[0] == "unverified"


@pytest.mark.parametrize(("text", "expected"), [
    ("Net margin was -10.78%.", "verified"),
    ("Net margin was negative (10.78%).", "verified"),
    ("The company posted a 10.78% loss.", "verified"),
    ("Net margin was 10.78%.", "unverified"),
    ("Revenue growth was -15.79%.", "unverified"),  # the fact is +15.79
    ("Public cloud fell 32%.", "verified"),  # a number read from prose carries its sign in words
    ("Public cloud grew -32%.", "verified"),
])
def test_sign(text: str, expected: str) -> None:
    assert status(text)[0] == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Revenue growth of 15.79% shows improving demand.", "verified"),
    ("Revenue declined 15.79% in the TTM period.", "direction_mismatch"),
    ("FY2023 revenue rose 5.12% on strong demand.", "direction_mismatch"),
    ("FY2023 revenue fell 5.12%.", "verified"),
    ("FY2023 revenue growth was -5.12%.", "verified"),
    # direction words in another clause do not count
    ("Margins are improving, while FY2023 revenue fell 5.12%.", "verified"),
])
def test_direction(text: str, expected: str) -> None:
    assert status(text)[0] == expected


POSITIVE_PARA = ("An 80.87% TTM free cash flow surge signals materially improving cash generation. Durable FCF "
                 "growth can fund AI infrastructure and provide buffer during scaling toward sustained profitability.")
NEGATIVE_PARA = ("A debt-to-equity ratio of 1.30 denotes elevated leverage. High leverage raises interest and "
                 "refinancing risk, and increases the chance of dilution if cash flows underperform.")


@pytest.mark.parametrize(("text", "label", "flagged"), [
    (POSITIVE_PARA, "Underperform", True),
    (POSITIVE_PARA, "Outperform", False),
    (POSITIVE_PARA, "Neutral", False),
    (NEGATIVE_PARA, "Outperform", True),
    (NEGATIVE_PARA, "Positive", True),
    (NEGATIVE_PARA, "Underperform", False),
    ("Revenue was RMB 9.02 billion.", "Underperform", False),  # no tone words at all
    ("Margins are not strong, growth is not robust and demand is not healthy.", "Outperform", True),
])
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
    answer = Answer(summary="Gross margin was 16.2%.",
                    factors=[Factor(title="Leverage", text="Leverage is 1.30. Revenue hit RMB 12 billion.")])
    checks = check_answer(answer, FACTS)
    assert [(c.section, c.written, c.status) for c in checks] == [
        ("summary", "16.2%", "verified"),
        ("factors[0].text", "1.30", "verified"),
        ("factors[0].text", "RMB 12 billion", "unverified"),
    ]
    assert checks[2].sentence == "Revenue hit RMB 12 billion."
