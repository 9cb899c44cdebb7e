"""`eval`: score a set of report.json files on what a reviewer checks first.

Per report (each a count `ok` of `n`, share = ok / n; totals sum the counts over reports, so the total share
is micro-averaged):
- numbers verified (ECTSum's Num-Prec idea): `number_checks` with status "verified" / all number checks.
- factors citing a metric: a factor cites one when (a) a number in its title or text was verified against a
  `metrics.` source, or (b) its normalised title + text names a metric's human name (the metric key without
  `_pct`, underscores as spaces, abbreviations spelled out: "roe_pct" -> "return on equity").
- tone consistent: each (prose, label) pair - summary vs overall label, technicals text vs technical
  sentiment, each statement commentary vs its sub-score label, earnings-call summary vs its sentiment - is
  run through `check_tone`; consistent = not flagged.
- length limits kept: LIMITS below (words per field, factors per side).
- ECTSum coverage (reports whose earnings call has an ECTSum reference summary
  `<reference>/<TICKER>_q<N>_<YEAR>.txt`): reference numbers (dates excluded) that some number in the
  report's earnings-call prose (summary, updates, guidance) equals, within half a unit of the reference's
  last written digit or 0.5 %, whichever is larger.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.checks import check_tone
from pipeline.checks.written_numbers import WrittenNumber, extract_numbers
from pipeline.errors import StockreportError
from pipeline.inputs.sources import MAX_REPORT_BYTES, decode_text, read_bytes, read_json_file

DEFAULT_REFERENCE = Path("fixtures/data/transcripts/ectsum/gt_summaries")
# Upper bounds in words per field; factors per side in [FACTORS_MIN, FACTORS_MAX] (the prompt asks 3 to 5).
LIMITS: dict[str, int] = {
    "summary.text": 120,
    "technicals.text": 150,
    "earnings_call.summary": 200,
    "earnings_call.guidance": 200,
    "financials.summary": 150,
    "financials.income_statement": 150,
    "financials.balance_sheet": 150,
    "financials.cash_flow": 150,
    "events.summary": 150,
    "factor.title": 8,
    "factor.text": 60,
}
FACTORS_MIN, FACTORS_MAX = 3, 5
_ABBREVIATIONS = {
    "roe": "return on equity",
    "fcf": "free cash flow",
    "ocf": "operating cash flow",
    "pe": "p e",
    "eps": "earnings per share",
    "sma": "moving average",
    "ema": "moving average",
    "rsi": "rsi",
    "macd": "macd",
}
_STATEMENTS = {
    "income_statement": "income_statement",
    "balance_sheet": "balance_sheet",
    "cash_flow": "cash_flow",
}


@dataclass
class Tally:
    ok: int = 0
    n: int = 0

    @property
    def share(self) -> float | None:
        return round(self.ok / self.n, 4) if self.n else None

    def add(self, other: Tally) -> None:
        self.ok += other.ok
        self.n += other.n


@dataclass
class Evaluation:
    ticker: str
    path: str
    numbers_verified: Tally = field(default_factory=Tally)
    factors_citing_metric: Tally = field(default_factory=Tally)
    tone_consistent: Tally = field(default_factory=Tally)
    length_kept: Tally = field(default_factory=Tally)
    ectsum_coverage: Tally | None = None
    problems: list[str] = field(default_factory=list)  # what failed, one line each

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ticker": self.ticker, "path": self.path, "problems": self.problems}
        for name in METRICS:
            t = getattr(self, name)
            out[name] = None if t is None else {**asdict(t), "share": t.share}
        return out


METRICS = ("numbers_verified", "factors_citing_metric", "tone_consistent", "length_kept", "ectsum_coverage")


def _norm(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


def metric_names(metrics: dict[str, Any]) -> set[str]:
    """Human names of the metric keys a report holds (see the module doc)."""
    keys: set[str] = set()
    fund = metrics.get("fundamentals") or {}
    for period in fund.get("periods") or []:
        keys.update((period.get("figures") or {}).keys())
    keys.update((metrics.get("valuation") or {}).keys())
    tech = metrics.get("technicals") or {}
    keys.update(r.get("name", "") for r in tech.get("readings") or [])
    names = set()
    for key in keys:
        words = re.sub(r"_pct$", "", key.lower()).replace("_", " ").split()
        spelled = " ".join(_ABBREVIATIONS.get(w, w) for w in words if not w.isdigit() or len(words) == 1)
        if spelled.strip():
            names.add(_norm(spelled))
    return names


def _factors(report: dict[str, Any], ev: Evaluation) -> None:
    names = metric_names(report.get("metrics") or {})
    cited_by_number = {
        c["section"].rsplit(".", 1)[0]
        for c in report.get("number_checks") or []
        if c.get("status") == "verified"
        and str(c.get("source") or "").startswith("metrics.")
        and c.get("section", "").startswith("factors.")
    }
    factors = report.get("factors") or {}
    for side in ("positive", "negative"):
        items = factors.get(side) or []
        ev.length_kept.n += 1
        if FACTORS_MIN <= len(items) <= FACTORS_MAX:
            ev.length_kept.ok += 1
        else:
            ev.problems.append(f"factors.{side}: {len(items)} factors, limits {FACTORS_MIN}-{FACTORS_MAX}")
        for i, f in enumerate(items):
            where = f"factors.{side}[{i}]"
            text = _norm(f"{f.get('title', '')} {f.get('text', '')}")
            ev.factors_citing_metric.n += 1
            if where in cited_by_number or any(name in text for name in names):
                ev.factors_citing_metric.ok += 1
            else:
                ev.problems.append(f"{where} cites no metric: {f.get('title')!r}")
            for part, limit in (("title", LIMITS["factor.title"]), ("text", LIMITS["factor.text"])):
                _length(ev, f"{where}.{part}", f.get(part) or "", limit)


def _length(ev: Evaluation, where: str, text: str, limit: int) -> None:
    words = len(text.split())
    ev.length_kept.n += 1
    if words <= limit:
        ev.length_kept.ok += 1
    else:
        ev.problems.append(f"{where}: {words} words, limit {limit}")


def _tone(report: dict[str, Any], ev: Evaluation) -> None:
    secs = report.get("sections") or {}
    score = report.get("score") or {}
    labels = {s["key"]: s["label"] for s in score.get("subscores") or []}
    pairs = [
        ("summary.text", (secs.get("summary") or {}).get("text"), score.get("label")),
        (
            "technicals.text",
            (secs.get("technicals") or {}).get("text"),
            (secs.get("technicals") or {}).get("sentiment"),
        ),
        (
            "earnings_call.summary",
            (secs.get("earnings_call") or {}).get("summary"),
            (secs.get("earnings_call") or {}).get("sentiment"),
        ),
    ]
    pairs += [
        (f"financials.{k}", (secs.get("financials") or {}).get(k), labels.get(v))
        for k, v in _STATEMENTS.items()
    ]
    for where, text, label in pairs:
        if not text or not label:
            continue
        ev.tone_consistent.n += 1
        tone = check_tone(text, label, section=where)
        if tone.flagged:
            ev.problems.append(f"{where}: {tone.reason}")
        else:
            ev.tone_consistent.ok += 1


def reference_for(report: dict[str, Any], reference: Path) -> Path | None:
    """The ECTSum reference summary of the report's call: <TICKER>_q<N>_<YEAR>.txt from quarter 'Q4-2020'."""
    call = (report.get("sections") or {}).get("earnings_call") or {}
    found = re.fullmatch(r"Q([1-4])[-\s]?(\d{4})", str(call.get("quarter") or ""), re.I)
    if not found:
        return None
    path = reference / f"{report.get('ticker')}_q{found.group(1)}_{found.group(2)}.txt"
    return path if path.is_file() else None


def _covers(ref: WrittenNumber, ours: list[WrittenNumber]) -> bool:
    tol = max(0.005 * abs(ref.value), 0.5 * 10 ** (-ref.decimals) * ref.scale)
    return any(
        abs(o.value - ref.value) <= tol and (o.kind == ref.kind or "count" in (o.kind, ref.kind))
        for o in ours
    )


def ectsum_coverage(report: dict[str, Any], reference_text: str) -> tuple[Tally, list[str]]:
    call = (report.get("sections") or {}).get("earnings_call") or {}
    prose = [call.get("summary") or "", call.get("guidance") or ""]
    prose += [
        u.get("text", "") for u in (call.get("positive_updates") or []) + (call.get("negative_updates") or [])
    ]
    ours = [n for text in prose for n in extract_numbers(text)]
    refs = [n for n in extract_numbers(reference_text) if n.kind not in ("date", "period")]
    missed = [r.text for r in refs if not _covers(r, ours)]
    return Tally(len(refs) - len(missed), len(refs)), missed


def evaluate_report(
    report: dict[str, Any], path: str = "", reference: Path = DEFAULT_REFERENCE
) -> Evaluation:
    ev = Evaluation(str(report.get("ticker")), path)
    checks = report.get("number_checks") or []
    ev.numbers_verified = Tally(sum(c.get("status") == "verified" for c in checks), len(checks))
    ev.problems += [
        f"number {c.get('written')!r} in {c.get('section')}: {c.get('status')}"
        for c in checks
        if c.get("status") != "verified"
    ]
    _factors(report, ev)
    _tone(report, ev)
    secs = report.get("sections") or {}
    for where, limit in LIMITS.items():
        if where.startswith("factor."):
            continue
        sec, key = where.split(".")
        if text := (secs.get(sec) or {}).get(key):
            _length(ev, where, text, limit)
    ref = reference_for(report, reference)
    if ref is not None:
        ev.ectsum_coverage, missed = ectsum_coverage(
            report, decode_text(read_bytes(ref, max_bytes=MAX_REPORT_BYTES), str(ref))
        )
        ev.problems += [f"ECTSum reference number not covered: {m}" for m in missed]
    return ev


def report_paths(paths: list[Path]) -> list[Path]:
    """report.json files named directly or found under folders."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found += sorted(p.rglob("report.json"))
        elif p.is_file():
            found.append(p)
        else:
            raise StockreportError(f"{p}: not found")
    if not found:
        raise StockreportError("no report.json found in the given paths")
    return found


def evaluate_paths(
    paths: list[Path], reference: Path = DEFAULT_REFERENCE
) -> tuple[list[Evaluation], Evaluation]:
    """Each report's evaluation and the totals (counts summed; ticker 'TOTAL')."""
    evals = []
    for path in report_paths(paths):
        doc = read_json_file(path, max_bytes=MAX_REPORT_BYTES)
        if not isinstance(doc, dict):
            raise StockreportError(f"{path}: not a report (expected a JSON object)")
        evals.append(evaluate_report(doc, str(path), reference))
    total = Evaluation("TOTAL", "")
    for ev in evals:
        for name in METRICS:
            part = getattr(ev, name)
            if part is None:
                continue
            if getattr(total, name) is None:
                setattr(total, name, Tally())
            getattr(total, name).add(part)
    return evals, total
