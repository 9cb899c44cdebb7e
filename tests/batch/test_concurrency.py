"""Two batches into one --out: the second is refused with a clear error (or queues with --wait), and every
report on disk is the one the manifest claiming it describes (sha256 of report.json in the manifest)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.batch.conftest import REPO, assert_reports_whole, make_bundles
from tests.support.cli import run_cli

TICKERS = [f"C{i:02d}" for i in range(4)]


def _start(src: Path, out: Path, *extra: str, delay: str = "0.15") -> subprocess.Popen[bytes]:
    """A batch one ticker at a time, 6 model calls of `delay` s each per ticker: ~3.6 s for 4 tickers."""
    env = {**os.environ, "STOCKREPORT_OFFLINE_DELAY_S": delay}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline",
            "batch",
            str(src),
            "--out",
            str(out),
            "--workers",
            "1",
            "--concurrency",
            "1",
            "--no-progress",
            "--no-cache",
            "-f",
            "json",
            "-f",
            "md",
            *extra,
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for_lock(out: Path, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while not (out / ".stockreport.lock").exists():
        assert proc.poll() is None and time.monotonic() < deadline, "the first batch never took the folder"
        time.sleep(0.01)


def _claims(out: Path) -> dict[str, dict[str, str]]:
    """manifest id -> {ticker: report_sha256} for every done/cached row."""
    out_ = {}
    for path in out.glob("batch-*.json"):
        m = json.loads(path.read_text())
        out_[m["id"]] = {
            t: r["report_sha256"] for t, r in m["tickers"].items() if r["status"] in ("done", "cached")
        }
    return out_


@pytest.mark.slow  # spawns a stockreport process
def test_second_batch_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_bundles(tmp_path / "in", TICKERS)
    out = tmp_path / "out"
    first = _start(tmp_path / "in", out)
    _wait_for_lock(out, first)
    code, _, err = run_cli(
        ["batch", str(tmp_path / "in"), "--out", str(out), "--workers", "1", "--no-progress", "--force"],
        capsys,
    )
    _, first_err = first.communicate(timeout=120)  # reads and closes the pipes
    assert first.returncode == 0, first_err
    assert code == 1
    assert [ln for ln in err.splitlines() if ln.strip()] == [
        f"error: {out} is in use by another stockreport run (pid {first.pid}, "
        + err.split(f"pid {first.pid}, ")[1].splitlines()[0]
    ]
    assert "pass --wait to queue behind it" in err
    claims = _claims(out)
    assert len(claims) == 1  # the refused run wrote no manifest
    assert next(iter(claims.values())) == assert_reports_whole(out)
    assert not (out / ".stockreport.lock").exists()


@pytest.mark.slow  # spawns a stockreport process
def test_second_batch_waits_with_wait(tmp_path: Path) -> None:
    make_bundles(tmp_path / "in", TICKERS)
    out = tmp_path / "out"
    first = _start(tmp_path / "in", out)
    _wait_for_lock(out, first)
    second = _start(tmp_path / "in", out, "--wait", "--force", delay="0")
    first.communicate(timeout=120)
    _, second_err = second.communicate(timeout=120)
    assert first.returncode == 0 and second.returncode == 0, second_err
    assert b"waiting for it (--wait)" in second_err
    manifests = sorted(
        (json.loads(p.read_text()) for p in out.glob("batch-*.json")), key=lambda m: m["started_at"]
    )
    assert len(manifests) == 2 and manifests[0]["finished_at"] <= manifests[1]["started_at"]
    on_disk = assert_reports_whole(out)
    last = {t: r["report_sha256"] for t, r in manifests[1]["tickers"].items()}
    assert last == on_disk  # the later run rewrote every report (--force) and claims exactly those files
