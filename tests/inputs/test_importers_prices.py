"""OHLCV importer: the three layouts, ticker selection, --as-of, benchmark, all-or-nothing updates."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from pipeline.errors import InputError, StockreportError
from pipeline.inputs import load_bundle
from pipeline.inputs.importers.prices import import_prices, read_ohlcv
from tests.inputs.importer_helpers import DATA

P = DATA / "prices"
FTK = P / "financetoolkit-historical_dataset.csv.gz"
GOOG = P / "yahoofinance-GOOG-20040819-20180120.csv.gz"
SPY = P / "yahoofinance-SPY-20080101-20180101.csv.gz"
PTA = P / "pandas-ta-SPY_D.csv.gz"


@pytest.mark.parametrize(
    ("path", "ticker", "rows", "first", "last", "last_close"),
    [
        (GOOG, None, 3379, "2004-08-19", "2018-01-19", 1137.51001),  # Yahoo, Adj Close ignored
        (PTA, None, 5241, "1999-11-01", "2020-08-28", 350.58),  # pandas-ta, index column
        (FTK, "AAPL", 757, "2019-12-31", "2022-12-30", 129.93),  # long file
        (FTK, "Benchmark", 757, "2019-12-31", "2022-12-30", 382.43),
    ],
)
def test_layouts(path: Path, ticker: str | None, rows: int, first: str, last: str, last_close: float) -> None:
    frame = read_ohlcv(path, ticker)
    assert list(frame.columns) == ["Open", "High", "Low", "Close", "Volume"]
    assert len(frame) == rows
    assert str(frame.index[0].date()) == first and str(frame.index[-1].date()) == last
    assert frame["Close"].iloc[-1] == pytest.approx(last_close)


def test_raw_close_not_adjusted() -> None:
    aapl = read_ohlcv(FTK, "AAPL")
    assert aapl.loc["2019-12-31", "Close"] == pytest.approx(73.41)  # Adj Close there is 71.09


def test_as_of_drops_later_rows() -> None:
    frame = read_ohlcv(GOOG, as_of=dt.date(2017, 12, 29))
    assert str(frame.index[-1].date()) == "2017-12-29"


@pytest.mark.parametrize(
    ("ticker", "message"),
    [
        (None, "pass --ticker"),
        ("NVDA", "no rows for ticker 'NVDA'"),
    ],
)
def test_long_file_needs_a_known_ticker(ticker: str | None, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_ohlcv(FTK, ticker)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,b,c\n1,2,3\n", "missing column"),
        ("Date,Open,High,Low,Close,Volume\n2020-01-02,1,0.4,0.5,0.45,10\n", "High is below Low"),
        ("Date,Open,High,Low,Close,Volume\n2020-01-03,1,1,1,1,1\n2020-01-02,1,1,1,1,1\n", "out of order"),
        ("", "not a readable CSV"),
    ],
)
def test_bad_price_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "p.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        read_ohlcv(path)


def test_import_with_benchmark_from_same_long_file(tmp_path: Path) -> None:
    out = tmp_path / "AAPL"
    b = import_prices(
        FTK,
        out,
        ticker="AAPL",
        benchmark=FTK,
        benchmark_ticker="Benchmark",
        benchmark_name="SPDR S&P 500 ETF Trust (SPY)",
        as_of=dt.date(2022, 6, 30),
    )
    assert b.benchmark is not None and b.benchmark.name == "SPDR S&P 500 ETF Trust (SPY)"
    assert b.benchmark.ticker is None  # 'Benchmark' is a label, not a symbol
    loaded = load_bundle(out)
    assert loaded.prices is not None and loaded.benchmark is not None
    assert loaded.prices.index[-1] == loaded.benchmark.index[-1] == dt.datetime(2022, 6, 30)


def test_benchmark_from_another_file_keeps_symbol(tmp_path: Path) -> None:
    b = import_prices(
        GOOG,
        tmp_path / "G",
        ticker="GOOGL",
        as_of=dt.date(2017, 12, 29),
        benchmark=SPY,
        benchmark_ticker="SPY",
        benchmark_name="SPDR S&P 500 ETF Trust (SPY)",
    )
    assert b.benchmark is not None and b.benchmark.ticker == "SPY"
    assert (tmp_path / "G" / "benchmark.csv").read_text().splitlines()[0] == "Date,Open,High,Low,Close,Volume"


def test_benchmark_needs_a_name(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="benchmark needs a name"):
        import_prices(GOOG, tmp_path / "G", ticker="GOOGL", benchmark=SPY)
    assert not (tmp_path / "G" / "bundle.json").exists()


def test_failed_update_leaves_bundle_untouched(tmp_path: Path, bundles: Path) -> None:
    out = tmp_path / "AAPL"
    out.mkdir()
    for f in (bundles / "AAPL").iterdir():
        (out / f.name).write_bytes(f.read_bytes())
    before = {f.name: f.read_bytes() for f in out.iterdir()}
    # as-of 2020-01-31 would leave statements dated after it in the bundle: refused, nothing written
    with pytest.raises(StockreportError, match="after the bundle's as_of"):
        import_prices(FTK, out, ticker="AAPL", as_of=dt.date(2020, 1, 31))
    assert {f.name: f.read_bytes() for f in out.iterdir()} == before


def test_gzip_and_plain_read_the_same(tmp_path: Path) -> None:
    plain = tmp_path / "spy.csv"
    plain.write_bytes(gzip.decompress(SPY.read_bytes()))
    assert read_ohlcv(plain).equals(read_ohlcv(SPY))
