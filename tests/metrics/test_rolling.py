"""The running kernels behind the indicators, against plain day-by-day loops (exact sums via math.fsum).

Every test runs on both engines: NumPy's blockwise forms and the compiled loops (Numba, the `fast` extra;
skipped without it), each forced for every array size.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from pipeline.metrics import rolling as R
from pipeline.metrics import rolling_compiled as C
from pipeline.metrics import scratch as S
from pipeline.metrics import technicals as T

EPS = np.finfo(np.float64).eps
# 1-D, one series as 2-D (window sums by accumulate), many series (blockwise window sums), many stacked series.
SHAPES = [(), (1,), (R.WIDE,), (45,), (2, 20)]
# Around the block lengths (8 .. 16) and the window lengths.
DAYS = [1, 2, 15, 16, 17, 33, 260, 331]


@pytest.fixture(autouse=True)
def every_engine(engine: str) -> str:
    return engine


def _prices(days: int, rest: tuple[int, ...], seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 50.0 * np.exp(np.cumsum(rng.normal(0, 0.02, (days, *rest)), axis=0))


def _smooth_loop(x: np.ndarray, start: int, seed: np.ndarray, gain: float, decay: float) -> np.ndarray:
    y = np.full(x.shape, np.nan)
    y[start] = seed
    for t in range(start + 1, x.shape[0]):
        y[t] = gain * x[t] + decay * y[t - 1]
    return y


@pytest.mark.parametrize("rest", SHAPES)
@pytest.mark.parametrize("days", DAYS)
@pytest.mark.parametrize(
    ("gain", "decay"),
    [(2 / 13, 11 / 13), (2 / 51, 49 / 51), (1 / 14, 13 / 14), (0.2, 0.8), (1.0, 0.0), (1.0, 1.0), (0.5, 0.3)],
)
def test_smooth_is_the_day_by_day_recursion(
    rest: tuple[int, ...], days: int, gain: float, decay: float
) -> None:
    x = _prices(days, rest)
    for start in sorted({0, min(days - 1, 3), min(days - 1, 25)}):
        seed = x[: start + 1].mean(axis=0)
        out = np.full(x.shape, -1.0)
        R.smooth(x, out, start, seed, gain, decay)
        ref = _smooth_loop(x, start, seed, gain, decay)
        assert (out[:start] == -1.0).all()  # rows before the start are not written
        scale = np.maximum(np.abs(ref[start:]), 1.0)
        assert np.max(np.abs(out[start:] - ref[start:]) / scale) < 64 * EPS
        inplace = x.copy()
        R.smooth(inplace, inplace, start, seed, gain, decay)
        np.testing.assert_array_equal(inplace[start:], out[start:])


def _window_loop(x: np.ndarray, n: int) -> np.ndarray:
    """Exact (correctly rounded) sums of every window, per series."""
    flat = x.reshape(x.shape[0], -1)
    out = np.full(flat.shape, np.nan)
    for t in range(n - 1, flat.shape[0]):
        for j in range(flat.shape[1]):
            out[t, j] = math.fsum(flat[t - n + 1 : t + 1, j])
    return out.reshape(x.shape)


@pytest.mark.parametrize("rest", SHAPES)
@pytest.mark.parametrize("days", DAYS)
def test_window_sum_is_exact_to_rounding(rest: tuple[int, ...], days: int) -> None:
    x = _prices(days, rest, seed=1)
    for n in (1, 2, 3, 4, 5, 13, 16, 20, 50, 252, days, days + 1):
        out = np.empty(x.shape)
        R.window_sum(x, n, out)
        ref = _window_loop(x, n) if n <= days else np.full(x.shape, np.nan)
        np.testing.assert_array_equal(np.isnan(out), np.isnan(ref), err_msg=f"n={n}")
        if n <= days:
            bound = 4 * n * EPS * np.max(np.abs(x))  # a sum of n terms, rounded at most ~2n times
            assert np.nanmax(np.abs(out - ref)) <= bound, f"n={n}"


def test_window_sum_does_not_drift_over_a_long_history() -> None:
    """A running total over 20,000 days of prices near 1e6 would be off by ~1e-4 per window; blocks are not."""
    rng = np.random.default_rng(5)
    x = 1e6 + rng.normal(0, 1, (20_000, R.WIDE))
    for n in (20, 252):
        out = np.empty(x.shape)
        R.window_sum(x, n, out)
        ref = _window_loop(x[-3 * n :], n)[n - 1 :]
        assert np.max(np.abs(out[-2 * n - 1 :] - ref)) <= 4 * n * EPS * 1e6


def test_shared_block_sums_give_the_same_windows() -> None:
    x = _prices(500, (40,), seed=2)
    block = R.block_for(20, 50)
    assert block == 10
    shared = R.BlockSums(x, block)
    for n in (20, 50, 30):
        alone, with_shared = np.empty(x.shape), np.empty(x.shape)
        R.window_sum(x, n, alone, 0.5)
        R.window_sum(x, n, with_shared, 0.5, shared)
        np.testing.assert_allclose(with_shared, alone, rtol=8 * EPS, atol=0)


@pytest.mark.parametrize("rest", SHAPES)
@pytest.mark.parametrize("op", [np.maximum, np.minimum])
def test_window_extreme_is_exact(rest: tuple[int, ...], op: np.ufunc) -> None:
    x = _prices(331, rest, seed=3)
    reduce = np.max if op is np.maximum else np.min
    for n in (1, 2, 3, 14, 15, 252, 331, 332):
        out = np.empty(x.shape)
        R.window_extreme(x, n, op, out)
        ref = np.full(x.shape, np.nan)
        for t in range(n - 1, x.shape[0]):
            ref[t] = reduce(x[t - n + 1 : t + 1], axis=0)
        np.testing.assert_array_equal(out, ref, err_msg=f"n={n}")
        if 14 < n <= x.shape[0]:  # a head start from the 14-day extremes gives the same values
            done = np.empty(x.shape)
            R.window_extreme(x, 14, op, done)
            started = np.empty(x.shape)
            R.window_extreme(x, n, op, started, done=done, span=14)
            np.testing.assert_array_equal(started, ref, err_msg=f"n={n} from 14")


def test_kernels_refuse_arrays_they_would_copy() -> None:
    x = _prices(100, (40,))
    with pytest.raises(ValueError, match="C-contiguous"):
        R.smooth(x[:, ::2], np.empty((100, 20)), 0, 1.0, 0.5, 0.5)
    with pytest.raises(ValueError, match="C-contiguous"):
        R.window_sum(x, 5, np.empty((100, 40)).T.copy().T)


def test_scratch_reuses_a_buffer_only_once_nothing_refers_to_it() -> None:
    with S.scratch() as pool:
        a = S.empty((1000, 40))
        a_id = id(a.base)
        b = S.empty((1000, 40))
        assert b.base is not a.base  # a is alive
        view = a[10:]
        del a
        c = S.empty((1000, 40))
        assert c.base is not view.base  # a view keeps it in use
        del view
        d = S.empty((900, 40))  # smaller fits in a's buffer
        assert id(d.base) == a_id
        assert pool.nbytes == 3 * 1000 * 40 * 8
    assert S.empty((1000, 40)).base is None  # outside `scratch()`: plain NumPy


def test_column_chunks_match_the_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many tickers are computed chunk by chunk: the same numbers as all at once, and as one at a time."""
    rng = np.random.default_rng(9)
    close = 40 * np.exp(np.cumsum(rng.normal(0, 0.02, (400, 103)), axis=0))
    high, low = (
        close * (1 + rng.uniform(0, 0.02, close.shape)),
        close * (1 - rng.uniform(0, 0.02, close.shape)),
    )
    monkeypatch.setattr(T, "_CHUNK_BYTES", 1 << 62)
    whole = T.compute_all(high, low, close)
    monkeypatch.setattr(T, "_CHUNK_BYTES", R.WIDE * 400 * 8)  # chunks of 34-35 tickers
    chunked = T.compute_all(high, low, close)
    for key in T.INDICATORS:
        np.testing.assert_array_equal(chunked[key], whole[key], err_msg=key)
    for j in (0, 50, 102):
        one = T.compute_all(high[:, j], low[:, j], close[:, j])
        for key in T.INDICATORS:
            np.testing.assert_allclose(chunked[key][:, j], one[key], rtol=1e-12, atol=1e-12, err_msg=key)
    k, d = T.stoch(high, low, close)
    np.testing.assert_array_equal(k, whole["stoch_k"])
    np.testing.assert_array_equal(T.macd(close)[2], whole["macd_hist"])


def test_a_numba_that_cannot_compile_leaves_numpy_to_compute(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An incompatible Numba (or no compiler back end) must not break the indicators: NumPy computes them
    and a warning says why."""
    if not C.available():
        pytest.skip("Numba is not installed (the `fast` extra)")
    import numba

    def cannot_compile(*args: object, **kwargs: object) -> object:
        raise RuntimeError("no LLVM here")

    monkeypatch.setattr(R, "COMPILED_FROM", 0)
    monkeypatch.setattr(numba, "njit", cannot_compile)
    C.kernels.cache_clear()
    try:
        x = _prices(60, (3,))
        out = np.empty(x.shape)
        R.window_sum(x, 20, out)
        np.testing.assert_allclose(out[19:], _window_loop(x, 20)[19:], rtol=1e-13)
        assert C.kernels() is None
        assert "using NumPy: no LLVM here" in caplog.text
    finally:
        C.kernels.cache_clear()


def test_a_per_series_scale_scales_each_series() -> None:
    x = _prices(300, (R.WIDE + 3,), seed=4)
    scale = np.linspace(0.5, 3.0, x.shape[1])
    out, plain = np.empty(x.shape), np.empty(x.shape)
    R.window_sum(x, 20, out, scale)
    R.window_sum(x, 20, plain)
    np.testing.assert_allclose(out[19:], plain[19:] * scale, rtol=4 * EPS)


def test_kernels_refuse_an_out_they_would_overrun_or_overwrite_while_reading() -> None:
    """The compiled loops index without bounds checks: `out` must have x's shape and, for the window
    kernels, lie apart from x (their extremes read x again after writing out)."""
    x = _prices(100, (R.WIDE,))
    with pytest.raises(ValueError, match="shape"):
        R.window_sum(x, 5, np.empty((50, R.WIDE)))
    with pytest.raises(ValueError, match="shape"):
        R.smooth(x, np.empty((50, R.WIDE)), 0, 1.0, 0.5, 0.5)
    with pytest.raises(ValueError, match="shape"):
        R.window_extreme(x, 5, np.maximum, np.empty((100, R.WIDE - 1)))
    with pytest.raises(ValueError, match="shares memory"):
        R.window_extreme(x, 5, np.maximum, x)
    with pytest.raises(ValueError, match="shares memory"):
        R.window_sum(x, 5, x)
    R.smooth(x, x, 0, 1.0, 0.5, 0.5)  # in place is fine for the smoothing: it reads each value first


def test_read_only_inputs_give_the_same_indicators(tmp_path: Path) -> None:
    """A memory-mapped panel (np.load(mmap_mode='r')) or a frozen array: the same values as a writable one."""
    rng = np.random.default_rng(11)
    close = 40 * np.exp(np.cumsum(rng.normal(0, 0.02, (300, 40)), axis=0))
    high, low = close * 1.01, close * 0.99
    expected = T.compute_all(high, low, close)
    path = tmp_path / "close.npy"
    np.save(path, close)
    mapped = np.load(path, mmap_mode="r")
    frozen_high, frozen_low = high.copy(), low.copy()
    frozen_high.setflags(write=False)
    frozen_low.setflags(write=False)
    got = T.compute_all(frozen_high, frozen_low, mapped)
    for key in T.INDICATORS:
        np.testing.assert_array_equal(got[key], expected[key], err_msg=key)
    # The kernels themselves, called directly with a read-only x.
    out, ref = np.empty(close.shape), np.empty(close.shape)
    R.window_sum(close, 20, ref)
    R.window_sum(mapped, 20, out)
    np.testing.assert_array_equal(out, ref)
    R.smooth(close, ref, 0, close[0], 0.2, 0.8)
    R.smooth(mapped, out, 0, mapped[0], 0.2, 0.8)
    np.testing.assert_array_equal(out, ref)


def test_a_missing_price_is_an_error_not_a_figure() -> None:
    """A NaN (a gap, a late listing padded with NaN) would otherwise come out as RSI/STOCH 50 and
    volatility 0 on both engines, or poison a running sum: every indicator refuses it and says where."""
    close = _prices(300, (R.WIDE,), seed=6)
    close[120, 7] = np.nan
    for fn in (
        lambda: T.compute_all(close * 1.01, close * 0.99, close),
        lambda: T.sma(close, 20),
        lambda: T.rsi(close),
        lambda: T.volatility_pct(close),
        lambda: T.rolling_max(close, 252),
    ):
        with pytest.raises(ValueError, match=r"finite: nan at day 120, series \(7,\)"):
            fn()
    one = close[:, 0].copy()
    one[:5] = np.inf
    with pytest.raises(ValueError, match="inf at day 0"):
        T.macd(one)
    one[:5] = np.nan  # EMA's documented exception: values before `first_valid` are ignored
    assert np.isfinite(T.ema(one, 10, first_valid=5)[14:]).all()


def test_without_a_writable_cache_the_kernels_compile_uncached(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A read-only install with no writable home: Numba cannot cache, so the kernels compile in the process
    (the engine stays), and only a debug line says so."""
    if not C.available():
        pytest.skip("Numba is not installed (the `fast` extra)")
    import numba

    real_njit = numba.njit

    def no_cache_folder(*args: object, **kwargs: object) -> object:
        if kwargs.get("cache"):
            raise RuntimeError("cannot cache function: no locator available")
        return real_njit(*args, **kwargs)

    monkeypatch.setattr(numba, "njit", no_cache_folder)
    C.kernels.cache_clear()
    try:
        with caplog.at_level("DEBUG", logger=C.__name__):
            assert C.kernels() is not None
        assert "not cached: cannot cache function" in caplog.text
        assert "using NumPy" not in caplog.text
    finally:
        C.kernels.cache_clear()
