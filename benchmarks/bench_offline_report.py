"""Time one offline report end to end (load, metrics, number check, assemble; JSON only), per sample bundle.

    .venv/bin/python benchmarks/bench_offline_report.py [--repeat 7] [BUNDLE ...]

One untimed run per bundle first (imports, compiled regexes, caches), then `--repeat` timed runs; prints the
min and median in milliseconds of wall time and of this process's CPU time. The machine may be shared: compare
min with min, on the same machine, back to back; on a loaded machine the CPU time is the steadier figure.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.model.providers import resolve_model  # noqa: E402
from pipeline.run import run_report  # noqa: E402

BUNDLES = Path(__file__).resolve().parents[1] / "fixtures" / "bundles"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("bundles", nargs="*", default=["HK_3896", "AAPL", "GOOGL", "AFL"])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    model = resolve_model("offline")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.bundles:
            run_report(BUNDLES / name, model, Path(tmp) / "warm", formats=("json",))
            wall, cpu = [], []
            for i in range(args.repeat):
                start, start_cpu = time.perf_counter(), time.process_time()
                run_report(BUNDLES / name, model, Path(tmp) / f"{name}-{i}", formats=("json",))
                wall.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
            print(
                f"{name:10} wall min {min(wall):6.1f} ms  median {statistics.median(wall):6.1f} ms"
                f"   cpu min {min(cpu):6.1f} ms  median {statistics.median(cpu):6.1f} ms"
            )


if __name__ == "__main__":
    main()
