"""Time every technical indicator for many tickers: ours (NumPy, days x tickers at once) vs TA-Lib and pandas-ta.

Synthetic data: a seeded geometric random walk per ticker (generated here, nothing downloaded), with highs
and lows around the close. Each library computes the same set: SMA 20/50/100/200, EMA 20/50,
MACD(12,26,9), RSI(14), slow STOCH(14,3,3), 52-week (252-day) high/low and 252-day volatility, and keeps
every full series. Times are the best of `--repeat` runs after one warm-up run.

    .venv/bin/python benchmarks/bench_metrics.py                 # 500 tickers x 5,000 days
    .venv/bin/python benchmarks/bench_metrics.py --tickers 50 --days 1000
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.metrics.technicals import TRADING_DAYS, compute_all  # noqa: E402


def synthetic_prices(days: int, tickers: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """High, low, close (days x tickers) of a seeded random walk with 1.5% daily volatility."""
    rng = np.random.default_rng(seed)
    close = 50.0 * np.exp(np.cumsum(rng.normal(0.0002, 0.015, (days, tickers)), axis=0))
    spread = np.abs(rng.normal(0.0, 0.01, (2, days, tickers)))
    return close * (1 + spread[0]), close * (1 - spread[1]), close


def ours(high: np.ndarray, low: np.ndarray, close: np.ndarray) -> object:
    return compute_all(high, low, close)


def talib_all(h: np.ndarray, lo: np.ndarray, c: np.ndarray) -> object:
    """TA-Lib on `tickers x days` arrays (transposed before timing, so its layout costs it nothing)."""
    import talib

    out = []
    for i in range(c.shape[0]):
        x = c[i]
        logret = np.empty_like(x)
        logret[0] = np.nan
        logret[1:] = np.diff(np.log(x))
        out.append((
            [talib.SMA(x, n) for n in (20, 50, 100, 200)], talib.EMA(x, 20), talib.EMA(x, 50),
            talib.MACD(x, 12, 26, 9), talib.RSI(x, 14), talib.STOCH(h[i], lo[i], x, 14, 3, 0, 3, 0),
            talib.MAX(h[i], TRADING_DAYS), talib.MIN(lo[i], TRADING_DAYS),
            talib.STDDEV(logret, TRADING_DAYS, 1.0) * np.sqrt(TRADING_DAYS) * 100.0,
        ))
    return out


def pandas_ta_all(high: np.ndarray, low: np.ndarray, close: np.ndarray) -> object:
    import pandas as pd
    import pandas_ta as ta

    out = []
    for i in range(close.shape[1]):
        c, h, lo = pd.Series(close[:, i]), pd.Series(high[:, i]), pd.Series(low[:, i])
        out.append((
            [ta.sma(c, n) for n in (20, 50, 100, 200)], ta.ema(c, 20), ta.ema(c, 50), ta.macd(c, 12, 26, 9),
            ta.rsi(c, 14), ta.stoch(h, lo, c, 14, 3, 3), h.rolling(TRADING_DAYS).max(),
            lo.rolling(TRADING_DAYS).min(), np.log(c).diff().rolling(TRADING_DAYS).std(),
        ))
    return out


def pandas_all(high: np.ndarray, low: np.ndarray, close: np.ndarray) -> object:
    """Plain pandas, whole frame at once (rolling / ewm): a baseline when pandas-ta cannot be installed."""
    import pandas as pd

    c, h, lo = pd.DataFrame(close), pd.DataFrame(high), pd.DataFrame(low)
    change = c.diff()
    gain = change.clip(lower=0).ewm(alpha=1 / 14, adjust=False).mean()
    loss = (-change.clip(upper=0)).ewm(alpha=1 / 14, adjust=False).mean()
    line = c.ewm(span=12, adjust=False).mean() - c.ewm(span=26, adjust=False).mean()
    hh, ll = h.rolling(14).max(), lo.rolling(14).min()
    slow_k = (100 * (c - ll) / (hh - ll)).rolling(3).mean()
    return (
        [c.rolling(n).mean() for n in (20, 50, 100, 200)], c.ewm(span=20, adjust=False).mean(),
        c.ewm(span=50, adjust=False).mean(), line, line.ewm(span=9, adjust=False).mean(),
        100 * gain / (gain + loss), slow_k, slow_k.rolling(3).mean(), h.rolling(TRADING_DAYS).max(),
        lo.rolling(TRADING_DAYS).min(), np.log(c).diff().rolling(TRADING_DAYS).std() * np.sqrt(TRADING_DAYS),
    )


def best_time(fn: Callable[..., object], args: tuple[np.ndarray, ...], repeat: int) -> float:
    fn(*args)  # warm-up: imports, first-touch memory
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickers", type=int, default=500)
    parser.add_argument("--days", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pandas-ta-tickers", type=int, default=20,
                        help="pandas-ta is timed on this many tickers and scaled up (it is slow)")
    args = parser.parse_args(argv)

    data = synthetic_prices(args.days, args.tickers)
    print(f"{args.tickers} tickers x {args.days} days, best of {args.repeat} after a warm-up")
    t_ours = best_time(ours, data, args.repeat)
    print(f"ours (NumPy, all tickers at once): {t_ours:8.3f} s")

    try:
        import talib  # noqa: F401
    except ImportError:
        print("TA-Lib: not installed (pip install 'stockreport[bench]'); skipped")
    else:
        per_ticker = tuple(np.ascontiguousarray(a.T) for a in data)
        t_talib = best_time(talib_all, per_ticker, args.repeat)
        print(f"TA-Lib (C, one ticker at a time):  {t_talib:8.3f} s   ours / TA-Lib = {t_ours / t_talib:.2f}x")

    t_pd = best_time(pandas_all, data, args.repeat)
    print(f"pandas rolling/ewm (whole frame):  {t_pd:8.3f} s   pandas / ours = {t_pd / t_ours:.1f}x")

    try:
        import pandas_ta  # noqa: F401
    except Exception as exc:  # noqa: BLE001  (any import failure means: not usable here)
        print(f"pandas-ta: not importable on Python {sys.version.split()[0]} ({type(exc).__name__}: {exc}); "
              "skipped (its PyPI releases 0.4.x require Python >= 3.12)")
    else:
        n = min(args.pandas_ta_tickers, args.tickers)
        sub = tuple(a[:, :n] for a in data)
        t_pta = best_time(pandas_ta_all, sub, 1) * args.tickers / n
        print(f"pandas-ta (timed on {n} tickers, scaled): {t_pta:8.3f} s   "
              f"pandas-ta / ours = {t_pta / t_ours:.1f}x")


if __name__ == "__main__":
    main()
