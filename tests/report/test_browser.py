"""Headless Chromium opens the HTML reports: content present, no console errors, no requests, nothing runs.

Uses Playwright for Python driving the system Chromium (never `playwright install`). Skips cleanly when
Playwright or Chromium is absent. Screenshots go to outputs/screenshots/ (git-ignored) for a human to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pipeline.render import format as fmt
from pipeline.render.html import render_html
from pipeline.render.pdf import find_chromium
from pipeline.render.write import write_report
from pipeline.report.document import Report
from tests.report.factory import hostile_report, make_report

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium found (apt-get install -y chromium)")

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "outputs" / "screenshots"
BUNDLES = REPO / "fixtures" / "bundles"

# Every element with a box, whose box reaches past the viewport (or starts left of it): what a reader would
# have to scroll sideways to see, including content clipped inside a scrolling box.
TOO_WIDE = """() => {
  const width = document.documentElement.clientWidth, out = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width > 0 && r.height > 0 && (r.right > width + 0.5 || r.left < -0.5)) {
      const name = `${e.tagName.toLowerCase()}.${e.getAttribute('class') || ''}`;
      out.push(`${name} ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
  }
  for (const e of document.querySelectorAll('.table-wrap'))
    if (e.scrollWidth > e.clientWidth + 1)
      out.push(`scrolls: ${e.firstElementChild.getAttribute('class')} ${e.scrollWidth} in ${e.clientWidth}`);
  return out;
}"""
CHART_LABELS = """() => {
  const width = document.documentElement.clientWidth, out = [];
  for (const t of document.querySelectorAll('svg.price-chart text')) {
    const r = t.getBoundingClientRect();
    if (r.width > 0 && (r.right > width + 0.5 || r.left < -0.5)) out.push(t.textContent);
  }
  return out;
}"""

# Tables marked to stack on a phone that are not stacked: a row whose cells sit side by side, or a cell that
# does not name its column (data-label, drawn before the value). Returns "table.class row: why" lines.
NOT_STACKED = """() => {
  const out = [];
  for (const t of document.querySelectorAll('table.stack')) {
    if (!t.getBoundingClientRect().width) continue;
    const name = t.getAttribute('class');
    if (getComputedStyle(t.tHead || t).display !== 'none' && t.tHead) out.push(`${name}: header row shown`);
    for (const row of t.tBodies[0] ? t.tBodies[0].rows : []) {
      const cells = Array.from(row.cells).filter(c => c.tagName === 'TD' && c.getBoundingClientRect().height);
      for (let i = 1; i < cells.length; i++)
        if (cells[i].getBoundingClientRect().top < cells[i - 1].getBoundingClientRect().bottom - 1)
          out.push(`${name} ${row.rowIndex}: cells side by side`);
      for (const c of cells)
        if (!c.getAttribute('data-label') || getComputedStyle(c, '::before').content === 'none')
          out.push(`${name} ${row.rowIndex}: a cell without its column name`);
    }
  }
  return out;
}"""
# Chart labels a reader cannot read: drawn smaller than 10 CSS px once the SVG is scaled to the screen.
SMALL_LABELS = """() => Array.from(document.querySelectorAll('svg.price-chart text'))
  .filter(t => { const r = t.getBoundingClientRect(); return r.width > 0 && r.height < 10; })
  .map(t => `${t.textContent} ${t.getBoundingClientRect().height.toFixed(1)}px`)"""


def _too_wide(page: Any) -> list[str]:
    return list(page.evaluate(TOO_WIDE))


def _chart_labels_outside(page: Any) -> list[str]:
    return list(page.evaluate(CHART_LABELS))


@dataclass
class Visit:
    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    responses: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


def _open(browser: Any, path: Path, width: int = 1000, js: bool = True) -> Visit:
    # Offline context: any request other than the file itself is recorded and aborted.
    context = browser.new_context(
        viewport={"width": width, "height": 900}, offline=True, java_script_enabled=js
    )
    page = context.new_page()
    visit = Visit(page)
    page.on("request", lambda r: visit.requests.append(r.url))
    page.on("response", lambda r: visit.responses.append(r.url))
    page.on("console", lambda m: visit.errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: visit.errors.append(str(e)))

    def on_dialog(d: Any) -> None:
        visit.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    page.goto(path.as_uri(), wait_until="load")
    return visit


def _write(tmp_path: Path, report: Report) -> Path:
    return write_report(report, tmp_path, ("html",))["html"]


@pytest.mark.parametrize(("name", "chart"), [("HK_3896", False), ("HK_3896_chart", True)])
def test_report_page_in_browser(browser: Any, tmp_path: Path, name: str, chart: bool) -> None:
    report = make_report(chart=chart)
    path = _write(tmp_path, report)
    visit = _open(browser, path)
    page = visit.page
    assert page.inner_text("#score") == "54"
    assert page.inner_text("#score-label") == "Neutral"
    for factor in report.factors.positive + report.factors.negative:
        assert factor.title in page.inner_text("#factors")
    assert page.locator("svg.gauge").count() == 1
    wide = ".chart-wide svg.price-chart"  # the phone drawing (.chart-phone) is hidden at this width
    assert page.locator(f'{wide} path[data-series="price"]').count() == (1 if chart else 0)
    assert page.locator(f'{wide} path[data-series="benchmark (rebased)"]').count() == (1 if chart else 0)
    assert page.locator(".chart-phone svg.price-chart").count() == (1 if chart else 0)
    assert visit.requests == [path.as_uri()]
    assert visit.errors == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    page.context.close()


def test_phone_width_has_no_page_overflow(browser: Any, tmp_path: Path) -> None:
    visit = _open(browser, _write(tmp_path, make_report(chart=True)), width=375)
    page = visit.page
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert _too_wide(page) == []
    # On a phone the chart drawn for phones shows, whole, with its axis labels inside the screen.
    assert page.evaluate("getComputedStyle(document.querySelector('.chart-wide')).display") == "none"
    assert _chart_labels_outside(page) == []
    page.screenshot(path=str(SCREENSHOTS / "HK_3896_375px.png"), full_page=True)
    page.context.close()


def test_injected_markup_does_not_execute_or_break_layout(browser: Any, tmp_path: Path) -> None:
    visit = _open(browser, _write(tmp_path, hostile_report()), width=375)
    page = visit.page
    page.wait_for_timeout(200)  # give an onerror handler time to fire, were there one
    assert visit.dialogs == []
    assert page.evaluate("document.querySelectorAll('script,img,img[onerror],a[href],iframe').length") == 0
    # Every section is still a direct child of <main>, in order: no stray </div> closed anything early.
    ids = page.evaluate(
        "Array.from(document.querySelectorAll('main > section, main > header, main > footer')).map(e => e.id)"
    )
    assert ids == [
        "header",
        "ages",
        "summary",
        "factors",
        "comparison",
        "business",
        "earnings-call",
        "financials",
        "technicals",
        "risks",
        "peers",
        "events",
        "glossary",
        "disclaimer",
        "appendix",
    ]
    assert "<script>alert(1)</script>" in page.inner_text("#summary")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert visit.requests == [page.url]
    assert visit.errors == []
    page.screenshot(path=str(SCREENSHOTS / "hostile_375px.png"), full_page=True)
    page.context.close()


def test_csp_blocks_anything_that_slips_through(browser: Any, tmp_path: Path) -> None:
    # Belt and braces: even markup injected after rendering (a template bug) can neither run nor fetch.
    html = render_html(make_report()).replace(
        "</main>", '<img src="http://evil.example/x.png"><script>alert(1)</script></main>'
    )
    path = tmp_path / "tampered.html"
    path.write_text(html, encoding="utf-8")
    visit = _open(browser, path)
    visit.page.wait_for_timeout(200)
    assert visit.dialogs == []
    # Chromium reports the blocked attempt as a request, but it never gets a response.
    assert [u for u in visit.responses if "evil.example" in u] == []
    assert any("Content Security Policy" in e for e in visit.errors)
    visit.page.context.close()


def test_pdf_is_printed(tmp_path: Path) -> None:
    paths = write_report(make_report(chart=True), tmp_path, ("html", "pdf"))
    data = paths["pdf"].read_bytes()
    assert data[:5] == b"%PDF-" and len(data) > 20_000


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Report]:
    """The real HK_3896, AAPL and GOOGL reports, generated with the offline model."""
    from pipeline.model.providers import resolve_model
    from pipeline.run import run_report

    out = tmp_path_factory.mktemp("generated")
    resolved = resolve_model("offline")
    return {
        name: run_report(BUNDLES / name, resolved, out, formats=("json", "html")).report
        for name in ("HK_3896", "AAPL", "GOOGL")
    }


@pytest.mark.parametrize("name", ["HK_3896", "AAPL"])
def test_generated_report_in_browser(
    browser: Any, generated: dict[str, Report], tmp_path: Path, name: str
) -> None:
    report = generated[name]
    path = _write(tmp_path, report)
    visit = _open(browser, path)
    page = visit.page
    assert page.inner_text("#score") == str(report.score.overall)
    assert page.inner_text("#score-label") == report.score.label
    for factor in report.factors.positive + report.factors.negative:
        assert factor.title in page.inner_text("#factors")
    charts = page.locator('.chart-wide svg.price-chart path[data-series="price"]').count()
    bench = page.locator('.chart-wide svg.price-chart path[data-series="benchmark (rebased)"]').count()
    # AAPL has daily prices and SPY: the price-vs-benchmark chart must be drawn; HK_3896 has only a snapshot.
    assert (charts, bench) == ((1, 1) if name == "AAPL" else (0, 0))
    assert visit.requests == [path.as_uri()]
    assert visit.errors == [] and visit.dialogs == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"generated_{name}.png"), full_page=True)
    page.context.close()


@pytest.mark.parametrize("width", [360, 390, 1280])
@pytest.mark.parametrize("name", ["HK_3896", "AAPL", "GOOGL"])
def test_sample_reports_fit_phone_and_desktop(
    browser: Any, generated: dict[str, Report], tmp_path: Path, name: str, width: int
) -> None:
    """Issue 19: at 360 and 390 px no table scrolls sideways (wide ones stack), the chart shows whole with its axis
    labels, and at 1280 px the number-check table fits its box. Screenshots for a human to look at."""
    report = generated[name]
    visit = _open(browser, _write(tmp_path, report), width=width)
    page = visit.page
    assert _too_wide(page) == []
    assert _chart_labels_outside(page) == []
    dates = page.locator(
        ".chart-phone svg.price-chart text" if width < 640 else ".chart-wide svg.price-chart text"
    )
    if report.metrics.technicals.chart:  # first, middle and last date labels, all visible
        assert [t for t in dates.all_text_contents() if t[:3].isalpha()][-1].endswith(str(report.as_of.year))
    assert page.evaluate(SMALL_LABELS) == []
    if width < 640:  # the key tables are stacked: a card per row, each cell labelled with its column
        for table in ("breakdown", "checks"):
            assert page.locator(f"table.{table}").count() == 1
        assert page.evaluate(NOT_STACKED) == []
    assert visit.errors == [] and visit.requests == [page.url]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}_{width}.png"), full_page=True)
    page.context.close()


@pytest.mark.parametrize("name", ["HK_3896", "AAPL"])
def test_pdf_pages_cut_no_column(generated: dict[str, Report], tmp_path: Path, name: str) -> None:
    """Every glyph of the printed PDF lies inside its page's printable area (14 mm margins), so no column is
    cut at the edge; the full number-check values are there. Two pages are saved as PNG for a human."""
    pdfium = pytest.importorskip("pypdfium2", reason="pypdfium2 is not installed")
    from tests.support.png import write_png

    paths = write_report(generated[name], tmp_path, ("html", "pdf"))
    pdf = pdfium.PdfDocument(str(paths["pdf"]))
    margin = 14 / 25.4 * 72  # @page margin in points
    outside: list[tuple[int, str, float]] = []
    text = []
    for i in range(len(pdf)):
        page = pdf[i]
        width, _ = page.get_size()
        chars = page.get_textpage()
        text.append(chars.get_text_range())
        for c in range(chars.count_chars()):
            glyph = chars.get_text_range(c, 1)
            if not glyph.strip():
                continue
            left, _, right, _ = chars.get_charbox(c)
            if right > width - margin + 1 or left < margin - 1:
                outside.append((i + 1, glyph, round(right, 1)))
    assert outside == []
    whole = "".join(text)
    # the longest values as the table prints them are the ones a cut column loses: each is there whole
    printed = {fmt.check_value(c.value, c.kind) for c in generated[name].number_checks}
    printed |= {fmt.check_value(c.fact_value, c.kind) for c in generated[name].number_checks}
    longest = sorted(printed, key=len)[-10:]
    assert len(longest[-1]) >= 8 and [v for v in longest if v not in whole] == []
    for i in (0, len(pdf) - 2):
        image = pdf[i].render(scale=1.4, rev_byteorder=True).to_numpy()[:, :, :3]
        write_png(SCREENSHOTS / f"{name}_pdf_page{i + 1}.png", image.copy(order="C"))


@pytest.fixture(scope="module")
def three_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """AAPL by three models on one page, through `stockreport generate -m ... -m ... -m ...`: offline, a
    local OpenAI-compatible server (tests/hardening/model_server.py, answering as a contrarian model) and a
    replay of the committed offline recordings. Returns report.html."""
    import os

    from tests.hardening.model_server import ModelServer
    from tests.support.cli import run_cli
    from tests.support.contrarian import contrarian

    out = tmp_path_factory.mktemp("three")

    class _Cap:  # module scope has no capsys: run_cli only needs readouterr
        def readouterr(self) -> Any:
            return type("C", (), {"out": "", "err": ""})()

    saved = {k: os.environ.get(k) for k in ("OPENAI_COMPATIBLE_API_KEY", "STOCKREPORT_RECORDED")}
    os.environ.update(
        OPENAI_COMPATIBLE_API_KEY="sk-local-stub", STOCKREPORT_RECORDED=str(REPO / "fixtures" / "recorded")
    )
    try:
        with ModelServer(transform=contrarian) as server:
            args = ["generate", str(BUNDLES / "AAPL"), "-m", "offline", "-m", "openai-compatible:local-stub"]
            args += ["-m", "replay:offline", "--base-url", server.base_url, "--out", str(out), "--no-cache"]
            code, _, _ = run_cli(args, _Cap())  # type: ignore[arg-type]
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert code == 0
    return out / "AAPL" / "report.html"


def test_three_model_page_switches_without_a_script(browser: Any, three_models: Path) -> None:
    import json

    doc = json.loads((three_models.parent / "report.json").read_text())
    assert [m["model"] for m in doc["models"]] == [
        "offline",
        "openai-compatible:local-stub",
        "replay:offline",
    ]
    assert any(d["other_model"].startswith("OpenAI-compatible") for d in doc["disagreements"])
    md = (three_models.parent / "report.md").read_text()
    assert "## Other Models" in md and "### Where the Models Disagree" in md
    for m in doc["models"][1:]:  # every model's own prose is in the Markdown
        assert m["sections"]["financials"]["income_statement"] in md.replace("\\", "")
    for width in (1280, 390):
        # JavaScript off: the switch is radio inputs and CSS alone.
        visit = _open(browser, three_models, width=width, js=False)
        page = visit.page
        assert page.evaluate("document.scripts.length") == 0  # a JS-off context still evaluates this
        for i, m in enumerate(doc["models"], start=1):
            page.click(f"label[for=model-{i}]")
            shown = page.evaluate(
                "Array.from(document.querySelectorAll('#factors > .mv')).map(e => getComputedStyle(e).display)"
            )
            assert shown == ["block" if j == i else "none" for j in range(1, 4)]
            titles = page.locator("#factors").inner_text()
            assert all(f["title"] in titles for f in m["factors"]["positive"] + m["factors"]["negative"])
            assert m["model_display"] in page.locator("#summary").inner_text()
            assert _too_wide(page) == []
            if i == 2:
                page.screenshot(
                    path=str(SCREENSHOTS / f"AAPL_three_models_{width}.png"), full_page=width > 640
                )
        assert visit.errors == [] and visit.dialogs == [] and visit.requests == [page.url]
        page.context.close()


def _batch_of(root: Path, n: int) -> list[Path]:
    """`n` bundles made from the samples: HK_3896 copies with the snapshot price moved (their technical
    readings and upside differ), AAPL, GOOGL and AFL copies, and one hostile name."""
    import json
    import shutil

    samples = ("HK_3896", "AAPL", "GOOGL", "AFL")
    out = []
    for i in range(n):
        sample = samples[1 + (i // 2) % 3] if i % 2 else "HK_3896"  # odd: AAPL, GOOGL, AFL in turn
        ticker = f"T{i:02d}"
        dst = root / ticker
        shutil.copytree(BUNDLES / sample, dst)
        data = json.loads((dst / "bundle.json").read_text())
        data["profile"]["ticker"] = ticker
        data["profile"]["name"] = f"{data['profile']['name']} #{i}"
        if i == 7:
            data["profile"]["name"] = "<img src=x onerror=alert(1)> & Co"
        if sample == "HK_3896":
            snap = data["technical_snapshot"]
            snap["last_price"] = round(5.0 + 0.25 * i, 2)
            data["market"]["pe_ratio"] = [-26.31, 8.5, 14.0, 35.0][i % 4]
        (dst / "bundle.json").write_text(json.dumps(data))
        out.append(dst)
    return out


def test_index_of_a_40_ticker_batch_sorts_and_filters_in_the_browser(browser: Any, tmp_path: Path) -> None:
    import json
    from collections import Counter

    from pipeline.batch.runner import Limits, run_batch
    from pipeline.run_config import RunConfig

    bundles = _batch_of(tmp_path / "bundles", 40)
    out = tmp_path / "out"
    outcome = run_batch(bundles, RunConfig(out=out), Limits(concurrency=2, workers=1))
    assert len(outcome.results) == 40 and not outcome.failed
    written = {p.parent.name: json.loads(p.read_text()) for p in out.glob("*/report.json")}
    assert len(written) == 40
    visit = _open(browser, out / "index.html", width=1280)
    page = visit.page
    rows = "#reports tbody tr"
    assert page.locator(rows).count() == 40
    assert _too_wide(page) == []  # 17 columns fit a 1280 px screen without scrolling in their box
    assert page.is_visible("#controls")  # the script ran: the CSP allowed it by its hash

    def scores() -> list[int]:
        return [int(x) for x in page.locator(f"{rows}:not([hidden]) td:nth-child(3)").all_inner_texts()]

    assert sorted(scores()) == sorted(doc["score"]["overall"] for doc in written.values())
    page.click("thead button:has-text('Score')")  # was descending: now ascending
    assert scores() == sorted(scores()) and len(set(scores())) > 5
    page.click("thead button:has-text('Score')")
    assert scores() == sorted(scores(), reverse=True)
    page.screenshot(path=str(SCREENSHOTS / "index_40_by_score.png"), full_page=True)
    page.fill("#filter-text", "t07")
    assert page.locator(f"{rows}:not([hidden])").count() == 1
    assert "<img src=x onerror=alert(1)> & Co" in page.locator(f"{rows}:not([hidden])").inner_text()
    assert page.evaluate("document.querySelectorAll('main img').length") == 0
    page.fill("#filter-text", "")
    by_label = Counter(doc["score"]["label"] for doc in written.values())
    assert {"Outperform", "Neutral", "Insufficient data"} <= set(by_label)
    for label, n in by_label.items():
        page.select_option("#filter-label", label)
        shown = page.locator(f"{rows}:not([hidden]) td:nth-child(4)").all_inner_texts()
        assert len(shown) == n and all(text.startswith(label) for text in shown)
        assert page.inner_text("#shown") == str(n)
    page.select_option("#filter-label", "")
    href = page.locator(f"{rows} th a").first.get_attribute("href")
    assert href is not None and (out / href).is_file()
    assert visit.errors == [] and visit.dialogs == [] and visit.requests == [page.url]
    page.context.close()
    visit = _open(browser, out / "index.html", width=390)
    assert _too_wide(visit.page) == []
    visit.page.screenshot(path=str(SCREENSHOTS / "index_40_390.png"))
    visit.page.context.close()
