"""Where the models of a several-model page disagree: the lead model's report diffed against each other
model's (`diff.diff_reports`, the same machinery as `stockreport diff`), kept to what a reader weighs.

Kept, per other model, in this order: the overall score and label, a sub-score that moves by at least
`SUBSCORE_POINTS` points or changes label, a sentiment label that flips, and a factor one model names and the
other does not (matched by meaning, diff.MATCH_THRESHOLD). Rewording and different numbers in prose are left
out: every model words things its own way, and every number is checked anyway (number_checks). At most
`PER_MODEL` items per other model, so the list stays short.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.metrics.scoring import TITLES
from pipeline.report.document import Disagreement, Report
from pipeline.review.diff import Change, diff_reports

SUBSCORE_POINTS = 10
PER_MODEL = 8
_SENTIMENT_NAMES = {
    "earnings_call": "Earnings call sentiment",
    "events": "Corporate events sentiment",
    "technicals": "Technical sentiment",
}


def _kept(change: Change) -> bool:
    if change.section == "score":
        return True
    if change.section == "subscores":
        if change.kind == "label":
            return True
        try:
            return abs(float(change.new) - float(change.old)) >= SUBSCORE_POINTS
        except ValueError:  # 'None': scored by one model only
            return True
    if change.kind == "flipped":
        return True
    return change.section.startswith("factors.") and change.kind in ("added", "removed")


def _topic(change: Change) -> str:
    titles: dict[str, str] = {str(k): v for k, v in TITLES.items()}
    if change.section == "score":
        return "Overall score" if change.kind == "moved" else "Overall label"
    if change.section == "subscores":
        what = "sub-score" if change.kind == "moved" else "label"
        return f"{titles.get(change.name, change.name)} {what}"
    if change.kind == "flipped":
        return _SENTIMENT_NAMES.get(change.name, change.name)
    side = change.section.split(".", 1)[1]
    return f"{side.capitalize()} factor"


def _values(change: Change) -> tuple[str, str]:
    """(lead, other) as the reader sees them: a factor by its title on the side that names it."""
    if change.section.startswith("factors."):
        return (change.name, "") if change.kind == "removed" else ("", change.name)
    return tuple("not scored" if v == "None" else v for v in (change.old, change.new))  # type: ignore[return-value]


def disagreements(reports: Sequence[Report]) -> list[Disagreement]:
    """The lead report (first) against each other one."""
    if len(reports) < 2:
        return []
    lead = reports[0]
    lead_doc = lead.model_dump(mode="json")
    out: list[Disagreement] = []
    for other in reports[1:]:
        changes = [c for c in diff_reports(lead_doc, other.model_dump(mode="json")).changes if _kept(c)]
        for c in changes[:PER_MODEL]:
            mine, theirs = _values(c)
            out.append(
                Disagreement(
                    topic=_topic(c),
                    lead_model=lead.header.model_display,
                    lead=mine,
                    other_model=other.header.model_display,
                    other=theirs,
                )
            )
    return out
