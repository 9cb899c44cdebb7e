"""Technical indicators from daily prices: pure functions, vectorised across days and tickers.

Every function takes arrays with days on axis 0 (1-D for one ticker, 2-D `days x tickers` for many) and
returns an array of the same shape, NaN during the warm-up. Inputs must be finite (validated price files
are): a NaN or inf is a ValueError naming where it is, never a figure from a missing price (compute a
ticker listed late from its first price on). Seeding and alignment follow TA-Lib 0.8 so results match it
to ~1e-12:

* SMA(n)[t]   = mean(x[t-n+1 .. t]), defined from t = n-1.
* EMA(n)      : alpha = 2/(n+1); EMA[n-1] = SMA(n)[n-1]; EMA[t] = EMA[t-1] + alpha*(x[t] - EMA[t-1]).
* MACD(f,s,g) : line = EMA_f - EMA_s where both EMAs start at t = s-1 and EMA_f is seeded with the mean of
                x[s-f .. s-1] (TA-Lib's alignment, not the mean of the first f values); signal = EMA_g of the
                line seeded with the mean of its first g values; hist = line - signal; all three from
                t = s+g-2 (33 for 12/26/9).
* RSI(n)      : Wilder. Gains/losses of the daily changes; AvgGain[n] = mean of the first n gains, then
                AvgGain[t] = (AvgGain[t-1]*(n-1) + gain[t]) / n (same for losses);
                RSI = 100 * AvgGain / (AvgGain + AvgLoss). From t = n.
* STOCH(k,sk,sd) slow: fastK = 100 * (C - LL_k) / (HH_k - LL_k) over the last k highs/lows;
                slowK = SMA_sk(fastK); slowD = SMA_sd(slowK); both from t = k+sk+sd-3 (17 for 14/3/3).
* 52-week high/low: max High / min Low over the last 252 trading days.
* Volatility  : sample standard deviation (ddof 1) of the last 252 daily log returns ln(C[t]/C[t-1]),
                annualised by sqrt(252), in percent.

Where TA-Lib returns 0 for a degenerate window (RSI with no change at all, STOCH with High == Low for 14
days) we return 50, the neutral value: 0 would read as "oversold" for a price that simply did not move.

The recursions and window sums run on the kernels of `rolling` (no Python loop per day), compiled or NumPy;
on NumPy, many tickers are computed in column chunks (`_by_column_chunks`). See docs/metrics-technicals.md,
"Speed".
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pandas as pd

from pipeline.metrics import rolling, scratch

TRADING_DAYS = 252

# Column names of `stockreport indicators` (same as the TA-Lib reference file).
TABLE_COLUMNS = [
    "SMA_20",
    "SMA_50",
    "SMA_100",
    "SMA_200",
    "MACD_12_26_9",
    "MACD_signal",
    "MACD_hist",
    "RSI_14",
    "STOCH_slowK_14_3",
    "STOCH_slowD_3",
]

# Keys of `compute_all`, in the order `_compute_chunk` returns them.
INDICATORS = (
    "sma_20",
    "sma_50",
    "sma_100",
    "sma_200",
    "ema_20",
    "ema_50",
    "macd",
    "macd_signal",
    "macd_hist",
    "rsi_14",
    "stoch_k",
    "stoch_d",
    "high_52w",
    "low_52w",
    "volatility_pct",
)

# On NumPy, many tickers are computed in chunks of about this many bytes per array (500 x 5,000 days): each
# chunk works on arrays of the same size whatever the number of tickers, so time grows linearly with it,
# and the temporaries, reused from chunk to chunk (`scratch`), stay within a few hundred MB. (Smaller
# chunks are no faster: what the CPU cache saves, the copies in and out cost.)
_CHUNK_BYTES = 20_000_000

Arrays = tuple[np.ndarray, ...]


def _as_float(x: np.ndarray | pd.Series, first_valid: int = 0) -> np.ndarray:
    """x as C-contiguous, writable float64 (a read-only input is copied once here rather than by every
    compiled kernel that reads it), checked finite from day `first_valid` on."""
    values = np.ascontiguousarray(x, dtype=np.float64)
    if not values.flags.writeable:
        values = values.copy()
    checked = values[first_valid:]
    if values.ndim and not np.isfinite(checked).all():
        where = [int(i) for i in np.argwhere(~np.isfinite(checked))[0]]
        at = f"day {where[0] + first_valid}" + (f", series {tuple(where[1:])}" if len(where) > 1 else "")
        raise ValueError(f"indicator inputs must be finite: {checked[tuple(where)]} at {at}")
    return values


def _by_column_chunks(fn: Callable[..., Arrays], *inputs: np.ndarray) -> Arrays:
    """fn(*inputs) for `days x tickers` inputs, computed one chunk of tickers at a time."""
    days, tickers = inputs[0].shape[0], (inputs[0].shape[1] if inputs[0].ndim == 2 else 1)
    chunks = round(tickers * days * 8 / _CHUNK_BYTES)
    whole = chunks < 2 or tickers < 2 * rolling.WIDE or rolling.compiled_for(inputs[0].size)
    if inputs[0].ndim != 2 or whole:
        # The compiled kernels stream through any width: copying chunks in and out costs more than it saves.
        return fn(*inputs)
    chunks = min(chunks, tickers // rolling.WIDE)  # every chunk wide enough for the blockwise forms
    bounds = np.linspace(0, tickers, chunks + 1).round().astype(int)
    outs: list[np.ndarray] = []
    with scratch.scratch():
        for lo, hi in itertools.pairwise(bounds):
            chunk = []
            for a in inputs:
                chunk.append(scratch.empty((days, hi - lo)))
                np.copyto(chunk[-1], a[:, lo:hi])
            part = fn(*chunk)
            outs = outs or [np.empty((days, tickers)) for _ in part]
            for out, values in zip(outs, part, strict=True):
                out[:, lo:hi] = values
            del chunk, part  # their buffers go back to the scratch pool
    return tuple(outs)


def sma(x: np.ndarray | pd.Series, period: int) -> np.ndarray:
    """Simple moving average: SMA[t] = (x[t-n+1] + ... + x[t]) / n, from t = n-1."""
    return sma_many(x, (period,))[0]


def sma_many(x: np.ndarray | pd.Series, periods: tuple[int, ...]) -> list[np.ndarray]:
    """`sma` for several periods."""
    return list(_by_column_chunks(lambda c: _sma_many(c, periods), _as_float(x)))


def _sma_many(x: np.ndarray, periods: tuple[int, ...]) -> Arrays:
    shared = rolling.BlockSums(x, rolling.block_for(*(p for p in periods if p > 0)))  # for every window
    done: dict[int, np.ndarray] = {}
    for period in sorted(set(periods)):
        out = scratch.empty(x.shape)
        half = period // 2
        if period % 2 == 0 and half in done:
            _mean_of_halves(done[half], half, out)
        elif period < 1:
            out[...] = np.nan
        else:
            rolling.window_sum(x, period, out, 1.0 / period, shared)
        done[period] = out
    return tuple(done[p] if periods.index(p) == i else done[p].copy() for i, p in enumerate(periods))


def _mean_of_halves(half_sma: np.ndarray, half: int, out: np.ndarray) -> None:
    """SMA(2h)[t] = (SMA(h)[t] + SMA(h)[t-h]) / 2: one pass instead of another window sum."""
    start = min(2 * half - 1, out.shape[0])
    np.add(half_sma[start:], half_sma[half - 1 : half_sma.shape[0] - half], out=out[start:])
    np.multiply(out[start:], 0.5, out=out[start:])
    out[:start] = np.nan


def ema(x: np.ndarray | pd.Series, period: int, first_valid: int = 0) -> np.ndarray:
    """Exponential moving average, alpha = 2/(n+1), seeded with the SMA of its first n values (TA-Lib).

    EMA[t0] = mean(x[first_valid .. t0]) with t0 = first_valid + n - 1; EMA[t] = EMA[t-1] + alpha*(x[t]-EMA[t-1]).
    Values of x before `first_valid` are ignored (they may be NaN).
    """
    return _by_column_chunks(lambda c: (_ema(c, period, first_valid),), _as_float(x, max(first_valid, 0)))[0]


def _ema(x: np.ndarray, period: int, first_valid: int) -> np.ndarray:
    out = scratch.empty(x.shape)
    t0 = first_valid + period - 1
    if period < 1 or t0 >= x.shape[0]:
        out[...] = np.nan
        return out
    alpha = 2.0 / (period + 1)
    # As a linear recursion: EMA[t] = alpha*x[t] + (1-alpha)*EMA[t-1].
    rolling.smooth(x, out, t0, x[first_valid : t0 + 1].mean(axis=0), alpha, 1.0 - alpha)
    out[:t0] = np.nan
    return out


def macd(
    x: np.ndarray | pd.Series, fast: int = 12, slow: int = 26, signal: int = 9
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MACD line, signal and histogram, aligned as TA-Lib does.

    line = EMA_fast - EMA_slow, both defined from t = slow-1; EMA_slow is seeded with mean(x[0 .. slow-1])
    and EMA_fast with mean(x[slow-fast .. slow-1]). signal = EMA_signal(line) seeded with the mean of the
    line's first `signal` values; hist = line - signal. All three are reported from t = slow + signal - 2.
    """
    line, sig, hist = _by_column_chunks(lambda c: _macd(c, fast, slow, signal), _as_float(x))
    return line, sig, hist


def _macd(x: np.ndarray, fast: int, slow: int, signal: int) -> Arrays:
    fast, slow = min(fast, slow), max(fast, slow)
    line = _ema(x, fast, slow - fast)
    np.subtract(line, _ema(x, slow, 0), out=line)
    sig = _ema(line, signal, slow - 1)
    line[: slow + signal - 2] = np.nan
    hist = scratch.empty(x.shape)
    np.subtract(line, sig, out=hist)
    return line, sig, hist


def rsi(x: np.ndarray | pd.Series, period: int = 14) -> np.ndarray:
    """Wilder's RSI: 100 * AvgGain / (AvgGain + AvgLoss), from t = n.

    gain[t] = max(x[t] - x[t-1], 0), loss[t] = max(x[t-1] - x[t], 0); AvgGain[n] = mean(gain[1..n]),
    then AvgGain[t] = (AvgGain[t-1]*(n-1) + gain[t]) / n, the same for losses. 50 when both averages are 0.
    """
    return _by_column_chunks(lambda c: (_rsi(c, period),), _as_float(x))[0]


def _rsi(x: np.ndarray, period: int) -> np.ndarray:
    if x.shape[0] <= period or period < 1:
        return np.full(x.shape, np.nan)
    # The smoothing is linear, gain - loss = change and gain + loss = |change|: so AvgGain - AvgLoss is the
    # same smoothing of the change, AvgGain + AvgLoss that of |change|, and RSI = 50 + 50 * diff / total.
    diff, total = scratch.empty(x.shape), scratch.empty(x.shape)
    np.subtract(x[1:], x[:-1], out=diff[1:])
    np.abs(diff[1:], out=total[1:])
    seeds = slice(1, period + 1)
    decay = (period - 1) / period
    rolling.smooth(diff, diff, period, 50.0 * diff[seeds].mean(axis=0), 50.0 / period, decay)
    rolling.smooth(total, total, period, total[seeds].mean(axis=0), 1.0 / period, decay)
    out, body = diff, diff[period:]
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(body, total[period:], out=body)
    np.add(body, 50.0, out=body)
    _where_undefined(body, 50.0)
    out[:period] = np.nan
    return out


def _where_undefined(x: np.ndarray, value: float) -> None:
    """`value` wherever x came out 0/0 (no move at all): one cheap check, the fix only when needed."""
    if not np.isfinite(np.add.reduce(x, axis=None)):
        np.copyto(x, value, where=~np.isfinite(x))


def rolling_max(x: np.ndarray | pd.Series, window: int) -> np.ndarray:
    """max(x[t-w+1 .. t]), from t = w-1."""
    return _by_column_chunks(lambda c: (_extreme(c, window, np.maximum),), _as_float(x))[0]


def rolling_min(x: np.ndarray | pd.Series, window: int) -> np.ndarray:
    """min(x[t-w+1 .. t]), from t = w-1."""
    return _by_column_chunks(lambda c: (_extreme(c, window, np.minimum),), _as_float(x))[0]


def _extreme(
    x: np.ndarray, window: int, op: Callable[..., np.ndarray], done: np.ndarray | None = None, span: int = 1
) -> np.ndarray:
    out = scratch.empty(x.shape)
    rolling.window_extreme(x, window, op, out, done, span)
    return out


def stoch(
    high: np.ndarray | pd.Series,
    low: np.ndarray | pd.Series,
    close: np.ndarray | pd.Series,
    fastk: int = 14,
    slowk: int = 3,
    slowd: int = 3,
) -> tuple[np.ndarray, np.ndarray]:
    """Slow stochastic %K and %D (TA-Lib STOCH with SMA smoothing).

    fastK = 100 * (C - min(L, k)) / (max(H, k) - min(L, k)) (50 when the range is 0);
    slowK = SMA_sk(fastK); slowD = SMA_sd(slowK); both reported from t = k + sk + sd - 3.
    """

    def one_chunk(h: np.ndarray, lo: np.ndarray, c: np.ndarray) -> Arrays:
        hh, ll = _extreme(h, fastk, np.maximum), _extreme(lo, fastk, np.minimum)
        return _stoch_from(hh, ll, c, fastk, slowk, slowd)

    k, d = _by_column_chunks(one_chunk, _as_float(high), _as_float(low), _as_float(close))
    return k, d


def _stoch_from(hh: np.ndarray, ll: np.ndarray, c: np.ndarray, fastk: int, slowk: int, slowd: int) -> Arrays:
    """STOCH from the fastk-day extremes, which it overwrites (they are scratch space here)."""
    k, d = scratch.empty(c.shape), scratch.empty(c.shape)
    start = fastk - 1
    if fastk < 1 or start >= c.shape[0] or slowk < 1 or slowd < 1:
        k[...], d[...] = np.nan, np.nan
        return k, d
    fast, rng = ll[start:], hh[start:]  # fastK / 100 goes into ll; the 100 joins slowK's 1/slowk
    np.subtract(rng, fast, out=rng)
    np.subtract(c[start:], fast, out=fast)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(fast, rng, out=fast)
    _where_undefined(fast, 0.5)  # a flat range gives 0/0: neutral
    k[:start] = np.nan
    rolling.window_sum(fast, slowk, k[start:], 100.0 / slowk)
    d[: start + slowk - 1] = np.nan
    if start + slowk - 1 < c.shape[0]:
        rolling.window_sum(k[start + slowk - 1 :], slowd, d[start + slowk - 1 :], 1.0 / slowd)
    k[: fastk + slowk + slowd - 3] = np.nan
    return k, d


def volatility_pct(close: np.ndarray | pd.Series, window: int = TRADING_DAYS) -> np.ndarray:
    """Annualised volatility in percent: 100 * sqrt(252) * std(ln(C[t]/C[t-1]) over the last w returns, ddof 1)."""
    return _by_column_chunks(lambda c: (_volatility(c, window),), _as_float(close))[0]


def _volatility(c: np.ndarray, window: int) -> np.ndarray:
    days = c.shape[0]
    out = scratch.empty(c.shape)
    if window < 2 or days <= window:
        out[...] = np.nan
        return out
    # Log returns r[t] = ln C[t] - ln C[t-1]. Their sum over the window telescopes to ln C[t] - ln C[t-w];
    # variance * w * (w-1) = w * sum(r**2) - sum(r)**2.
    log_c = scratch.empty(c.shape)
    np.log(c, out=log_c)
    squares = scratch.empty((days - 1, *c.shape[1:]))
    np.subtract(log_c[1:], log_c[:-1], out=squares)
    np.square(squares, out=squares)
    total_sq = scratch.empty(squares.shape)
    rolling.window_sum(squares, window, total_sq, float(window))
    var = out[window:]
    np.subtract(log_c[window:], log_c[:-window], out=var)
    np.square(var, out=var)
    np.subtract(total_sq[window - 1 :], var, out=var)
    np.multiply(var, 1e4 * TRADING_DAYS / (window * (window - 1)), out=var)  # annualised, in %^2
    with np.errstate(invalid="ignore"):
        np.sqrt(var, out=var)
    _where_undefined(var, 0.0)  # rounding can leave a tiny negative variance for a constant return
    out[:window] = np.nan
    return out


def compute_all(high: np.ndarray, low: np.ndarray, close: np.ndarray) -> dict[str, np.ndarray]:
    """Every indicator of `Technicals.values`, for one ticker (1-D) or many (days x tickers)."""
    values = _by_column_chunks(_compute_chunk, _as_float(high), _as_float(low), _as_float(close))
    return dict(zip(INDICATORS, values, strict=True))


def _compute_chunk(high: np.ndarray, low: np.ndarray, close: np.ndarray) -> Arrays:
    hh, ll = _extreme(high, 14, np.maximum), _extreme(low, 14, np.minimum)
    # The 14-day extremes of STOCH are a head start for the 52-week ones (before STOCH overwrites them).
    high_52w = _extreme(high, TRADING_DAYS, np.maximum, done=hh, span=14)
    low_52w = _extreme(low, TRADING_DAYS, np.minimum, done=ll, span=14)
    k, d = _stoch_from(hh, ll, close, 14, 3, 3)
    return (
        *_sma_many(close, (20, 50, 100, 200)),
        _ema(close, 20, 0),
        _ema(close, 50, 0),
        *_macd(close, 12, 26, 9),
        _rsi(close, 14),
        k,
        d,
        high_52w,
        low_52w,
        _volatility(close, TRADING_DAYS),
    )


def indicator_table(prices: pd.DataFrame) -> pd.DataFrame:
    """The `stockreport indicators` table: one row per price day, columns `TABLE_COLUMNS`, indexed by Date."""
    close = prices["Close"].to_numpy(dtype=np.float64)
    line, sig, hist = macd(close)
    k, d = stoch(prices["High"].to_numpy(np.float64), prices["Low"].to_numpy(np.float64), close)
    cols = [*sma_many(close, (20, 50, 100, 200)), line, sig, hist, rsi(close, 14), k, d]
    table = pd.DataFrame(dict(zip(TABLE_COLUMNS, cols, strict=True)), index=prices.index)
    table.index.name = "Date"
    return table
