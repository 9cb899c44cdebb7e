"""SEC companyfacts importer: real figures, tag fallbacks, latest-filed rule, --as-of, update semantics."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.inputs import load_bundle
from pipeline.inputs.importers.common import fiscal_year_of
from pipeline.inputs.importers.sec import import_sec, sec_periods
from tests.inputs.importer_helpers import DATA

AAPL = DATA / "sec" / "CIK0000320193.json.gz"
GOOGL = DATA / "sec" / "CIK0001652044.json.gz"
TSLA = DATA / "sec" / "CIK0001318605.json.gz"
NVDA = DATA / "sec" / "CIK0001045810.json.gz"
SNOW = DATA / "sec" / "snow_facts.json.gz"
FILES = {"AAPL": AAPL, "NVDA": NVDA, "GOOGL": GOOGL, "SNOW": SNOW, "TSLA": TSLA}


def _by_label(path: Path, **kw: object) -> dict[str, dict]:
    periods, _ = sec_periods(path, **kw)  # type: ignore[arg-type]
    return {p["label"]: p for p in periods}


@pytest.mark.parametrize(
    ("path", "label", "statement", "line", "expected"),
    [
        (AAPL, "FY2023", "income", "revenue", 383_285_000_000),
        (AAPL, "FY2023", "income", "net_income", 96_995_000_000),
        (GOOGL, "FY2024", "income", "net_income", 100_118_000_000),
        (TSLA, "FY2021", "cash_flow", "operating_cash_flow", 11_497_000_000),
        (TSLA, "FY2021", "income", "revenue", 53_823_000_000),
        (AAPL, "FY2022", "cash_flow", "capital_expenditure", 10_708_000_000),  # positive: cash paid
        (
            AAPL,
            "FY2022",
            "balance",
            "total_debt",
            110_087_000_000 + 9_982_000_000,
        ),  # LT debt + commercial paper
    ],
)
def test_real_figures(path: Path, label: str, statement: str, line: str, expected: int) -> None:
    assert _by_label(path)[label][statement][line] == expected


def test_googl_gross_profit_is_derived() -> None:
    fy = _by_label(GOOGL)["FY2024"]
    assert fy["income"]["gross_profit"] == 350_018_000_000 - 146_306_000_000
    assert "gross_profit=derived" in fy["source"]


def test_matches_the_wide_key_lines_file() -> None:
    """Every key line of all five filers equals sec_annual_key_lines_wide.csv (built by the same tag rules)."""
    wide = pd.read_csv(DATA / "sec" / "sec_annual_key_lines_wide.csv")
    cols = {
        "revenue": ("income", "revenue"),
        "net_income": ("income", "net_income"),
        "cost_of_revenue": ("income", "cost_of_revenue"),
        "gross_profit": ("income", "gross_profit"),
        "operating_income": ("income", "operating_income"),
        "total_assets": ("balance", "total_assets"),
        "total_liabilities": ("balance", "total_liabilities"),
        "stockholders_equity": ("balance", "stockholders_equity"),
        "cash_and_equivalents": ("balance", "cash_and_equivalents"),
        "depreciation_amortization": ("income", "depreciation_amortization"),
        "operating_cash_flow": ("cash_flow", "operating_cash_flow"),
        "investing_cash_flow": ("cash_flow", "investing_cash_flow"),
        "financing_cash_flow": ("cash_flow", "financing_cash_flow"),
        "capex_payments": ("cash_flow", "capital_expenditure"),
    }
    checked = 0
    for ticker, path in FILES.items():
        periods = {p["end"]: p for p in sec_periods(path)[0] if p["kind"] == "FY"}
        for _, row in wide[wide["ticker"] == ticker].iterrows():
            for col, (statement, line) in cols.items():
                if pd.notna(row[col]):
                    assert periods[row["fiscal_period_end"]][statement][line] == row[col], (ticker, row, col)
                    checked += 1
    assert checked == 634


def _debt_parts(period: dict, prefix: str) -> float:
    return sum(
        c["value"]
        for c in period["components"]["total_debt"]
        if c.get("counted", True) and c["source"].startswith(prefix)
    )


def test_long_term_debt_matches_the_filers_own_split_and_the_wide_file() -> None:
    """Where a filer tags LongTermDebtNoncurrent and LongTermDebtCurrent, total debt holds exactly their sum
    (the balance sheet), not LongTermDebt as well; elsewhere the long-term part is the wide file's LongTermDebt
    (or LongTermDebt plus the current portion the filer tags apart: Tesla, NVIDIA's convertibles)."""
    wide = pd.read_csv(DATA / "sec" / "sec_annual_key_lines_wide.csv")
    split = whole = 0
    for ticker, path in FILES.items():
        periods = {p["end"]: p for p in sec_periods(path)[0] if p["kind"] == "FY"}
        for _, row in wide[wide["ticker"] == ticker].iterrows():
            period = periods[row["fiscal_period_end"]]
            if pd.notna(row["long_term_debt_noncurrent"]) and pd.notna(row["long_term_debt_current"]):
                assert (
                    _debt_parts(period, "LongTermDebt")
                    == row["long_term_debt_noncurrent"] + row["long_term_debt_current"]
                ), (ticker, row["fiscal_period_end"])
                split += 1
            elif pd.notna(row["long_term_debt_total"]):
                assert _debt_parts(period, "LongTermDebt") == row["long_term_debt_total"], (ticker, period)
                whole += 1
            total = period["balance"].get("total_debt")
            assert (
                total
                == sum(
                    c["value"]
                    for c in period.get("components", {}).get("total_debt", [])
                    if c.get("counted", True)
                )
                if total is not None
                else True
            )
    assert split == 22 and whole >= 15


# Total debt per balance sheet (10-K), in USD millions: long-term debt + its current portion + commercial paper
# (+ convertible notes classified apart). Written from the filings' own tags, one overlap case each.
@pytest.mark.parametrize(
    ("ticker", "end", "total_m"),
    [
        (
            "AAPL",
            "2022-09-24",
            98_959 + 11_128 + 9_982,
        ),  # split + commercial paper; LongTermDebt not added again
        ("NVDA", "2024-01-28", 8_459 + 1_250),  # DebtCurrent equals the current portion: not added
        ("NVDA", "2017-01-29", 1_983 + 796),  # convertible notes classified as current, outside LTD
        ("NVDA", "2016-01-31", 1_413),  # LongTermDebt 0 = ConvertibleDebtNoncurrent: + current
        (
            "GOOGL",
            "2024-12-31",
            10_883 + 999 + 2_300,
        ),  # LongTermDebt 12,000 (principal) not added to the split
        ("GOOGL", "2015-12-31", 3_225 + 2_000),  # LongTermDebt holds the current part; + commercial paper
        ("TSLA", "2021-12-31", 4_254 + 1_088),  # LongTermDebt is the noncurrent part: + DebtCurrent
        ("TSLA", "2013-12-31", 586.119 + 0.182),  # convertible notes above a zero LongTermDebtNoncurrent
        ("SNOW", "2025-01-31", 2_271.529),  # convertible notes only
    ],
)
def test_total_debt_counts_no_overlap_twice(ticker: str, end: str, total_m: float) -> None:
    period = next(p for p in sec_periods(FILES[ticker])[0] if p["end"] == end and p["kind"] == "FY")
    assert period["balance"]["total_debt"] == pytest.approx(total_m * 1e6)


@pytest.mark.parametrize(
    ("ticker", "end", "cash_sti_m"),
    [
        ("AAPL", "2022-09-24", 23_646 + 24_658),  # cash + MarketableSecuritiesCurrent (no reported total)
        ("GOOGL", "2016-12-31", 86_333),  # CashCashEquivalentsAndShortTermInvestments as reported
        ("SNOW", "2025-01-31", 2_628.798 + 2_008.873),  # cash + available-for-sale debt securities, current
    ],
)
def test_cash_with_short_term_investments(ticker: str, end: str, cash_sti_m: float) -> None:
    period = next(p for p in sec_periods(FILES[ticker])[0] if p["end"] == end and p["kind"] == "FY")
    assert period["balance"]["cash_and_short_term_investments"] == pytest.approx(cash_sti_m * 1e6)
    assert period["balance"]["cash_and_equivalents"] <= period["balance"]["cash_and_short_term_investments"]


def test_as_of_excludes_later_filings() -> None:
    labels = _by_label(AAPL, as_of=dt.date(2022, 12, 30))
    assert max(labels) == "FY2022" and labels["FY2022"]["filed"] == "2022-10-28"
    assert all(p["filed"] <= "2022-12-30" for p in labels.values())
    # the day before the FY2022 10-K was filed, FY2022 does not exist yet
    assert "FY2022" not in _by_label(AAPL, as_of=dt.date(2022, 10, 27))


def _facts(rows: list[dict]) -> dict:
    return {
        "cik": 1,
        "entityName": "Example Corp",
        "facts": {"us-gaap": {"Revenues": {"units": {"USD": rows}}}},
    }


@pytest.mark.parametrize(
    ("as_of", "expected_val", "expected_filed"),
    [
        (None, 120, "2021-02-01"),  # the restatement (latest filed) wins
        (dt.date(2021, 1, 31), 100, "2020-02-01"),  # ... unless filed after --as-of
    ],
)
def test_latest_filed_wins_unless_after_as_of(
    tmp_path: Path, as_of: dt.date | None, expected_val: int, expected_filed: str
) -> None:
    rows = [
        {
            "start": "2019-01-01",
            "end": "2019-12-31",
            "val": 100,
            "form": "10-K",
            "filed": "2020-02-01",
            "accn": "a",
        },
        {
            "start": "2019-01-01",
            "end": "2019-12-31",
            "val": 120,
            "form": "10-K",
            "filed": "2021-02-01",
            "accn": "b",
        },
        {
            "start": "2019-10-01",
            "end": "2019-12-31",
            "val": 30,
            "form": "10-K",
            "filed": "2020-02-01",
            "accn": "a",
        },
        {
            "start": "2019-01-01",
            "end": "2019-12-31",
            "val": 999,
            "form": "10-Q",
            "filed": "2020-01-15",
            "accn": "q",
        },
    ]
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(_facts(rows)))
    periods, entity = sec_periods(path, as_of=as_of)
    assert entity == "Example Corp"
    assert [(p["label"], p["income"]["revenue"], p["filed"]) for p in periods] == [
        ("FY2019", expected_val, expected_filed)
    ]


@pytest.mark.parametrize(
    ("end", "label"),
    [
        (dt.date(2023, 9, 30), 2023),  # Apple, September year end
        (dt.date(2024, 1, 28), 2024),  # NVIDIA fiscal 2024 ends in January 2024
        (dt.date(2025, 1, 31), 2025),  # Snowflake fiscal 2025
        (dt.date(2022, 1, 1), 2021),  # 52/53-week calendar year ending on Jan 1
        (dt.date(2024, 12, 31), 2024),
    ],
)
def test_fiscal_year_label(end: dt.date, label: int) -> None:
    assert fiscal_year_of(end) == label


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json at all", "bad JSON"),
        (b'{"cik": 1}', "not an SEC companyfacts file"),
        (b'{"facts": {"us-gaap": {"Foo": {"units": {"USD": []}}}}}', "no annual statement facts"),
        (b"\x1f\x8b\x08garbage", "not a readable gzip file"),
    ],
)
def test_unreadable_files_are_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "facts.json"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        sec_periods(path)
    assert str(path) in str(info.value)


def test_import_creates_then_updates_keeping_other_parts(tmp_path: Path) -> None:
    out = tmp_path / "AAPL"
    bundle = import_sec(AAPL, out, ticker="AAPL", as_of=dt.date(2022, 12, 30))
    assert bundle.profile.name == "Apple Inc." and bundle.profile.currency == "USD"
    assert [p.label for p in bundle.financials.fiscal_years()] == [f"FY{y}" for y in range(2022, 2017, -1)]
    raw = json.loads((out / "bundle.json").read_text())
    raw["notes"] = ["kept"]
    raw["profile"]["sector"] = "Technology"
    (out / "bundle.json").write_text(json.dumps(raw))
    import_sec(AAPL, out, ticker="AAPL", years=2)  # no --as-of: the bundle's own as_of is the cutoff
    again = load_bundle(out).bundle
    assert again.notes == ["kept"] and again.profile.sector == "Technology"
    assert [p.label for p in again.financials.fiscal_years()] == ["FY2022", "FY2021"]


def test_ticker_mismatch_is_refused(tmp_path: Path) -> None:
    import_sec(AAPL, tmp_path / "B", ticker="AAPL", as_of=dt.date(2020, 12, 31), years=1)
    with pytest.raises(InputError, match="bundle belongs to AAPL"):
        import_sec(GOOGL, tmp_path / "B", ticker="GOOGL")
