"""Running computations along the days axis without a Python loop per day: exponential smoothing,
sliding-window sums and sliding-window maxima/minima. `technicals` builds every indicator from these.

Arrays are C-contiguous float64 with days on axis 0: 1-D for one ticker, `days x ...` for many series side
by side. Two engines compute the same values:

* Large arrays (`COMPILED_FROM` values and up), when Numba is installed (the `fast` extra): the loops of
  `rolling_compiled`, compiled; one pass over the days with the series innermost.
* Otherwise NumPy. The days are cut into blocks of `block` days and the Python loop runs over the position
  k inside a block: each step is one NumPy operation on the slab `x[k::block]` (row k of every block, all
  series at once). That is `block` steps instead of one per day; everything else is whole-array passes.
  (One series or a few take their running sums within blocks from NumPy's `accumulate` instead.)

No SciPy: its `lfilter` walks one series in C, but `import scipy.signal` alone takes about a second, which
every report would pay, and for many series it is slower than either engine (11 ms per EMA at 500 x 5,000).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from pipeline.metrics import rolling_compiled
from pipeline.metrics.rolling_compiled import Kernels
from pipeline.metrics.scratch import empty

# From this many values (days x series) the compiled kernels run, if installed (50 tickers of 5,000 days;
# from there a call takes about half NumPy's time). The first use in a process costs ~0.55 s (import Numba,
# load the cached machine code), which only a process computing many tickers earns back; one ticker's
# history (what a report computes) stays well below this, so reports never pay it.
COMPILED_FROM = 250_000

# From this many series side by side, running sums within blocks go slab by slab rather than by `accumulate`.
WIDE = 32
# Block length of the blockwise forms (at most; `smooth` may use less, see `_smooth_block`).
_BLOCK = 16
# Inside a block `smooth` divides by decay**k; this bounds that factor (and so the rounding it adds).
_MAX_GROWTH = 16.0
# Windows up to this length are summed from shifted copies.
_SHORT_WINDOW = 4


def _check(x: np.ndarray, out: np.ndarray, *, out_may_be_x: bool = False) -> None:
    """The contract every kernel relies on (the compiled ones index without bounds checks): C-contiguous
    float64, `out` of x's shape, and `out` apart from x unless the kernel reads each value before writing it."""
    for a in (x, out):
        if a.dtype != np.float64 or not a.flags.c_contiguous:
            raise ValueError("rolling kernels need C-contiguous float64 arrays")
    if out.shape != x.shape:
        raise ValueError(f"out has shape {out.shape}, x has {x.shape}")
    if not out.flags.writeable:
        raise ValueError("out is read-only")
    if not (out_may_be_x and out is x) and np.may_share_memory(x, out):
        raise ValueError("out shares memory with x" + ("" if out_may_be_x else " (it must not here)"))


def compiled_for(values: int) -> bool:
    """Whether arrays of this many values run on the compiled kernels (installed and working here)."""
    return values >= COMPILED_FROM and rolling_compiled.kernels() is not None


def _compiled(x: np.ndarray) -> Kernels | None:
    return rolling_compiled.kernels() if compiled_for(x.size) else None


def _rows(a: np.ndarray) -> np.ndarray:
    """`a` as days x series (a view: the kernels' arrays are C-contiguous). The compiled kernels take
    writable arrays only: a read-only input (a memory-mapped panel, say) is copied."""
    rows = a.reshape(a.shape[0], -1)
    return rows if rows.flags.writeable else rows.copy()


def _per_series(value: np.ndarray | float, x: np.ndarray) -> np.ndarray:
    """A value per series of x (broadcast from a scalar or one day's row), as a contiguous 1-D row."""
    row = np.broadcast_to(np.asarray(value, np.float64), x.shape[1:]).reshape(-1)
    return np.array(row)  # a writable copy: the compiled kernels take writable rows only


def _is_wide(x: np.ndarray) -> bool:
    return x.ndim > 1 and x.shape[0] > 0 and x[0].size >= WIDE


def _block_view(a: np.ndarray, block: int) -> np.ndarray:
    """The whole blocks of `a` as `blocks x block x ...` (a view)."""
    full = a.shape[0] // block
    return a[: full * block].reshape(full, block, *a.shape[1:])


def _within_blocks(x: np.ndarray, out: np.ndarray, block: int) -> None:
    """out[j*block + k] = x[j*block] + ... + x[j*block + k]: running sums that restart every block.

    One operation per position k, over every block at once; `out` may be x. One series or a few: `accumulate`
    along each block instead (the same additions in the same order).
    """
    if not _is_wide(x):
        full = x.shape[0] // block
        np.add.accumulate(_block_view(x, block), axis=1, out=_block_view(out, block))
        np.add.accumulate(x[full * block :], axis=0, out=out[full * block :])
        return
    np.copyto(out[0::block], x[0::block])
    for k in range(1, block):
        cur = out[k::block]
        np.add(out[k - 1 :: block][: cur.shape[0]], x[k::block], out=cur)


def smooth(
    x: np.ndarray, out: np.ndarray, start: int, seed: np.ndarray | float, gain: float, decay: float
) -> None:
    """out[start] = seed, then out[t] = gain*x[t] + decay*out[t-1] for start < t < len(x).

    The recursion of an EMA (gain alpha, decay 1-alpha), of Wilder's smoothing (1/n, (n-1)/n) and of a
    running sum (1, 1). `out` has x's shape and may be x itself; its rows before `start` are not written.
    """
    _check(x, out, out_may_be_x=True)
    if not 0 <= start < x.shape[0]:
        raise IndexError(f"start {start} outside {x.shape[0]} days")
    if (kernels := _compiled(x)) is not None:
        kernels.smooth(_rows(x), _rows(out), start, _per_series(seed, x), gain, decay)
        return
    out[start] = seed
    xs, ys = x[start + 1 :], out[start + 1 :]
    if xs.shape[0] == 0:
        return
    before = np.array(out[start])  # a copy: ys may share memory with x
    if decay == 0.0:
        np.multiply(xs, gain, out=ys)
    else:
        _smooth_blocks(xs, ys, before, gain, decay)


def _smooth_block(decay: float) -> int:
    """Longest block (at most `_BLOCK`) over which decay**-k stays within `_MAX_GROWTH`."""
    if decay >= 1.0:
        return _BLOCK
    return int(min(_BLOCK, 1 + np.floor(np.log(_MAX_GROWTH) / -np.log(decay))))


def _smooth_blocks(x: np.ndarray, y: np.ndarray, before: np.ndarray, gain: float, decay: float) -> None:
    """`smooth` block by block. Inside a block starting at day j, with k = t - j:

        y[t] = decay**k * (v[t] + decay * y[j-1]),   v[t] = sum over i in j..t of gain * x[i] * decay**-(i-j)

    v is a running sum that restarts every block (one slab operation per k); the values entering each block,
    y[j-1], follow the same recursion from block end to block end with decay**block (`_carry`, over
    days/block rows); the rest are whole-array passes. decay**-k <= _MAX_GROWTH keeps the rounding near
    that of the day-by-day recursion.
    """
    days, rest = x.shape[0], x.shape[1:]
    block = min(_smooth_block(decay), days)
    powers = decay ** np.arange(block, dtype=np.float64)
    full = days // block
    whole, tail = _block_view(y, block), y[full * block :]
    # Per-position factors spelled out over a whole block (one contiguous operand: a faster NumPy loop).
    grow = _per_position(gain / powers, rest)
    shrink = _per_position(powers, rest)
    np.multiply(_block_view(x, block), grow, out=whole)
    np.multiply(x[full * block :], grow[: tail.shape[0]], out=tail)
    _within_blocks(y, y, block)
    # Entering values: E[0] = before, E[b+1] = decay**block * E[b] + decay**(block-1) * v[end of block b].
    entering = np.empty((full + 1, *rest))
    entering[0] = before
    np.multiply(y[block - 1 :: block][:full], powers[-1], out=entering[1:])
    _carry(entering, decay**block)
    np.multiply(entering, decay, out=entering)
    np.add(whole, entering[:full, None], out=whole)
    np.multiply(whole, shrink, out=whole)
    np.add(tail, entering[full], out=tail)
    np.multiply(tail, shrink[: tail.shape[0]], out=tail)


def _carry(e: np.ndarray, step: float) -> None:
    """In place: e[b] += step * e[b-1] along axis 0, as a doubling scan (Hillis-Steele: e[b] += step**s * e[b-s]
    for s = 1, 2, 4, ...), stopped once step**s is below rounding (1e-17)."""
    shift, factor = 1, step
    scaled = np.empty_like(e)
    while shift < e.shape[0] and factor > 1e-17:
        np.multiply(e[:-shift], factor, out=scaled[shift:])
        np.add(e[shift:], scaled[shift:], out=e[shift:])
        shift, factor = 2 * shift, factor * factor


def _per_position(factors: np.ndarray, rest: tuple[int, ...]) -> np.ndarray:
    """factors[k] repeated over one day's row: shape (block, *rest)."""
    return np.ascontiguousarray(
        np.broadcast_to(factors.reshape((-1,) + (1,) * len(rest)), (len(factors), *rest))
    )


def block_for(*windows: int) -> int:
    """Block length for `block_sums` shared by these windows: one that divides them all if there is one
    between 8 and `_BLOCK` (each window then takes one fewer pass), else `_BLOCK`."""
    return next((b for b in range(_BLOCK, 7, -1) if all(n % b == 0 for n in windows)), _BLOCK)


class BlockSums:
    """Running sums of x that restart every `block` days, what NumPy's `window_sum` works from: handed to
    several `window_sum` calls on the same x, computed once, on first use (the compiled engine needs none)."""

    def __init__(self, x: np.ndarray, block: int) -> None:
        self.x, self.block = x, max(1, min(block, x.shape[0]))
        self._sums: np.ndarray | None = None

    @property
    def sums(self) -> np.ndarray:
        if self._sums is None:
            self._sums = empty(self.x.shape)
            _within_blocks(self.x, self._sums, self.block)
        return self._sums


def window_sum(
    x: np.ndarray,
    n: int,
    out: np.ndarray,
    scale: float | np.ndarray = 1.0,
    shared: BlockSums | None = None,
) -> None:
    """out[t] = scale * (x[t-n+1] + ... + x[t]) for t >= n-1; NaN before (everywhere if n > len(x)).

    `scale` broadcasts against one day's row; `shared` may hand in `BlockSums(x, block)`, to share between
    windows. `out` must not share memory with x. Short windows add shifted copies. Longer ones: with running
    sums s that restart every block, the window ending at t (in block b, position k) is s[t] - s[t-n] plus
    the totals of the whole blocks between t-n's block and b. Each value is a sum of at most
    2*block + n/block terms: no running total over the whole history, whose rounding would drift.
    """
    _check(x, out)
    days = x.shape[0]
    if not 1 <= n <= days:
        out[...] = np.nan
        return
    if (kernels := _compiled(x)) is not None:
        kernels.window_sum(_rows(x), n, _rows(out), _per_series(scale, x))
        return
    body = out[n - 1 :]
    if n == 1:
        np.copyto(body, x)
    elif n <= _SHORT_WINDOW:
        np.add(x[n - 1 :], x[n - 2 : days - 1], out=body)
        for j in range(2, n):
            np.add(body, x[n - 1 - j : days - j], out=body)
    else:
        if shared is None or shared.x is not x:
            shared = BlockSums(x, block_for(n))
        _window_sum_blocks(shared.sums, shared.block, n, out)
    np.multiply(body, scale, out=body)
    out[: n - 1] = np.nan


def _window_sum_blocks(sums: np.ndarray, block: int, n: int, out: np.ndarray) -> None:
    days = sums.shape[0]
    block = min(block, days)
    full = days // block
    totals = sums[block - 1 :: block]  # whole blocks only
    m, r = divmod(n, block)
    np.subtract(sums[n:], sums[: days - n], out=out[n:])
    out[:n] = (
        0.0  # not windows yet, but the block additions below touch them: never add onto unwritten memory
    )
    # t = b*block + k: t-n lies in block b-m (k >= r) or b-m-1 (k < r); add the blocks in between.
    whole, tail = _block_view(out, block), out[full * block :]
    for count, rows in ((m, slice(r, None)), (m + 1, slice(None, r))):
        before = _blocks_before(totals, count)
        np.add(whole[:, rows], before[:full, None], out=whole[:, rows])
        np.add(tail[rows], before[full], out=tail[rows])
    out[n - 1] = sums[n - 1] + totals[: (n - 1) // block].sum(axis=0)  # the first window starts at day 0


def _blocks_before(totals: np.ndarray, count: int) -> np.ndarray:
    """g[b] = totals[b-count] + ... + totals[b-1] for b = 0 .. len(totals) (missing blocks count 0), summed
    by doubling: runs of 1, 2, 4, ... blocks, then the runs that make up `count`."""
    run = np.zeros((totals.shape[0] + 1, *totals.shape[1:]))
    run[1:] = totals  # run[b]: the 1 block before b
    g = np.zeros_like(run)
    offset, length = 0, 1
    while count:
        if count & 1:
            g[offset:] += run[: run.shape[0] - offset]
            offset += length
        count >>= 1
        if count:
            doubled = run.copy()
            doubled[length:] += run[: run.shape[0] - length]
            run, length = doubled, 2 * length
    return g


def window_extreme(
    x: np.ndarray,
    n: int,
    op: Callable[..., np.ndarray],
    out: np.ndarray,
    done: np.ndarray | None = None,
    span: int = 1,
) -> None:
    """out[t] = op(x[t-n+1], ..., x[t]) for t >= n-1 (op: np.maximum or np.minimum); NaN before.

    Doubling: when m[t] covers the last `span` values, op(m[t], m[t-span]) covers 2*span, so a window costs
    ~log2(n) passes over the array. `done` may hand in such an m for a shorter window `span` (the 14-day
    extremes of STOCH give the 52-week ones a head start); its NaN warm-up only reaches outputs inside ours.
    """
    _check(x, out)
    if not 1 <= n <= x.shape[0]:
        out[...] = np.nan
        return
    if (kernels := _compiled(x)) is not None:  # three passes whatever n is: no head start needed
        kernels.window_extreme(_rows(x), n, op is np.maximum, _rows(out), _rows(empty(x.shape)))
        return
    cur = x if done is None else done  # read, never written
    spans = [1 if done is None else span]
    while spans[-1] < n:
        spans.append(spans[-1] + min(spans[-1], n - spans[-1]))  # the last step tops up to exactly n
    steps = len(spans) - 1
    if steps == 0:
        np.copyto(out, cur)
    # Alternate between out and one spare array so that the last step writes out.
    buffers = [out, empty(x.shape)] if steps > 1 else [out]
    for i, (have, want) in enumerate(itertools.pairwise(spans)):
        target = buffers[(steps - 1 - i) % len(buffers)]
        shift = want - have
        target[:shift] = cur[:shift]
        op(cur[shift:], cur[:-shift], out=target[shift:])
        cur = target
    out[: n - 1] = np.nan
