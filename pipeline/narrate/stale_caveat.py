"""Staleness caveats: the sentences that warn a reader that data is old survive every number check.

`--strict-numbers` removes sentences whose numbers do not check out. A sentence that says data is stale
("The prices end on 2022-12-30, long before the analysis date ...") is never simply removed: if its numbers
do not check out it is replaced by the report's own caveat, written here from `metrics.ages` with the dates
and ages the number check knows as facts (checks/fact_index.py, `_age_facts`), so the reader keeps the
warning and every number in it is right. When the metrics call nothing stale, the sentence is not a true
caveat and is dropped like any other.
"""

from __future__ import annotations

import re

from pipeline.metrics.types import Metrics

STALENESS = re.compile(
    r"\b(?:stale|not\s+current|no\s+longer\s+current|out\s+of\s+date|outdated|long\s+before\s+the\s+analysis\s+date|"
    r"before\s+the\s+analysis\s+date)\b",
    re.I,
)
_PART_DATED = {
    "prices": "the prices end on {}",
    "benchmark": "the benchmark prices end on {}",
    "technical_snapshot": "the technical snapshot is dated {}",
    "market": "market capitalisation data are dated {}",
    "statements": "the latest statements end on {}",
    "consensus": "the analyst consensus is dated {}",
    "earnings_call": "the earnings call was held on {}",
    "events": "the latest corporate event is dated {}",
}


def is_staleness_caveat(sentence: str) -> bool:
    return STALENESS.search(sentence) is not None


def stale_caveat(metrics: Metrics) -> str | None:
    """The report's own caveat for every stale part ("Stale data: the prices end on 2022-12-30, 731 days before
    the analysis date 2024-12-30."), or None when nothing is stale."""
    stale = [a for a in metrics.ages if a.stale]
    if not stale:
        return None
    parts = [
        _PART_DATED.get(a.part, f"the {a.part.replace('_', ' ')} is dated {{}}").format(a.date.isoformat())
        + f", {a.days} days before the analysis date {metrics.as_of.isoformat()}"
        for a in stale
    ]
    return "Stale data: " + "; ".join(parts) + "."
