"""Property tests: finite after warm-up, bounded oscillators, scale invariance / linearity."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from pipeline.metrics import performance as P
from pipeline.metrics import technicals as T
from tests.support.fuzz import scaled

# Prices in cents between 1.00 and 1000.00: a real tick size keeps ranges either 0 or >= 0.01.
prices = arrays(np.float64, st.integers(40, 300), elements=st.integers(100, 100_000).map(lambda c: c / 100.0))
scales = st.sampled_from([0.01, 0.37, 3.0, 1000.0])
FAST = settings(max_examples=scaled(40), deadline=None)


def _hlc(close: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return close * 1.02, close * 0.98, close


@FAST
@given(prices)
def test_finite_after_warmup_and_bounded(close: np.ndarray) -> None:
    out = T.compute_all(*_hlc(close))
    warmups = {
        "sma_20": 19,
        "sma_50": 49,
        "ema_20": 19,
        "macd": 33,
        "macd_signal": 33,
        "macd_hist": 33,
        "rsi_14": 14,
        "stoch_k": 17,
        "stoch_d": 17,
    }
    for key, series in out.items():
        assert not np.isinf(series).any(), key
        if key in warmups and len(close) > warmups[key]:
            assert np.isfinite(series[warmups[key] :]).all(), key
    for key in ("rsi_14", "stoch_k", "stoch_d"):
        v = out[key][~np.isnan(out[key])]
        assert ((v >= 0) & (v <= 100)).all(), key


@FAST
@given(prices, scales)
def test_oscillators_and_returns_ignore_scale(close: np.ndarray, c: float) -> None:
    base = T.compute_all(*_hlc(close))
    scaled = T.compute_all(*_hlc(close * c))
    for key in ("rsi_14", "stoch_k", "stoch_d", "volatility_pct"):
        np.testing.assert_allclose(scaled[key], base[key], rtol=1e-7, atol=1e-7, err_msg=key)
    idx = pd.bdate_range("2022-01-03", periods=len(close))
    as_of = idx[-1].date()
    r1 = P.window_returns_pct(pd.Series(close, index=idx), as_of)
    r2 = P.window_returns_pct(pd.Series(close * c, index=idx), as_of)
    for w in P.WINDOWS:
        assert (r1[w] is None) == (r2[w] is None)
        if r1[w] is not None:
            assert abs(r1[w] - r2[w]) < 1e-9 * max(1.0, abs(r1[w]))  # type: ignore[operator]


@FAST
@given(prices, scales)
def test_averages_scale_linearly(close: np.ndarray, c: float) -> None:
    base = T.compute_all(*_hlc(close))
    scaled = T.compute_all(*_hlc(close * c))
    for key in ("sma_20", "sma_50", "ema_20", "ema_50", "macd", "macd_signal", "macd_hist", "high_52w"):
        tol = 1e-9 * c * np.nanmax(np.abs(close))  # MACD can sit near 0: tolerance from the price scale
        np.testing.assert_allclose(scaled[key], base[key] * c, rtol=1e-9, atol=tol, err_msg=key)


@settings(max_examples=scaled(15), deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 40))
def test_many_tickers_equal_one_at_a_time(seed: int, tickers: int) -> None:
    rng = np.random.default_rng(seed)
    close = np.round(20 * np.exp(np.cumsum(rng.normal(0, 0.03, (120, tickers)), axis=0)), 2) + 0.01
    wide = T.compute_all(*_hlc(close))
    j = int(rng.integers(tickers))
    one = T.compute_all(*_hlc(close[:, j]))
    for key, series in one.items():
        np.testing.assert_allclose(wide[key][:, j], series, rtol=1e-9, atol=1e-9, err_msg=key)
