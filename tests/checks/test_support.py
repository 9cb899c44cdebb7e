"""Unsupported prose (checks/support.py): labelled cases, precision and recall, and the CLI path.

Supported: every section the offline writer gives for every sample bundle (real facts, "insufficient data"
where inputs are missing), and hostile near-misses (a peer named in passing, the company's own legal name,
a repeated short label). Unsupported: what SmolLM2 and other weak models write (generic text without one
fact, loops, another company's story).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.checks.answer_checks import NumberCheck
from pipeline.checks.support import repetition, unsupported_reasons
from pipeline.model.providers import resolve_model
from pipeline.narrate.narration import NarrateOptions
from pipeline.run import narrate_bundle
from tests.hardening.model_server import ModelServer
from tests.support.cli import run_cli

REPO = Path(__file__).resolve().parents[2]
BUNDLES = REPO / "fixtures" / "bundles"
APPLE = ("Apple Inc.", "AAPL")


def _verified(n: int) -> list[NumberCheck]:
    return [
        NumberCheck(section="text", sentence="s", written="1", value=1.0, kind=None, status="verified")
        for _ in range(n)
    ]


# (text, verified numbers in it, unsupported?)
LABELLED: list[tuple[str, int, bool]] = [
    # supported
    ("Revenue rose 6.4% to $391.0B and the net margin was 24.0%.", 2, False),
    ("Apple Inc. (NASDAQ: AAPL) grew revenue 6.4%, ahead of Samsung Electronics Co. in units.", 1, False),
    ("Momentum is positive: RSI 62.1 and the price is above its 50-day average.", 1, False),
    ("Free cash flow has insufficient data. The net margin has insufficient data.", 0, False),
    ("There is no balance sheet in the bundle. Its finances cannot be judged.", 0, False),
    ("Gross margin held at 46.2%. Gross margin held at 46.2% a year earlier too, by coincidence.", 1, False),
    (
        "Apple's services revenue grew 13%. Apple Inc. keeps buying back shares; AAPL holders benefit.",
        1,
        False,
    ),
    # unsupported: no fact at all
    ("The company has a strong brand and a bright future in its markets.", 0, True),
    ("Revenue grew 12% to $55.13B, an excellent result for shareholders.", 0, True),
    # unsupported: loops
    (
        "The company is doing well. The stock is strong. The company is doing well. The stock is strong.",
        2,
        True,
    ),
    ("growth " * 3 + "the revenue growth is strong and the revenue growth is strong " * 4, 1, True),
    # unsupported: another company
    (
        "Microsoft Corporation (NASDAQ: MSFT) grew Azure 29%, and Microsoft Corporation raised its dividend.",
        1,
        True,
    ),
    ("Tencent Holdings Ltd. reported 11% growth; Tencent Holdings Ltd. (HKEX: 700) led the sector.", 1, True),
]


def test_labelled_cases_precision_and_recall() -> None:
    tp = fp = fn = tn = 0
    wrong = []
    for text, verified, unsupported in LABELLED:
        got = bool(unsupported_reasons([("text", text)], _verified(verified), *APPLE))
        tp += got and unsupported
        fp += got and not unsupported
        fn += unsupported and not got
        tn += not got and not unsupported
        if got != unsupported:
            wrong.append(text)
    assert not wrong, wrong
    assert (tp, fp, fn, tn) == (6, 0, 0, 7)


def test_the_offline_writer_is_never_flagged() -> None:
    """Every section of every sample bundle (19 sections, 4 of them all 'insufficient data')."""
    model = resolve_model("offline")
    flagged = {}
    sections = 0
    for bundle in sorted(p for p in BUNDLES.iterdir() if p.is_dir()):
        narrated = narrate_bundle(bundle, model, NarrateOptions(cache=None))
        for name, result in narrated.narrative.results.items():
            sections += 1
            if result.unsupported:
                flagged[(bundle.name, name)] = result.unsupported
    assert sections >= 19 and flagged == {}


def test_titles_labels_and_quotes_are_not_prose() -> None:
    fields = [
        ("positive[0].title", "Strong growth Strong growth Strong growth Strong growth"),
        ("evidence[0]", "Tencent Holdings Ltd. said Tencent Holdings Ltd. will grow."),
        ("sentiment", "Positive"),
        ("positive[0].text", "Revenue rose 6.4%."),
    ]
    assert unsupported_reasons(fields, _verified(1), *APPLE) == []


def test_repetition_names_what_repeats() -> None:
    assert repetition(["Insufficient data. Insufficient data."]) is None  # too short to be a loop
    why = repetition(["Sales are up a lot. Sales are up a lot."])
    assert why is not None and "1 sentence" in why


def _loop(answer: dict[str, Any]) -> dict[str, Any]:
    """A weak model's loop in the technicals paragraph; every other section as the offline writer has it."""
    if set(answer) == {"text"} and "RSI" in json.dumps(answer):
        return {"text": "The stock is moving. The stock is moving. The stock is moving."}
    return answer


@pytest.mark.parametrize("strict", [False, True])
def test_an_unsupported_section_is_never_published_as_analysis(
    strict: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with ModelServer(transform=_loop) as server:
        args = [
            "generate",
            str(BUNDLES / "AAPL"),
            "-m",
            "openai-compatible:weak",
            "--base-url",
            server.base_url,
        ]
        args += ["--no-cache", "-o", str(tmp_path), "-f", "json", "-f", "md"]
        code, _, err = run_cli([*args, "--strict-numbers" if strict else "--flag-numbers"], capsys)
    assert code == 0, err
    report = json.loads((tmp_path / "AAPL" / "report.json").read_text())
    text = report["sections"]["technicals"]["text"]
    md = (tmp_path / "AAPL" / "report.md").read_text()
    if strict:
        assert text == "Insufficient data." and "The stock is moving" not in md
        assert any(
            "[dropped] technicals: its prose was unsupported" in f for f in report["flagged_sentences"]
        )
    else:
        assert text.startswith("[unsupported] The stock is moving.")
        assert any(f.startswith("[unsupported] technicals:") for f in report["flagged_sentences"])
    assert any("repeats itself" in f for f in report["flagged_sentences"])
    # the other sections are the offline writer's: never flagged
    assert not any("summary" in f or "financials" in f for f in report["flagged_sentences"])
