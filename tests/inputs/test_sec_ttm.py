"""TTM from 10-Q filings (pipeline/inputs/importers/sec/ttm.py) on all five SEC files, and its properties:
at a fiscal-year end the TTM is that fiscal year; elsewhere it is the sum of the four latest reported quarters."""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from pipeline.inputs.importers.sec import sec_periods
from pipeline.inputs.importers.sec.facts import annual_ends, facts_frame, quarterly_ends
from pipeline.inputs.importers.sec.importer import build_lines
from pipeline.inputs.importers.sec.splits import find_splits, restate_per_share
from pipeline.inputs.importers.sec.ttm import ttm_inputs
from tests.inputs.importer_helpers import DATA
from tests.support.fuzz import scaled

FILES = {
    "AAPL": "CIK0000320193",
    "NVDA": "CIK0001045810",
    "GOOGL": "CIK0001652044",
    "SNOW": "snow_facts",
    "TSLA": "CIK0001318605",
}


@functools.cache
def _doc(ticker: str) -> dict[str, Any]:
    return json.loads(gzip.decompress((DATA / "sec" / f"{FILES[ticker]}.json.gz").read_bytes()))


@functools.cache
def _facts(ticker: str) -> pd.DataFrame:
    """The facts as the importer reads them: per-share facts restated for the filer's splits."""
    return restate_per_share(
        facts_frame(_doc(ticker), Path(ticker), "USD", None), find_splits(_doc(ticker), None)
    )


def _path(ticker: str) -> Path:
    return DATA / "sec" / f"{FILES[ticker]}.json.gz"


@pytest.mark.parametrize("ticker", FILES)
def test_at_a_fiscal_year_end_the_ttm_is_that_fiscal_year(ticker: str) -> None:
    """For every fiscal year of every file, the TTM ending on its last day equals the fiscal-year period."""
    facts = _facts(ticker)
    fys = {p["end"]: p for p in sec_periods(_path(ticker))[0] if p["kind"] == "FY"}
    checked = 0
    for end in annual_ends(facts):
        inputs = ttm_inputs(facts, end)
        assert inputs is not None and inputs.prior_ytd_end is None
        built = build_lines(inputs.duration, inputs.instant)
        period = fys.get(end.date().isoformat())
        if period is None:
            continue
        for statement in ("income", "balance", "cash_flow"):
            assert built.lines.get(statement, {}) == period.get(statement, {}), (ticker, end, statement)
        checked += 1
    assert checked >= 5


def _quarters(ticker: str, tag: str) -> dict[pd.Timestamp, tuple[pd.Timestamp, float]]:
    """Independent oracle from the raw JSON: 3-month facts (80-100 days) of any 10-K/10-Q, latest filed."""
    rows = [
        r
        for u in _doc(ticker)["facts"]["us-gaap"][tag]["units"].values()
        for r in u
        if "start" in r and r.get("form") in ("10-Q", "10-K", "10-Q/A", "10-K/A")
    ]
    out: dict[pd.Timestamp, tuple[pd.Timestamp, float]] = {}
    for r in sorted(rows, key=lambda r: r["filed"]):
        start, end = pd.Timestamp(r["start"]), pd.Timestamp(r["end"])
        if 80 <= (end - start).days <= 100:
            out[end] = (start, float(r["val"]))
    return out


def _precision(value: float) -> float:
    """Half a unit of the precision a filer wrote an amount to (millions, thousands or units)."""
    return 0.5e6 if value % 1e6 == 0 else 0.5e3 if value % 1e3 == 0 else 0.5


@pytest.mark.parametrize("ticker", ["AAPL", "NVDA", "TSLA"])  # the filers whose 10-Ks report Q4 on its own
def test_ttm_is_the_sum_of_the_four_latest_quarters_where_reported(ticker: str) -> None:
    facts = _facts(ticker)
    exact = close = 0
    for end in quarterly_ends(facts, pd.Timestamp("1900-01-01")):
        inputs = ttm_inputs(facts, end)
        if inputs is None or inputs.prior_ytd_end is None:
            continue
        built = build_lines(inputs.duration, inputs.instant)
        for line in ("revenue", "net_income"):
            tag = built.sources.get(line)
            if tag is None:
                continue
            quarters, chain, at = _quarters(ticker, tag), [], end
            while len(chain) < 4 and at in quarters:
                start, val = quarters[at]
                chain.append(val)
                at = start - pd.Timedelta(days=1)
            if len(chain) < 4:
                continue
            ttm = built.lines["income"][line]
            used = [inputs.duration[tag].val, *chain]
            assert abs(ttm - sum(chain)) <= sum(_precision(v) for v in used) * 3, (ticker, end, line, chain)
            exact += ttm == sum(chain)
            close += 1
    assert close >= 50 and exact / close >= 0.6, (exact, close)


@pytest.mark.parametrize(
    ("ticker", "as_of", "ttm_end", "prior_end", "base_fy"),
    [
        ("AAPL", None, "2025-12-27", "2024-12-28", "FY2025"),
        ("AAPL", dt.date(2023, 2, 3), "2022-12-31", "2021-12-25", "FY2022"),  # Q1 FY23 10-Q filed 2023-02-03
        ("AAPL", dt.date(2023, 2, 2), None, None, "FY2022"),  # ... a day earlier: none yet
        ("NVDA", None, "2026-04-26", "2025-04-27", "FY2026"),
        ("GOOGL", dt.date(2017, 12, 29), "2017-09-30", "2016-09-30", "FY2016"),
        ("SNOW", None, "2025-04-30", "2024-04-30", "FY2025"),
        ("TSLA", None, "2022-09-30", "2021-09-30", "FY2021"),
    ],
)
def test_import_builds_the_ttm_and_its_year_earlier_base(
    ticker: str, as_of: dt.date | None, ttm_end: str | None, prior_end: str | None, base_fy: str
) -> None:
    periods, _ = sec_periods(_path(ticker), as_of=as_of, years=5)
    ttms = [p for p in periods if p["kind"] == "TTM"]
    assert [p["end"] for p in ttms] == [e for e in (ttm_end, prior_end) if e]
    fys = [p for p in periods if p["kind"] == "FY"]
    assert fys[0]["label"] == base_fy and len(fys) >= 4  # the fiscal years are kept
    if ttms:
        assert ttms[0]["label"] == "TTM" and ttms[1]["label"].startswith("TTM ")
        assert all(as_of is None or dt.date.fromisoformat(p["filed"]) <= as_of for p in periods)
        assert base_fy in ttms[0]["source"]


def test_ttm_figures_aapl_q1_fy2026() -> None:
    """Apple, TTM to 2025-12-27 = FY2025 + Q1 FY26 - Q1 FY25 (USD)."""
    ttm = next(p for p in sec_periods(_path("AAPL"))[0] if p["label"] == "TTM")
    assert ttm["income"]["revenue"] == 416_161_000_000 + 143_756_000_000 - 124_300_000_000
    assert ttm["income"]["net_income"] == 112_010_000_000 + 42_097_000_000 - 36_330_000_000


def test_eps_sums_across_a_stock_split_on_one_basis() -> None:
    """Tesla split 3-for-1 in 2022: FY2021 EPS was filed pre-split (4.90), the 2022 year-to-date post-split.
    The FY2021 amount is restated (/3) before the sum, so the TTM EPS is on the post-split basis:
    4.90 / 3 + 2.55 (9M 2022) - 0.95 (9M 2021 as the 2022 10-Q restates it; 2.84 as first filed) = 3.23,
    and net income / the year-to-date diluted shares agrees with it (the same basis)."""
    ttm = next(p for p in sec_periods(_path("TSLA"))[0] if p["label"] == "TTM")
    fy2021 = next(p for p in sec_periods(_path("TSLA"))[0] if p["label"] == "FY2021")
    eps, shares, ni = (ttm["income"][k] for k in ("eps_diluted", "shares_diluted", "net_income"))
    assert fy2021["income"]["eps_diluted"] == pytest.approx(4.90 / 3)
    assert "restated /3" in fy2021["components"]["eps_diluted"][0]["note"]
    assert 0.8 < ni / shares / eps < 1.25  # EPS and the share count on one basis
    assert eps == pytest.approx(4.90 / 3 + 2.55 - 0.95)


@seed(13)
@settings(max_examples=scaled(60), deadline=None)
@given(
    quarters=st.lists(st.integers(min_value=-(10**9), max_value=10**10), min_size=8, max_size=8),
    quarter_index=st.integers(min_value=0, max_value=3),
)
def test_ttm_property_on_synthetic_filings(quarters: list[int], quarter_index: int) -> None:
    """Two fiscal years of quarters; a 10-Q after `quarter_index` quarters of the second year: TTM = the sum of
    the last four quarters; with no quarter (the 10-K itself) TTM = the fiscal year."""
    year_ends = [pd.Timestamp("2022-12-31"), pd.Timestamp("2023-12-31")]
    q_ends = [
        pd.Timestamp(d)
        for d in (
            "2022-03-31",
            "2022-06-30",
            "2022-09-30",
            "2022-12-31",
            "2023-03-31",
            "2023-06-30",
            "2023-09-30",
            "2023-12-31",
        )
    ]
    rows = [
        {"start": "2021-01-01", "end": "2021-12-31", "val": 1, "form": "10-K", "filed": "2022-02-01"},
        {
            "start": "2022-01-01",
            "end": "2022-12-31",
            "val": sum(quarters[:4]),
            "form": "10-K",
            "filed": "2023-02-01",
        },
        {
            "start": "2023-01-01",
            "end": "2023-12-31",
            "val": sum(quarters[4:]),
            "form": "10-K",
            "filed": "2024-02-01",
        },
    ]
    for year in (0, 1):
        for k in range(3):  # year-to-date 10-Q facts of Q1..Q3
            rows.append(
                {
                    "start": f"{2022 + year}-01-01",
                    "end": q_ends[4 * year + k].date().isoformat(),
                    "val": sum(quarters[4 * year : 4 * year + k + 1]),
                    "form": "10-Q",
                    "filed": (q_ends[4 * year + k] + pd.Timedelta(days=30)).date().isoformat(),
                }
            )
    doc = {"facts": {"us-gaap": {"Revenues": {"units": {"USD": rows}}}}}
    facts = facts_frame(doc, Path("synthetic"), "USD", None)
    end = q_ends[4 + quarter_index] if quarter_index < 3 else year_ends[1]
    inputs = ttm_inputs(facts, end)
    assert inputs is not None
    last = 4 + quarter_index + 1 if quarter_index < 3 else 8
    assert inputs.duration["Revenues"].val == sum(quarters[last - 4 : last])
