"""Yahoo-style statement CSV importer (rows = items, columns = period ends)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.inputs.importers.statements import import_statements, statement_periods
from tests.inputs.importer_helpers import DATA

S = DATA / "statements"
FILES = (S / "TSLA_income.csv", S / "TSLA_balance.csv", S / "TSLA_cash.csv")


@pytest.mark.parametrize(
    ("label", "statement", "line", "expected"),
    [
        ("FY2021", "cash_flow", "operating_cash_flow", 11_497_000_000),
        ("FY2021", "income", "revenue", 53_823_000_000),
        ("FY2024", "income", "net_income", 7_130_000_000),
        ("FY2024", "cash_flow", "capital_expenditure", 11_342_000_000),  # -11,342M in the file: cash paid
        ("FY2021", "income", "eps_diluted", 1.63),
    ],
)
def test_tsla_figures(label: str, statement: str, line: str, expected: float) -> None:
    periods = {p["label"]: p for p in statement_periods(*FILES)}
    assert periods[label][statement][line] == expected


def test_near_empty_oldest_column_is_skipped() -> None:
    assert [p["label"] for p in statement_periods(*FILES)] == ["FY2024", "FY2023", "FY2022", "FY2021"]


@pytest.mark.parametrize(
    ("as_of", "labels"),
    [
        (dt.date(2023, 3, 31), ["FY2022", "FY2021"]),  # 2022-12-31 + 90 days = 2023-03-31
        (dt.date(2023, 3, 30), ["FY2021"]),
    ],
)
def test_as_of_with_filing_lag(as_of: dt.date, labels: list[str]) -> None:
    assert [p["label"] for p in statement_periods(*FILES, as_of=as_of)] == labels


def test_import_writes_valid_bundle(tmp_path: Path) -> None:
    b = import_statements(*FILES, tmp_path / "TSLA", ticker="TSLA", as_of=dt.date(2024, 6, 30))
    assert b.as_of == dt.date(2024, 6, 30)
    assert [p.label for p in b.financials.fiscal_years()] == ["FY2023", "FY2022", "FY2021"]


def test_wrong_file_kind_is_refused() -> None:
    with pytest.raises(InputError, match="no known income line items"):
        statement_periods(FILES[1], FILES[1], FILES[2])
