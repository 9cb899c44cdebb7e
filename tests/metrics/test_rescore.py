"""rescore() gives exactly what a full compute_metrics with the same sentiments gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.inputs.load import load_bundle
from pipeline.metrics import compute_metrics, rescore
from pipeline.metrics.types import Sentiments

BUNDLES = Path(__file__).resolve().parents[2] / "fixtures" / "bundles"


@pytest.mark.parametrize("name", ["HK_3896", "AAPL"])
@pytest.mark.parametrize(
    "sentiments",
    [Sentiments(earnings_call="Positive", corporate_events="Negative"), Sentiments(earnings_call="Negative")],
)
def test_rescore_matches_full_compute(name: str, sentiments: Sentiments) -> None:
    loaded = load_bundle(BUNDLES / name)
    base = compute_metrics(loaded)
    assert rescore(base, loaded, sentiments) == compute_metrics(loaded, sentiments)
    assert rescore(base, loaded, sentiments).score != base.score
