"""Review-1's number-check findings through `stockreport generate` (a local stub model: model_server.py).

The stub answers like the offline model and appends review-1's sentences to every prose field:
  * false ones (finding 3: a figure the metrics refuse; 4: written signs; 5: look-alike digits and numerals; 6:
    real figures in the wrong slot): flagged by default, and with `--strict-numbers` none reaches report.json,
    report.md or report.html;
  * true ones (finding 18: P/E as a multiple, a net loss as "lost", investing outflows, the report's own
    coverage): verified, and kept under `--strict-numbers`;
  * finding 8: on a bundle whose data is two years old, a staleness caveat with a wrong date is replaced by the
    report's own caveat under `--strict-numbers`, never removed, and the offline writer's caveats verify.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from pipeline.render.text import visible
from pipeline.report.document import Report
from tests.hardening.model_server import ModelServer
from tests.hardening.support import BUNDLES
from tests.support.answer_fit import append_within_limits
from tests.support.cli import run_cli

# (sentence, the false figure as written): HK_3896, whose call reports Q2-2025
FALSE: list[tuple[str, str]] = [
    ("Free cash flow was RMB 3.33B in the TTM period.", "RMB 3.33B in the TTM"),  # 3: metrics refuse it
    ("Gross margin was minus 16.19% in the TTM period.", "minus 16.19%"),  # 4: signs
    ("Gross margin was (16.19%) in the TTM period.", "(16.19%)"),
    ("Revenue was RMB (9.02) billion in the TTM period.", "RMB (9.02) billion"),
    ("Gross margin was \u2012\u200916.19% in the TTM period.", "\u2012\u200916.19%"),
    ("Gross margin was \u041716.19% in the TTM period.", "\u041716.19%"),  # 5: look-alikes, numerals
    ("Debt-to-equity was \u04271.30 in the TTM period.", "\u04271.30"),
    ("Revenue grew \u277e\u277d% in the TTM period.", "\u277e\u277d%"),
    ("Revenue grew \u4e5d\u5341\u516b% in the TTM period.", "\u4e5d\u5341\u516b%"),
    ("Gross margin was XLII percent in the TTM period.", "XLII percent"),
    ("Revenue grew a dozen percent in the TTM period.", "a dozen percent"),
    ("Revenue tripled in the TTM period.", "tripled"),
    ("Net income was half a billion yuan in the TTM period.", "half a billion yuan"),
    ("Public cloud revenue grew 24% year over year.", "Public cloud revenue grew 24%"),  # 6: wrong slot
    ("AI gross billings grew 39% year over year.", "billings grew 39% year over year"),
    ("Revenue from the Xiaomi and Kingsoft ecosystem grew 27% year over year.", "ecosystem grew 27%"),
    ("Revenue declined 24% year over year in the second quarter.", "declined 24%"),
    ("Capex reached RMB 10 billion in the TTM period.", "RMB 10 billion in the TTM"),
    ("In Q3-2025 revenue reached RMB 2.35 billion.", "In Q3-2025 revenue reached"),
    ("Gross margin reached 16.19%, up from 17.20% a year earlier.", "up from 17.20% a year earlier"),
    ("Without the model-read parts, the score would be 52.", "score would be 52"),  # 18's false twins
    ("Coverage is 58% of the nominal weight.", "Coverage is 58%"),
]
TRUE = [
    "Kingsoft Cloud lost RMB 973 million in the TTM period.",
    "Operating cash flow of RMB 3.33 billion covered investing outflows of RMB 5.44 billion only in part.",
    "Net income was RMB (972.95) million in the TTM period.",
    "Net margin was minus 10.79% in the TTM period.",
    "AI gross billings grew 39% quarter over quarter.",
    "Revenue grew 24% year over year in the second quarter of 2025.",
    "Without the model-read parts, the score would be 47.",  # 18: the page's own figures
    "Coverage is 67% of the nominal weight.",  # 2 of 4 income inputs, 2 of 3 balance, ... (issue 13b)
]
LABELS = {"Positive", "Negative", "Neutral", "Insufficient data"}


def _appending(sentences: list[str], only: str | None = None) -> Any:
    """Appends `sentences` to every prose field (or those containing `only`), as many as its length limit
    allows (tests/support/answer_fit.py): an answer over its limits is rejected before anything is checked."""

    def transform(answer: dict[str, Any]) -> dict[str, Any]:
        if only is None:
            return append_within_limits(answer, lambda key: sentences, once=True)[0]
        return append_within_limits(
            answer, lambda key: sentences, where=lambda text: only in text, once=True
        )[0]

    return transform


def _generate(
    bundle: Path, out: Path, transform: Any, capsys: pytest.CaptureFixture[str], *extra: str
) -> Path:
    with ModelServer(transform=transform) as server:
        code, _, err = run_cli(
            [
                "generate",
                str(bundle),
                "--model",
                "openai-compatible:review1",
                "--base-url",
                server.base_url,
                "--no-cache",
                "--format",
                "json",
                "--format",
                "md",
                "--format",
                "html",
                "--out",
                str(out),
                *extra,
            ],
            capsys,
        )
    assert code == 0, err
    return out / bundle.name


@pytest.fixture(autouse=True)
def _env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setenv("STOCKREPORT_CACHE", str(tmp_path / "cache"))


def test_false_sentences_are_flagged_and_true_ones_verify(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sentences = [s for s, _ in FALSE] + TRUE
    folder = _generate(BUNDLES / "HK_3896", tmp_path / "out", _appending(sentences), capsys)
    report = Report.model_validate_json((folder / "report.json").read_text(encoding="utf-8"))
    for sentence, _ in FALSE:
        on = [c for c in report.number_checks if c.sentence == visible(sentence)]
        assert on, f"not checked: {sentence!r}"
        assert any(c.status != "verified" for c in on), [(c.written, c.status, c.source) for c in on]
        assert any(visible(sentence) in f for f in report.flagged_sentences), sentence
    for sentence in TRUE:
        on = [c for c in report.number_checks if c.sentence == sentence]
        assert on and all(c.status == "verified" for c in on), [(c.written, c.status, c.note) for c in on]


def test_strict_numbers_keeps_the_true_and_drops_the_false(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sentences = [s for s, _ in FALSE] + TRUE
    folder = _generate(
        BUNDLES / "HK_3896", tmp_path / "out", _appending(sentences), capsys, "--strict-numbers"
    )
    texts = {name: (folder / name).read_text(encoding="utf-8") for name in ("report.md", "report.html")}
    texts["report.json"] = json.dumps(
        json.loads((folder / "report.json").read_text(encoding="utf-8")), ensure_ascii=False
    )
    for name, text in texts.items():
        for sentence, written in FALSE:
            assert visible(sentence) not in text, f"{sentence!r} reached {name}"
            assert visible(written) not in text, f"{written!r} reached {name}"
    md = texts["report.md"]
    for sentence in TRUE:
        assert sentence.replace("(", "\\(").replace(")", "\\)") in md or sentence in md, sentence
    report = Report.model_validate_json((folder / "report.json").read_text(encoding="utf-8"))
    assert all(c.status == "verified" for c in report.number_checks)


def _two_years_later(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    path = dst / "bundle.json"
    bundle = json.loads(path.read_text(encoding="utf-8"))
    as_of = dt.date.fromisoformat(bundle["as_of"])
    bundle["as_of"] = as_of.replace(year=as_of.year + 2).isoformat()
    path.write_text(json.dumps(bundle), encoding="utf-8")
    return dst


def test_strict_numbers_never_removes_a_staleness_caveat(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = _two_years_later(BUNDLES / "AAPL", tmp_path / "AAPL")
    wrong = "The data is stale: the prices end on 2021-06-30."  # a caveat with a wrong date
    folder = _generate(
        bundle, tmp_path / "out", _appending([wrong], only="prices end"), capsys, "--strict-numbers"
    )
    md = (folder / "report.md").read_text(encoding="utf-8")
    report = Report.model_validate_json((folder / "report.json").read_text(encoding="utf-8"))
    assert "2021-06-30" not in md
    # the writer's own caveats verify and stay; the wrong one is replaced by the report's caveat
    assert "The prices end on 2022-12-30, long before the analysis date" in md
    assert "Stale data: " in md and "the prices end on 2022-12-30, 731 days before the analysis date" in md
    assert any(f.startswith("[replaced]") for f in report.flagged_sentences)
    assert all(c.status == "verified" for c in report.number_checks)


def test_pe_written_as_a_multiple_of_earnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Finding 18: "21.27x earnings" is Apple's P/E; the same form with another value is flagged."""
    true = ["Apple trades at 21.27x earnings.", "Apple trades at 21.3 times trailing earnings."]
    false = ["Apple trades at 12.27x earnings."]
    folder = _generate(BUNDLES / "AAPL", tmp_path / "out", _appending(true + false), capsys)
    report = Report.model_validate_json((folder / "report.json").read_text(encoding="utf-8"))
    for sentence in true:
        on = [c for c in report.number_checks if c.sentence == sentence]
        assert on and all(c.status == "verified" for c in on), [(c.written, c.status, c.note) for c in on]
    on = [c for c in report.number_checks if c.sentence == false[0]]
    assert on and all(c.status != "verified" for c in on)
