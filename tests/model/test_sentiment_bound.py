"""A local stub model answering "Insufficient data", then "Negative", for both sentiment sections, through
`stockreport generate`: the score moves at most the documented bound, a label change is shown as model-driven,
and unsupported labels are flagged and counted as Neutral (issue 13, Must show)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.hardening.model_server import ModelServer
from tests.model.sentiment_stub import HK, SCENARIOS, Scenario, profitable_variant, run
from tests.support.cli import run_cli

BY_NAME = {s.name: s for s in SCENARIOS}


def _run(bundle: Path, name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    return run(bundle, BY_NAME[name], tmp_path / name.replace(" ", "_").replace(",", ""), capsys)


def test_hk3896_labels_move_the_score_at_most_the_bound(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    insufficient = _run(HK, "Insufficient data, no quotes", tmp_path, capsys)
    invented = _run(HK, "Negative, invented quote", tmp_path, capsys)
    negative = _run(HK, "Negative, verbatim quotes", tmp_path, capsys)
    for report in (insufficient, invented):  # counted as Neutral, flagged, no move at all
        secs, mi = report["sections"], report["score"]["model_influence"]
        assert secs["earnings_call"]["sentiment"] == secs["events"]["sentiment"] == "Neutral"
        assert sum("[sentiment evidence]" in f for f in report["flagged_sentences"]) == 2
        assert mi["shift"] == 0 and report["score"]["overall"] == mi["neutral"]
        # the parts did not disappear: income 2 of 4 inputs, balance 2 of 3, technicals, valuation 2 of 3,
        # call, events (0.1 + 0.1 + 0.2 + 0.0667 + 0.1 + 0.1)
        assert report["score"]["coverage_pct"] == 66.67
    assert (
        "NOT found in the source"
        in (tmp_path / "Negative_invented_quote" / "HK_3896" / "report.md").read_text()
    )
    mi = negative["score"]["model_influence"]
    # the call's quote names "price pressure" and its summary says Negative: counted. The events' verbatim
    # quote ("may impact stakeholders' perception ...") carries no negative tone: Neutral, flagged.
    assert negative["sections"]["earnings_call"]["sentiment"] == "Negative"
    assert negative["sections"]["events"]["sentiment"] == "Neutral"
    assert "do not carry a negative tone" in negative["sections"]["events"]["sentiment_note"]
    assert mi["neutral"] == insufficient["score"]["overall"]
    assert 0 < -mi["shift"] <= mi["bound_points"] == 5 and mi["bound"] == pytest.approx(
        20 * 0.2 / 0.85, abs=1e-4
    )
    assert not mi["label_changed"] and negative["score"]["label"] == "Neutral"


def test_profitable_variant_cannot_be_moved_by_removing_the_parts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's variant: 'Insufficient data' used to drop both parts (74 -> 78, no flag). Now they count as
    Neutral (74, flagged), and verbatim Negative quotes move it by at most the 4-point bound."""
    bundle = profitable_variant(tmp_path)
    insufficient = _run(bundle, "Insufficient data, no quotes", tmp_path, capsys)
    negative = _run(bundle, "Negative, verbatim quotes", tmp_path, capsys)
    neutral = insufficient["score"]["model_influence"]["neutral"]
    assert insufficient["score"]["overall"] == neutral < insufficient["score"]["model_influence"]["without"]
    mi = negative["score"]["model_influence"]
    assert mi["bound_points"] == 4 and abs(negative["score"]["overall"] - neutral) <= 4


@pytest.mark.parametrize("scenario", [SCENARIOS[0], SCENARIOS[-1]])
def test_offline_and_quoted_labels_count(
    scenario: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The offline model's own labels come with quotes that check out (nothing flagged); a Positive label whose
    verbatim quotes read negative is not supported: the call's quote names 'pressure'."""
    report = run(HK, scenario, tmp_path / "r", capsys)
    call = report["sections"]["earnings_call"]
    assert call["evidence"] and all(q["status"] == "verified" for q in call["evidence"])
    if scenario.label is None:
        assert call["sentiment"] == call["model_sentiment"] == "Positive" and not call["sentiment_note"]
    else:
        assert call["sentiment"] == "Neutral" and "read the other way" in call["sentiment_note"]


AFL = HK.parent / "AFL"


def _answer(label: str, quote: str, *, call: bool) -> Any:
    """A stub that gives one part `label` with one quote and keeps the offline writer's own summary."""

    def apply(answer: dict[str, Any]) -> dict[str, Any]:
        if "sentiment" not in answer or ("guidance" in answer) is not call:
            return answer
        return dict(answer, sentiment=label, evidence=[quote])

    return apply


@pytest.mark.parametrize(
    ("bundle", "call", "label", "quote", "status", "why"),
    [
        # review-1 #13, AFL: a 26-character fragment of a positive point, while the prose says Positive
        (
            AFL,
            True,
            "Negative",
            "policies in force declined",
            "verified",
            "own text says the tone is Positive",
        ),
        # HK run A: a quote cut mid-word is not what the source says
        (HK, True, "Negative", "ncerns about chip supply due to geopolitical tensi", "cut_word", "not found"),
        # HK run D: the fence's closing tag is not the source's text
        (HK, False, "Negative", "strategic direction.\n</data>", "markup", "not found"),
    ],
)
def test_review_evidence_attacks_are_refused_through_the_cli(
    bundle: Path,
    call: bool,
    label: str,
    quote: str,
    status: str,
    why: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with ModelServer(transform=_answer(label, quote, call=call)) as server:
        code, _, err = run_cli(
            [
                "generate",
                str(bundle),
                "--model",
                "openai-compatible:stub",
                "--base-url",
                server.base_url,
                "--out",
                str(tmp_path),
                "--format",
                "json",
                "--format",
                "md",
                "--no-cache",
            ],
            capsys,
        )
    assert code == 0, err
    folder = next(p for p in tmp_path.iterdir() if p.is_dir())
    report = json.loads((folder / "report.json").read_text())
    section = report["sections"]["earnings_call" if call else "events"]
    assert section["model_sentiment"] == label and section["sentiment"] == "Neutral"
    assert [q["status"] for q in section["evidence"]] == [status]
    assert why in section["sentiment_note"]
    part = {s["key"]: s for s in report["score"]["subscores"]}[
        "earnings_call" if call else "corporate_events"
    ]
    assert part["score"] == 50  # scored at Neutral: the model's label moved nothing
    md = (folder / "report.md").read_text()
    assert "counted as Neutral" in md
    # a call-only bundle: the provisional score is the model's reading alone, and the page says so
    assert (report["score"]["model_influence"]["model_share_pct"] == 100.0) is (bundle == AFL)
    assert ("the score is the model's reading alone" in md) is (bundle == AFL)
