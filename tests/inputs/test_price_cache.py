"""A price file parsed once is not parsed again in the process (keyed by the sha256 of its bytes and the
as_of it was checked against): the benchmark.csv that every bundle of a batch shares costs one parse."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.inputs import prices
from pipeline.inputs.load import load_bundle
from tests.batch.conftest import SAMPLES

CSV = b"Date,Open,High,Low,Close,Volume\n2024-01-02,10,11,9,10.5,100\n2024-01-03,10.5,12,10,11,200\n"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Files actually parsed (a cache hit parses nothing); the cache starts empty."""
    monkeypatch.setattr(prices, "_PARSED", type(prices._PARSED)())
    seen: list[str] = []
    real = prices._parse_price_csv

    def counting(data: bytes, file: str, as_of: dt.date | None) -> pd.DataFrame:
        seen.append(file)
        return real(data, file, as_of)

    monkeypatch.setattr(prices, "_parse_price_csv", counting)
    return seen


def test_the_same_bytes_are_parsed_once(parses: list[str]) -> None:
    first = prices.parse_price_csv(CSV, "a/benchmark.csv")
    second = prices.parse_price_csv(CSV, "b/benchmark.csv")
    assert parses == ["a/benchmark.csv"]
    pd.testing.assert_frame_equal(first, second)
    first.loc[first.index[0], "Close"] = -1.0  # a caller changing its frame
    assert prices.parse_price_csv(CSV, "c/benchmark.csv")["Close"].iloc[0] == 10.5
    prices.parse_price_csv(CSV.replace(b"10.5,100", b"10.6,100"), "d/benchmark.csv")  # other bytes
    assert parses == ["a/benchmark.csv", "d/benchmark.csv"]


def test_validity_is_per_as_of_and_failures_are_never_kept(parses: list[str]) -> None:
    prices.parse_price_csv(CSV, "a/prices.csv", as_of=dt.date(2024, 6, 1))
    with pytest.raises(InputError) as info:  # the same bytes, an as_of before the last day
        prices.parse_price_csv(CSV, "b/prices.csv", as_of=dt.date(2024, 1, 2))
    assert "b/prices.csv" in str(info.value.problems[0]) and "after the bundle's as_of" in str(
        info.value.problems[0]
    )
    bad = CSV.replace(b"11,9,", b"11,x,")
    for name in ("c/prices.csv", "d/prices.csv"):
        with pytest.raises(InputError) as info:
            prices.parse_price_csv(bad, name)
        assert name in str(info.value.problems[0])  # each failure under its own file name
    assert parses == ["a/prices.csv", "b/prices.csv", "c/prices.csv", "d/prices.csv"]


def test_the_cache_is_bounded_and_keeps_what_is_used(parses: list[str]) -> None:
    shared = CSV
    for i in range(3 * prices._PARSED_MAX):  # unique files streaming through, the shared one every time
        prices.parse_price_csv(CSV.replace(b"100\n", f"{100 + i + 1}\n".encode()), f"{i}/prices.csv")
        prices.parse_price_csv(shared, f"{i}/benchmark.csv")
    assert len(prices._PARSED) == prices._PARSED_MAX
    assert [p for p in parses if p.endswith("benchmark.csv")] == ["0/benchmark.csv"]


def test_bundles_sharing_a_benchmark_parse_it_once(tmp_path: Path, parses: list[str]) -> None:
    for name in ("A1", "A2", "A3"):
        shutil.copytree(SAMPLES / "AAPL", tmp_path / name)
    loaded = [load_bundle(tmp_path / name) for name in ("A1", "A2", "A3")]
    assert [p.split("/")[-1] for p in parses] == ["prices.csv", "benchmark.csv"]  # identical copies
    assert loaded[0].input_hash == loaded[2].input_hash  # the hash is still taken from each bundle's bytes
    for bundle in loaded[1:]:
        pd.testing.assert_frame_equal(bundle.benchmark, loaded[0].benchmark)
