"""The three kernels of `rolling` as plain loops over days, compiled with Numba (the `fast` extra).

For many series side by side, NumPy's blockwise forms in `rolling` make several passes over the arrays
(the days loop is cut into slabs), and the arithmetic that a compiled loop does once per value is spread
over memory traffic: at 500 tickers x 5,000 days they take 1.3-1.4x TA-Lib's time. One loop over the days
with the series innermost (contiguous, so the compiler vectorises it across series) makes one pass.

The functions below are ordinary Python, typed, and define the results: `kernels()` compiles them once per
process (Numba caches the machine code on disk, so later processes only load it). `rolling` calls them for
large arrays only (`rolling.COMPILED_FROM` says why, with the cost of loading them), so a single report never
imports Numba.
Arrays are 2-D C-contiguous float64, days x series; per-series values (seeds, scales) are 1-D rows.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from collections.abc import Callable
from typing import NamedTuple

import numpy as np


def smooth_rows(
    x: np.ndarray, out: np.ndarray, start: int, seed: np.ndarray, gain: float, decay: float
) -> None:
    """out[start] = seed, then out[t] = gain*x[t] + decay*out[t-1]. `out` may be `x`."""
    days, series = x.shape
    for j in range(series):
        out[start, j] = seed[j]
    for t in range(start + 1, days):
        for j in range(series):
            out[t, j] = gain * x[t, j] + decay * out[t - 1, j]


def window_sum_rows(x: np.ndarray, n: int, out: np.ndarray, scale: np.ndarray) -> None:
    """out[t] = scale * (x[t-n+1] + ... + x[t]) for t >= n-1, NaN before; 1 <= n <= days; `out` is not `x`.

    A running sum, value in, value out, compensated (Neumaier: the rounding error of every addition is kept
    in `lost` and added back), so it does not drift over a long history as a plain running total would.
    """
    days, series = x.shape
    total = np.zeros(series)
    lost = np.zeros(series)
    for t in range(days):
        for j in range(series):
            s, v = total[j], x[t, j]
            total[j] = s + v
            lost[j] += (s - total[j]) + v if abs(s) >= abs(v) else (v - total[j]) + s
        if t >= n:
            for j in range(series):
                s, v = total[j], -x[t - n, j]
                total[j] = s + v
                lost[j] += (s - total[j]) + v if abs(s) >= abs(v) else (v - total[j]) + s
        for j in range(series):
            out[t, j] = scale[j] * (total[j] + lost[j]) if t >= n - 1 else np.nan


def window_extreme_rows(x: np.ndarray, n: int, largest: bool, out: np.ndarray, spare: np.ndarray) -> None:
    """out[t] = max (largest) or min of x[t-n+1 .. t] for t >= n-1, NaN before; 1 <= n <= days.

    Van Herk / Gil-Werman: cut the days into blocks of n; the extreme of a window is that of the end of the
    block where it starts (suffix, in `spare`) and the start of the block where it ends (prefix, in `out`).
    Three passes whatever n is. Inputs are finite (the comparisons do not order NaN).
    """
    days, series = x.shape
    sign = 1.0 if largest else -1.0  # min(a, b) = -max(-a, -b), exactly
    for t in range(days):  # prefix maxima, restarting every block
        for j in range(series):
            v = sign * x[t, j]
            out[t, j] = v if t % n == 0 or out[t - 1, j] < v else out[t - 1, j]
    for t in range(days - 1, -1, -1):  # suffix maxima, restarting at every block's end
        for j in range(series):
            v = sign * x[t, j]
            last = t % n == n - 1 or t == days - 1
            spare[t, j] = v if last or spare[t + 1, j] < v else spare[t + 1, j]
    for t in range(days):  # ascending: every value reads only its own prefix and an earlier suffix
        for j in range(series):
            if t < n - 1:
                out[t, j] = np.nan
            else:
                v = spare[t - n + 1, j]
                out[t, j] = sign * (v if out[t, j] < v else out[t, j])


class Kernels(NamedTuple):
    smooth: Callable[[np.ndarray, np.ndarray, int, np.ndarray, float, float], None]
    window_sum: Callable[[np.ndarray, int, np.ndarray, np.ndarray], None]
    window_extreme: Callable[[np.ndarray, int, bool, np.ndarray, np.ndarray], None]


# Each kernel with its signature, in `Kernels`' order, so that `kernels()` compiles (or loads) each once, up
# front: 2-D C-contiguous days x series arrays, 1-D per-series rows. (Writable arrays: `rolling` copies a
# read-only input.)
_COMPILED: tuple[tuple[Callable[..., None], str], ...] = (
    (smooth_rows, "void(f8[:, ::1], f8[:, ::1], i8, f8[::1], f8, f8)"),
    (window_sum_rows, "void(f8[:, ::1], i8, f8[:, ::1], f8[::1])"),
    (window_extreme_rows, "void(f8[:, ::1], i8, b1, f8[:, ::1], f8[:, ::1])"),
)


@functools.cache
def available() -> bool:
    """Whether Numba is installed (without importing it)."""
    return importlib.util.find_spec("numba") is not None


@functools.cache
def kernels() -> Kernels | None:
    """The compiled kernels, or None without Numba, or if it cannot compile them here (then NumPy computes
    the same values, and a warning says why). Compiled once per process, from Numba's disk cache after the
    first; where no cache folder is writable (a read-only install and home), compiled without one."""
    if not available():
        return None
    try:
        import numba
    except Exception as exc:  # installed but broken (an incompatible NumPy, say): NumPy still works
        logging.getLogger(__name__).warning("compiled indicator kernels unavailable, using NumPy: %s", exc)
        return None

    def compile_all(cache: bool) -> Kernels:
        # No fastmath: the results must be the IEEE arithmetic written above, in that order.
        return Kernels(*(numba.njit(sig, cache=cache, nogil=True)(fn) for fn, sig in _COMPILED))

    try:
        return compile_all(cache=True)
    except Exception as cached_exc:
        try:
            kernels = compile_all(cache=False)
        except Exception as exc:  # no compiler back end, an unsupported platform: NumPy still works
            logging.getLogger(__name__).warning(
                "compiled indicator kernels unavailable, using NumPy: %s", exc
            )
            return None
        logging.getLogger(__name__).debug("compiled indicator kernels not cached: %s", cached_exc)
        return kernels
