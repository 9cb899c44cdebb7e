"""Extraction and sentence splitting on tricky strings."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.checks import extract_numbers, split_sentences
from tests.support.fuzz import scaled

USD_LIKE = {"USD", "HKD"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # (text, [(written, value, kind, decimals), ...])
        ("a debt-to-equity ratio of 1.30 denotes", [("1.30", 1.30, "ratio", 2)]),
        ("net margin (-10.78%)", [("(-10.78%)", -10.78, "pct", 2)]),  # an aside: the figure as written
        (
            "granted 4,402,557 RSUs to 104 employees",
            [("4,402,557", 4402557, "count", 0), ("104", 104, "count", 0)],
        ),
        ("free cash flow to net income is -0.10", [("-0.10", -0.10, "ratio", 2)]),
        (
            "increased by 5.7 times; 2x leverage",
            [("5.7 times", 5.7, "multiple", 1), ("2x", 2, "multiple", 0)],
        ),
        ("priced at US$0.01 per share", [("US$0.01", 0.01, "money", 2)]),
        ("¥333.8 billion for quarter", [("¥333.8 billion", 333.8e9, "money", 1)]),
        ("2.35bn of revenue", [("2.35bn", 2.35e9, "money", 2)]),
        ("revenue (RMB362m) shows", [("RMB362m", 362e6, "money", 0)]),
        (
            "RMB 2.35 billion, HK$2.802B and $951 million",
            [
                ("RMB 2.35 billion", 2.35e9, "money", 2),
                ("HK$2.802B", 2.802e9, "money", 3),
                ("$951 million", 951e6, "money", 0),
            ],
        ),
        ("improved 590 basis points", [("590 basis points", 5.90, "pct", 0)]),
        ("sales increased four percent", [("four percent", 4, "pct", 0)]),
        ("up 10 to 10.2 percent", [("10", 10, "pct", 0), ("10.2 percent", 10.2, "pct", 1)]),
        ("$6.5 to $7.0 billion", [("$6.5", 6.5e9, "money", 1), ("$7.0 billion", 7.0e9, "money", 1)]),
        # a period label with a year is checked as a period (Q2-2025 -> 20252, FY2024 -> 20240)
        (
            "Earnings Call Date: Aug 20, 2025 (Q2-2025)",
            [("Aug 20, 2025", 20250820, "date", 0), ("Q2-2025", 20252, "period", 0)],
        ),
        ("results for Dec 2024", [("Dec 2024", 20241200, "date", 0)]),
        (
            "S&P 500 in Q2, FY2024, 50DMA, a 20-day MA and COVID-19",
            [("FY2024", 20240, "period", 0), ("20-day", 20, "duration", 0)],
        ),
        ("the end of the sentence is 3.92.", [("3.92", 3.92, "ratio", 2)]),
    ],
)
def test_extract(text: str, expected: list[tuple[str, float, str, int]]) -> None:
    got = [(n.text, n.value, n.kind, n.decimals) for n in extract_numbers(text)]
    assert [(t, pytest.approx(v), k, d) for t, v, k, d in expected] == got


@pytest.mark.parametrize(
    ("text", "written", "value"),
    [
        # accounting parentheses: inside an amount, with the unit outside, or where a value is expected
        ("EPS of (1.2) this year", "(1.2)", -1.2),
        ("Revenue was RMB (9.02) billion", "RMB (9.02) billion", -9.02e9),
        ("Revenue was RMB (9.02 billion)", "RMB (9.02 billion)", -9.02e9),
        ("Revenue was (RMB 9.02 billion)", "(RMB 9.02 billion)", -9.02e9),
        ("It lost $(1.2)B", "$(1.2)B", -1.2e9),
        ("The margin was (16.19%) in", "(16.19%)", -16.19),
        ("The margin was (16.19)% in", "(16.19)%", -16.19),
        ("Margin: (16.19%)", "(16.19%)", -16.19),
        ("(16.19%) was the margin", "(16.19%)", -16.19),
        # an aside after a noun: positive as written
        ("the equity ratio (26.28%) is healthy", "(26.28%)", 26.28),
        ("revenue of RMB 9.02B (10.50%) in FY2024", "(10.50%)", 10.5),
        ("net margin (-10.78%)", "(-10.78%)", -10.78),
    ],
)
def test_parentheses_read_as_a_reader_reads_them(text: str, written: str, value: float) -> None:
    found = [n for n in extract_numbers(text) if n.text == written]
    assert found and found[0].value == pytest.approx(value), extract_numbers(text)
    assert found[0].paren


@pytest.mark.parametrize(
    ("text", "written", "value"),
    [
        ("Gross margin was \u2212 16.19% in", "\u2212 16.19%", -16.19),  # minus sign, spaced
        ("Gross margin was - 16.19% in", "- 16.19%", -16.19),
        ("Gross margin was \u2012\u200916.19% in", "\u2012\u200916.19%", -16.19),  # figure dash, thin space
        ("Gross margin was \u2796 16.19% in", "\u2796 16.19%", -16.19),  # heavy minus sign
        ("Gross margin was \u201316.19% in", "\u201316.19%", -16.19),  # en dash glued
        ("Gross margin was -16.19% in", "-16.19%", -16.19),
        ("Gross margin was minus 16.19% in", "minus 16.19%", -16.19),
        ("Gross margin was negative 16.19% in", "negative 16.19%", -16.19),
        ("Revenue was -RMB 9.02 billion", "-RMB 9.02 billion", -9.02e9),
        ("Revenue was RMB -9.02 billion", "RMB -9.02 billion", -9.02e9),
        ("It lost RMB 973 million", "RMB 973 million", -973e6),
        ("It lost about RMB 973 million", "RMB 973 million", -973e6),
        ("a net loss of RMB 973 million", "RMB 973 million", -973e6),
        ("investing outflows of RMB 5.44 billion", "RMB 5.44 billion", -5.44e9),
        ("a RMB 973 million loss", "RMB 973 million", -973e6),
        ("a 10.78% loss", "10.78%", -10.78),
        # not signs: a range, a subtraction, a spaced en dash (punctuation), a hyphenated word
        ("Revenue grew 40%-45% in", "45%", 45.0),
        ("Revenue grew 40 - 45% in", "45%", 45.0),
        ("The gross margin \u2013 16.19% \u2013 held", "16.19%", 16.19),
        ("a year-over-year increase of 24%", "24%", 24.0),
        ("Gross margin was 16.19% in", "16.19%", 16.19),
    ],
)
def test_written_signs(text: str, written: str, value: float) -> None:
    found = [n for n in extract_numbers(text) if n.text == written]
    assert found and found[0].value == pytest.approx(value), [
        (n.text, n.value) for n in extract_numbers(text)
    ]


def test_currencies_and_approx_words() -> None:
    nums = extract_numbers("about $951 million, ~31% and over 120%; RMB 5 billion; ¥3 billion")
    assert [n.approx for n in nums] == [True, True, True, False, False]
    assert USD_LIKE <= nums[0].currency  # "$" is any dollar
    assert nums[3].currency == {"CNY"}
    assert nums[4].currency == {"JPY", "CNY"}


def test_known_identifiers_are_masked() -> None:
    text = "Kingsoft Cloud (3896) under its 2021 Share Incentive Plan"
    assert [n.text for n in extract_numbers(text)] == ["(3896)", "2021"]
    assert extract_numbers(text, identifiers=["(3896)", "2021 Share Incentive Plan"]) == []


def test_a_ticker_with_a_currency_or_scale_is_a_number() -> None:
    (n,) = extract_numbers("Operating cash flow was RMB (3896) million.", identifiers=["(3896)", "HK:3896"])
    assert (n.kind, n.value, n.currency) == ("money", -3896e6, {"CNY"})  # accounting parentheses
    assert (
        extract_numbers("Kingsoft Cloud (HK:3896) and (3896) trade", identifiers=["(3896)", "HK:3896"]) == []
    )


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Margin was 16.21%. Debt is 1.30.", ["Margin was 16.21%.", "Debt is 1.30."]),
        ("Prepared under U.S. GAAP. It complies.", ["Prepared under U.S. GAAP.", "It complies."]),
        (
            "Kingsoft Cloud Holdings Ltd. reported 1.30 again. Next.",
            ["Kingsoft Cloud Holdings Ltd. reported 1.30 again.", "Next."],
        ),
        ("one line\nsecond line 5.5 percent.comparable", ["one line", "second line 5.5 percent.comparable"]),
        (
            "Revenue rose 24%! Was it 2.35 billion? Yes.",
            ["Revenue rose 24%!", "Was it 2.35 billion?", "Yes."],
        ),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert [s for _, s in split_sentences(text)] == sentences


@settings(max_examples=scaled(300), deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("0123456789.,-%$()~ xbBmMkK¥€HKUSRMB:Qtimesbillion \n"))
        | st.characters(),
        max_size=80,
    )
)
def test_extractor_never_crashes(text: str) -> None:
    for n in extract_numbers(text):
        assert 0 <= n.start <= n.end <= len(text)
        assert n.num >= 0 and n.decimals >= 0
    for offset, sentence in split_sentences(text):
        assert text[offset : offset + len(sentence)] == sentence
