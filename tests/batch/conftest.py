"""Batch test helpers: synthetic bundles (copies of the samples under distinct tickers) and a CLI runner."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "fixtures" / "bundles"


def make_bundles(root: Path, tickers: list[str], sample: str = "HK_3896") -> list[Path]:
    """One bundle per ticker: a copy of `sample` with profile.ticker (and the name) changed."""
    out = []
    for t in tickers:
        dst = root / t
        shutil.copytree(SAMPLES / sample, dst)
        data = json.loads((dst / "bundle.json").read_text())
        data["profile"]["ticker"] = t
        data["profile"]["name"] = f"{data['profile']['name']} {t}"
        (dst / "bundle.json").write_text(json.dumps(data))
        out.append(dst)
    return out


def stockreport(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=REPO,
    )


def manifest_of(out: Path) -> dict:
    files = sorted(out.glob("batch-*.json"), key=lambda p: p.stat().st_mtime)
    assert files, f"no manifest in {out}"
    return json.loads(files[-1].read_text())


def assert_reports_whole(out: Path, formats: tuple[str, ...] = ("json", "md")) -> dict[str, str]:
    """Every report folder under `out` holds one report, not pieces of two: each Markdown file is exactly
    what its report.json renders to (the offline model is deterministic). Returns ticker -> sha256 of JSON."""
    import hashlib

    from pipeline.render.markdown import render_markdown
    from pipeline.render.text import visible
    from pipeline.report.document import Report

    digests = {}
    for folder in sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")):
        data = (folder / "report.json").read_bytes()
        report = Report.model_validate_json(data)
        assert report.ticker == folder.name
        if "md" in formats:
            assert (folder / "report.md").read_text(encoding="utf-8") == visible(render_markdown(report)), (
                folder
            )
        digests[folder.name] = "sha256:" + hashlib.sha256(data).hexdigest()
    return digests


def session_processes(sid: int) -> list[int]:
    """Pids still alive in session `sid` (a command started with start_new_session has sid == its pid)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[3]) == sid:  # state, ppid, pgrp, session
            alive.append(int(stat.parent.name))
    return alive
