"""A local stub model answering "Insufficient data", then "Negative", for both sentiment sections, through
`stockreport generate`: the score moves at most the documented bound, a label change is shown as model-driven,
and unsupported labels are flagged and counted as Neutral (issue 13, Must show)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.model.sentiment_stub import HK, SCENARIOS, Scenario, profitable_variant, run

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
        assert report["score"]["coverage_pct"] == 85.0  # the parts did not disappear
    assert (
        "NOT found in the source"
        in (tmp_path / "Negative_invented_quote" / "HK_3896" / "report.md").read_text()
    )
    mi = negative["score"]["model_influence"]
    assert negative["sections"]["earnings_call"]["sentiment"] == "Negative"
    assert mi["neutral"] == insufficient["score"]["overall"]
    assert 0 < -mi["shift"] <= mi["bound_points"] == 5 and mi["bound"] == pytest.approx(
        20 * 0.2 / 0.85, abs=1e-4
    )
    # Neutral 48 -> Underperform 43: the label change is the model's doing, and the page says so
    assert mi["label_changed"] and negative["score"]["label"] == "Underperform"
    md = (tmp_path / "Negative_verbatim_quotes" / "HK_3896" / "report.md").read_text()
    assert "The label is model-driven" in md and "at Neutral it would read Neutral" in md


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
