"""The committed sample bundles are exactly what scripts/build_sample_bundles.py builds."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from pipeline.inputs import load_bundle
from tests.inputs.importer_helpers import REPO


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "build_sample_bundles", REPO / "scripts" / "build_sample_bundles.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_rebuild_reproduces_committed_bundles(tmp_path: Path, bundles: Path) -> None:
    assert _script().main(["--out", str(tmp_path)]) == 0
    for ticker in ("AAPL", "GOOGL"):
        for name in ("bundle.json", "prices.csv", "benchmark.csv"):
            assert (tmp_path / ticker / name).read_bytes() == (bundles / ticker / name).read_bytes(), (
                ticker,
                name,
            )


@pytest.mark.parametrize(
    ("ticker", "as_of", "newest_fy", "days", "last_close"),
    [
        ("AAPL", "2022-12-30", "FY2022", 757, 129.93),
        ("GOOGL", "2017-12-29", "FY2016", 3366, 1046.400024),
    ],
)
def test_sample_bundles_validate(
    bundles: Path, ticker: str, as_of: str, newest_fy: str, days: int, last_close: float
) -> None:
    loaded = load_bundle(bundles / ticker)
    b = loaded.bundle
    assert str(b.as_of) == as_of and b.profile.currency == "USD" and b.profile.description
    assert b.financials is not None and b.financials.fiscal_years()[0].label == newest_fy
    assert b.benchmark is not None and b.benchmark.name == "SPDR S&P 500 ETF Trust (SPY)"
    assert loaded.prices is not None and len(loaded.prices) == days
    assert loaded.prices["Close"].iloc[-1] == pytest.approx(last_close)
    assert any("hand-written" in n for n in b.notes)
