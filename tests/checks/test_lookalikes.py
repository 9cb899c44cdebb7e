"""pipeline/checks/lookalikes.py is what scripts/gen_digit_lookalikes.py makes of Unicode's confusables, and every
look-alike glued to a number is a finding, never a verified number."""

from __future__ import annotations

import importlib.util
import unicodedata
from pathlib import Path

import pytest

from pipeline.checks import Fact, FactIndex, check_text
from pipeline.checks.fact_index import FIELDS
from pipeline.checks.lookalikes import DIGIT_LOOKALIKES

REPO = Path(__file__).resolve().parents[2]


def test_the_table_is_the_generator_output() -> None:
    pytest.importorskip("confusable_homoglyphs")
    spec = importlib.util.spec_from_file_location("gen", REPO / "scripts" / "gen_digit_lookalikes.py")
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert gen.table() == DIGIT_LOOKALIKES


def test_no_entry_is_the_digit_it_looks_like() -> None:
    for char, digit in DIGIT_LOOKALIKES.items():
        assert not char.isascii() and digit in "0123456789"
        assert unicodedata.normalize("NFKC", char) != digit, char
    # review-1's: Cyrillic Ze and Che, Latin tone five
    assert {"\u0417": "3", "\u0427": "4", "\u01bc": "5"}.items() <= DIGIT_LOOKALIKES.items()


MARGIN = FactIndex(
    [Fact(16.19, "pct", "metrics.fundamentals.TTM.gross_margin_pct", names=FIELDS["gross_margin_pct"][1])]
)


@pytest.mark.parametrize("char", sorted(DIGIT_LOOKALIKES))
def test_every_lookalike_before_a_true_number_is_a_finding(char: str) -> None:
    checks = check_text(f"Gross margin was {char}16.19%.", MARGIN, section="financials")
    assert checks and all(c.status != "verified" for c in checks), [(c.written, c.status) for c in checks]
    assert [c.status for c in check_text("Gross margin was 16.19%.", MARGIN, section="financials")] == [
        "verified"
    ]
