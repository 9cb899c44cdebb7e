"""Snapshot tests over the recorded answers: a code change shows as a readable diff of the replayed report.

Each sample ticker is replayed from `fixtures/recorded/` through the full parsing, checking and assembly path
and compared with `__snapshots__/test_snapshots.ambr` (syrupy). Volatile fields (generated_at, latencies,
cache flags, package version) are masked. A prompt edit first fails `test_recordings_fresh` (re-record with
`stockreport record BUNDLE --model offline`, and `--model local:smollm2` for the real model's set); then
`pytest tests/review --snapshot-update` accepts the new
answers after the diff has been reviewed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

from pipeline.review.replay import replay_bundle
from tests.review.stub_recording import STUB_MODEL

REPO = Path(__file__).resolve().parents[2]
CASES = [
    ("offline", "HK_3896"),
    ("offline", "AAPL"),
    ("offline", "GOOGL"),
    ("offline", "AFL"),
    (STUB_MODEL, "HK_3896"),
    # a real model: SmolLM2 through llama.cpp (fixtures/recorded/README.md), recorded once
    ("local:smollm2", "HK_3896"),
    ("local:smollm2", "AAPL"),
    ("local:smollm2", "GOOGL"),
]
VOLATILE = {"generated_at", "latency_s", "cached", "package_version", "price_table"}


def masked(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "<masked>" if k in VOLATILE else masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value


def view(report: dict[str, Any]) -> dict[str, Any]:
    """What a reviewer reads: scores, factors, prose sections, number checks, flags, provenance (masked).
    The full metrics block is left out (metrics have their own tests); the score carries its effect."""
    return masked(
        {
            "score": report["score"],
            "factors": report["factors"],
            "sections": {
                k: v for k, v in report["sections"].items() if k not in ("glossary", "disclaimer", "business")
            },
            "number_checks": [
                f"{c['status']}: {c['written']} in {c['section']} ({c['source']})"
                for c in report["number_checks"]
            ],
            "flagged_sentences": report["flagged_sentences"],
            "provenance": report["provenance"],
        }
    )


@pytest.mark.parametrize(("model", "ticker"), CASES)
def test_recordings_fresh(model: str, ticker: str) -> None:
    done = replay_bundle(REPO / "fixtures" / "bundles" / ticker, model, REPO / "fixtures" / "recorded")
    stale = [s.line() for s in done.statuses if s.state != "fresh"]
    assert done.error is None and not stale, (
        f"recordings out of date ({done.error or stale}): run `stockreport record fixtures/bundles/{ticker} "
        f"--model {model}` and review the snapshot diff"
    )


@pytest.mark.parametrize(("model", "ticker"), CASES)
def test_replayed_report_snapshot(model: str, ticker: str, snapshot: SnapshotAssertion) -> None:
    done = replay_bundle(REPO / "fixtures" / "bundles" / ticker, model, REPO / "fixtures" / "recorded")
    assert done.report is not None, done.error
    assert view(done.report.model_dump(mode="json")) == snapshot
