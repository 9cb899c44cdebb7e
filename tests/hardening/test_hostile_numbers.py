"""A model that invents numbers on purpose, in every disguise, through `stockreport generate` (issue 12).

A local OpenAI-compatible stub (ModelServer) answers like the offline model and appends hostile sentences to
every prose field: invented figures glued to letters, in unknown scale words, e-notation, number words, a
ticker-like form, split by invisible characters, in other scripts' digits, wrapped in markup. Through the
real CLI:
  * by default every one of them is flagged (unverified or unparsed) in the appendix;
  * with `--strict-numbers` none of them reaches report.json, report.md or report.html (report.pdf is printed
    from report.html), and every number left in the report is verified.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.render.text import visible
from pipeline.report.document import Report
from tests.hardening.model_server import ModelServer
from tests.hardening.support import BUNDLES
from tests.support.answer_fit import append_within_limits
from tests.support.cli import run_cli

# (sentence, the invented number as written)
HOSTILE: list[tuple[str, str]] = [
    ("Gross margin expanded by 987.6-percent in the TTM period.", "987.6-percent"),
    ("AI revenue rose 987-fold.", "987-fold"),
    ("Revenue grew987.6% in the TTM period.", "grew987.6%"),
    ("Gross margin:77.7% in the TTM period.", "77.7%"),
    ("Free cash flow was $987.6MM.", "$987.6MM"),
    ("Revenue was RMB 123.4Bn.", "123.4Bn"),
    ("Revenue was RMB 123.4BN.", "123.4BN"),
    ("Revenue reached a RMB 123.4-billion run rate.", "123.4-billion"),
    ("Revenue was 1.234e11 yuan.", "1.234e11"),
    ("Revenue was twelve billion yuan.", "twelve billion"),
    ("Operating cash flow was RMB (3896) million.", "(3896) million"),
    ("Revenue grew 9\u200b8\u200b7% in the TTM period.", "9\u200b8\u200b7%"),
    ("Gross margin rose to 9\u00ad8\u00ad7%.", "9\u00ad8\u00ad7%"),
    ("Risk factors rose 98\u066a this year.", "98\u066a"),
    ("Revenue grew \uff19\uff18\uff17\uff05 in the TTM period.", "\uff19\uff18\uff17"),
    ("Net margin was \u0669\u0668\u0667% in the TTM period.", "\u0669\u0668\u0667"),
    ("Model 1.1.0.19.126429 projects revenue growth.", "1.1.0.19.126429"),
    ("Net income was **RMB 987.6 mln** in the TTM period.", "987.6 mln"),
    ("Gross margin was <b>55.5%</b> in the TTM period.", "55.5%"),
    ("Revenue grew 4**4**4% in the TTM period.", "4**4**4%"),
]
LABELS = {"Positive", "Negative", "Neutral", "Insufficient data"}


def _hostile(answer: dict[str, Any]) -> dict[str, Any]:
    """Every prose field (not titles, not labels) gets the hostile sentences appended, as many as its length
    limit allows (each sentence lands in some field of the report: the financials paragraphs hold all)."""
    return append_within_limits(answer, lambda key: [s for s, _ in HOSTILE], once=True)[0]


def _generate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *extra: str
) -> Path:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setenv("STOCKREPORT_CACHE", str(tmp_path / "cache"))
    with ModelServer(transform=_hostile) as server:
        code, _, err = run_cli(
            [
                "generate",
                str(BUNDLES / "HK_3896"),
                "--model",
                "openai-compatible:hostile",
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
                str(tmp_path / "out"),
                *extra,
            ],
            capsys,
        )
    assert code == 0, err
    return tmp_path / "out" / "HK_3896"


def test_every_invented_number_is_flagged_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _generate(tmp_path, capsys, monkeypatch)
    report = Report.model_validate_json((folder / "report.json").read_text(encoding="utf-8"))
    checks = report.number_checks
    for (
        sentence,
        _,
    ) in HOSTILE:  # files show the visible text: invisible characters are removed (render/text.py)
        on = [c for c in checks if c.sentence == visible(sentence)]
        assert on, f"not checked: {sentence!r}"
        assert all(c.status != "verified" for c in on), [(c.written, c.status, c.source) for c in on]
    # the appendix shows them as not verified, with the reason
    md = (folder / "report.md").read_text(encoding="utf-8")
    assert "| unparsed |" in md and "| unverified |" in md


def test_strict_numbers_drops_them_from_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _generate(tmp_path, capsys, monkeypatch, "--strict-numbers")
    texts = {
        name: (folder / name).read_text(encoding="utf-8")
        for name in ("report.json", "report.md", "report.html")
    }
    texts["report.json (decoded)"] = json.dumps(json.loads(texts["report.json"]), ensure_ascii=False)
    for name, text in texts.items():
        for sentence, written in HOSTILE:
            for form in {written, visible(written)}:
                assert form not in text, f"{form!r} reached {name}"
            assert visible(sentence) not in text, f"{sentence!r} reached {name}"
    report = Report.model_validate_json(texts["report.json"])
    assert report.number_checks and all(c.status == "verified" for c in report.number_checks)
    dropped = [f for f in report.flagged_sentences if f.startswith("[dropped]")]
    assert dropped and all("did not check out" in f for f in dropped)


def test_random_invented_numbers_rarely_verify_by_coincidence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Random numbers of five kinds (whole percent, 2-decimal percent, money with scale, bare integer, year),
    in sentences a model might write, sent for every section (seed 20260128): under 2% come out verified.
    The issue measured 11.9% before the check knew kinds and subjects."""
    import importlib.util
    import random
    import sys

    path = BUNDLES.parents[1] / "benchmarks" / "numcheck_eval.py"
    spec = importlib.util.spec_from_file_location("numcheck_eval", path)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench
    spec.loader.exec_module(bench)
    rng = random.Random(20260128)
    sent: list[str] = []

    def random_numbers(answer: dict[str, Any]) -> dict[str, Any]:
        def pieces(key: str) -> list[str]:
            return [
                s
                for kind in bench.KINDS
                for s, _ in bench.random_sentences(kind, 2, rng.randrange(10**9), "RMB ")
            ]

        out, placed = append_within_limits(answer, pieces)
        sent.extend(placed)
        return out

    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with ModelServer(transform=random_numbers) as server:
        code, _, err = run_cli(
            [
                "generate",
                str(BUNDLES / "HK_3896"),
                "--model",
                "openai-compatible:random",
                "--base-url",
                server.base_url,
                "--no-cache",
                "--format",
                "json",
                "--out",
                str(tmp_path / "out"),
            ],
            capsys,
        )
    assert code == 0, err
    report = Report.model_validate_json(
        (tmp_path / "out" / "HK_3896" / "report.json").read_text(encoding="utf-8")
    )
    invented = set(sent)
    checks = [c for c in report.number_checks if c.sentence in invented]
    verified = [c for c in checks if c.status == "verified"]
    print(f"random invented numbers through generate: {len(verified)} of {len(checks)} verified")
    assert len(checks) >= 100
    assert len(verified) / len(checks) < 0.02, [(c.written, c.source, c.sentence) for c in verified]
