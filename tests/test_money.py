"""One money format for prompt facts, prose checks and rendered tables (pipeline.money)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from pipeline.checks.written_numbers import extract_numbers
from pipeline.inputs.currencies import SYMBOLS
from pipeline.money import SCALE_FACTOR, format_amount, format_money
from pipeline.narrate.fact_format import fmt_money, fmt_price
from pipeline.render import format as render_fmt
from tests.support.fuzz import scaled

CURRENCIES = sorted({*SYMBOLS, "SEK", "BRL", "ZAR", "MXN"})


@pytest.mark.parametrize(
    ("value", "currency", "scale", "expected"),
    [
        (9.02e9, "EUR", "units", "€9.02B"),
        (1500e9, "USD", "units", "$1.50T"),
        (45_000, "GBP", "units", "£45,000.00"),
        (9020, "CNY", "millions", "RMB 9.02B"),
        (-972.95, "CNY", "millions", "-RMB 972.95M"),
        (7.5, "HKD", "units", "HK$7.50"),
        (999.999e6, "USD", "units", "$1.00B"),
        (1234.5, "SEK", "units", "SEK 1,234.50"),
        (0.0, "JPY", "units", "¥0.00"),
        (45, "GBP", "thousands", "£45,000.00"),
        (1.5, "USD", "billions", "$1.50B"),
    ],
)
def test_examples(value: float, currency: str, scale: str, expected: str) -> None:
    assert format_money(value, currency, scale=scale) == expected


def test_the_issue_examples_read_the_same_in_facts_and_on_the_page() -> None:
    """Prompt facts said 'EUR 9.02B', '$1500.00B', 'GBP 45.00K' where the page said '€9.02B', '$1.50T', '£45,000.00'."""
    for value, currency in [(9.02e9, "EUR"), (1500e9, "USD"), (45_000, "GBP")]:
        assert (
            fmt_money(value, currency) == render_fmt.money(value, currency) == format_money(value, currency)
        )
    assert fmt_money(1500e9, "USD") == "$1.50T"
    assert fmt_price(7.15, "HKD") == render_fmt.money(7.15, "HKD") == "HK$7.15"


@pytest.mark.parametrize("currency", CURRENCIES)
@pytest.mark.parametrize("scale", list(SCALE_FACTOR))
@pytest.mark.parametrize(
    "value", [0.5, 7.15, 45_000.0, 9020.0, 1_234_567.0, 9.02e9, 1.5e12, -972.95, -3.05e9]
)
def test_the_number_check_reads_every_format_back(currency: str, scale: str, value: float) -> None:
    """What the facts and the page write, the prose checker parses to the same value (to the written digits)
    and the same currency; the amount without symbol (table cells) parses to the same value."""
    text = format_money(value, currency, scale=scale)
    assert text is not None
    found = extract_numbers(f"Revenue was {text} in the year.")
    assert len(found) == 1, (text, found)
    n = found[0]
    units = value * SCALE_FACTOR[scale]
    assert n.kind == "money" and n.currency is not None and currency in n.currency, (text, n)
    assert math.isclose(n.value, units, rel_tol=0, abs_tol=0.5 * 10**-n.decimals * n.scale), (text, n.value)
    cell = format_amount(value, scale)
    assert cell is not None and text.endswith(cell.lstrip("-"))
    assert render_fmt.scaled(value, scale) == cell


@seed(13)
@settings(max_examples=scaled(300), deadline=None)
@given(
    value=st.floats(min_value=-1e15, max_value=1e15, allow_nan=False),
    currency=st.sampled_from(CURRENCIES),
    scale=st.sampled_from(list(SCALE_FACTOR)),
)
def test_round_trip_property(value: float, currency: str, scale: str) -> None:
    text = format_money(value, currency, scale=scale)
    assert text is not None
    n = extract_numbers(text)[0]
    units = value * SCALE_FACTOR[scale]
    assert math.isclose(
        n.value, units, rel_tol=0, abs_tol=0.5 * 10**-n.decimals * n.scale + 1e-9 * abs(units)
    )
    assert (n.value < 0) == text.startswith("-") == (units < 0 and n.num > 0)


@pytest.mark.parametrize("value", [None, float("nan"), float("inf")])
def test_no_number_is_none_and_the_page_says_n_a(value: float | None) -> None:
    assert format_money(value, "USD") is None and format_amount(value) is None
    assert render_fmt.money(value, "USD") == "n/a" and render_fmt.scaled(value, "millions") == "n/a"
