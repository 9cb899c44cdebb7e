"""Rendering the HK_3896 report: every seed section and key figure in JSON, Markdown and HTML; formatting; writes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.errors import StockreportError
from pipeline.metrics.types import ChartSeries, SubScore
from pipeline.render import format as fmt
from pipeline.render import write as write_mod
from pipeline.render.html import render_html
from pipeline.render.markdown import render_markdown
from pipeline.render.svg import gauge, price_chart, subscore_bars
from pipeline.render.write import render_json, write_report
from pipeline.report.document import EarningsCallSection, Report
from tests.report.factory import make_report, synthetic_chart

COMPANY = "Kingsoft Cloud Holdings Ltd"
# Seed page headings, in the seed's order.
SEED_HEADINGS = [
    "Positive Factors",
    "Negative Factors",
    f"{COMPANY} vs. iShares MSCI Hong Kong ETF (EWH)",
    f"{COMPANY} Business Overview",
    "How the Company Makes Money",
    f"{COMPANY} Earnings Call Summary",
    "Positive Updates",
    "Negative Updates",
    "Company Guidance",
    f"{COMPANY} Financial Statement Overview",
    "Breakdown",
    f"{COMPANY} Technical Analysis",
    "Price Trends",
    "Market Momentum",
    f"{COMPANY} Risk Analysis",
    f"{COMPANY} Peers Comparison",
    f"{COMPANY} Corporate Events",
    "Glossary",
    "Disclaimer",
    "Date of analysis",
    "Appendix: Provenance",
    "Appendix: Number Checks",
]
# Key figures as a reader sees them (md/html) and as raw values in report.json.
KEY_FIGURES = [
    ("HK$7.50", 7.5),
    ("▲(4.90% Upside)", 4.9),
    ("9.02B", 9020.0),
    ("850.17M", 850.17),
    ("-972.95M", -972.95),
    ("-10.78%", None),
    ("1.30", None),
    ("Neutral", "Neutral"),
    ("OpenAI - gpt-5.2", "OpenAI - gpt-5.2"),
    ("Aug 20, 2025", "2025-08-20"),
    ("Mar 25, 2026", "2026-03-25"),
    ("Jan 28, 2026", "2026-01-28"),
    ("HK$32.40B", 32.4e9),
    ("60.21", 60.21),
    ("80.87%", None),
    ("sha256:ab12cd34", "sha256:ab12cd34"),
]


@pytest.fixture(scope="module")
def report() -> Report:
    return make_report(chart=True)


@pytest.fixture(scope="module")
def rendered(report: Report) -> dict[str, str]:
    return {"md": render_markdown(report), "html": render_html(report)}


def _json_values(obj: object) -> list[object]:
    if isinstance(obj, dict):
        return [v for x in obj.values() for v in _json_values(x)]
    if isinstance(obj, list):
        return [v for x in obj for v in _json_values(x)]
    return [obj]


@pytest.mark.parametrize("fmt_name", ["md", "html"])
@pytest.mark.parametrize("heading", SEED_HEADINGS)
def test_seed_heading_present(rendered: dict[str, str], fmt_name: str, heading: str) -> None:
    text = rendered[fmt_name].replace("&amp;", "&")
    assert heading in text


@pytest.mark.parametrize("fmt_name", ["md", "html"])
def test_headings_in_seed_order(rendered: dict[str, str], fmt_name: str) -> None:
    text = rendered[fmt_name].replace("&amp;", "&")
    at = 0
    for heading in SEED_HEADINGS:  # each heading must come after the previous one
        at = text.index(heading, at) + len(heading)


@pytest.mark.parametrize(("shown", "raw"), KEY_FIGURES)
def test_key_figures_in_all_formats(
    rendered: dict[str, str], report: Report, shown: str, raw: object
) -> None:
    assert shown in rendered["md"]
    assert shown in rendered["html"]
    if raw is not None:
        assert raw in _json_values(json.loads(render_json(report)))


def test_json_is_the_report_dump(report: Report) -> None:
    data = json.loads(render_json(report))
    assert {
        "ticker",
        "as_of",
        "score",
        "factors",
        "metrics",
        "sections",
        "provenance",
        "number_checks",
    } <= set(data)
    assert Report.model_validate(data) == report


@pytest.mark.parametrize("fmt_name", ["md", "html"])
def test_missing_section_says_so_in_one_line(report: Report, fmt_name: str) -> None:
    sections = report.sections.model_copy(
        update={"earnings_call": EarningsCallSection(missing="no earnings-call transcript in the bundle")}
    )
    text = (render_markdown if fmt_name == "md" else render_html)(
        report.model_copy(update={"sections": sections})
    )
    assert "Not available: no earnings-call transcript in the bundle" in text
    assert "Positive Updates" not in text and "Company Guidance" not in text
    assert f"{COMPANY} Earnings Call Summary" in text


def test_html_is_self_contained(rendered: dict[str, str]) -> None:
    html = rendered["html"]
    assert "default-src 'none'; style-src 'unsafe-inline'; img-src data:" in html
    assert not re.search(r"\b(src|href)\s*=", html)
    assert "url(" not in html and "@import" not in html and "<script" not in html
    assert "@media print" in html and "@media (max-width: 640px)" in html
    assert (
        'class="chart price-chart"' in html and 'class="gauge"' in html and 'class="chart subscores"' in html
    )


def test_negative_amounts_are_marked(rendered: dict[str, str]) -> None:
    html = re.sub(r' data-label="[^"]*"', "", rendered["html"])  # the phone layout's column names
    assert '<td class="neg">-972.95M</td>' in html
    assert '<td class="">9.02B</td>' in html
    assert '<td class="neg">-8.57%</td>' in html


def test_provenance_and_checks_in_both_formats(rendered: dict[str, str]) -> None:
    for text in rendered.values():
        for piece in (
            "gpt-5.2-2025-12-11",
            "12,034",
            "$0.0412",
            "openai-2026-01",
            "unverified",
            "fundamentals.TTM.fcf",
            "Revenue grew 12%.",
        ):
            assert piece in text.replace("\\.", ".")  # Markdown escapes the dots of names (no autolinks)


@pytest.mark.parametrize(
    ("func", "args", "expected"),
    [
        (fmt.money, (9.02e9, "CNY"), "RMB 9.02B"),
        (fmt.money, (7.5, "HKD"), "HK$7.50"),
        (fmt.money, (-972.95, "CNY", 2, "millions"), "-RMB 972.95M"),
        (fmt.money, (858.2e6, "HKD"), "HK$858.20M"),
        (fmt.money, (1234.5, "XYZ"), "XYZ 1,234.50"),
        (fmt.money, (None, "USD"), "n/a"),
        (fmt.money, (float("nan"), "USD"), "n/a"),
        (fmt.compact, (999_999_999.0,), "1.00B"),
        (fmt.compact, (2.5e12,), "2.50T"),
        (fmt.scaled, (850.17, "millions"), "850.17M"),
        (fmt.scaled, (-1080, "millions"), "-1.08B"),
        (fmt.scaled, (9.02, "billions"), "9.02B"),
        (fmt.pct, (-10.78,), "-10.78%"),
        (fmt.pct, (3.1, 2, True), "+3.10%"),
        (fmt.ratio, (1.3,), "1.30"),
        (fmt.upside, (4.9,), "▲(4.90% Upside)"),
        (fmt.upside, (-3.2,), "▼(3.20% Downside)"),
        (fmt.num, (12034,), "12,034"),
        (fmt.sign_class, (-0.01,), "neg"),
        (fmt.sign_class, (0.0,), ""),
        (fmt.neg_class, (5.0,), ""),
        (fmt.reading_class, ("Outperform",), "pos"),
        (fmt.reading_class, ('" onmouseover="x',), ""),
        (fmt.currency_label, ("CNY",), "RMB"),
    ],
)
def test_format(func: object, args: tuple[object, ...], expected: str) -> None:
    assert func(*args) == expected  # type: ignore[operator]


def test_price_chart_breaks_lines_at_gaps_and_escapes() -> None:
    chart = synthetic_chart(n=60)
    bench = list(chart.benchmark_rebased)
    bench[10:20] = [None] * 10
    svg = price_chart(chart.model_copy(update={"benchmark_rebased": bench}), "HKD", "<b>ETF</b>")
    benchmark_path = re.search(r'<path d="([^"]+)"[^>]*data-series="benchmark', svg)
    assert benchmark_path is not None and benchmark_path.group(1).count("M") == 2
    assert 'data-series="200-day average"' not in svg  # 60 days: no 200-day value at all
    assert "&lt;b&gt;ETF&lt;/b&gt;" in svg and "<b>" not in svg


def test_price_chart_needs_two_points() -> None:
    one = ChartSeries(
        dates=[synthetic_chart(2).dates[0]],
        close=[1.0],
        sma_50=[None],
        sma_200=[None],
        benchmark_rebased=[None],
    )
    assert price_chart(one, "USD") == ""


@pytest.mark.parametrize(("score", "arc_end"), [(0, None), (50, "100.0,20.0"), (100, "180.0,100.0")])
def test_gauge_arc_ends_at_score(score: int, arc_end: str | None) -> None:
    svg = gauge(score, "Neutral")
    arcs = re.findall(r"A80\.0,80\.0 0 0 1 ([\d.]+,[\d.]+)", svg)
    assert arcs[0] == "180.0,100.0"  # the grey track
    assert (arcs[1] if len(arcs) > 1 else None) == arc_end
    assert f">{score}</text>" in svg


def test_subscore_bars_width_and_missing() -> None:
    subs = [
        SubScore(key="valuation", title="Val <x>", score=50, label="Neutral", weight=1, basis="-"),
        SubScore(key="technicals", title="Tech", score=None, label=None, weight=0, basis="-"),
    ]
    svg = subscore_bars(subs, width=360)
    fills = re.findall(r'<rect x="150" y="\d+" width="([\d.]+)" height="14" rx="3" fill="#(?!f3f4f6)', svg)
    assert fills == ["87.0", "0.0"]  # bar width (360 - 150 - 36) * score / 100
    assert "Val &lt;x&gt;" in svg and ">n/a</text>" in svg


def test_write_report_creates_ticker_folder(tmp_path: Path, report: Report) -> None:
    paths = write_report(report, tmp_path)
    assert set(paths) == {"json", "md", "html"}
    assert paths["html"] == tmp_path.resolve() / "HK_3896" / "report.html"
    assert Report.model_validate_json(paths["json"].read_text()) == report
    assert sorted(p.name for p in (tmp_path / "HK_3896").iterdir()) == [
        "report.html",
        "report.json",
        "report.md",
    ]


def test_failed_render_keeps_the_previous_report(
    tmp_path: Path, report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = write_report(report, tmp_path)
    before = {k: p.read_text() for k, p in good.items()}

    def boom(_: Report) -> str:
        raise RuntimeError("template failed")

    monkeypatch.setitem(write_mod.RENDERERS, "html", boom)
    with pytest.raises(RuntimeError):
        write_report(report.model_copy(update={"as_of": report.as_of.replace(day=27)}), tmp_path)
    assert {k: p.read_text() for k, p in good.items()} == before
    assert not [p for p in (tmp_path / "HK_3896").iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("formats", [("json", "docx"), ("PDF",)])
def test_unknown_format_is_a_clean_error(tmp_path: Path, report: Report, formats: tuple[str, ...]) -> None:
    with pytest.raises(StockreportError, match="unknown report format"):
        write_report(report, tmp_path, formats)


def test_pdf_without_chromium_is_a_clean_error(
    tmp_path: Path, report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STOCKREPORT_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(StockreportError, match="apt-get install -y chromium"):
        write_report(report, tmp_path, ("pdf",))
    assert not list((tmp_path / "HK_3896").glob("report.pdf*"))
