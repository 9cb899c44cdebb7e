"""What a reader needs to judge a figure, through `stockreport generate` (review-1 #15, #19): the valuation
inputs behind the score, our score apart from a source's rating, the window of every price change, the
currency of every price."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from pipeline.money import format_money
from tests.support.cli import run_cli

BUNDLES = Path(__file__).resolve().parents[1] / "fixtures" / "bundles"
SAMPLES = ("HK_3896", "AAPL", "GOOGL", "AFL")


def _generate(bundle: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[dict[str, Any], str, str]:
    code, _, err = run_cli(["generate", str(bundle), "--out", str(out), "--no-cache"], capsys)
    assert code == 0, err
    folder = next(p for p in out.iterdir() if p.is_dir())
    report = json.loads((folder / "report.json").read_text())
    return report, (folder / "report.md").read_text(), (folder / "report.html").read_text()


def _section(md: str, heading: str) -> str:
    start = md.index(heading)
    end = md.find("\n## ", start)
    return md[start : end if end >= 0 else None]


@pytest.mark.parametrize("name", SAMPLES)
def test_every_valuation_input_is_on_the_page(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every figure the valuation sub-score reads is shown with its value, or 'n/a' with the reason, whether
    or not the bundle has peers (AAPL has none: before, P/E 21.27 and yield 0.70% were only in report.json)."""
    report, md, html = _generate(BUNDLES / name, tmp_path, capsys)
    figures = report["metrics"]["valuation"]
    sub = {s["key"]: s for s in report["score"]["subscores"]}["valuation"]
    table = _section(md, "### Valuation: ")
    assert table.startswith(f"### Valuation: {sub['score'] if sub['score'] is not None else 'n/a'} ")
    currency = report["header"]["price_currency"]
    titles = {"pe_ratio": "P/E ratio", "dividend_yield_pct": "Dividend yield", "market_cap": "Market cap"}
    for key, fig in figures.items():
        row = next(line for line in table.splitlines() if line.startswith(f"| {titles[key]} |"))
        if fig["status"] == "ok":
            shown = {
                "ratio": f"{fig['value']:,.2f}",
                "pct": f"{fig['value']:,.2f}%",
                "money": format_money(fig["value"], currency),
            }[fig["unit"]]
            assert f"| {shown} |" in row, row
        else:
            assert "| n/a |" in row and fig["status"].replace("_", " ") in row, row
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", row), row  # no raw field key in the basis
    assert 'id="valuation"' in html
    if name == "AAPL":
        assert "| P/E ratio | 21.27 |" in table and "| Dividend yield | 0.70% |" in table


def test_peer_table_separates_our_score_from_source_ratings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """HK_3896's peers are provided with their source's ratings: they sit in 'Source Rating', this report's
    score in 'Our Score', and the sector average takes a median of the ratings only (never of both)."""
    report, md, html = _generate(BUNDLES / "HK_3896", tmp_path, capsys)
    rows = report["sections"]["peers"]["rows"]
    subject = next(r for r in rows if r["is_subject"])
    assert subject["overall_score"] == report["score"]["overall"] and subject["source_rating"] is None
    provided = [r for r in rows if r["origin"] == "provided"]
    assert provided and all(r["overall_score"] is None and r["source_rating"] is not None for r in provided)
    average = next(r for r in rows if r["origin"] == "sector_average")
    ratings = sorted(r["source_rating"] for r in provided)
    assert average["source_rating"] == round(ratings[len(ratings) // 2]) and average["overall_score"] is None
    table = _section(md, "### Financial Indicators")
    assert "| Name | Data | Our Score | Source Rating |" in table
    kingsoft = next(line for line in table.splitlines() if "**Kingsoft Cloud Holdings Ltd**" in line)
    assert f"| {subject['overall_score']} {report['score']['label']} | n/a |" in kingsoft
    assert "<th>Our Score</th><th>Source Rating</th>" in html


def test_price_changes_name_their_window_and_prices_their_currency(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every price in the performance table carries its currency, every change its window (or that the source
    does not state one), and the sector average does not take a median of changes over unknown windows."""
    bundle = tmp_path / "HK_3896"
    import shutil

    shutil.copytree(BUNDLES / "HK_3896", bundle)
    data = json.loads((bundle / "bundle.json").read_text())
    data["peers"][0].pop("currency", None)  # a provided price with no currency: said so, not assumed
    (bundle / "bundle.json").write_text(json.dumps(data))
    report, md, _ = _generate(bundle, tmp_path / "out", capsys)
    table = _section(md, "### Performance Comparison")
    lines = [line for line in table.splitlines() if line.startswith("| HK:")]
    assert "| Price | Change | % Change | Window |" in table and len(lines) == 6
    for line in lines:
        cells = [c.strip() for c in line.strip("|").split("|")]
        price, change, pct, window = cells[2], cells[3], cells[4], cells[5]
        assert price.startswith("HK$") or price.endswith("(currency not given)"), line
        if pct != "n/a" and not pct.startswith("n/a ["):
            assert window in ("1Y", "not stated by the source"), line
            assert change.startswith(("HK$", "-HK$")) or change.endswith("(currency not given)"), line
    assert sum("(currency not given)" in line for line in lines) == 1
    average = next(r for r in report["sections"]["peers"]["rows"] if r["origin"] == "sector_average")
    assert average["change_pct"] is None and "over 1Y" in average["cell_notes"]["change_pct"]


_RAW_KEY = re.compile(r"\b[a-z]+\\_[a-z\\_]+\b")  # a field key as Markdown escapes it: free\_cash\_flow
_SHOWN_PCT = re.compile(r"^(-?[\d,]+\.\d\d)%$")


@pytest.mark.parametrize("name", [*SAMPLES, "HK_3896@2028-01-28"])
def test_reader_text_has_no_raw_keys_floats_or_encoded_dates(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """review-1 #19, by class on every sample: no field key or exponent float in the text a reader reads (the
    provenance and number-check appendices name fields on purpose); the performance difference is in
    percentage points and adds up from the two columns as shown; dates and periods in the number-check
    appendix read as dates, not as the numbers the checker compares; one scored part is not both the
    strongest and the weakest. 'HK_3896@2028-01-28': every part stale (the stale notes are reader text too)."""
    bundle = BUNDLES / name
    if "@" in name:
        import shutil

        name, as_of = name.split("@")
        bundle = tmp_path / name
        shutil.copytree(BUNDLES / name, bundle)
        data = json.loads((bundle / "bundle.json").read_text())
        data["as_of"] = as_of
        (bundle / "bundle.json").write_text(json.dumps(data))
    report, md, html = _generate(bundle, tmp_path / "out", capsys)
    body = md[: md.index("## Appendix: Provenance")]
    assert not _RAW_KEY.findall(body), _RAW_KEY.findall(body)
    assert not re.search(r"\d[eE][+-]\d", body)
    if "\n| Window | " in body:  # the stock against its benchmark
        table = body[body.index("\n| Window | ") + 1 :].split("\n\n", 1)[0].splitlines()
        assert table[0].endswith("| Difference (pp) |")
        for line in table[2:]:
            cells = [c.strip() for c in line.strip("|").split("|")]
            stock, bench, diff = (_SHOWN_PCT.match(cells[1]), _SHOWN_PCT.match(cells[2]), cells[3])
            if stock and bench:
                want = float(stock[1].replace(",", "")) - float(bench[1].replace(",", ""))
                assert diff == f"{want:+,.2f} pp", line
        assert "Difference (pp)</th>" in html
    for check in report["number_checks"]:
        if check["kind"] in ("date", "period") and check["value"] is not None:
            assert f"| {int(check['value']):,}.00 |" not in md
    summary = report["sections"]["summary"]["text"]
    assert not re.search(r"strongest part is ([\w ]+) \(\d+\), the weakest \1 \(", summary), summary
    if report["sections"]["technicals"]["origin"] == "provided":
        assert "Indicators computed on prices" not in md and "technical snapshot of" in md
