"""A real model in CI: one section of a sample bundle written by SmolLM2 through llama.cpp, about a minute.

Asserts the pipeline's guarantees, never the model's wording: the run ends within its time box with either a
typed section (every number in it checked against the data, the section's provenance naming the local model)
or a clean failure (one error line, the earlier report untouched). Skips, with the install command, where the
`local` extra or the model file is missing (`.ci/run` installs both).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.model.test_local import real_engine_missing
from tests.support.cli import run_cli

REPO = Path(__file__).resolve().parents[2]
AAPL = REPO / "fixtures" / "bundles" / "AAPL"
TIME_BOX_S = 150  # load (1-5 s) + one prompt of ~1,000 tokens at 70+ tokens/s + ~400 output tokens at 30+/s
STATUSES = {"verified", "unverified", "direction_mismatch", "unparsed"}


@pytest.mark.slow
@pytest.mark.local_model
def test_one_section_written_by_a_real_local_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if (why := real_engine_missing()) is not None:
        pytest.skip(why)
    out = tmp_path / "out"
    code, _, err = run_cli(["generate", str(AAPL), "-o", str(out), "-f", "json", "--no-cache"], capsys)
    assert code == 0, err
    before = (out / "AAPL" / "report.json").read_text()
    env = {**os.environ, "STOCKREPORT_LOCAL_THREADS": "1", "STOCKREPORT_CACHE": str(tmp_path / "cache")}
    args = ["generate", str(AAPL), "-o", str(out), "-f", "json", "--section", "technicals"]
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", *args, "-m", "local:smollm2", "--no-cache"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIME_BOX_S,
    )
    took = time.monotonic() - start
    print(f"real model: technicals of AAPL in {took:.1f} s, exit {proc.returncode}")
    if proc.returncode != 0:  # a clean failure: one line, named, nothing half-written
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 1 and len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
        assert "technicals" in lines[0]
        assert (out / "AAPL" / "report.json").read_text() == before
        return
    report = json.loads((out / "AAPL" / "report.json").read_text())
    rows = {s["section"]: s for s in report["provenance"]["sections"]}
    assert rows["technicals"]["model"] == "local:smollm2" and rows["summary"]["model"] == "offline"
    text = report["sections"]["technicals"]["text"]
    assert isinstance(text, str) and text.strip()
    checks = [c for c in report["number_checks"] if c["section"].startswith("technicals")]
    assert all(c["status"] in STATUSES for c in checks)
    assert all(c["source"] for c in checks if c["status"] == "verified")  # verified = found in the data
    if re.search(r"\d", text.removeprefix("[unsupported] ")):
        assert checks, text  # a number was written: it was checked
    unsupported = [f for f in report["flagged_sentences"] if f.startswith("[unsupported] technicals")]
    assert bool(unsupported) == text.startswith("[unsupported] ")  # flagged in place and in the list
