"""A real `stockreport batch` subprocess killed with SIGKILL mid-run resumes without losing or corrupting
any finished report, and does not regenerate the finished ones."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.report.document import Report
from tests.batch.conftest import REPO, make_bundles, manifest_of, stockreport

TICKERS = [f"K{i:02d}" for i in range(8)]


@pytest.mark.slow  # spawns a stockreport process
def test_sigkill_mid_batch_then_resume(tmp_path: Path) -> None:
    make_bundles(tmp_path / "in", TICKERS)
    out = tmp_path / "out"
    env = {**os.environ, "STOCKREPORT_OFFLINE_DELAY_S": "0.15"}  # ~1 s per ticker: time to kill mid-run
    cmd = [
        sys.executable,
        "-m",
        "pipeline",
        "batch",
        str(tmp_path / "in"),
        "--out",
        str(out),
        "--workers",
        "1",
        "--concurrency",
        "2",
        "--no-progress",
        "--no-cache",
        "-f",
        "json",
        "-f",
        "md",
    ]
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("*/report.md"))) < 2:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    finished = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/report.md")}
    assert 2 <= len(finished) < len(TICKERS), "the kill should land mid-batch"
    for folder in out.iterdir():  # whatever exists is whole: atomic writes leave no half file
        if folder.is_dir():
            assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
            if (folder / "report.json").exists():
                Report.model_validate_json((folder / "report.json").read_text())

    again = stockreport(
        "batch",
        str(tmp_path / "in"),
        "--out",
        str(out),
        "--workers",
        "1",
        "--no-progress",
        "--no-cache",
        "-f",
        "json",
        "-f",
        "md",
        env={"STOCKREPORT_OFFLINE_DELAY_S": "0"},
    )
    assert again.returncode == 0, again.stderr
    rows = manifest_of(out)["tickers"]
    for t in TICKERS:
        report = Report.model_validate_json((out / t / "report.json").read_text())
        assert report.ticker == t and report.sections.summary.text
        assert (out / t / "report.md").read_text().strip()
        if t in finished:  # finished before the kill: kept, not regenerated
            assert rows[t]["status"] == "cached" and rows[t]["model_calls"] == 0
            assert (out / t / "report.md").stat().st_mtime_ns == finished[t]
        else:
            assert rows[t]["status"] == "done"
    json.dumps(rows)  # the manifest itself is valid JSON (loaded above)


@pytest.mark.slow  # spawns a stockreport process
def test_sigkill_leaves_no_orphan_and_the_rerun_clears_leftovers(tmp_path: Path) -> None:
    """Worker processes die with a SIGKILLed parent; the rerun removes staged files and folds the dead
    run's unfinished manifest into its own; every report is whole (its Markdown is what its JSON renders)."""
    from tests.batch.conftest import assert_reports_whole, session_processes

    tickers = [f"W{i:02d}" for i in range(8)]
    make_bundles(tmp_path / "in", tickers)
    out = tmp_path / "out"
    env = {**os.environ, "STOCKREPORT_OFFLINE_DELAY_S": "0.1"}
    args = [
        "batch",
        str(tmp_path / "in"),
        "--out",
        str(out),
        "--no-progress",
        "--no-cache",
        "-f",
        "json",
        "-f",
        "md",
    ]
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", *args, "--workers", "2"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("*/report.md"))) < 1:
        time.sleep(0.02)
    assert len(session_processes(proc.pid)) >= 3  # the parent and its two workers
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 5
    while session_processes(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    orphans = session_processes(proc.pid)
    for pid in orphans:  # never leave them running, even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert orphans == []  # no orphan worker goes on writing
    (out / tickers[-1]).mkdir(exist_ok=True)  # what a kill between staging and rename leaves behind
    dead = proc.pid
    (out / tickers[-1] / f".stockreport-staging-{dead}-report.json.k3x9_a2b.tmp").write_text("{half a rep")
    (out / f".stockreport-staging-{dead}-batch-x.json.ab12cd34.tmp").write_text("{")
    (out / tickers[-1] / ".notes.k3x9_a2b.tmp").write_text("a user's file that only looks staged")
    assert [p for p in out.glob("batch-*.json") if json.loads(p.read_text())["finished_at"] is None]

    again = stockreport(*args, "--workers", "1", env={"STOCKREPORT_OFFLINE_DELAY_S": "0"})
    assert again.returncode == 0, again.stderr
    assert [p.name for p in out.rglob("*") if p.name.endswith(".tmp")] == [".notes.k3x9_a2b.tmp"]
    manifests = [json.loads(p.read_text()) for p in out.glob("batch-*.json")]
    assert len(manifests) == 1 and manifests[0]["finished_at"]
    assert [m["id"] for m in manifests[0]["interrupted"]]  # the killed run's accounting is kept here
    claims = {t: r["report_sha256"] for t, r in manifests[0]["tickers"].items()}
    assert claims == assert_reports_whole(out) and sorted(claims) == tickers
