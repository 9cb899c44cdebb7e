"""Record and replay: committed recordings, HTTP path without secrets, per-section stale/missing states."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from pipeline.inputs.load import load_bundle
from pipeline.metrics import compute_metrics
from pipeline.model.call_meta import CallMeta
from pipeline.model.providers import resolve_model
from pipeline.narrate.prompts import build_prompt
from pipeline.narrate.registry import section_names
from pipeline.review.record import record_bundle
from pipeline.review.replay import ReplayChatModel, current_prompt_version, replay_bundle
from tests.review.stub_recording import FAKE_KEY, STUB_MODEL, record_via_stub

REPO = Path(__file__).resolve().parents[2]
BUNDLES = REPO / "fixtures" / "bundles"
RECORDED = REPO / "fixtures" / "recorded"
ASKED = {  # sections each sample bundle has inputs for
    "HK_3896": {"earnings_call", "events", "factors", "financials", "technicals", "summary"},
    "AAPL": {"factors", "financials", "technicals", "summary"},
    "GOOGL": {"factors", "financials", "technicals", "summary"},
    "AFL": {"earnings_call", "factors", "financials", "technicals", "summary"},
}


@pytest.mark.parametrize(("model", "ticker"), [("offline", t) for t in ASKED] + [(STUB_MODEL, "HK_3896")])
def test_committed_recordings_are_complete_and_fresh(model: str, ticker: str) -> None:
    folder = RECORDED / model.replace(":", "_") / ticker
    assert {p.stem for p in folder.glob("*.json")} == ASKED[ticker]
    for path in folder.glob("*.json"):
        rec = json.loads(path.read_text())
        assert rec["prompt_version"].startswith("2+") and rec["input_hash"].startswith("sha256:")
        assert rec["calls"] and rec["usage"]["input_tokens"] > 0 and rec["recorded_on"]
    done = replay_bundle(BUNDLES / ticker, model, RECORDED)
    assert done.error is None
    assert [(s.section, s.state) for s in done.statuses] == [(s.section, "fresh") for s in done.statuses]
    assert {s.section for s in done.statuses} == ASKED[ticker]


@pytest.mark.parametrize("ticker", ["HK_3896", "AAPL"])
def test_replay_gives_the_live_report(ticker: str, tmp_path: Path) -> None:
    from pipeline.run import run_report

    live = run_report(BUNDLES / ticker, resolve_model("offline"), tmp_path, formats=("json",)).report
    record_bundle(BUNDLES / ticker, resolve_model("offline"), tmp_path / "rec")
    replayed = replay_bundle(BUNDLES / ticker, "offline", tmp_path / "rec").report
    assert replayed is not None
    skip: dict[str, Any] = {"provenance": True, "header": {"model_display"}}
    assert replayed.model_dump(mode="json", exclude=skip) == live.model_dump(mode="json", exclude=skip)
    assert replayed.provenance.provider == "replay" and replayed.provenance.model == "replay:offline"
    assert replayed.header.model_display == "replay - replay:offline"


def test_http_recording_stores_no_key_and_replays(tmp_path: Path) -> None:
    files, stub = record_via_stub(BUNDLES / "HK_3896", tmp_path)
    assert len(files) == 6 and len(stub.requests) == 6
    assert all(r.auth_sent for r in stub.requests)  # the key really went over the wire...
    for path in tmp_path.rglob("*"):
        if path.is_file():
            text = path.read_text().lower()
            assert FAKE_KEY.lower() not in text and "authorization" not in text and "bearer" not in text
    rec = json.loads((tmp_path / "openai-compatible_stub-gpt" / "HK_3896" / "factors.json").read_text())
    assert rec["model_id"] == "stub-gpt" and rec["calls"][0]["content"].startswith("{")  # json_schema text
    assert set(rec) == {
        "format",
        "model",
        "model_id",
        "about",
        "ticker",
        "section",
        "bundle",
        "prompt_version",
        "input_hash",
        "request",
        "recorded_on",
        "usage",
        "calls",
    }
    done = replay_bundle(BUNDLES / "HK_3896", STUB_MODEL, tmp_path)
    assert done.error is None and {s.state for s in done.statuses} == {"fresh"}


def _check(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "record", *args, "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env=env,
    )


def _states(stdout: str) -> dict[str, str]:
    """'replay HK:3896 factors: stale: ...' lines -> {section: state}."""
    out = {}
    for line in stdout.splitlines():
        if line.startswith("replay ") and ": " in line:
            head, state = line.split(": ", 2)[:2]
            out[head.split()[-1]] = state
    return out


@pytest.mark.slow  # spawns a stockreport process
def test_edited_prompt_template_makes_only_that_section_stale(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    shutil.copytree(REPO / "pipeline" / "narrate" / "templates", prompts)
    template = prompts / "factors.user.j2"
    template.write_text(template.read_text() + "\nKeep each factor to two sentences.\n")
    env = {**os.environ, "STOCKREPORT_PROMPTS": str(prompts)}
    proc = _check(str(BUNDLES / "HK_3896"), "--model", "offline", "--out", str(RECORDED), env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    states = _states(proc.stdout)
    assert states == {s: ("stale" if s == "factors" else "fresh") for s in ASKED["HK_3896"]}
    assert "prompt version" in next(line for line in proc.stdout.splitlines() if " factors: " in line)


@pytest.mark.slow  # spawns a stockreport process
def test_unchanged_prompts_copy_is_fresh(tmp_path: Path) -> None:
    shutil.copytree(REPO / "pipeline" / "narrate" / "templates", tmp_path / "prompts")
    env = {**os.environ, "STOCKREPORT_PROMPTS": str(tmp_path / "prompts")}
    proc = _check(str(BUNDLES / "GOOGL"), "--model", "offline", "--out", str(RECORDED), env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert set(_states(proc.stdout).values()) == {"fresh"}


def test_changed_bundle_makes_every_section_stale_and_missing_is_named(tmp_path: Path) -> None:
    bundle = tmp_path / "AAPL"
    shutil.copytree(BUNDLES / "AAPL", bundle)
    root = tmp_path / "rec"
    record_bundle(bundle, resolve_model("offline"), root)
    (bundle / "bundle.json").write_text((bundle / "bundle.json").read_text() + "\n")  # same data, new bytes
    done = replay_bundle(bundle, "offline", root)
    assert {s.state for s in done.statuses} == {"stale"}
    assert all("input hash" in s.reasons[0] for s in done.statuses)
    (root / "offline" / "AAPL" / "technicals.json").unlink()
    done = replay_bundle(bundle, "offline", root)
    assert done.report is None and "no recording for AAPL technicals" in str(done.error)
    assert "stockreport record" in str(done.error)
    assert [s.state for s in done.statuses if s.section == "technicals"] == ["missing"]


def test_prompt_version_formula_matches_renderer() -> None:
    loaded = load_bundle(BUNDLES / "HK_3896")
    metrics = compute_metrics(loaded)
    for section in section_names():
        assert current_prompt_version(section) == build_prompt(section, loaded, metrics).version


def test_reask_replays_the_next_recorded_answer(tmp_path: Path) -> None:
    folder = tmp_path / "m" / "AAPL"
    folder.mkdir(parents=True)
    calls = [
        {"content": '{"text": "first"}', "tool_calls": [], "usage": {}},
        {"content": '{"text": "second"}', "tool_calls": [], "usage": {}},
    ]
    (folder / "summary.json").write_text(json.dumps({"calls": calls, "bundle": "", "prompt_version": "x"}))
    model = ReplayChatModel(root=str(tmp_path), model="m")
    ask = [SystemMessage("s"), HumanMessage("any prompt text: section and ticker come as run metadata")]
    config = CallMeta("summary", "AAPL").config()
    assert model.invoke(ask, config=config).content == '{"text": "first"}'
    again = model.invoke([*ask, AIMessage("first"), HumanMessage("fix it")], config=config)
    assert again.content == '{"text": "second"}'
    assert [s.state for s in model.statuses] == ["stale"]  # prompt version "x" is not the current one
