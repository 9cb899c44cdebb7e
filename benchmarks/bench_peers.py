"""What computing peers from their own bundles costs a report: load + metrics of one bundle with K peers
computed from bundles beside it, against the same bundle with no peers listed.

The bundles are the sample AAPL bundle (757 price days, 5 fiscal years) copied K+1 times under a temporary
root with tickers P0..PK (each a full bundle with prices, so every peer row computes its technicals).
Times are the min and median of `--repeat` runs after one warm-up: "cold" clears the per-process peer caches
before each run (every peer loaded and computed, as for the first report of a batch that names it), "warm"
keeps them (a batch computes each peer once per worker process).

    .venv/bin/python benchmarks/bench_peers.py                  # K = 0, 3, 6, 10
    .venv/bin/python benchmarks/bench_peers.py --peers 5 --repeat 20
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.inputs.load import load_bundle  # noqa: E402
from pipeline.metrics.compute import compute_metrics  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "bundles" / "AAPL"


def make_root(root: Path, peers: int) -> Path:
    for i in range(peers + 1):
        folder = root / f"P{i}"
        shutil.copytree(SAMPLE, folder)
        raw = json.loads((folder / "bundle.json").read_text())
        raw["profile"]["ticker"] = f"P{i}"
        raw["peers"] = [{"ticker": f"P{j}"} for j in range(peers + 1) if j != i] if i == 0 else []
        (folder / "bundle.json").write_text(json.dumps(raw))
    return root / "P0"


def clear_caches() -> None:
    from pipeline.inputs import peers as inputs_peers
    from pipeline.metrics import peers as metrics_peers

    inputs_peers._loaded.clear()
    metrics_peers._rows.clear()


def time_it(bundle: Path, repeat: int, cold: bool) -> list[float]:
    compute_metrics(load_bundle(bundle))  # warm-up
    times = []
    for _ in range(repeat):
        if cold:
            clear_caches()
        start = time.perf_counter()
        metrics = compute_metrics(load_bundle(bundle))
        times.append(time.perf_counter() - start)
    assert metrics.peers is None or all(r.origin == "computed" for r in metrics.peers.rows)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peers", type=int, nargs="*", default=[0, 3, 6, 10])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    print(f"{'peers':>5} {'cache':>5} {'min ms':>8} {'median ms':>10} {'per peer ms':>12}")
    base = None
    for cold in (True, False):
        for k in args.peers:
            with tempfile.TemporaryDirectory() as tmp:
                times = time_it(make_root(Path(tmp), k), args.repeat, cold)
            low, med = min(times) * 1000, statistics.median(times) * 1000
            base = med if k == 0 else base
            per = f"{(med - base) / k:12.1f}" if k and base is not None else f"{'':>12}"
            print(f"{k:>5} {'cold' if cold else 'warm':>5} {low:8.1f} {med:10.1f} {per}")


if __name__ == "__main__":
    main()
