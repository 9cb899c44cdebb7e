"""Growth in the prose names its base (pipeline/checks/periods.py): labelled sentences, precision and recall."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.checks import build_fact_index, check_text
from pipeline.checks.periods import unnamed_bases
from pipeline.inputs import load_bundle
from pipeline.metrics import compute_metrics

BUNDLES = Path(__file__).resolve().parents[2] / "fixtures" / "bundles"

# (bundle, sentence, should be flagged). GOOGL: TTM to Sep 2017 vs TTM to Sep 2016, revenue +22.28%, FCF +1.19%;
# AAPL: FY2022 vs FY2021, revenue +7.79%, FCF +19.89%.
CASES = [
    ("GOOGL", "Revenue grew 22.28% in TTM to Sep 2017 compared with TTM to Sep 2016.", False),
    ("GOOGL", "Revenue grew 22.28% against the TTM Sep 2016 period.", False),
    ("GOOGL", "Revenue rose 22.28% year over year.", False),
    ("GOOGL", "Trailing revenue was up 22.28% from a year earlier.", False),
    ("GOOGL", "Free cash flow grew 1.19% on the prior-year period.", False),
    ("GOOGL", "Revenue grew 22.28%, a strong result.", True),
    ("GOOGL", "Revenue grew 22.28% in the TTM period.", True),
    ("GOOGL", "Revenue grew 22.28% compared with FY2016.", True),  # TTM against a fiscal year: overlapping
    ("GOOGL", "Free cash flow increased 1.19%.", True),
    ("GOOGL", "Gross margin was 59.87% in the period.", False),  # not a change: nothing to name
    ("AAPL", "Revenue grew 7.79% in FY2022 compared with FY2021.", False),
    ("AAPL", "Revenue grew 7.79% over FY2021.", False),
    ("AAPL", "Revenue grew 7.79% year-on-year.", False),
    ("AAPL", "Free cash flow grew 19.89% in FY2022 versus the previous year.", False),
    ("AAPL", "Revenue grew 7.79% in FY2022.", True),
    ("AAPL", "Free cash flow grew 19.89%, showing strength.", True),
    ("AAPL", "Revenue grew 7.79% compared with FY2020.", True),  # the wrong base year
    ("AAPL", "Sales expanded by 7.79% to a record.", True),
]


@pytest.fixture(scope="module")
def contexts() -> dict[str, tuple]:  # type: ignore[type-arg]
    out = {}
    for ticker in ("GOOGL", "AAPL"):
        loaded = load_bundle(BUNDLES / ticker)
        metrics = compute_metrics(loaded)
        out[ticker] = (build_fact_index(loaded, metrics), metrics)
    return out


def _flagged(contexts: dict[str, tuple], ticker: str, sentence: str) -> bool:  # type: ignore[type-arg]
    index, metrics = contexts[ticker]
    checks = check_text(sentence, index, section="test")
    return bool(unnamed_bases(checks, metrics))


@pytest.mark.parametrize(("ticker", "sentence", "flag"), CASES)
def test_growth_base_named(contexts: dict[str, tuple], ticker: str, sentence: str, flag: bool) -> None:  # type: ignore[type-arg]
    assert _flagged(contexts, ticker, sentence) is flag


def test_precision_and_recall(contexts: dict[str, tuple]) -> None:  # type: ignore[type-arg]
    got = [(_flagged(contexts, t, s), want) for t, s, want in CASES]
    tp = sum(g and w for g, w in got)
    fp = sum(g and not w for g, w in got)
    fn = sum(w and not g for g, w in got)
    print(
        f"\ngrowth-base check: precision {tp / (tp + fp):.2f}, recall {tp / (tp + fn):.2f} on {len(CASES)} sentences"
    )
    assert tp / (tp + fp) == 1.0 and tp / (tp + fn) == 1.0
