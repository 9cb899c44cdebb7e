"""Statement lines built from components (pipeline/inputs/importers/sec/lines.py): each overlap rule on the tags
a filer might report, including the one observed in the wild: the current portion of long-term debt tagged
again as ShortTermBorrowings."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.inputs.importers.sec import lines as L
from tests.support.cli import run_cli

DAY = dt.date(2024, 2, 1)


def _vals(**tags: float) -> dict[str, L.Reported]:
    return {t: L.Reported(v, DAY) for t, v in tags.items()}


@pytest.mark.parametrize(
    ("tags", "total", "left_out"),
    [
        # the observed filer: ShortTermBorrowings = LongTermDebtCurrent, already inside LongTermDebt
        (
            {"LongTermDebt": 1000, "LongTermDebtCurrent": 130, "ShortTermBorrowings": 130},
            1000,
            {"ShortTermBorrowings"},
        ),
        # the same with the balance-sheet split
        (
            {"LongTermDebtNoncurrent": 870, "LongTermDebtCurrent": 130, "ShortTermBorrowings": 130.4},
            1000,
            {"ShortTermBorrowings"},
        ),
        # genuine short-term bank debt on top of the current portion
        ({"LongTermDebtNoncurrent": 870, "LongTermDebtCurrent": 130, "ShortTermBorrowings": 50}, 1050, set()),
        # commercial paper tagged twice, as itself and as short-term borrowings
        (
            {"LongTermDebt": 1000, "CommercialPaper": 200, "ShortTermBorrowings": 200},
            1200,
            {"ShortTermBorrowings"},
        ),
        # LongTermDebt reported next to its own split: the split is the balance sheet
        (
            {"LongTermDebt": 1010, "LongTermDebtNoncurrent": 870, "LongTermDebtCurrent": 130},
            1000,
            {"LongTermDebt"},
        ),
        # LongTermDebt used for the noncurrent part only, the current portion inside DebtCurrent
        (
            {"LongTermDebt": 870, "LongTermDebtNoncurrent": 870, "DebtCurrent": 180, "CommercialPaper": 50},
            1050,
            {"LongTermDebtNoncurrent"},
        ),
        # all current debt (DebtCurrent) above the parts named: the remainder is added once
        (
            {
                "LongTermDebtNoncurrent": 870,
                "LongTermDebtCurrent": 130,
                "CommercialPaper": 50,
                "DebtCurrent": 230,
            },
            1100,
            set(),
        ),
        (
            {
                "LongTermDebtNoncurrent": 870,
                "LongTermDebtCurrent": 130,
                "CommercialPaper": 50,
                "DebtCurrent": 180,
            },
            1050,
            {"DebtCurrent"},
        ),
        # Tesla-style: no split tags; LongTermDebt + DebtCurrent fit inside the principal, so they do not overlap
        ({"LongTermDebt": 4254, "DebtCurrent": 1088, "DebtInstrumentCarryingAmount": 5380}, 5342, set()),
        # ... but when LongTermDebt alone is the principal, DebtCurrent may be inside it: not added
        (
            {"LongTermDebt": 5342, "DebtCurrent": 1088, "DebtInstrumentCarryingAmount": 5380},
            5342,
            {"DebtCurrent"},
        ),
        # convertible notes: inside a larger LongTermDebt, added above a smaller one
        ({"LongTermDebt": 2000, "ConvertibleDebtNoncurrent": 500}, 2000, {"ConvertibleDebtNoncurrent"}),
        ({"LongTermDebtNoncurrent": 0, "ConvertibleDebtNoncurrent": 586}, 586, set()),
        ({"ConvertibleDebtNoncurrent": 2271}, 2271, set()),
        # only lease-inclusive tags: used, and the note says so
        (
            {
                "LongTermDebtAndCapitalLeaseObligations": 2021,
                "LongTermDebtAndCapitalLeaseObligationsCurrent": 628,
            },
            2649,
            set(),
        ),
    ],
)
def test_total_debt_overlaps(tags: dict[str, float], total: float, left_out: set[str]) -> None:
    line = L.total_debt(_vals(**tags))
    assert line is not None
    assert line.value == pytest.approx(total)
    assert {c.source for c in line.components if not c.counted} == left_out
    assert all(c.note for c in line.components if not c.counted)  # every exclusion says why
    assert sum(c.value for c in line.components if c.counted) == pytest.approx(line.value)


def test_no_debt_tag_is_no_figure() -> None:
    assert L.total_debt(_vals(Assets=5)) is None


@pytest.mark.parametrize(
    ("tags", "cash", "expected", "source"),
    [
        (
            {"CashCashEquivalentsAndShortTermInvestments": 900, "MarketableSecuritiesCurrent": 800},
            100,
            900,
            "CashCashEquivalentsAndShortTermInvestments",
        ),
        (
            {"MarketableSecuritiesCurrent": 800, "AvailableForSaleSecuritiesDebtSecuritiesCurrent": 700},
            100,
            900,
            "MarketableSecuritiesCurrent",
        ),
        ({"ShortTermInvestments": 50}, 100, 150, "ShortTermInvestments"),
        ({}, 100, None, None),  # no short-term investments reported: no combined figure
        ({"MarketableSecuritiesCurrent": 800}, None, None, None),  # no cash: nothing to add them to
    ],
)
def test_cash_and_short_term_investments(
    tags: dict[str, float], cash: float | None, expected: float | None, source: str | None
) -> None:
    line = L.cash_and_short_term_investments(_vals(**tags), cash)
    assert (line.value if line else None) == expected
    if line:
        assert line.tags == [source]


@pytest.mark.parametrize(
    ("tags", "revenue", "cost", "expected"),
    [
        ({"OperatingIncomeLoss": 120, "CostsAndExpenses": 5}, 400, 200, 120),
        ({"CostsAndExpenses": 300}, 400, 200, 100),  # Alphabet's layout: revenue - costs and expenses
        ({"OperatingExpenses": 80}, 400, 200, 120),  # Apple's layout: gross profit - opex
        ({"OperatingExpenses": 80}, 400, None, None),  # never from a partial set
        ({}, 400, 200, None),
    ],
)
def test_ebit(tags: dict[str, float], revenue: float, cost: float | None, expected: float | None) -> None:
    line = L.operating_income(_vals(**tags), revenue, cost)
    assert (line.value if line else None) == expected


def test_capex_never_adds_overlapping_tags() -> None:
    line = L.capital_expenditure(
        _vals(PaymentsToAcquirePropertyPlantAndEquipment=-70, PaymentsToAcquireProductiveAssets=90)
    )
    assert line is not None and line.value == 70
    assert [(c.source, c.counted) for c in line.components] == [
        ("PaymentsToAcquirePropertyPlantAndEquipment", True),
        ("PaymentsToAcquireProductiveAssets", False),
    ]
    assert L.capital_expenditure(_vals(PaymentsToAcquireIntangibleAssets=1500)) is None  # not capex


def _companyfacts(path: Path) -> Path:
    """A filer whose 10-K tags its current debt portion again as ShortTermBorrowings (the observed case)."""

    def fy(val: float, start: str = "2023-01-01") -> list[dict]:
        return [
            {
                "start": start,
                "end": "2023-12-31",
                "val": val,
                "form": "10-K",
                "filed": "2024-02-20",
                "accn": "k",
            }
        ]

    def bal(val: float) -> list[dict]:
        return [{"end": "2023-12-31", "val": val, "form": "10-K", "filed": "2024-02-20", "accn": "k"}]

    gaap = {
        "Revenues": fy(5_000e6),
        "NetIncomeLoss": fy(400e6),
        "OperatingIncomeLoss": fy(600e6),
        "Assets": bal(9_000e6),
        "StockholdersEquity": bal(3_226e6),
        "Liabilities": bal(5_774e6),
        "LongTermDebt": bal(1_000e6),
        "LongTermDebtCurrent": bal(130e6),
        "ShortTermBorrowings": bal(130e6),
    }
    doc = {
        "cik": 1,
        "entityName": "Overlap Corp",
        "facts": {"us-gaap": {tag: {"units": {"USD": rows}} for tag, rows in gaap.items()}},
    }
    path.write_text(json.dumps(doc))
    return path


def test_the_observed_filer_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`stockreport import sec` then `stockreport metrics --json`: debt-to-equity 1,000 / 3,226 = 0.31, not the
    0.35 of 1,130 / 3,226 that counted the current portion twice; the bundle says what was left out and why."""
    src = _companyfacts(tmp_path / "facts.json")
    out = tmp_path / "OVL"
    code, _, err = run_cli(["import", "sec", str(src), "--ticker", "OVL", "--out", str(out)], capsys)
    assert code == 0, err
    period = json.loads((out / "bundle.json").read_text())["financials"]["periods"][0]
    assert period["balance"]["total_debt"] == 1_000_000_000
    left = [c for c in period["components"]["total_debt"] if c.get("counted") is False]
    assert [c["source"] for c in left] == ["ShortTermBorrowings"] and "current portion" in left[0]["note"]
    code, text, err = run_cli(["metrics", str(out), "--json"], capsys)
    assert code == 0, err
    de = json.loads(text)["fundamentals"]["periods"][0]["figures"]["debt_to_equity"]["value"]
    assert round(de, 2) == 0.31
