"""A report folder is written all or nothing: a `stockreport generate` killed (SIGKILL) at any point of the
write leaves the old report or the new one in OUT/<TICKER>/, never pieces of both, and the next run clears
what the killed one staged. The kill comes from inside the process, at a chosen step of the write."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.files import STAGING_MARKER
from pipeline.render.html import render_html
from pipeline.render.markdown import render_markdown
from pipeline.render.text import visible
from pipeline.report.document import Report
from tests.batch.conftest import REPO, SAMPLES

# Python run in the child: patch one step of the folder write to kill the process there, then run the CLI.
KILLER = """
import os, signal, sys
import pipeline.files as files
step = sys.argv[1]
def die(*a, **k):
    os.kill(os.getpid(), signal.SIGKILL)
if step == "second-file":
    real_stage, real_fdopen = files._stage_folder, os.fdopen
    def stage(*a, **k):
        opened = []
        def fdopen(fd, *b, **c):
            opened.append(fd)
            if len(opened) == 2:
                die()
            return real_fdopen(fd, *b, **c)
        files.os.fdopen = fdopen
        try:
            return real_stage(*a, **k)
        finally:
            files.os.fdopen = real_fdopen
    files._stage_folder = stage
elif step == "before-swap":
    files._exchange = die
elif step == "after-swap":
    real_exchange = files._exchange
    def exchange(*a, **k):
        assert real_exchange(*a, **k)
        die()
    files._exchange = exchange
from pipeline.cli import main
sys.argv = ["stockreport", *sys.argv[2:]]
main()
"""
FILES = ("report.json", "report.md", "report.html")


def _generate(bundle: Path, out: Path, kill_at: str | None = None) -> subprocess.CompletedProcess[str]:
    args = ["generate", str(bundle), "--out", str(out)]
    cmd = (
        [sys.executable, "-c", KILLER, kill_at, *args]
        if kill_at
        else [sys.executable, "-m", "pipeline", *args]
    )
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=REPO, env=dict(os.environ))


def _whole(folder: Path) -> str:
    """The company the folder's report is about, after checking every file is that one report."""
    report = Report.model_validate_json((folder / "report.json").read_bytes())
    assert (folder / "report.md").read_text(encoding="utf-8") == visible(render_markdown(report))
    assert (folder / "report.html").read_text(encoding="utf-8") == visible(render_html(report))
    return report.header.company_name


@pytest.mark.slow  # spawns stockreport processes
@pytest.mark.parametrize("kill_at", ["second-file", "before-swap", "after-swap"])
def test_a_kill_during_the_write_leaves_one_whole_report(tmp_path: Path, kill_at: str) -> None:
    bundle = tmp_path / "in" / "AAPL"
    shutil.copytree(SAMPLES / "AAPL", bundle)
    out = tmp_path / "out"
    assert _generate(bundle, out).returncode == 0
    (out / "AAPL" / "notes.txt").write_text("a file of the user's")
    old_name = _whole(out / "AAPL")
    old = {name: (out / "AAPL" / name).read_bytes() for name in FILES}

    data = json.loads((bundle / "bundle.json").read_text())
    data["profile"]["name"] = "Apple Inc. (renamed)"
    (bundle / "bundle.json").write_text(json.dumps(data))
    killed = _generate(bundle, out, kill_at)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]

    name = _whole(out / "AAPL")
    if kill_at == "after-swap":
        assert name == "Apple Inc. (renamed)"
    else:
        assert name == old_name and {n: (out / "AAPL" / n).read_bytes() for n in FILES} == old
    assert (out / "AAPL" / "notes.txt").read_text() == "a file of the user's"
    assert [p.name for p in out.iterdir() if p.name.startswith(STAGING_MARKER)], (
        "the kill left nothing staged"
    )

    again = _generate(bundle, out)
    assert again.returncode == 0, again.stderr[-2000:]
    assert _whole(out / "AAPL") == "Apple Inc. (renamed)"
    assert (out / "AAPL" / "notes.txt").read_text() == "a file of the user's"
    assert not [p for p in out.rglob("*") if p.name.startswith(STAGING_MARKER)]
