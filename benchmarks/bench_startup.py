"""Start-up benchmark: fresh `stockreport` processes, this tree against another one (say main before a change).

    python benchmarks/bench_startup.py --before /tmp/before-tree            # everything, 10 rounds
    python benchmarks/bench_startup.py --before /tmp/before-tree --only help,generate --repeat 5
    python benchmarks/bench_startup.py                                      # this tree alone

Each timed command is a new process (`python -m pipeline ...`, the code the `stockreport` script runs), so
imports, entry points and template compilation are paid as a user pays them; the OS file cache is warm
(one untimed run of each first). The trees take turns, the order flipping every round, so a change in the
machine's load hits both alike. Wall time and the CPU time of the child (user + sys) are given as min and
median; CPU time moves less with the load of a shared machine. Parts:

  help      `stockreport --help`
  generate  offline `generate` of fixtures/bundles/AAPL (json, md, html) into a fresh folder
  jinja     in one process: import the two template environments, then load report.html.j2, report.md.j2
            and every prompt template (warm: the template cache filled by an earlier process; cold: empty)
  imports   `python -X importtime` of `generate` and `--help`: time per top-level package (self time,
            summed), and whether the model stack (langchain*, langsmith, openai) is imported at all
  rerun     re-run of a batch of --batch-n synthetic bundles whose reports are all up to date (made once,
            untimed, by this tree): the process and the batch's own time ("batch: N tickers in X s")
  writes    this tree only, in one process: writing AAPL's report folder (json, md, html) file by file with
            an fsync each (`files.atomic_write_many`, the way before) against staged, one sync and one swap
            (`files.atomic_write_folder`), taking turns; and parsing benchmark.csv afresh against a repeat

The other tree is run with PYTHONPATH pointing at it (its `pipeline` package wins over the installed one);
both use this environment's packages and one template cache folder (STOCKREPORT_CACHE, a temp folder).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
AAPL = REPO / "fixtures" / "bundles" / "AAPL"
MODEL_STACK = ("langchain", "langchain_core", "langchain_openai", "langsmith", "openai")
PARTS = ("help", "generate", "jinja", "imports", "rerun", "writes")

JINJA_PROBE = """
import time
t0 = time.perf_counter()
from pipeline.render import env as render_env
from pipeline.narrate import prompts
t1 = time.perf_counter()
for html, name in ((True, "report.html.j2"), (False, "report.md.j2")):
    render_env.environment(html=html).get_template(name)
t2 = time.perf_counter()
penv = prompts._environment(None)
for spec in prompts.written_sections():
    penv.get_template(spec.system_template)
    penv.get_template(spec.user_template)
t3 = time.perf_counter()
print("PROBE", t1 - t0, t2 - t1, t3 - t2)
"""


def run(tree: Path, args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    """Run `python ARGS` with `tree`'s package; (wall s, child CPU s, stderr). Fails loudly on exit != 0."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(
            f"{tree}: python {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.stdout + proc.stderr


def stats(values: list[float]) -> str:
    return f"{min(values):7.3f} / {statistics.median(values):7.3f}"


def paired(
    trees: dict[str, Path],
    make_args: Callable[[str, int], list[str]],
    env: dict[str, str],
    tmp: Path,
    repeat: int,
    extract: Callable[[str], dict[str, float]] | None = None,
    env_of: Callable[[str, int], dict[str, str]] | None = None,
    warm: bool = True,
) -> dict[str, dict[str, list[float]]]:
    """`repeat` rounds, the trees taking turns (order flipped each round), after one untimed run each
    (`warm`)."""
    out: dict[str, dict[str, list[float]]] = {name: {"wall s": [], "cpu s": []} for name in trees}
    names = list(trees)
    for name in names if warm else []:
        run(trees[name], make_args(name, -1), env_of(name, -1) if env_of else env, tmp)
    for i in range(repeat):
        for name in names if i % 2 == 0 else names[::-1]:
            wall, cpu, text = run(trees[name], make_args(name, i), env_of(name, i) if env_of else env, tmp)
            out[name]["wall s"].append(wall)
            out[name]["cpu s"].append(cpu)
            if extract is not None:
                for key, value in extract(text).items():
                    out[name].setdefault(key, []).append(value)
    return out


def table(title: str, results: dict[str, dict[str, list[float]]]) -> str:
    """min / median of each series per tree, and the ratio of the second tree to the first."""
    keys = list(next(iter(results.values())))
    lines = [title, f"{'tree':8s}" + "".join(f"  {k + ' (min / median)':>28s}" for k in keys)]
    for name, series in results.items():
        lines.append(f"{name:8s}" + "".join(f"  {stats(series[k]):>28s}" for k in keys))
    if len(results) == 2:
        (a, sa), (b, sb) = results.items()
        for k in keys:
            ratio_min = min(sb[k]) / min(sa[k]) if min(sa[k]) else float("nan")
            med_a, med_b = statistics.median(sa[k]), statistics.median(sb[k])
            ratio_med = med_b / med_a if med_a else float("nan")
            lines.append(f"  {k}: {b} / {a} = {ratio_min:.2f}x (min), {ratio_med:.2f}x (median)")
    return "\n".join(lines)


_IMPORT = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)\s*$", re.MULTILINE)


def import_profile(text: str) -> tuple[Counter[str], float]:
    """Self time per top-level package (ms) and the total, from `-X importtime` output."""
    per: Counter[str] = Counter()
    for self_us, _cum, _indent, name in _IMPORT.findall(text):
        per[name.split(".")[0]] += int(self_us) / 1000
    return per, sum(per.values())


def imports_part(trees: dict[str, Path], env: dict[str, str], tmp: Path, top: int) -> str:
    lines = []
    for label, args_of in (
        (
            "generate AAPL",
            lambda n: [
                "-X",
                "importtime",
                "-m",
                "pipeline",
                "generate",
                str(AAPL),
                "--out",
                str(tmp / f"imp-{n}"),
            ],
        ),
        ("--help", lambda n: ["-X", "importtime", "-m", "pipeline", "--help"]),
    ):
        profiles = {}
        for name, tree in trees.items():
            run(tree, args_of(name), env, tmp)  # warm the file cache and the template cache
            _, _, text = run(tree, args_of(name), env, tmp)
            profiles[name] = import_profile(text)
        names = list(profiles)
        union: Counter[str] = Counter()
        for per, _ in profiles.values():
            union.update(per)
        lines.append(f"\nimport time of `{label}` by top-level package, ms of self time (one run each)")
        lines.append(f"{'package':24s}" + "".join(f"{n:>12s}" for n in names))
        for pkg, _ in union.most_common(top):
            lines.append(f"{pkg:24s}" + "".join(f"{profiles[n][0].get(pkg, 0.0):12.1f}" for n in names))
        lines.append(f"{'total':24s}" + "".join(f"{profiles[n][1]:12.1f}" for n in names))
        stack = {n: sorted(p for p in profiles[n][0] if p in MODEL_STACK) for n in names}
        stack_ms = {n: sum(profiles[n][0][p] for p in stack[n]) for n in names}
        for n in names:
            lines.append(f"  model stack in {n}: {', '.join(stack[n]) or 'none'} ({stack_ms[n]:.0f} ms self)")
    return "\n".join(lines)


def rerun_part(trees: dict[str, Path], env: dict[str, str], tmp: Path, n: int, repeat: int) -> str:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from bench_batch import synth_bundles  # only this part needs it (and pandas)

    bundles = tmp / "rerun-in"
    out = tmp / "rerun-out"
    synth_bundles(bundles, n)
    this = next(iter(trees.values())) if "after" not in trees else trees["after"]
    start = time.perf_counter()
    run(this, ["-m", "pipeline", "batch", str(bundles), "--out", str(out), "--no-progress"], env, tmp)
    made = time.perf_counter() - start
    done = re.compile(r"batch: (\d+) tickers in ([0-9.]+)s")

    def batch_seconds(text: str) -> dict[str, float]:
        match = done.search(text)
        if match is None or int(match.group(1)) != n:
            raise SystemExit(f"no 'batch: {n} tickers in X s' line in:\n{text[-2000:]}")
        return {"batch s": float(match.group(2))}

    def args(name: str, i: int) -> list[str]:
        return ["-m", "pipeline", "batch", str(bundles), "--out", str(out), "--no-progress"]

    results = paired(trees, args, env, tmp, repeat, batch_seconds)
    newest = max(out.glob("batch-*.json"), key=lambda p: p.stat().st_mtime)
    statuses = Counter(row["status"] for row in json.loads(newest.read_text())["tickers"].values())
    return f"(made once by {this}: {made:.1f} s; last re-run's rows: {dict(statuses)})\n" + table(
        f"re-run of a done {n}-ticker batch, {repeat} rounds", results
    )


WRITES_PROBE = """
import statistics, sys, tempfile, time
from pathlib import Path
from pipeline.files import atomic_write_folder, atomic_write_many
from pipeline.inputs import prices
from pipeline.render.write import RENDERERS
from pipeline.report.document import Report
folder, repeat = Path(sys.argv[1]), int(sys.argv[2])
report = Report.model_validate_json((folder / "AAPL" / "report.json").read_text())
texts = {f"report.{'md' if f == 'md' else f}": RENDERERS[f](report).encode() for f in ("json", "md", "html")}
runs = {"per file": [], "per folder": []}
for i in range(repeat):
    for kind in (("per file", "per folder") if i % 2 == 0 else ("per folder", "per file")):
        target = folder / f"w-{i}-{kind.replace(' ', '_')}" / "AAPL"
        target.mkdir(parents=True)
        t = time.perf_counter()
        if kind == "per file":
            atomic_write_many({target / name: data for name, data in texts.items()})
        else:
            atomic_write_folder(target, texts)
        runs[kind].append(time.perf_counter() - t)
data = (Path(sys.argv[3]) / "benchmark.csv").read_bytes()
parse = {"fresh": [], "repeat": []}
for i in range(repeat):
    prices._PARSED.clear()
    for kind in ("fresh", "repeat"):
        t = time.perf_counter()
        prices.parse_price_csv(data, "benchmark.csv")
        parse[kind].append(time.perf_counter() - t)
for name, series in (*runs.items(), *parse.items()):
    print(f"WRITES {name} {min(series)} {statistics.median(series)}")
"""


def writes_part(env: dict[str, str], tmp: Path, repeat: int) -> str:
    folder = tmp / "writes"
    run(REPO, ["-m", "pipeline", "generate", str(AAPL), "--out", str(folder)], env, tmp)
    _, _, text = run(REPO, ["-c", WRITES_PROBE, str(folder), str(repeat), str(AAPL)], env, tmp)
    lines = [f"this tree, one process, {repeat} turns each: ms (min / median)"]
    for line in text.splitlines():
        if line.startswith("WRITES "):
            *name, low, mid = line.split()[1:]
            label = {
                "per file": "report folder, fsync per file (before)",
                "per folder": "report folder, one sync + swap (after)",
                "fresh": "benchmark.csv parsed (before)",
                "repeat": "benchmark.csv again, same bytes (after)",
            }[" ".join(name)]
            lines.append(f"  {label:44s} {1e3 * float(low):8.2f} / {1e3 * float(mid):8.2f}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", type=Path, help="the other tree (its `pipeline` package is used)")
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--rerun-repeat", type=int, default=5)
    ap.add_argument("--batch-n", type=int, default=200)
    ap.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts of {', '.join(PARTS)}")
    ap.add_argument("--top", type=int, default=14, help="packages in the import-time tables")
    args = ap.parse_args()
    parts = [p for p in args.only.split(",") if p]
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise SystemExit(f"unknown part(s): {', '.join(sorted(unknown))}")
    trees = {"before": args.before.resolve(), "after": REPO} if args.before else {"this": REPO}
    load = os.getloadavg()
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    print("trees: " + ", ".join(f"{k} = {v}" for k, v in trees.items()))
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as name:
        tmp = Path(name)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["STOCKREPORT_CACHE"] = str(tmp / "cache")
        if "help" in parts:
            res = paired(trees, lambda t, i: ["-m", "pipeline", "--help"], env, tmp, args.repeat)
            print("\n" + table(f"cold `stockreport --help`, {args.repeat} rounds", res))
        if "generate" in parts:

            def gen(t: str, i: int) -> list[str]:
                return ["-m", "pipeline", "generate", str(AAPL), "--out", str(tmp / f"gen-{t}-{i}")]

            res = paired(trees, gen, env, tmp, args.repeat)
            print("\n" + table(f"cold offline `generate` of AAPL, {args.repeat} rounds", res))
        if "jinja" in parts:

            def probe(text: str) -> dict[str, float]:
                line = next(ln for ln in text.splitlines() if ln.startswith("PROBE"))
                _, imports, report, prompt = line.split()
                return {
                    "import s": float(imports),
                    "report tpl s": float(report),
                    "prompt tpl s": float(prompt),
                }

            def cold(t: str, i: int) -> dict[str, str]:  # an empty template cache for every process
                return {**env, "STOCKREPORT_CACHE": str(tmp / f"cold-{t}-{i}")}

            for state, env_of in (("warm", None), ("cold", cold)):
                res = paired(trees, lambda t, i: ["-c", JINJA_PROBE], env, tmp, args.repeat, probe, env_of)
                print("\n" + table(f"template environments in one process, {state} template cache (s)", res))
        if "imports" in parts:
            print(imports_part(trees, env, tmp, args.top))
        if "rerun" in parts:
            print("\n" + rerun_part(trees, env, tmp, args.batch_n, args.rerun_repeat))
        if "writes" in parts:
            print("\n" + writes_part(env, tmp, max(args.repeat, 20)))
    load = os.getloadavg()
    print(f"\nload at the end {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


if __name__ == "__main__":
    main()
