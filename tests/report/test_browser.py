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

from pipeline.render import render_html, write_report
from pipeline.render.pdf import find_chromium
from pipeline.report.document import Report
from tests.report.factory import hostile_report, make_report

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium found (apt-get install -y chromium)")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "outputs" / "screenshots"


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


def _open(browser: Any, path: Path, width: int = 1000) -> Visit:
    # Offline context: any request other than the file itself is recorded and aborted.
    context = browser.new_context(
        viewport={"width": width, "height": 900}, offline=True, java_script_enabled=True
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
    assert page.locator('svg.price-chart path[data-series="price"]').count() == (1 if chart else 0)
    assert page.locator('svg.price-chart path[data-series="benchmark (rebased)"]').count() == (
        1 if chart else 0
    )
    assert visit.requests == [path.as_uri()]
    assert visit.errors == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    page.context.close()


def test_phone_width_has_no_page_overflow(browser: Any, tmp_path: Path) -> None:
    visit = _open(browser, _write(tmp_path, make_report(chart=True)), width=375)
    page = visit.page
    # Wide tables scroll inside their own box; the page itself must not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # The chart keeps a readable minimum width and scrolls inside its own box on a phone.
    assert page.evaluate("document.querySelector('.chart-scroll').getBoundingClientRect().width") <= 375
    assert page.evaluate("document.querySelector('svg.price-chart').getBoundingClientRect().width") >= 440
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
    """The real HK_3896 and AAPL reports, generated with the offline model."""
    from pipeline.model.providers import resolve_model
    from pipeline.run import run_report

    out = tmp_path_factory.mktemp("generated")
    bundles = Path(__file__).resolve().parents[2] / "fixtures" / "bundles"
    resolved = resolve_model("offline")
    return {
        name: run_report(bundles / name, resolved, out, formats=("json", "html")).report
        for name in ("HK_3896", "AAPL")
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
    charts = page.locator('svg.price-chart path[data-series="price"]').count()
    bench = page.locator('svg.price-chart path[data-series="benchmark (rebased)"]').count()
    # AAPL has daily prices and SPY: the price-vs-benchmark chart must be drawn; HK_3896 has only a snapshot.
    assert (charts, bench) == ((1, 1) if name == "AAPL" else (0, 0))
    assert visit.requests == [path.as_uri()]
    assert visit.errors == [] and visit.dialogs == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"generated_{name}.png"), full_page=True)
    page.context.close()
