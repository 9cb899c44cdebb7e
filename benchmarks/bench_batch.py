"""Batch benchmark: throughput offline, rate-limited wall time against a local stub, and the resume re-run.

    python benchmarks/bench_batch.py --part a --n 1000      # offline, json+md+html: reports/s + profile top
    python benchmarks/bench_batch.py --part b --n 100       # stub: 500 ms latency, 600 rpm (429 when over)
    (part c, the re-run of b's batch, runs right after b)
    python benchmarks/bench_batch.py --part paired --before /tmp/before-tree --n 1000 --workers-list 1,2
        # offline `stockreport batch` processes of this tree and another, taking turns: reports/s

Synthetic bundles are copies of the three sample bundles under distinct tickers, with prices scaled by a
per-bundle factor so inputs (and input hashes) differ. N in the ideal time of (b) counts MODEL CALLS, not
reports (each report makes ~6 section calls):

    ideal = max(N_calls * latency / concurrency, N_calls / (rpm / 60))
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import shutil
import sys
import tempfile
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.batch.runner import Limits, run_batch, run_ticker  # noqa: E402
from pipeline.run import RunConfig, build_model  # noqa: E402
from tests.batch.batch_stub import offline_completion  # noqa: E402 - the Batch API stub's answer shape

SAMPLES = REPO / "fixtures" / "bundles"


def synth_bundles(root: Path, n: int) -> list[Path]:
    """n bundles: sample i % 3, ticker SYN0000.., prices x (1 + (i % 50) / 1000)."""
    import pandas as pd

    samples = sorted(p for p in SAMPLES.iterdir() if (p / "bundle.json").is_file())
    frames = {
        s.name: {f: pd.read_csv(s / f) for f in ("prices.csv", "benchmark.csv") if (s / f).exists()}
        for s in samples
    }
    out = []
    for i in range(n):
        src = samples[i % len(samples)]
        dst = root / f"SYN{i:04d}"
        dst.mkdir(parents=True)
        data = json.loads((src / "bundle.json").read_text())
        data["profile"]["ticker"] = f"SYN{i:04d}"
        data["profile"]["name"] = f"{data['profile']['name']} #{i}"
        (dst / "bundle.json").write_text(json.dumps(data))
        for name, df in frames[src.name].items():
            if name == "prices.csv":
                df = df.copy()
                cols = [c for c in ("Open", "High", "Low", "Close") if c in df]
                df[cols] = df[cols] * (1 + (i % 50) / 1000)
            df.to_csv(dst / name, index=False) if name == "prices.csv" else shutil.copy(
                src / name, dst / name
            )
        for extra in src.iterdir():  # transcripts and other files the bundle names
            if extra.name not in ("bundle.json", "prices.csv", "benchmark.csv"):
                shutil.copy(extra, dst / extra.name)
        out.append(dst)
    return out


# --- (b) a rate-limited OpenAI-compatible stub -------------------------------------------------------------


class LimitedStub:
    """/v1/chat/completions with a fixed latency; 429 when more than `rpm` requests arrived in 60 s."""

    def __init__(self, latency_s: float, rpm: int) -> None:
        self.latency_s, self.rpm = latency_s, rpm
        self.arrivals: deque[float] = deque()
        self.calls = 0
        self.rejected = 0
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                now = time.monotonic()
                with stub.lock:
                    while stub.arrivals and stub.arrivals[0] <= now - 60:
                        stub.arrivals.popleft()
                    over = len(stub.arrivals) >= stub.rpm
                    if over:
                        stub.rejected += 1
                    else:
                        stub.arrivals.append(now)
                        stub.calls += 1
                if over:
                    status, payload = 429, {"error": {"message": "rate limit", "type": "rate_limit"}}
                else:
                    time.sleep(stub.latency_s)
                    status, payload = 200, offline_completion(body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                if status == 429:
                    self.send_header("retry-after", "1")
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"


def part_a(n: int, tmp: Path, workers: int, profile_n: int) -> dict[str, Any]:
    bundles = synth_bundles(tmp / "in", n)
    cfg = RunConfig(out=tmp / "out", formats=("json", "md", "html"), no_cache=True)
    start = time.perf_counter()
    outcome = run_batch(bundles, cfg, Limits(concurrency=workers * 4, workers=workers))
    wall = time.perf_counter() - start
    done = sum(r.status == "done" for r in outcome.results)
    # where the time goes: one process, a slice of the same bundles, fresh output folder
    pcfg = RunConfig(out=tmp / "prof", formats=("json", "md", "html"), no_cache=True)
    resolved, options = build_model(pcfg), pcfg.narrate_options()
    run_ticker(bundles[-1], pcfg, resolved, options)  # warm: imports, template compilation
    prof = cProfile.Profile()
    prof.enable()
    for bundle in bundles[:profile_n]:
        run_ticker(bundle, pcfg, resolved, options)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(45)
    return {
        "part": "a",
        "bundles": n,
        "workers": workers,
        "done": done,
        "failed": [r.error for r in outcome.failed][:3],
        "wall_s": round(wall, 2),
        "reports_per_s": round(done / wall, 2),
        "profile_top": buf.getvalue(),
    }


def part_bc(n: int, tmp: Path, concurrency: int, latency: float, rpm: int) -> list[dict[str, Any]]:
    stub = LimitedStub(latency, rpm)
    bundles = synth_bundles(tmp / "in", n)
    cfg = RunConfig(
        model="openai-compatible:bench",
        base_url=stub.base_url,
        out=tmp / "out",
        formats=("json", "md", "html"),
        cache_dir=tmp / "cache",
        timeout=30,
    )
    limits = Limits(concurrency=concurrency, rpm=rpm, workers=1)
    start = time.perf_counter()
    first = run_batch(bundles, cfg, limits)
    wall = time.perf_counter() - start
    calls = sum(r.model_calls for r in first.results)
    ideal = max(calls * latency / concurrency, calls / (rpm / 60))
    b = {
        "part": "b",
        "bundles": n,
        "done": sum(r.status == "done" for r in first.results),
        "failed": [r.error for r in first.failed][:3],
        "model_calls": calls,
        "stub_calls": stub.calls,
        "stub_429": stub.rejected,
        "concurrency": concurrency,
        "latency_s": latency,
        "rpm": rpm,
        "wall_s": round(wall, 2),
        "ideal_s": round(ideal, 2),
        "ratio": round(wall / ideal, 3),
    }
    before = stub.calls
    start = time.perf_counter()
    again = run_batch(bundles, cfg, limits)
    wall2 = time.perf_counter() - start
    c = {
        "part": "c",
        "cached": sum(r.status == "cached" for r in again.results),
        "model_calls": stub.calls - before,
        "wall_s": round(wall2, 3),
        "fraction_of_first": round(wall2 / wall, 4),
    }
    return [b, c]


def part_paired(n: int, tmp: Path, before: Path, workers_list: list[int], repeat: int) -> str:
    """Reports/s of a fresh offline `stockreport batch` of the same n bundles, this tree against `before`,
    for each worker count, the trees taking turns (bench_startup.paired)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    import os
    import re

    from bench_startup import paired, table

    bundles = synth_bundles(tmp / "in", n)
    trees = {"before": before.resolve(), "after": REPO}
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["STOCKREPORT_CACHE"] = str(tmp / "cache")
    line = re.compile(r"batch: (\d+) tickers in ([0-9.]+)s")
    out = []
    for workers in workers_list:

        def args(tree: str, i: int, workers: int = workers) -> list[str]:
            folder = tmp / f"out-{tree}-{workers}-{i}"
            shutil.rmtree(folder, ignore_errors=True)  # a fresh batch every time
            return [
                "-m",
                "pipeline",
                "batch",
                str(bundles[0].parent),
                "--out",
                str(folder),
                "--no-progress",
                "--no-cache",
                "--workers",
                str(workers),
                "--concurrency",
                str(workers * 4),
            ]

        def rate(text: str) -> dict[str, float]:
            match = line.search(text)
            if match is None or int(match.group(1)) != n:
                raise SystemExit(f"no 'batch: {n} tickers in X s' line:\n{text[-2000:]}")
            return {"batch s": float(match.group(2))}

        res = paired(trees, args, env, tmp, repeat, rate, warm=False)
        for series in res.values():  # the process's wall time: start-up and model set-up included alike
            series["reports/s"] = [n / wall for wall in series["wall s"]]
        out.append(table(f"offline batch of {n} bundles, {workers} worker(s), {repeat} round(s)", res))
    return "\n\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", choices=["a", "b", "all", "paired"], default="all")
    ap.add_argument("--before", type=Path, help="(paired) the other tree")
    ap.add_argument("--workers-list", default="1,2", help="(paired) worker counts")
    ap.add_argument("--repeat", type=int, default=1, help="(paired) rounds")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=0, help="(a) processes; 0 = one per CPU")
    ap.add_argument("--profile-n", type=int, default=30)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--latency", type=float, default=0.5)
    ap.add_argument("--rpm", type=int, default=600)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    import os

    workers = args.workers or os.cpu_count() or 1
    results: list[dict[str, Any]] = []
    if args.part == "paired":
        if args.before is None:
            raise SystemExit("--part paired needs --before TREE")
        with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
            workers_list = [int(w) for w in args.workers_list.split(",")]
            print(part_paired(args.n, Path(tmp), args.before, workers_list, args.repeat))
        return
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        if args.part in ("a", "all"):
            results.append(part_a(args.n, Path(tmp) / "a", workers, args.profile_n))
        if args.part in ("b", "all"):
            results += part_bc(args.n, Path(tmp) / "b", args.concurrency, args.latency, args.rpm)
    for r in results:
        top = r.pop("profile_top", None)
        print(json.dumps(r))
        if top:
            print(top)
            r["profile_top"] = top
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
