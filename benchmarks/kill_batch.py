"""Crash consistency under random SIGKILLs: a 100-ticker `stockreport batch`, killed 20 times, then rerun.

    python benchmarks/kill_batch.py                    # offline model (2 worker processes) and a local stub
    python benchmarks/kill_batch.py --mode offline --kills 5 --tickers 30 --seed 7

For each mode, the batch is started with --force (so every run has all 100 tickers to write and is killed
mid-work, replacing reports that earlier runs wrote) in its own session and SIGKILLed after a random delay,
20 times (a run that finishes first is not counted as a kill), then rerun to the end without --force (the
resume path: it keeps whole reports and redoes the rest). Measured:
- orphans: processes of the killed run's session still alive 3 s after the kill (pool workers);
- lost: a report that was complete before a kill and is missing or invalid after it;
- corrupt: a report.json that does not parse as a Report, or whose ticker is not its folder's;
- mixed (after the final rerun): a report.md that is not what its report.json renders to (the offline
  writer is deterministic, so the pair must match exactly), or a report.json whose sha256 differs from
  the one the last manifest records for it;
- leftovers after the rerun: staged files and render folders (`.stockreport-staging-<pid>-...`), unfinished
  manifests, the lock file.
The stub is tests/hardening/model_server.py (an OpenAI-compatible server answering like the offline model).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.render.markdown import render_markdown  # noqa: E402
from pipeline.render.text import visible  # noqa: E402
from pipeline.report.document import Report  # noqa: E402
from tests.batch.conftest import make_bundles, session_processes  # noqa: E402
from tests.hardening.model_server import ModelServer  # noqa: E402


def complete_reports(out: Path) -> dict[str, str]:
    """ticker folder -> sha256 of report.json, for every folder whose report.json is a valid Report."""
    found = {}
    for folder in out.iterdir() if out.exists() else []:
        path = folder / "report.json"
        if folder.is_dir() and path.is_file():
            data = path.read_bytes()
            try:
                report = Report.model_validate_json(data)
            except ValueError:
                continue
            if report.ticker == folder.name:
                found[folder.name] = hashlib.sha256(data).hexdigest()
    return found


def corrupt_reports(out: Path) -> list[str]:
    bad = []
    for path in out.glob("*/report.json"):
        try:
            if Report.model_validate_json(path.read_bytes()).ticker != path.parent.name:
                bad.append(str(path))
        except ValueError:
            bad.append(str(path))
    return bad


def run_mode(mode: str, tickers: int, kills: int, rng: random.Random, root: Path) -> dict[str, object]:
    src, out = root / mode / "in", root / mode / "out"
    names = [f"K{i:03d}" for i in range(tickers)]
    make_bundles(src, names)
    server = None
    args = [
        sys.executable,
        "-m",
        "pipeline",
        "batch",
        str(src),
        "--out",
        str(out),
        "--no-progress",
        "--no-cache",
        "-f",
        "json",
        "-f",
        "md",
    ]
    if mode == "stub":
        server = ModelServer().__enter__()
        args += ["--model", "openai-compatible:stub", "--base-url", server.base_url, "--concurrency", "8"]
    else:
        args += ["--workers", "2"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "STOCKREPORT"))}
    stats = {
        "mode": mode,
        "tickers": tickers,
        "kills": 0,
        "finished_before_kill": 0,
        "orphans": 0,
        "lost": 0,
        "corrupt": 0,
        "kill_delays_s": [],
    }
    before: dict[str, str] = {}
    attempts = 0
    try:
        while stats["kills"] < kills and attempts < kills * 4:  # type: ignore[operator]
            attempts += 1
            proc = subprocess.Popen(
                [*args, "--force"],
                cwd=REPO,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            delay = rng.uniform(0.5, 4.0 if mode == "offline" else 10.0)  # the stub run is slower per ticker
            try:
                proc.wait(timeout=delay)
                stats["finished_before_kill"] += 1  # type: ignore[operator]
                continue
            except subprocess.TimeoutExpired:
                pass
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            stats["kills"] += 1  # type: ignore[operator]
            stats["kill_delays_s"].append(round(delay, 2))  # type: ignore[attr-defined]
            time.sleep(3)
            stats["orphans"] += len(session_processes(proc.pid))  # type: ignore[operator]
            for pid in session_processes(proc.pid):  # do not let one bad run skew the next
                os.kill(pid, signal.SIGKILL)
            now = complete_reports(out)
            stats["lost"] += len(set(before) - set(now))  # type: ignore[operator]
            stats["corrupt"] += len(corrupt_reports(out))  # type: ignore[operator]
            before = now
            print(
                f"  {mode}: kill {stats['kills']} after {delay:.2f} s: {len(now)}/{tickers} reports complete",
                flush=True,
            )
        start = time.perf_counter()
        final = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=1800)
        stats["rerun_s"] = round(time.perf_counter() - start, 1)
        stats["rerun_exit"] = final.returncode
    finally:
        if server is not None:
            server.__exit__()
            stats["stub_requests"] = sum(server.counts.values())
    stats["lost"] += len(set(before) - set(complete_reports(out)))  # type: ignore[operator]
    stats["corrupt"] += len(corrupt_reports(out))  # type: ignore[operator]
    manifests = [json.loads(p.read_text()) for p in out.glob("batch-*.json")]
    last = max(manifests, key=lambda m: m["started_at"])
    claims = {t: r.get("report_sha256") for t, r in last["tickers"].items()}
    mixed = 0
    for folder in (out / n for n in names):
        data = (folder / "report.json").read_bytes() if (folder / "report.json").is_file() else b""
        md = (folder / "report.md").read_text(encoding="utf-8") if (folder / "report.md").is_file() else None
        if not data or md is None:
            mixed += 1
            continue
        report = Report.model_validate_json(data)
        claimed = claims.get(folder.name) == "sha256:" + hashlib.sha256(data).hexdigest()
        if md != visible(render_markdown(report)) or not claimed:
            mixed += 1
    stats["mixed_or_missing_after_rerun"] = mixed
    stats["staging_left"] = len(
        [p for p in out.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".stockreport-staging-")]
    )
    stats["stale_manifests"] = sum(m["finished_at"] is None for m in manifests)
    stats["manifests"] = len(manifests)
    stats["interrupted_folded_into_last"] = len(last.get("interrupted") or [])
    stats["lock_file_left"] = (out / ".stockreport.lock").exists()
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["offline", "stub", "both"], default="both")
    parser.add_argument("--tickers", type=int, default=100)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=14)
    opts = parser.parse_args()
    rng = random.Random(opts.seed)
    results = []
    with tempfile.TemporaryDirectory(prefix="kill-batch-") as tmp:
        for mode in ["offline", "stub"] if opts.mode == "both" else [opts.mode]:
            results.append(run_mode(mode, opts.tickers, opts.kills, rng, Path(tmp)))
    for r in results:
        print(json.dumps(r))
    bad = [
        r
        for r in results
        if r["orphans"]
        or r["lost"]
        or r["corrupt"]
        or r["mixed_or_missing_after_rerun"]
        or r["staging_left"]
        or r["stale_manifests"]
        or r["lock_file_left"]
        or r["rerun_exit"] != 0
    ]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
