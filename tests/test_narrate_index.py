"""narrate's shared fact index (`FactIndex.with_metrics`): the same facts, in the same order, as building the
index from scratch."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.checks import build_fact_index
from pipeline.inputs.load import load_bundle
from pipeline.metrics import compute_metrics, rescore
from pipeline.metrics.types import Sentiments

BUNDLES = Path(__file__).resolve().parents[1] / "fixtures" / "bundles"


@pytest.mark.parametrize("name", ["HK_3896", "AAPL", "GOOGL"])
def test_index_per_metrics_matches_a_fresh_build(name: str) -> None:
    loaded = load_bundle(BUNDLES / name)
    before = compute_metrics(loaded, Sentiments())
    after = rescore(before, loaded, Sentiments(earnings_call="Positive", corporate_events="Negative"))
    base = build_fact_index(loaded)

    def index_for(metrics):  # what narrate does before and after the rescore
        return base.with_metrics(metrics)

    for metrics in (before, after):
        fresh, shared = build_fact_index(loaded, metrics), index_for(metrics)
        assert shared.facts == fresh.facts
        assert shared.identifiers == fresh.identifiers
    assert index_for(before).facts != index_for(after).facts  # the score facts follow the metrics
