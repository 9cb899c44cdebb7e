"""`stockreport eval`: each measure on hand-made reports; ECTSum coverage on the replayed AFL report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline.review.evaluate import ectsum_coverage, evaluate_report, metric_names
from pipeline.review.replay import replay_bundle

REPO = Path(__file__).resolve().parents[2]
METRICS = {
    "fundamentals": {"periods": [{"figures": {"roe_pct": {}, "gross_margin_pct": {}}}]},
    "valuation": {"pe_ratio": {}},
}


def report(
    factors: list[tuple[str, str]],
    checks: list[tuple[str, str, str]],
    summary: str = "Fine.",
    label: str = "Neutral",
) -> dict[str, Any]:
    """A minimal report.json: positive factors, number checks (section, status, source), a summary."""
    return {
        "ticker": "T",
        "metrics": METRICS,
        "score": {"overall": 50, "label": label, "subscores": []},
        "factors": {"positive": [{"title": t, "text": x} for t, x in factors], "negative": []},
        "sections": {"summary": {"text": summary}},
        "number_checks": [
            {"section": s, "status": st, "source": src, "written": "1"} for s, st, src in checks
        ],
    }


@pytest.mark.parametrize(
    ("factors", "checks", "cited"),
    [
        ([("Margins", "Gross margin is thin.")], [], 1),  # names a metric
        ([("Profitability", "Return on equity is low.")], [], 1),  # "roe_pct" spelled out
        (
            [("Growth", "It grew 12%.")],
            [("factors.positive[0].text", "verified", "metrics.fundamentals.TTM.x")],
            1,
        ),
        ([("Growth", "It grew 12%.")], [("factors.positive[0].text", "verified", "text:earnings_call")], 0),
        ([("Growth", "It grew 12%.")], [("factors.positive[0].text", "unverified", "metrics.x")], 0),
        ([("Momentum", "Shares look strong.")], [], 0),
    ],
)
def test_factor_cites_a_metric(
    factors: list[tuple[str, str]], checks: list[tuple[str, str, str]], cited: int
) -> None:
    ev = evaluate_report(report(factors, checks))
    assert (ev.factors_citing_metric.ok, ev.factors_citing_metric.n) == (cited, 1)


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["verified", "verified", "unverified"], (2, 3)),
        ([], (0, 0)),
        (["direction_mismatch"], (0, 1)),
    ],
)
def test_numbers_verified_share(statuses: list[str], expected: tuple[int, int]) -> None:
    ev = evaluate_report(report([], [("summary.text", s, "metrics.x") for s in statuses]))
    assert (ev.numbers_verified.ok, ev.numbers_verified.n) == expected
    assert sum("number" in p for p in ev.problems) == expected[1] - expected[0]


@pytest.mark.parametrize(
    ("summary", "label", "consistent"),
    [
        ("Strong growth, robust margins and excellent cash flow.", "Outperform", 1),
        ("Strong growth, robust margins and excellent cash flow.", "Underperform", 0),
        ("Weak demand, falling margins and heavy losses.", "Underperform", 1),
    ],
)
def test_tone_against_the_score_label(summary: str, label: str, consistent: int) -> None:
    ev = evaluate_report(report([], [], summary, label))
    assert (ev.tone_consistent.ok, ev.tone_consistent.n) == (consistent, 1)


@pytest.mark.parametrize(
    ("words", "n_factors", "failed"), [(100, 3, 1), (130, 3, 2), (100, 1, 2), (100, 6, 2)]
)
def test_length_limits(words: int, n_factors: int, failed: int) -> None:
    """The empty negative side always fails (limits 3-5); a 130-word summary or 1 or 6 factors add one."""
    factors = [(f"Factor {i}", "Gross margin is thin.") for i in range(n_factors)]
    ev = evaluate_report(report(factors, [], " ".join(["word"] * words)))
    # checks: factor count of each side (2), title + text of each factor, the summary
    assert ev.length_kept.n == 2 + 2 * n_factors + 1
    assert ev.length_kept.n - ev.length_kept.ok == failed


def test_metric_names_spell_out_keys() -> None:
    assert {n.strip() for n in metric_names(METRICS)} == {"return on equity", "gross margin", "p e ratio"}


def test_coverage_counts_reference_numbers() -> None:
    call = {
        "summary": "Net earnings were $951 million; the dividend rose 17.9%.",
        "guidance": "Sales fell 3%.",
    }
    tally, missed = ectsum_coverage(
        {"sections": {"earnings_call": call}},
        "earnings of $951 million, dividend up 17.9%, premium down 3.5% in 2021.",
    )
    assert (tally.ok, tally.n) == (2, 3) and missed == ["3.5%"]  # the year is not counted


@pytest.mark.slow  # spawns a stockreport process
def test_real_afl_coverage_and_cli_json(tmp_path: Path) -> None:
    done = replay_bundle(REPO / "fixtures" / "bundles" / "AFL", "offline", REPO / "fixtures" / "recorded")
    assert done.report is not None
    ev = evaluate_report(
        done.report.model_dump(mode="json"),
        reference=REPO / "fixtures" / "data" / "transcripts" / "ectsum" / "gt_summaries",
    )
    assert ev.ectsum_coverage is not None and ev.ectsum_coverage.n == 4  # $951M, 17.9%, ¥333.8B, 3.5%
    assert ev.ectsum_coverage.ok >= 1  # the 17.9% dividend increase is in the call summary
    (tmp_path / "AFL").mkdir()
    (tmp_path / "AFL" / "report.json").write_text(done.report.model_dump_json())
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "eval", str(tmp_path), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["total"]["ectsum_coverage"] == doc["reports"][0]["ectsum_coverage"]
    assert doc["reports"][0]["ectsum_coverage"]["ok"] == ev.ectsum_coverage.ok
