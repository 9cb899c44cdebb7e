"""`stockreport diff` on two real report versions: it names exactly the changes made, in both formats."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline.model.providers import resolve_model
from pipeline.review.diff import MATCH_THRESHOLD, diff_paths, diff_reports, similarity
from pipeline.review.render import markdown, terminal
from pipeline.run import run_report

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def hk_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("hk")
    done = run_report(
        REPO / "fixtures" / "bundles" / "HK_3896", resolve_model("offline"), out, formats=("json",)
    )
    return json.loads(done.paths["json"].read_text())


def edited(report: dict[str, Any]) -> dict[str, Any]:
    """One factor reworded (title and text), one removed, the overall score moved by 3."""
    new = copy.deepcopy(report)
    pos = new["factors"]["positive"]
    assert "supports" in pos[0]["text"]
    pos[0] = {"title": "Solid revenue growth", "text": pos[0]["text"].replace("supports", "a sign of")}
    neg = new["factors"]["negative"]
    neg.pop(1)
    new["score"]["overall"] += 3
    return new


@pytest.mark.slow  # spawns a stockreport process
def test_names_exactly_the_changes(hk_report: dict[str, Any], tmp_path: Path) -> None:
    old_title = hk_report["factors"]["positive"][0]["title"]
    removed = hk_report["factors"]["negative"][1]["title"]
    d = diff_reports(hk_report, edited(hk_report))
    got = {(c.section, c.kind, c.name) for c in d.changes}
    score = hk_report["score"]["overall"]
    assert got == {
        ("score", "moved", "overall"),
        ("factors.positive", "reworded", f"{old_title} -> Solid revenue growth"),
        ("factors.negative", "removed", removed),
    }
    assert d.changed
    text = terminal([d]).plain
    assert f"score overall moved: {score} -> {score + 3} (+3)" in text
    assert f"factors.negative removed: {removed}" in text and "3 changes" in text
    md = markdown([d])
    assert "~~supports~~" in md and "**a sign of**" in md and f"removed: {removed}" in md
    # the CLI over the two files: exit 1, the same three lines, also within a score tolerance
    a, b = tmp_path / "old.json", tmp_path / "new.json"
    a.write_text(json.dumps(hk_report))
    b.write_text(json.dumps(edited(hk_report)))
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "diff", str(a), str(b), "--format", "markdown"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert proc.returncode == 1, proc.stderr
    assert sum(line.startswith("- ") for line in proc.stdout.splitlines()) == 3


@pytest.mark.parametrize(
    ("move", "tolerance", "changed"), [(3, 0, True), (3, 3, False), (-4, 3, True), (0, 0, False)]
)
def test_tolerance_on_score_moves(
    hk_report: dict[str, Any], move: int, tolerance: float, changed: bool
) -> None:
    new = copy.deepcopy(hk_report)
    new["score"]["overall"] += move
    assert diff_reports(hk_report, new, tolerance).changed is changed


def test_sentiment_flip_numbers_and_subscores(hk_report: dict[str, Any]) -> None:
    new = copy.deepcopy(hk_report)
    new["sections"]["earnings_call"]["sentiment"] = "Negative"
    new["sections"]["summary"]["text"] = new["sections"]["summary"]["text"].replace("(86)", "(81)")
    new["score"]["subscores"][3]["score"] -= 5
    d = diff_reports(hk_report, new)
    got = {(c.section, c.kind): (c.old, c.new) for c in d.changes}
    assert got[("earnings_call.sentiment", "flipped")] == ("Positive", "Negative")
    assert got[("summary.text", "numbers")] == ("86", "81")
    key = hk_report["score"]["subscores"][3]["key"]
    assert [c.name for c in d.changes if c.section == "subscores"] == [key]
    assert len(d.changes) == 4  # flip, summary reworded, its numbers, one sub-score


@pytest.mark.parametrize(
    ("a", "b", "match"),
    [
        (
            ("High leverage", "Debt to equity of 1.30 is elevated."),
            ("Elevated leverage", "Debt to equity of 1.30 is high."),
            True,
        ),
        (
            ("Revenue growth", "Revenue grew 15.79%."),
            ("Growing revenue", "Revenue grew 15.79% in the TTM period."),
            True,
        ),
        (
            ("High leverage", "Debt to equity of 1.30."),
            ("Low gross margin", "A 16.19% gross margin is thin."),
            False,
        ),
        (
            ("Negative return on equity", "ROE is -16.34%."),
            ("Supportive technical trend", "Indicators read Positive."),
            False,
        ),
    ],
)
def test_factor_matching_by_meaning(a: tuple[str, str], b: tuple[str, str], match: bool) -> None:
    sim = similarity({"title": a[0], "text": a[1]}, {"title": b[0], "text": b[1]})
    assert (sim >= MATCH_THRESHOLD) is match


def test_folders_matched_by_ticker(hk_report: dict[str, Any], tmp_path: Path) -> None:
    for side, doc in (("old", hk_report), ("new", hk_report)):
        (tmp_path / side / "HK_3896").mkdir(parents=True)
        (tmp_path / side / "HK_3896" / "report.json").write_text(json.dumps(doc))
    other = {**hk_report, "ticker": "ZZZ"}
    (tmp_path / "new" / "ZZZ").mkdir()
    (tmp_path / "new" / "ZZZ" / "report.json").write_text(json.dumps(other))
    diffs = diff_paths(tmp_path / "old", tmp_path / "new")
    assert [(d.ticker, [c.kind for c in d.changes]) for d in diffs] == [("HK:3896", []), ("ZZZ", ["added"])]
