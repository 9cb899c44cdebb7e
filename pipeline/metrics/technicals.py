"""Technical indicators from daily prices: pure, vectorised NumPy functions.

Every function takes arrays with days on axis 0 (1-D for one ticker, 2-D `days x tickers` for many) and
returns an array of the same shape, NaN during the warm-up. Inputs must be finite (validated price files
are). Seeding and alignment follow TA-Lib 0.8 so results match it to ~1e-12:

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
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from pipeline.inputs.bundle import TechnicalSnapshot
from pipeline.metrics.model import Technicals

TRADING_DAYS = 252
# Largest factor decay**-k may reach inside one block of `_decay_blocks` (bounds the rounding error).
_MAX_GROWTH = 1e3
# From this many series side by side, a per-day loop over whole rows beats the blockwise form.
_WIDE = 32
# Windows up to this length are summed from shifted slices; longer ones from a running sum.
_SHORT_WINDOW = 8

# Column names of `stockreport indicators` (same as the TA-Lib reference file).
TABLE_COLUMNS = ["SMA_20", "SMA_50", "SMA_100", "SMA_200", "MACD_12_26_9", "MACD_signal", "MACD_hist",
                 "RSI_14", "STOCH_slowK_14_3", "STOCH_slowD_3"]


def _as_float(x: np.ndarray | pd.Series) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _decay_rows(y: np.ndarray, decay: float | np.ndarray) -> None:
    """In place: y[t] += decay * y[t-1] along axis 0, one step per day over whole rows of tickers.

    `decay` may be an array broadcasting against y[t] (several smoothings stacked side by side).
    """
    buf = np.empty(y.shape[1:])
    for t in range(1, y.shape[0]):
        np.multiply(y[t - 1], decay, out=buf)
        y[t] += buf


def _decay_blocks(u: np.ndarray, decay: float) -> np.ndarray:
    """y[t] = decay * y[t-1] + u[t] along axis 0 (y[-1] = 0), for narrow inputs (one or a few tickers).

    A per-day Python loop would dominate for one ticker, so this uses a blockwise closed form: inside a
    block of B days, y[k] = decay**k * cumsum(u[j] * decay**-j)[k] + decay**(k+1) * carry, with carry the
    last value of the previous block and B chosen so decay**-B <= 1e3 (bounds the rounding error to ~1e-13).
    """
    n = u.shape[0]
    block = int(np.clip(np.floor(np.log(_MAX_GROWTH) / -np.log(decay)), 1, 512))
    n_blocks = -(-n // block)
    rest = u.shape[1:]
    padded = np.zeros((n_blocks * block, *rest))
    padded[:n] = u
    w = padded.reshape((n_blocks, block, *rest))
    k = np.arange(block, dtype=np.float64)
    shape = (1, block) + (1,) * len(rest)
    s = np.cumsum(w * (decay ** -k).reshape(shape), axis=1)
    s *= (decay ** k).reshape(shape)  # zero-carry values inside each block
    carry = np.empty((n_blocks, *rest))
    c = np.zeros(rest)
    step = decay ** block
    for b in range(n_blocks):  # one step per block
        carry[b] = c
        c = c * step + s[b, -1]
    s += carry[:, None] * (decay ** (k + 1)).reshape(shape)
    return s.reshape((n_blocks * block, *rest))[:n]


def _is_wide(x: np.ndarray) -> bool:
    return x.ndim > 1 and x.shape[0] > 0 and x[0].size >= _WIDE


def _seeded_smoothing(x: np.ndarray, period: int, alpha: float, first_valid: int = 0,
                      inplace: bool = False) -> np.ndarray:
    """Exponential smoothing y[t] = y[t-1] + alpha*(x[t] - y[t-1]) seeded TA-Lib style.

    The seed, at t0 = first_valid + period - 1, is the mean of x[first_valid .. t0]; y is NaN before t0.
    Values of x before `first_valid` are ignored (they may be NaN). As a linear recursion:
    y[t] = (1-alpha)*y[t-1] + u[t] with u[t0] = seed and u[t] = alpha*x[t] after it.
    `inplace` reuses x (a float64 array the caller owns) as the output.
    """
    x = x if inplace else _as_float(x)
    n = x.shape[0]
    t0 = first_valid + period - 1
    if period < 1 or t0 >= n:
        return np.full(x.shape, np.nan)
    seed = x[first_valid:t0 + 1].mean(axis=0)
    if alpha >= 1.0:
        out = x if inplace else x.copy()
    elif _is_wide(x):
        out = x if inplace else np.empty(x.shape)
        np.multiply(x, alpha, out=out)
        out[t0] = seed
        _decay_rows(out[t0:], 1.0 - alpha)
    else:
        out = x if inplace else np.empty(x.shape)
        u = alpha * x[t0:]
        u[0] = seed
        out[t0:] = _decay_blocks(u, 1.0 - alpha)
    out[:t0] = np.nan
    return out


def _ema_many(x: np.ndarray, specs: list[tuple[int, int]]) -> list[np.ndarray]:
    """`ema(x, period, first_valid)` for each (period, first_valid); wide inputs share one day loop."""
    x = _as_float(x)
    n = x.shape[0]
    if not _is_wide(x) or any(p < 2 or f + p - 1 >= n for p, f in specs):
        return [ema(x, p, f) for p, f in specs]
    k = len(specs)
    alphas = np.array([2.0 / (p + 1) for p, _ in specs]).reshape((k, 1) + (1,) * (x.ndim - 1))
    u = x[None] * alphas  # k x days x tickers: each result is then a contiguous block
    starts = [f + p - 1 for p, f in specs]
    for j, (_p, f) in enumerate(specs):
        u[j, :starts[j]] = 0.0  # nothing carries into the seed
        u[j, starts[j]] = x[f:starts[j] + 1].mean(axis=0)
    first = min(starts)
    _decay_rows(u[:, first:].swapaxes(0, 1), 1.0 - alphas[:, 0])
    for j, t0 in enumerate(starts):
        u[j, :t0] = np.nan
    return list(u)


def _cumsum_rows(x: np.ndarray) -> np.ndarray:
    """Running sum along axis 0, IN PLACE; for wide arrays a row loop beats np.cumsum's strided accumulate."""
    if not _is_wide(x):
        return np.cumsum(x, axis=0, out=x)
    for t in range(1, x.shape[0]):
        x[t] += x[t - 1]
    return x


def sma(x: np.ndarray | pd.Series, period: int) -> np.ndarray:
    """Simple moving average: SMA[t] = (x[t-n+1] + ... + x[t]) / n, from t = n-1."""
    return sma_many(x, (period,))[0]


def sma_many(x: np.ndarray | pd.Series, periods: tuple[int, ...]) -> list[np.ndarray]:
    """`sma` for several periods sharing one running sum (short windows are summed directly)."""
    x = _as_float(x)
    cache: list[np.ndarray] = []
    outs = []
    for period in periods:
        out = np.empty(x.shape)
        _sma_into(x, period, out, cache)
        outs.append(out)
    return outs


def _sma_into(x: np.ndarray, period: int, out: np.ndarray, cache: list[np.ndarray] | None = None) -> None:
    """Write SMA(period) of x into `out` (same shape); `cache` keeps the running sum for the next call."""
    n = x.shape[0]
    if not 1 <= period <= n:
        out[...] = np.nan
        return
    body = out[period - 1:]
    if period <= _SHORT_WINDOW:
        m = n - period + 1
        np.copyto(body, x[period - 1:])
        for j in range(1, period):
            body += x[period - 1 - j:period - 1 - j + m]
        body *= 1.0 / period
    else:
        cache = [] if cache is None else cache
        if not cache:
            # Subtracting the first row keeps the running sum small, so its differences stay exact.
            cache.append(_cumsum_rows(x - x[0]))
        cum = cache[0]
        body[0] = cum[period - 1]
        np.subtract(cum[period:], cum[:n - period], out=body[1:])
        body *= 1.0 / period
        body += x[0]
    out[:period - 1] = np.nan


def ema(x: np.ndarray | pd.Series, period: int, first_valid: int = 0) -> np.ndarray:
    """Exponential moving average, alpha = 2/(n+1), seeded with the SMA of its first n values (TA-Lib).

    EMA[t0] = mean(x[first_valid .. t0]) with t0 = first_valid + n - 1; EMA[t] = EMA[t-1] + alpha*(x[t]-EMA[t-1]).
    """
    return _seeded_smoothing(x, period, 2.0 / (period + 1), first_valid)


def macd(x: np.ndarray | pd.Series, fast: int = 12, slow: int = 26,
         signal: int = 9) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MACD line, signal and histogram, aligned as TA-Lib does.

    line = EMA_fast - EMA_slow, both defined from t = slow-1; EMA_slow is seeded with mean(x[0 .. slow-1])
    and EMA_fast with mean(x[slow-fast .. slow-1]). signal = EMA_signal(line) seeded with the mean of the
    line's first `signal` values; hist = line - signal. All three are reported from t = slow + signal - 2.
    """
    fast, slow = min(fast, slow), max(fast, slow)
    ema_fast, ema_slow = _ema_many(_as_float(x), [(fast, slow - fast), (slow, 0)])
    return _macd_from(ema_fast, ema_slow, slow, signal)


def _macd_from(ema_fast: np.ndarray, ema_slow: np.ndarray, slow: int,
               signal: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    line = ema_fast - ema_slow
    sig = ema(line, signal, first_valid=slow - 1)
    line[: slow + signal - 2] = np.nan
    return line, sig, line - sig


def rsi(x: np.ndarray | pd.Series, period: int = 14) -> np.ndarray:
    """Wilder's RSI: 100 * AvgGain / (AvgGain + AvgLoss), from t = n.

    gain[t] = max(x[t] - x[t-1], 0), loss[t] = max(x[t-1] - x[t], 0); AvgGain[n] = mean(gain[1..n]),
    then AvgGain[t] = (AvgGain[t-1]*(n-1) + gain[t]) / n, the same for losses. 50 when both averages are 0.
    """
    x = _as_float(x)
    if x.shape[0] <= period:
        return np.full(x.shape, np.nan)
    # Gains and losses stacked (2 x days x ...), smoothed in one pass; each half stays contiguous.
    moves = np.zeros((2, *x.shape))
    change = np.diff(x, axis=0)
    np.maximum(change, 0.0, out=moves[0, 1:])
    np.minimum(change, 0.0, out=moves[1, 1:])
    np.negative(moves[1, 1:], out=moves[1, 1:])
    _seeded_smoothing(moves.swapaxes(0, 1), period, 1.0 / period, first_valid=1, inplace=True)
    gain = moves[0]
    out: np.ndarray = moves[0] + moves[1]
    flat = out == 0.0
    np.copyto(out, 1.0, where=flat)
    np.divide(gain, out, out=out)
    out *= 100.0
    np.copyto(out, 50.0, where=flat)
    out[:period] = np.nan
    return out


def _rolling_extreme(x: np.ndarray, window: int, fn: Callable[..., np.ndarray],
                     done: np.ndarray | None = None, span: int = 1) -> np.ndarray:
    """fn (np.maximum or np.minimum) over x[t-w+1 .. t], NaN before t = w-1.

    Doubling: when m[t] covers the last `span` values, fn(m[t], m[t-span]) covers 2*span, so a window costs
    ~log2(w) array passes. `done` may hand in such an m for a shorter window `span` (STOCH's 14-day
    extremes give the 252-day ones a head start); its NaN warm-up only reaches outputs inside ours.
    """
    if window < 1 or window > x.shape[0]:
        return np.full(x.shape, np.nan)
    cur = x if done is None else done  # read, never written
    span = 1 if done is None else span
    if span >= window:
        cur = cur.copy()
    write, spare = np.empty_like(x), np.empty_like(x) if window > 2 * span else None
    while span < window:
        shift = min(span, window - span)  # the last step only tops up to exactly `window` values
        write[:shift] = cur[:shift]
        fn(cur[shift:], cur[:-shift], out=write[shift:])
        cur = write
        write, spare = (spare if spare is not None else np.empty_like(x)), write
        span += shift
    cur[:window - 1] = np.nan
    return cur


def rolling_max(x: np.ndarray | pd.Series, window: int) -> np.ndarray:
    """max(x[t-w+1 .. t]), from t = w-1."""
    return _rolling_extreme(_as_float(x), window, np.maximum)


def rolling_min(x: np.ndarray | pd.Series, window: int) -> np.ndarray:
    """min(x[t-w+1 .. t]), from t = w-1."""
    return _rolling_extreme(_as_float(x), window, np.minimum)


def stoch(high: np.ndarray | pd.Series, low: np.ndarray | pd.Series, close: np.ndarray | pd.Series,
          fastk: int = 14, slowk: int = 3, slowd: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Slow stochastic %K and %D (TA-Lib STOCH with SMA smoothing).

    fastK = 100 * (C - min(L, k)) / (max(H, k) - min(L, k)) (50 when the range is 0);
    slowK = SMA_sk(fastK); slowD = SMA_sd(slowK); both reported from t = k + sk + sd - 3.
    """
    h, lo, c = _as_float(high), _as_float(low), _as_float(close)
    return _stoch_from(rolling_max(h, fastk), rolling_min(lo, fastk), c, fastk, slowk, slowd)


def _stoch_from(hh: np.ndarray, ll: np.ndarray, c: np.ndarray, fastk: int, slowk: int,
                slowd: int) -> tuple[np.ndarray, np.ndarray]:
    fast = c - ll
    rng = hh - ll
    flat = rng == 0.0
    np.copyto(rng, 1.0, where=flat)
    np.divide(fast, rng, out=fast)
    fast *= 100.0
    np.copyto(fast, 50.0, where=flat)
    start = fastk - 1
    k, d = np.empty(c.shape), np.empty(c.shape)
    k[:start] = np.nan
    _sma_into(fast[start:], slowk, k[start:])
    d[:start + slowk - 1] = np.nan
    _sma_into(k[start + slowk - 1:], slowd, d[start + slowk - 1:])
    k[: fastk + slowk + slowd - 3] = np.nan
    return k, d


def volatility_pct(close: np.ndarray | pd.Series, window: int = TRADING_DAYS) -> np.ndarray:
    """Annualised volatility in percent: 100 * sqrt(252) * std(ln(C[t]/C[t-1]) over the last w returns, ddof 1)."""
    c = _as_float(close)
    out = np.empty(c.shape)
    out[:window] = np.nan
    if window < 2 or c.shape[0] <= window:
        return out
    # Returns and squared returns stacked (2 x days x ...), one running sum for both; r[0] = 0.
    r = np.zeros((2, *c.shape))
    logc = np.log(c)
    np.subtract(logc[1:], logc[:-1], out=r[0, 1:])
    np.square(r[0, 1:], out=r[1, 1:])
    _cumsum_rows(r.swapaxes(0, 1))
    sums = r[:, window:] - r[:, :-window]  # sums over the `window` returns ending at t
    var = out[window:]
    np.multiply(sums[0], sums[0], out=var)
    var *= -1.0 / window
    var += sums[1]
    var *= TRADING_DAYS / (window - 1)
    np.maximum(var, 0.0, out=var)  # rounding can leave a tiny negative for a constant return
    np.sqrt(var, out=var)
    var *= 100.0
    return out


def compute_all(high: np.ndarray, low: np.ndarray, close: np.ndarray) -> dict[str, np.ndarray]:
    """Every indicator of `Technicals.values`, for one ticker (1-D) or many (days x tickers)."""
    close = _as_float(close)
    e20, e50, e12, e26 = _ema_many(close, [(20, 0), (50, 0), (12, 14), (26, 0)])
    line, sig, hist = _macd_from(e12, e26, 26, 9)
    high, low = _as_float(high), _as_float(low)
    hh, ll = rolling_max(high, 14), rolling_min(low, 14)
    k, d = _stoch_from(hh, ll, close, 14, 3, 3)
    s20, s50, s100, s200 = sma_many(close, (20, 50, 100, 200))
    return {
        "sma_20": s20, "sma_50": s50, "sma_100": s100, "sma_200": s200, "ema_20": e20, "ema_50": e50,
        "macd": line, "macd_signal": sig, "macd_hist": hist, "rsi_14": rsi(close, 14),
        "stoch_k": k, "stoch_d": d,
        # The 14-day extremes of STOCH are a head start for the 52-week ones.
        "high_52w": _rolling_extreme(high, TRADING_DAYS, np.maximum, done=hh, span=14),
        "low_52w": _rolling_extreme(low, TRADING_DAYS, np.minimum, done=ll, span=14),
        "volatility_pct": volatility_pct(close),
    }


def indicator_table(prices: pd.DataFrame) -> pd.DataFrame:
    """The `stockreport indicators` table: one row per price day, columns `TABLE_COLUMNS`, indexed by Date."""
    close = prices["Close"].to_numpy(dtype=np.float64)
    line, sig, hist = macd(close)
    k, d = stoch(prices["High"].to_numpy(np.float64), prices["Low"].to_numpy(np.float64), close)
    cols = [*sma_many(close, (20, 50, 100, 200)), line, sig, hist,
            rsi(close, 14), k, d]
    table = pd.DataFrame(dict(zip(TABLE_COLUMNS, cols, strict=True)), index=prices.index)
    table.index.name = "Date"
    return table


def summarize_technicals(prices: pd.DataFrame | None, benchmark: pd.DataFrame | None,
                         snapshot: TechnicalSnapshot | None, benchmark_name: str | None) -> Technicals:
    """The `Technicals` block of the metrics (see `technicals_summary.summarize_technicals`)."""
    from pipeline.metrics.technicals_summary import summarize_technicals as _summarize

    return _summarize(prices, benchmark, snapshot, benchmark_name)
