"""The indicator kernels never read memory they did not write.

`np.empty` and the scratch pool hand out whatever the memory held before (often the NaN warm-up or an
infinity of an earlier array). A kernel that adds into rows it has not written yet still returns the right
values when those rows are overwritten later, but it computes on garbage: `inf - inf` raises NumPy's
"invalid value" warning (an error under the suite's warning filter, a stray line on a user's terminal).
Here every fresh array is filled with hostile garbage and any floating-point warning is an error.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import pytest

from pipeline.metrics import scratch as scratch_module
from pipeline.metrics import technicals

# A signalling NaN (left behind by integer data or memory never written as a float) raises "invalid" on any
# arithmetic; quiet NaNs and infinities catch arithmetic that mixes garbage with garbage.
_SIGNALLING_NAN = np.frombuffer(np.uint64(0x7FF0000000000001).tobytes(), dtype=np.float64)[0]
_GARBAGE = np.array([_SIGNALLING_NAN, np.inf, -np.inf, np.nan, 1e308, -1e308])
_real_empty = np.empty
_real_empty_like = np.empty_like


def _hostile(shape: object, *args: object, **kwargs: object) -> np.ndarray:
    out = _real_empty(shape, *args, **kwargs)  # type: ignore[call-overload]
    if out.dtype.kind == "f" and out.size:
        out.reshape(-1)[:] = np.resize(_GARBAGE, out.size)
    return out


def _hostile_like(a: np.ndarray, *args: object, **kwargs: object) -> np.ndarray:
    out = _real_empty_like(a, *args, **kwargs)  # type: ignore[call-overload]
    if out.dtype.kind == "f" and out.size:
        out.reshape(-1)[:] = np.resize(_GARBAGE, out.size)
    return out


@pytest.fixture
def garbage_memory(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(np, "empty", _hostile)
    monkeypatch.setattr(np, "empty_like", _hostile_like)
    monkeypatch.setattr(scratch_module.np, "empty", _hostile)
    yield


def _prices(days: int, tickers: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(20261130)
    close = 50.0 * np.exp(np.cumsum(rng.normal(0.0, 0.02, (days, tickers)), axis=0))
    spread = np.abs(rng.normal(0.0, 0.01, (2, days, tickers)))
    h, lo = close * (1 + spread[0]), close * (1 - spread[1])
    return (h[:, 0], lo[:, 0], close[:, 0]) if tickers == 1 else (h, lo, close)


@pytest.mark.parametrize(("days", "tickers"), [(300, 1), (757, 1), (5000, 1), (600, 40), (400, 700)])
def test_indicators_never_compute_on_unwritten_memory(garbage_memory: None, days: int, tickers: int) -> None:
    h, lo, c = _prices(days, tickers)
    with np.errstate(all="raise"), scratch_module.scratch():
        hostile = technicals.compute_all(h, lo, c)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(np, "empty", _real_empty)
        mp.setattr(np, "empty_like", _real_empty_like)
        clean = technicals.compute_all(h, lo, c)
    for key in clean:
        np.testing.assert_array_equal(hostile[key], clean[key], err_msg=key)


def test_garbage_fixture_can_fail(garbage_memory: None) -> None:
    """The fixture really hands out hostile memory (so the test above can fail)."""
    a = np.empty(7)
    with np.errstate(all="raise"), pytest.raises(FloatingPointError):
        a + a[::-1]
    assert np.isnan(a[0]) and list(itertools.islice(map(float, a[1:]), 2)) == [np.inf, -np.inf]
