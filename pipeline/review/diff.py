"""`diff`: a section-aware review of two report.json versions (or two folders of them, matched by ticker).

What is compared, in order: overall score and label, sub-scores, sentiment labels, investment factors, prose
sections (with the numbers that changed in them), and the number-check tally.

Factors are matched by meaning, not position. Similarity of an old and a new factor on the same side:

    sim = 0.6 * max(ratio(title_a, title_b), jaccard(title_a, title_b)) + 0.4 * jaccard(text_a, text_b)

where titles/texts are normalised (lower case, words only, stop words dropped), `ratio` is difflib's
SequenceMatcher ratio on the normalised strings and `jaccard` = |A & B| / |A | B| on their word sets.
Pairs are matched greedily, best first, when sim >= MATCH_THRESHOLD (0.45: a reworded title that keeps its
key words, e.g. "High leverage" -> "Elevated leverage", scores about 0.6+; unrelated factors stay under 0.3).
A matched pair whose title or text differ is "reworded"; unmatched old ones are "removed", new ones "added".
Score moves within `tolerance` points are listed but do not count as changes for the exit code.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import StockreportError

MATCH_THRESHOLD = 0.45
_STOP = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the their this to "
    "was were with which while".split()
)
_NUMBER = re.compile(
    r"[-+]?(?:[$€£¥]|RMB |HKD |USD )?\d[\d,]*(?:\.\d+)?(?:%| ?(?:billion|million|thousand|bn|m|B|M|K)\b)?"
)
# Prose fields compared as text: (section path, key) -> shown name.
PROSE: tuple[tuple[str, str], ...] = (
    ("summary", "text"),
    ("earnings_call", "summary"),
    ("earnings_call", "guidance"),
    ("financials", "summary"),
    ("financials", "income_statement"),
    ("financials", "balance_sheet"),
    ("financials", "cash_flow"),
    ("technicals", "text"),
    ("events", "summary"),
    ("events", "analyst_note"),
)
SENTIMENTS: tuple[tuple[str, str], ...] = (
    ("earnings_call", "sentiment"),
    ("events", "sentiment"),
    ("technicals", "sentiment"),
)


@dataclass(frozen=True)
class Change:
    section: str  # "score", "subscores", "factors.positive", "summary.text", ...
    kind: str  # moved, label, added, removed, reworded, numbers, flipped, checks, report
    name: str  # what changed (a sub-score key, a factor title, a field)
    old: str = ""
    new: str = ""
    significant: bool = True  # counts for the exit code

    def words(self) -> list[tuple[str, str]]:
        """Word-level diff of old -> new: (op, text) with op in '=', '-', '+'."""
        return word_diff(self.old, self.new)


@dataclass
class ReportDiff:
    ticker: str
    changes: list[Change] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(c.significant for c in self.changes)


def normalise(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+(?:\.[0-9]+)?", text.lower()) if w not in _STOP]


def jaccard(a: str, b: str) -> float:
    sa, sb = set(normalise(a)), set(normalise(b))
    return len(sa & sb) / len(sa | sb) if sa | sb else 1.0


def similarity(a: dict[str, str], b: dict[str, str]) -> float:
    """sim of two factors {title, text} (formula in the module doc)."""
    ta, tb = " ".join(normalise(a.get("title", ""))), " ".join(normalise(b.get("title", "")))
    title = max(difflib.SequenceMatcher(None, ta, tb).ratio(), jaccard(ta, tb))
    return 0.6 * title + 0.4 * jaccard(a.get("text", ""), b.get("text", ""))


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    a, b = old.split(), new.split()
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("=", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("-", " ".join(a[i1:i2])))
        if j2 > j1:
            out.append(("+", " ".join(b[j1:j2])))
    return out


def numbers_in(text: str) -> Counter[str]:
    return Counter(m.group(0).strip().rstrip(",") for m in _NUMBER.finditer(text or ""))


def match_factors(
    old: list[dict[str, str]], new: list[dict[str, str]]
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Greedy best-first matching by `similarity`; returns (pairs, unmatched old, unmatched new)."""
    scored = sorted(
        ((similarity(o, n), i, j) for i, o in enumerate(old) for j, n in enumerate(new)),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_o: set[int] = set()
    used_n: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for sim, i, j in scored:
        if sim < MATCH_THRESHOLD or i in used_o or j in used_n:
            continue
        used_o.add(i)
        used_n.add(j)
        pairs.append((i, j))
    return (
        sorted(pairs),
        [i for i in range(len(old)) if i not in used_o],
        [j for j in range(len(new)) if j not in used_n],
    )


def _factor_text(f: dict[str, str]) -> str:
    return f"{f.get('title', '')}: {f.get('text', '')}"


def _factors(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    for side in ("positive", "negative"):
        a, b = old.get(side) or [], new.get(side) or []
        pairs, gone, came = match_factors(a, b)
        for i, j in pairs:
            if a[i] != b[j]:
                name = (
                    a[i]["title"] if a[i]["title"] == b[j]["title"] else f"{a[i]['title']} -> {b[j]['title']}"
                )
                changes.append(
                    Change(f"factors.{side}", "reworded", name, _factor_text(a[i]), _factor_text(b[j]))
                )
        changes += [Change(f"factors.{side}", "removed", a[i]["title"], _factor_text(a[i]), "") for i in gone]
        changes += [Change(f"factors.{side}", "added", b[j]["title"], "", _factor_text(b[j])) for j in came]
    return changes


def _numbers(section: str, old: str, new: str) -> Change | None:
    a, b = numbers_in(old), numbers_in(new)
    if a == b:
        return None
    gone, came = sorted((a - b).elements()), sorted((b - a).elements())
    return Change(section, "numbers", "numbers", ", ".join(gone) or "-", ", ".join(came) or "-")


def diff_reports(old: dict[str, Any], new: dict[str, Any], tolerance: float = 0.0) -> ReportDiff:
    """All changes from `old` to `new` (two report.json documents)."""
    d = ReportDiff(str(new.get("ticker") or old.get("ticker")))
    so, sn = old.get("score") or {}, new.get("score") or {}
    if so.get("overall") != sn.get("overall"):
        move = (sn.get("overall") or 0) - (so.get("overall") or 0)
        d.changes.append(
            Change(
                "score",
                "moved",
                "overall",
                str(so.get("overall")),
                str(sn.get("overall")),
                abs(move) > tolerance,
            )
        )
    if so.get("label") != sn.get("label"):
        d.changes.append(Change("score", "label", "overall", str(so.get("label")), str(sn.get("label"))))
    subs_o = {s["key"]: s for s in so.get("subscores") or []}
    subs_n = {s["key"]: s for s in sn.get("subscores") or []}
    for key in list(subs_o) + [k for k in subs_n if k not in subs_o]:
        a, b = subs_o.get(key, {}), subs_n.get(key, {})
        if a.get("score") != b.get("score"):
            move = (b.get("score") or 0) - (a.get("score") or 0)
            d.changes.append(
                Change(
                    "subscores", "moved", key, str(a.get("score")), str(b.get("score")), abs(move) > tolerance
                )
            )
        if a.get("label") != b.get("label"):
            d.changes.append(Change("subscores", "label", key, str(a.get("label")), str(b.get("label"))))
    secs_o, secs_n = old.get("sections") or {}, new.get("sections") or {}
    for sec, key in SENTIMENTS:
        a_s, b_s = (secs_o.get(sec) or {}).get(key), (secs_n.get(sec) or {}).get(key)
        if a_s != b_s:
            d.changes.append(Change(f"{sec}.{key}", "flipped", sec, str(a_s), str(b_s)))
    d.changes += _factors(old.get("factors") or {}, new.get("factors") or {})
    for sec, key in PROSE:
        a_t = (secs_o.get(sec) or {}).get(key) or ""
        b_t = (secs_n.get(sec) or {}).get(key) or ""
        if a_t != b_t:
            d.changes.append(Change(f"{sec}.{key}", "reworded", f"{sec}.{key}", a_t, b_t))
            if (num := _numbers(f"{sec}.{key}", a_t, b_t)) is not None:
                d.changes.append(num)
    tally_o, tally_n = _tally(old), _tally(new)
    if tally_o != tally_n:
        d.changes.append(Change("number_checks", "checks", "verified/total", tally_o, tally_n))
    return d


def _tally(report: dict[str, Any]) -> str:
    checks = report.get("number_checks") or []
    return f"{sum(c.get('status') == 'verified' for c in checks)}/{len(checks)}"


def _load(path: Path) -> dict[str, Any]:
    from pipeline.inputs.sources import MAX_REPORT_BYTES, read_json_file

    doc = read_json_file(path, max_bytes=MAX_REPORT_BYTES)
    if not isinstance(doc, dict):
        raise StockreportError(f"{path}: not a report (expected a JSON object)")
    return doc


def _by_ticker(folder: Path) -> dict[str, dict[str, Any]]:
    reports = {}
    for path in sorted(folder.rglob("report.json")):
        doc = _load(path)
        reports[str(doc.get("ticker") or path.parent.name)] = doc
    return reports


def diff_paths(old: Path, new: Path, tolerance: float = 0.0) -> list[ReportDiff]:
    """Two report.json files, or two folders of them matched by ticker (a ticker on one side only shows as a
    'report added/removed' change)."""
    if old.is_dir() != new.is_dir():
        raise StockreportError(f"compare two report.json files or two folders, not {old} with {new}")
    if not old.is_dir():
        return [diff_reports(_load(old), _load(new), tolerance)]
    a, b = _by_ticker(old), _by_ticker(new)
    if not a and not b:
        raise StockreportError(f"no report.json under {old} or {new}")
    out = []
    for ticker in sorted(set(a) | set(b)):
        if ticker not in b:
            out.append(ReportDiff(ticker, [Change("report", "removed", ticker, "report", "")]))
        elif ticker not in a:
            out.append(ReportDiff(ticker, [Change("report", "added", ticker, "", "report")]))
        else:
            out.append(diff_reports(a[ticker], b[ticker], tolerance))
    return out
