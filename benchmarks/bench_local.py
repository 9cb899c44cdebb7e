"""A real local model through the whole model step: what it costs and what the checks make of its prose.

    python benchmarks/bench_local.py                                  # HK_3896, AAPL, GOOGL with local:smollm2
    python benchmarks/bench_local.py --model local:/models/qwen.gguf --repeat 3 --threads 2 AAPL
    python benchmarks/bench_local.py --hallucinations out.jsonl       # the unverified sentences, for numcheck_eval
    python benchmarks/bench_local.py --record fixtures/recorded       # also write the recordings (one run, not two)

Per bundle (each run asks every section afresh: no answer cache): seconds (min and median over --repeat),
generated tokens per second, model calls, re-asks (calls beyond one per section), replies cut at the output
limit, invalid answers, numbers written / verified / flagged (not verified) / dropped under --strict-numbers
(every number in a sentence that --strict-numbers removes), and sections flagged unsupported. A bundle that
fails says why in its row (a clean, bounded failure is a result too). The model is loaded once, before the
clock starts (its load time is printed on its own).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.errors import StockreportError  # noqa: E402
from pipeline.narrate.narration import BAD, NarrateOptions, Narrative  # noqa: E402
from pipeline.review.record import record_narrated  # noqa: E402
from pipeline.run import narrate_bundle  # noqa: E402
from pipeline.run_config import RunConfig, build_model  # noqa: E402

SAMPLES = REPO / "fixtures" / "bundles"
DEFAULT_BUNDLES = ("HK_3896", "AAPL", "GOOGL")


@dataclass
class Run:
    seconds: float
    error: str | None = None
    sections: int = 0
    calls: int = 0
    cut: int = 0
    invalid: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    written: int = 0
    verified: int = 0
    flagged: int = 0
    dropped: int = 0
    unsupported: list[str] = field(default_factory=list)
    hallucinations: list[dict[str, Any]] = field(default_factory=list)


def measure(narrative: Narrative, seconds: float, ticker: str) -> Run:
    run = Run(seconds)
    for name, result in narrative.results.items():
        reply = result.reply
        run.sections += 1
        run.calls += reply.attempts
        run.cut += reply.cut
        run.invalid += reply.invalid
        run.tokens_in += reply.usage.input
        run.tokens_out += reply.usage.output
        run.written += len(result.checks)
        run.verified += sum(c.status == "verified" for c in result.checks)
        bad = [c for c in result.checks if c.status in BAD]
        run.flagged += len(bad)
        struck = {c.sentence for c in bad}
        run.dropped += sum(c.sentence in struck for c in result.checks)
        run.unsupported += [f"{name}: {why}" for why in result.unsupported]
        run.hallucinations += [
            {"ticker": ticker, "section": f"{name}.{c.section}", "sentence": c.sentence, "written": c.written}
            | {"status": c.status, "note": c.note}
            for c in bad
        ]
    return run


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "bundles", nargs="*", default=list(DEFAULT_BUNDLES), help="sample bundle names or paths"
    )
    parser.add_argument("--model", default="local:smollm2")
    parser.add_argument("--repeat", type=int, default=1, help="runs per bundle (min and median reported)")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads for llama.cpp")
    parser.add_argument("--json", type=Path, help="write every run's figures here")
    parser.add_argument("--hallucinations", type=Path, help="write the unverified numbers' sentences (JSONL)")
    parser.add_argument(
        "--record", type=Path, help="also record every call under this folder (stockreport record)"
    )
    args = parser.parse_args()
    os.environ["STOCKREPORT_LOCAL_THREADS"] = str(args.threads)

    start = time.perf_counter()
    model = build_model(RunConfig(model=args.model))
    results: dict[str, list[Run]] = {}
    try:
        try:  # start the server and load the weights before the clock starts
            model.chat_model.invoke("Say OK.", max_tokens=2)
            loaded = f"loaded in {time.perf_counter() - start:.1f} s"
        except Exception as exc:  # noqa: BLE001 - a stand-in server may not answer free text
            loaded = f"warm-up failed ({type(exc).__name__}): load time counts in the first bundle"
        print(f"model {args.model}: {model.about or model.model_id}; {loaded}", flush=True)
        for name in args.bundles:
            bundle = Path(name) if Path(name).is_dir() else SAMPLES / name
            for _ in range(args.repeat):
                began = time.perf_counter()
                try:
                    if args.record:
                        narrated = record_narrated(bundle, model, args.record)[1]
                    else:
                        narrated = narrate_bundle(bundle, model, NarrateOptions(cache=None))
                    run = measure(narrated.narrative, time.perf_counter() - began, bundle.name)
                except StockreportError as exc:
                    run = Run(time.perf_counter() - began, error=str(exc))
                results.setdefault(bundle.name, []).append(run)
                print(
                    f"  {bundle.name}: {run.seconds:.1f} s{' FAILED: ' + run.error if run.error else ''}",
                    flush=True,
                )
    finally:
        model.close()

    head = (
        "bundle", "s min", "s med", "tok/s", "calls", "re-asks", "cut", "invalid",
        "written", "verified", "flagged", "dropped", "unsupported",
    )  # fmt: skip
    rows = []
    for name, runs in results.items():
        secs = [r.seconds for r in runs]
        last = runs[-1]
        if last.error:
            rows.append((name, f"{min(secs):.0f}", f"{statistics.median(secs):.0f}", *["-"] * 10))
            continue
        rows.append(
            (
                name,
                f"{min(secs):.0f}",
                f"{statistics.median(secs):.0f}",
                f"{last.tokens_out / last.seconds:.1f}",
                str(last.calls),
                str(last.calls - last.sections),
                str(last.cut),
                str(last.invalid),
                str(last.written),
                str(last.verified),
                str(last.flagged),
                str(last.dropped),
                f"{len({u.split(':')[0] for u in last.unsupported})}/{last.sections}",
            )
        )
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    print()
    print(" | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    for name, runs in results.items():
        for r in runs:
            if r.error:
                print(f"{name} failed: {r.error}")
            for u in r.unsupported:
                print(f"{name} unsupported: {u}")
    if args.json:
        doc = {name: [r.__dict__ for r in runs] for name, runs in results.items()}
        args.json.write_text(json.dumps({"model": args.model, "about": model.about, "runs": doc}, indent=1))
    if args.hallucinations:
        lines = [
            json.dumps(h, ensure_ascii=False)
            for runs in results.values()
            for r in runs
            for h in r.hallucinations
        ]
        args.hallucinations.write_text("".join(line + "\n" for line in lines))


if __name__ == "__main__":
    main()
