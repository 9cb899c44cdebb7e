"""Share of ECTSum reference-summary numbers that the number check finds in the transcript.

    .venv/bin/python benchmarks/numcheck_ectsum.py [DIR]     (default fixtures/data/transcripts/ectsum)

For each pair ects/X.txt (transcript) + gt_summaries/X.txt (human summary), the summary's numbers are checked
against a FactIndex built from the transcript text alone. ECTSum summaries were written from press releases,
so some figures (analyst estimates, figures only in the release) are genuinely absent from the call.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from pipeline.checks import NumberCheck, build_text_index, check_text
from pipeline.inputs.importers.transcripts import quarter_from_name

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "data" / "transcripts" / "ectsum"


@dataclass(frozen=True)
class PairResult:
    name: str
    checks: list[NumberCheck]

    @property
    def matched(self) -> int:
        return sum(c.status == "verified" for c in self.checks)

    @property
    def total(self) -> int:
        return len(self.checks)


def check_pair(transcript: str, summary: str, name: str = "") -> PairResult:
    # ECTSum masks the company as "compname"; some summaries still use the ticker ("ibm - ...", "cvs health")
    ticker = name.split("_")[0].lower() if name else ""
    # The call's quarter, as `stockreport import transcript` reads it from the same file name into
    # `earnings_call.quarter` ("HD_q3_2021.txt" -> "Q3-2021"): a report knows which call it summarises.
    quarter = quarter_from_name(Path(name)) if name else None
    index = build_text_index(
        [("transcript", transcript)],
        company=[a for a in ("compname", ticker) if a],
        call_quarter=quarter,
    )
    return PairResult(name, check_text(summary, index, section=name))


def run(root: Path = DEFAULT_DIR) -> list[PairResult]:
    results = []
    for summary_path in sorted((root / "gt_summaries").glob("*.txt")):
        transcript = (root / "ects" / summary_path.name).read_text(encoding="utf-8")
        results.append(check_pair(transcript, summary_path.read_text(encoding="utf-8"), summary_path.stem))
    return results


def table(results: list[PairResult], *, show_misses: bool = True) -> str:
    lines = [f"{'pair':16} {'matched':>7} {'numbers':>7} {'share':>6}"]
    for r in results:
        share = r.matched / r.total if r.total else 1.0
        lines.append(f"{r.name:16} {r.matched:7d} {r.total:7d} {share:6.0%}")
        if show_misses:
            lines += [
                f"    unverified: {c.written!r} in {c.sentence[:70]!r}"
                for c in r.checks
                if c.status != "verified"
            ]
    matched, total = sum(r.matched for r in results), sum(r.total for r in results)
    lines.append(f"{'TOTAL':16} {matched:7d} {total:7d} {matched / total:6.1%}")
    nd = [c for r in results for c in r.checks if c.kind != "date"]
    nd_matched = sum(c.status == "verified" for c in nd)
    lines.append(f"{'TOTAL excl dates':16} {nd_matched:7d} {len(nd):7d} {nd_matched / len(nd):6.1%}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(run(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIR)))
