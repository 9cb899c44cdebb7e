"""Several models on one page (`stockreport generate BUNDLE -m A -m B -m C`), checked in the files, without a
browser (tests/report/test_browser.py clicks the switch): every model's score, factors and prose in
report.json, report.md and report.html; the bundle's parts once; the page's switch is CSS only; the
disagreements are the real differences (a replay of the lead model's own answers disagrees about nothing).

The second model is a local OpenAI-compatible server (tests/hardening/model_server.py) answering as a
contrarian (tests/support/contrarian.py: sentiment labels Negative, a strength re-read as a risk)."""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hardening.model_server import ModelServer
from tests.support.cli import run_cli
from tests.support.contrarian import contrarian

REPO = Path(__file__).resolve().parents[2]
MODELS = ["offline", "openai-compatible:local-stub", "replay:offline"]


@pytest.fixture(scope="module")
def server() -> Iterator[ModelServer]:
    with ModelServer(transform=contrarian) as s:
        yield s


class _NoCapture:
    """run_cli reads the captured output through this; a module-scoped fixture has no capsys."""

    def readouterr(self) -> Any:
        return type("Captured", (), {"out": "", "err": ""})()


@pytest.fixture(scope="module")
def page(server: ModelServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One three-model AAPL page, written once for the tests that read it."""
    out_root = tmp_path_factory.mktemp("three")
    args = ["generate", str(REPO / "fixtures" / "bundles" / "AAPL"), "--out", str(out_root), "--no-cache"]
    for m in MODELS:
        args += ["-m", m]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("OPENAI_COMPATIBLE_API_KEY", "sk-local-stub")
        env.setenv("STOCKREPORT_RECORDED", str(REPO / "fixtures" / "recorded"))
        code, _, _ = run_cli([*args, "--base-url", server.base_url], _NoCapture())  # type: ignore[arg-type]
    assert code == 0
    folder = out_root / "AAPL"
    return {
        "doc": json.loads((folder / "report.json").read_text()),
        "md": (folder / "report.md").read_text(),
        "html": (folder / "report.html").read_text(),
    }


def test_json_carries_every_model_and_the_lead_at_the_top(page: dict[str, Any]) -> None:
    doc = page["doc"]
    assert [m["model"] for m in doc["models"]] == MODELS
    lead = doc["models"][0]
    for key in ("score", "factors", "sections", "number_checks"):
        assert doc[key] == lead[key]  # the top level reads as the lead model's own report
    contrary = doc["models"][1]
    assert contrary["factors"] != lead["factors"]
    assert contrary["factors"]["negative"][-1]["title"].startswith("Doubts: ")
    # The bundle's deterministic parts are computed once and are the same whichever model writes.
    assert [s["key"] for s in contrary["score"]["subscores"]] == [
        s["key"] for s in lead["score"]["subscores"]
    ]
    for m in doc["models"]:
        assert all(c["status"] == "verified" for c in m["number_checks"])


def test_disagreements_are_the_real_differences(page: dict[str, Any]) -> None:
    doc = page["doc"]
    others = {d["other_model"] for d in doc["disagreements"]}
    stub, replay = (m["model_display"] for m in doc["models"][1:])
    assert others == {stub}  # the replay of the lead's own answers disagrees about nothing
    topics = [d["topic"] for d in doc["disagreements"] if d["other_model"] == stub]
    # AAPL's technicals already read Negative and it has no call or events: the score agrees, the factors do not
    assert doc["models"][1]["score"] == doc["models"][0]["score"]
    assert "Overall score" not in topics
    assert set(topics) == {"Positive factor", "Negative factor"}
    doubt = next(d for d in doc["disagreements"] if d["other"].startswith("Doubts: "))
    assert doubt["topic"] == "Negative factor" and doubt["lead"] == ""
    assert replay not in others


def test_markdown_has_every_models_prose(page: dict[str, Any]) -> None:
    md, doc = page["md"].replace("\\", ""), page["doc"]
    assert "## Other Models" in md and "### Where the Models Disagree" in md
    for m in doc["models"]:
        assert m["model_display"] in md
        for section in ("income_statement", "balance_sheet", "cash_flow"):
            assert m["sections"]["financials"][section] in md
        for f in m["factors"]["positive"] + m["factors"]["negative"]:
            assert f["title"] in md


def test_html_switch_is_css_only_and_the_bundle_parts_are_shown_once(page: dict[str, Any]) -> None:
    html, doc = page["html"], page["doc"]
    assert "<script" not in html.lower()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp is not None and "script-src" not in csp.group(1).replace("script-src 'none'", "")
    radios = re.findall(r'<input type="radio" name="model" id="model-(\d)"', html)
    assert radios == ["1", "2", "3"]
    assert html.count('type="radio" name="model" id="model-1" value="1" checked') == 1
    for i in (1, 2, 3):  # one rule per model hides the other models' blocks
        assert f".page:has(#model-{i}:checked) .mv:not(.mv-{i})" in html
    text = html_lib.unescape(html)
    for m in doc["models"]:
        assert m["model_display"] in text
        for f in m["factors"]["positive"] + m["factors"]["negative"]:
            assert f["title"] in text
    assert html.count('<table class="num breakdown stack">') == 1  # statements once, not per model
    assert html.count('svg class="price-chart') <= 2  # the chart's desktop and phone drawings, once each


def test_one_model_keeps_the_single_report_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = REPO / "fixtures" / "bundles" / "AAPL"
    code, _, err = run_cli(
        ["generate", str(bundle), "--out", str(tmp_path), "-f", "json", "-f", "html"], capsys
    )
    assert code == 0, err
    doc = json.loads((tmp_path / "AAPL" / "report.json").read_text())
    assert "models" not in doc and "disagreements" not in doc
    assert 'name="model"' not in (tmp_path / "AAPL" / "report.html").read_text()


def test_a_score_the_models_read_differently_is_listed_with_both_values(
    server: ModelServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """HK_3896 has an earnings call and events, which the model reads: the contrarian's Negative labels move
    the score, and the disagreement names both scores as each model's page shows them."""
    monkeypatch.setenv("OPENAI_COMPATIBLE_API_KEY", "sk-local-stub")
    bundle = REPO / "fixtures" / "bundles" / "HK_3896"
    args = ["generate", str(bundle), "-m", "offline", "-m", "openai-compatible:local-stub", "-f", "json"]
    code, _, err = run_cli(
        [*args, "--base-url", server.base_url, "--out", str(tmp_path), "--no-cache"], capsys
    )
    assert code == 0, err
    doc = json.loads((tmp_path / "HK_3896" / "report.json").read_text())
    lead, other = (m["score"] for m in doc["models"])
    assert lead["overall"] != other["overall"]
    by_topic = {d["topic"]: d for d in doc["disagreements"]}
    assert (by_topic["Overall score"]["lead"], by_topic["Overall score"]["other"]) == (
        str(lead["overall"]),
        str(other["overall"]),
    )
    # each side as that model's page shows it (the tone check may soften a label the call does not support)
    call = [m["sections"]["earnings_call"]["sentiment"] for m in doc["models"]]
    flip = by_topic["Earnings call sentiment"]
    assert [flip["lead"], flip["other"]] == call and call[0] != call[1]


def test_models_that_send_nothing_cost_nothing_on_the_cli_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A replay of the real local model's recordings beside the offline model: no request leaves the machine,
    # so the line says $0, as report.json does (it said "not priced (no price for offline-rules-v1)").
    monkeypatch.setenv("STOCKREPORT_RECORDED", str(REPO / "fixtures" / "recorded"))
    bundle = REPO / "fixtures" / "bundles" / "AAPL"
    args = ["generate", str(bundle), "-m", "offline", "-m", "replay:local:smollm2", "-o", str(tmp_path)]
    code, out, err = run_cli([*args, "-f", "json"], capsys)
    assert code == 0, err
    assert "$0.0000" in out and "not priced" not in out + err
    doc = json.loads((tmp_path / "AAPL" / "report.json").read_text())
    assert doc["provenance"]["cost_usd"] == 0.0 and doc["provenance"]["unpriced_models"] == []
