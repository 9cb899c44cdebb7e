"""Indicators against outside references: TA-Lib 0.8.2 output, StockCharts worked examples, TA-Lib itself."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.metrics import technicals as T

DATA = Path(__file__).resolve().parents[2] / "fixtures" / "data" / "indicators"
REFERENCE = DATA / "talib_0.8.2_reference_financetoolkit_AAPL_SPY_2020-2022.csv"
CHARTS = DATA / "ta_stockcharts"
FROM_ROW = 250


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return pd.read_csv(REFERENCE)


def _ours(frame: pd.DataFrame) -> pd.DataFrame:
    prices = frame.set_index(pd.DatetimeIndex(frame["Date"]))
    return T.indicator_table(prices)


@pytest.mark.parametrize("ticker", ["AAPL", "SPY"])
@pytest.mark.parametrize("column", T.TABLE_COLUMNS)
def test_matches_talib_reference_file(reference: pd.DataFrame, ticker: str, column: str, engine: str) -> None:
    frame = reference[reference["Ticker"] == ticker].reset_index(drop=True)
    ours = _ours(frame)[column].to_numpy()
    ref = frame[column].to_numpy(dtype=float)
    assert len(ref) > FROM_ROW + 100
    # Same warm-up as TA-Lib: NaN exactly where the reference is empty.
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(ref))
    if column.startswith("MACD"):
        np.testing.assert_allclose(ours[FROM_ROW:], ref[FROM_ROW:], rtol=0, atol=1e-4)
    else:
        np.testing.assert_allclose(ours[FROM_ROW:], ref[FROM_ROW:], rtol=1e-6, atol=0)


def test_reference_example_row(reference: pd.DataFrame) -> None:
    """SOURCES.md's worked example, AAPL 2022-12-30."""
    frame = reference[reference["Ticker"] == "AAPL"].reset_index(drop=True)
    last = _ours(frame).iloc[-1]
    expected = {
        "SMA_20": 137.355,
        "SMA_50": 143.076,
        "SMA_200": 151.611,
        "MACD_12_26_9": -4.416426,
        "MACD_signal": -3.618127,
        "MACD_hist": -0.798299,
        "RSI_14": 37.457906,
        "STOCH_slowK_14_3": 11.023513,
        "STOCH_slowD_3": 8.138804,
    }
    for column, value in expected.items():
        assert last[column] == pytest.approx(value, abs=1e-6), column


def test_stockcharts_stochastic() -> None:
    """cs-soo: fast %K(14) (our STOCH with slow-K period 1) and its 3-day signal, to ~5e-7."""
    soo = pd.read_csv(CHARTS / "cs-soo.csv")
    # The sheet leaves Close blank before the first %K (day 13), which reads no earlier close; inputs must be
    # finite, so those days get the midpoint (any value gives the same %K).
    close = soo["Close"].fillna((soo["High"] + soo["Low"]) / 2)
    assert soo["Close"].isna().sum() == 13
    k, d = T.stoch(soo["High"], soo["Low"], close, fastk=14, slowk=1, slowd=3)
    for ours, ref in ((k, soo["SO"].to_numpy()), (d, soo["SO_SIG"].to_numpy())):
        both = ~np.isnan(ours) & ~np.isnan(ref)
        assert both.sum() >= 12
        np.testing.assert_allclose(ours[both], ref[both], rtol=0, atol=1e-6)


def test_stockcharts_macd_converges() -> None:
    """cs-macd seeds its EMAs with the first close, TA-Lib (and we) with an SMA: early rows differ, the
    difference decays to ~1e-4 by the end of the table."""
    tab = pd.read_csv(CHARTS / "cs-macd.csv")
    line, signal, _ = T.macd(tab["Close"])
    line_err = np.abs(line - tab["MACD_line"].to_numpy())
    signal_err = np.abs(signal - tab["MACD_signal"].to_numpy())
    assert line_err[-1] < 1e-4 and signal_err[-1] < 2e-4
    first = np.flatnonzero(~np.isnan(line_err))[0]
    assert line_err[-1] < 0.01 * line_err[first]


def test_stockcharts_rsi_uses_talib_convention() -> None:
    """cs-rsi starts its averages with a plain EWM (71.8621 on 05-Jan-10); Wilder/TA-Lib seed with the SMA
    of the first 14 changes, which gives 70.5328 on that day."""
    tab = pd.read_csv(CHARTS / "cs-rsi.csv")
    ours = T.rsi(tab["Close"], 14)
    row = tab.index[tab["Date"] == "05-Jan-10"][0]
    assert np.isnan(ours[row - 1])
    assert ours[row] == pytest.approx(70.5328, abs=1e-3)
    assert abs(ours[row] - tab["RSI"][row]) > 1.0  # the file's own convention, documented as different


def _walk(days: int, tickers: int, seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    close = 40 * np.exp(np.cumsum(rng.normal(0, 0.02, (days, tickers)), axis=0))
    return (
        close * (1 + rng.uniform(0, 0.02, close.shape)),
        close * (1 - rng.uniform(0, 0.02, close.shape)),
        close,
    )


def test_wide_and_narrow_paths_agree() -> None:
    """Many tickers use blockwise window sums, one ticker accumulate along the series: the same numbers."""
    high, low, close = _walk(700, 40)
    wide = T.compute_all(high, low, close)
    for j in (0, 17, 39):
        narrow = T.compute_all(high[:, j], low[:, j], close[:, j])
        for key, series in narrow.items():
            np.testing.assert_allclose(wide[key][:, j], series, rtol=1e-10, atol=1e-10, err_msg=key)


def test_matches_installed_talib() -> None:
    talib = pytest.importorskip("talib")
    high, low, close = _walk(1500, 1, seed=11)
    h, lo, c = high[:, 0], low[:, 0], close[:, 0]
    ours = T.compute_all(h, lo, c)
    logret = np.concatenate([[np.nan], np.diff(np.log(c))])
    refs = {
        "sma_20": talib.SMA(c, 20),
        "sma_200": talib.SMA(c, 200),
        "ema_20": talib.EMA(c, 20),
        "ema_50": talib.EMA(c, 50),
        "macd": talib.MACD(c, 12, 26, 9)[0],
        "macd_signal": talib.MACD(c)[1],
        "rsi_14": talib.RSI(c, 14),
        "stoch_k": talib.STOCH(h, lo, c, 14, 3, 0, 3, 0)[0],
        "stoch_d": talib.STOCH(h, lo, c, 14, 3, 0, 3, 0)[1],
        "high_52w": talib.MAX(h, 252),
        "low_52w": talib.MIN(lo, 252),
        # TA-Lib's STDDEV is the population one; ours is the sample one (ddof 1).
        "volatility_pct": talib.STDDEV(logret, 252, 1.0) * np.sqrt(252 / 251 * 252) * 100,
    }
    for key, ref in refs.items():
        np.testing.assert_array_equal(np.isnan(ours[key]), np.isnan(ref), err_msg=key)
        np.testing.assert_allclose(ours[key], ref, rtol=1e-9, atol=1e-9, err_msg=key)


def test_many_tickers_match_installed_talib() -> None:
    """The blockwise (many tickers) forms against TA-Lib, ticker by ticker, with a long history (drift)."""
    talib = pytest.importorskip("talib")
    high, low, close = _walk(3000, 40, seed=12)
    ours = T.compute_all(high, low, close)
    for j in (0, 21, 39):
        h, lo, c = high[:, j].copy(), low[:, j].copy(), close[:, j].copy()
        line, signal, hist = talib.MACD(c, 12, 26, 9)
        k, d = talib.STOCH(h, lo, c, 14, 3, 0, 3, 0)
        logret = np.concatenate([[np.nan], np.diff(np.log(c))])
        refs = {
            "sma_50": talib.SMA(c, 50),
            "sma_200": talib.SMA(c, 200),
            "ema_50": talib.EMA(c, 50),
            "macd": line,
            "macd_signal": signal,
            "macd_hist": hist,
            "rsi_14": talib.RSI(c, 14),
            "stoch_k": k,
            "stoch_d": d,
            "high_52w": talib.MAX(h, 252),
            "low_52w": talib.MIN(lo, 252),
            "volatility_pct": talib.STDDEV(logret, 252, 1.0) * np.sqrt(252 / 251 * 252) * 100,
        }
        for key, ref in refs.items():
            np.testing.assert_array_equal(np.isnan(ours[key][:, j]), np.isnan(ref), err_msg=key)
            np.testing.assert_allclose(ours[key][:, j], ref, rtol=1e-10, atol=1e-10, err_msg=key)


@pytest.mark.parametrize(
    ("fn", "warmup"),
    [
        (lambda x: T.sma(x, 20), 19),
        (lambda x: T.ema(x, 20), 19),
        (lambda x: T.macd(x)[1], 33),
        (lambda x: T.rsi(x, 14), 14),
        (lambda x: T.stoch(x * 1.01, x * 0.99, x)[1], 17),
        (lambda x: T.rolling_max(x, 252), 251),
        (lambda x: T.volatility_pct(x), 252),
    ],
)
def test_warmup_lengths(fn, warmup: int) -> None:  # type: ignore[no-untyped-def]
    x = _walk(400, 1)[2][:, 0]
    out = fn(x)
    assert np.isnan(out[:warmup]).all() and np.isfinite(out[warmup:]).all()
    assert np.isnan(fn(x[:warmup])).all()  # too short: all NaN, no error


def test_flat_prices_read_neutral() -> None:
    """TA-Lib returns 0 here; 0 would read as oversold for a price that did not move, so we return 50."""
    flat = np.full(60, 10.0)
    assert np.all(T.rsi(flat)[14:] == 50.0)
    k, d = T.stoch(flat, flat, flat)
    assert np.all(k[17:] == 50.0) and np.all(d[17:] == 50.0)
    assert np.all(T.sma(flat, 20)[19:] == pytest.approx(10.0))


def _run_cli(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["stockreport", "indicators", *args])
    try:
        main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_cli_writes_the_reference_table(
    reference: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = reference[reference["Ticker"] == "SPY"]
    prices = tmp_path / "spy.csv"
    frame.assign(Volume=1000)[["Date", "Open", "High", "Low", "Close", "Volume"]].to_csv(prices, index=False)
    out = tmp_path / "out.csv"
    assert _run_cli(monkeypatch, str(prices), "--out", str(out)) == 0
    table = pd.read_csv(out)
    assert list(table.columns) == ["Date", *T.TABLE_COLUMNS]
    assert table["Date"].tolist() == frame["Date"].tolist()
    for column in T.TABLE_COLUMNS:
        np.testing.assert_allclose(
            table[column].to_numpy()[FROM_ROW:],
            frame[column].to_numpy()[FROM_ROW:],
            rtol=1e-9,
            atol=1e-9,
            err_msg=column,
        )


def test_cli_stdout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    prices = tmp_path / "p.csv"
    prices.write_text("Date,Open,High,Low,Close,Volume\n2024-01-02,1,2,1,1.5,10\n2024-01-03,1,2,1,1.6,10\n")
    assert _run_cli(monkeypatch, str(prices)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Date," + ",".join(T.TABLE_COLUMNS)
    assert lines[1:] == ["2024-01-02" + "," * 10, "2024-01-03" + "," * 10]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "file not found"),
        ("a,b\n1,2\n", "missing column"),
        ("Date,Open,High,Low,Close,Volume\n2024-01-02,1,2,1,x,10\n", "not a finite number"),
    ],
)
def test_cli_bad_files_fail_cleanly(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    message: str,
) -> None:
    prices = tmp_path / "p.csv"
    if content is not None:
        prices.write_text(content)
    assert _run_cli(monkeypatch, str(prices)) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
