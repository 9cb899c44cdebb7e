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
