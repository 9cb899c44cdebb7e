"""Two batches into one --out: the second is refused with a clear error (or queues with --wait), and every
report on disk is the one the manifest claiming it describes (sha256 of report.json in the manifest)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest

from pipeline.outdir import claim
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


def _read_until(stream: IO[bytes], marker: bytes, timeout: float) -> bytes:
    """Lines of `stream` up to and including the first holding `marker` (read on a thread: no hang)."""
    seen: list[bytes] = []
    found = threading.Event()

    def read() -> None:
        for line in iter(stream.readline, b""):
            seen.append(line)
            if marker in line:
                found.set()
                return

    threading.Thread(target=read, daemon=True).start()
    assert found.wait(timeout), f"never printed {marker!r}: {b''.join(seen)!r}"
    return b"".join(seen)


@pytest.mark.slow  # spawns a stockreport process
def test_second_batch_waits_with_wait(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The folder is held (by a finished first batch's lock, taken here through the same `claim`) while a
    second batch starts with --wait: it queues without writing, then runs once the folder is free. Holding
    the lock in the test, not in a timed first process, keeps the order independent of machine load."""
    make_bundles(tmp_path / "in", TICKERS)
    out = tmp_path / "out"
    args = ["batch", str(tmp_path / "in"), "--out", str(out), "--workers", "1", "--no-progress", "-f", "json"]
    assert run_cli(args, capsys)[0] == 0
    first = _claims(out)
    with claim(out):
        second = _start(tmp_path / "in", out, "--wait", "--force", delay="0")
        assert second.stderr is not None
        _read_until(second.stderr, b"waiting for it (--wait)", timeout=60)
        time.sleep(0.2)
        assert second.poll() is None and _claims(out) == first  # queued: nothing written while held
    _, rest = second.communicate(timeout=120)
    assert second.returncode == 0, rest
    manifests = sorted(
        (json.loads(p.read_text()) for p in out.glob("batch-*.json")), key=lambda m: m["started_at"]
    )
    assert len(manifests) == 2 and manifests[0]["finished_at"] <= manifests[1]["started_at"]
    on_disk = assert_reports_whole(out)
    last = {t: r["report_sha256"] for t, r in manifests[1]["tickers"].items()}
    assert last == on_disk  # the later run rewrote every report (--force) and claims exactly those files
