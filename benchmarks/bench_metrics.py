"""Time the technical indicators for many tickers: ours vs TA-Lib, pandas-ta-classic and plain pandas.

Synthetic data: a seeded geometric random walk per ticker (generated here, nothing downloaded), with highs
and lows around the close. Every contender computes the same set, `compute_all`'s: SMA 20/50/100/200,
EMA 20/50, MACD(12,26,9), RSI(14), slow STOCH(14,3,3), 52-week (252-day) high/low and 252-day volatility
(sample standard deviation of log returns, annualised, in percent), and keeps every full series.

* ours: `days x tickers` arrays, all tickers at once, on the engine `rolling` picks: the compiled kernels
  (Numba, the `fast` extra) at this size when installed, else NumPy.
* ours, NumPy: the same with the compiled kernels turned off (what an install without `fast` runs).
* TA-Lib (C): one ticker at a time on contiguous per-ticker rows (transposed before timing, so its layout
  costs it nothing).
* pandas-ta-classic: one ticker at a time (its own Python code: `talib=False`); it is slow, so it is timed on
  `--pandas-ta-tickers` tickers and the time is scaled to the full count.
* plain pandas: whole frame at once (`rolling`, `ewm`), seeded as TA-Lib seeds.

Each repeat runs every contender once, back to back (the machine is shared: interleaving keeps the ratios
honest); the tables show min and median over `--repeat` repeats after one untimed run, and the ratio to
TA-Lib of each. The untimed run also checks exactness: per indicator, the largest absolute difference from
TA-Lib over the days where TA-Lib has a value, and whether NaN sits exactly where TA-Lib has none.

Memory: every contender allocates hundreds of MB per run. By default glibc hands large freed blocks back to
the kernel and the next run takes page faults on them again (expensive on virtual machines: ~1-10 us per
4 KiB), and how much it keeps depends on the order of earlier allocations, so the contenders disturb each
other's timings. Unless `--system-malloc` is given, the benchmark first tells glibc (mallopt) to keep freed
memory for reuse, for every contender alike; the table also shows the page faults per run.

    .venv/bin/python benchmarks/bench_metrics.py                  # 500 tickers x 5,000 days
    .venv/bin/python benchmarks/bench_metrics.py --per-indicator  # + ours vs TA-Lib per indicator
    .venv/bin/python benchmarks/bench_metrics.py --scaling        # ours and TA-Lib, 500 .. 5,000 tickers
"""

from __future__ import annotations

import argparse
import ctypes
import functools
import gc
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.metrics import rolling, rolling_compiled  # noqa: E402
from pipeline.metrics import technicals as T  # noqa: E402

Table = dict[str, np.ndarray]  # indicator -> days x tickers
INDICATORS = [
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
]
DAYS = T.TRADING_DAYS
# TA-Lib's STDDEV is the population one: this turns it into ours (sample, annualised, percent).
VOL_SCALE = 100.0 * np.sqrt(DAYS * DAYS / (DAYS - 1))


@dataclass(frozen=True)
class Prices:
    """The same prices in both layouts: `days x tickers` (ours, pandas) and `tickers x days` (per ticker)."""

    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    rows_high: np.ndarray
    rows_low: np.ndarray
    rows_close: np.ndarray

    @property
    def tickers(self) -> int:
        return int(self.close.shape[1])

    def first(self, n: int) -> Prices:
        return Prices(
            self.high[:, :n],
            self.low[:, :n],
            self.close[:, :n],
            self.rows_high[:n],
            self.rows_low[:n],
            self.rows_close[:n],
        )


def synthetic_prices(days: int, tickers: int, seed: int = 7, rows: bool = True) -> Prices:
    """High, low, close of a seeded random walk with 1.5% daily volatility (`rows=False`: no per-ticker copy)."""
    rng = np.random.default_rng(seed)
    close = rng.normal(0.0002, 0.015, (days, tickers))
    np.cumsum(close, axis=0, out=close)
    np.exp(close, out=close)
    close *= 50.0
    high = np.abs(rng.normal(0.0, 0.01, (days, tickers)))
    high += 1.0
    high *= close
    low = np.abs(rng.normal(0.0, 0.01, (days, tickers)))
    np.subtract(1.0, low, out=low)
    low *= close
    per_ticker = [np.ascontiguousarray(a.T) if rows else a.T for a in (high, low, close)]
    return Prices(high, low, close, *per_ticker)


# --- the contenders: each returns its own natural output; `*_table` turns it into a Table (untimed) ---


def ours(p: Prices) -> Table:
    return T.compute_all(p.high, p.low, p.close)


def ours_numpy(p: Prices) -> Table:
    saved = rolling.COMPILED_FROM
    rolling.COMPILED_FROM = 1 << 62
    try:
        return T.compute_all(p.high, p.low, p.close)
    finally:
        rolling.COMPILED_FROM = saved


def talib_all(p: Prices) -> list[Table]:
    import talib

    out = []
    for h, lo, c in zip(p.rows_high, p.rows_low, p.rows_close, strict=True):
        logret = np.empty_like(c)
        logret[0] = np.nan
        np.log(c[1:] / c[:-1], out=logret[1:])
        line, signal, hist = talib.MACD(c, 12, 26, 9)
        k, d = talib.STOCH(h, lo, c, 14, 3, 0, 3, 0)
        out.append(
            {
                "sma_20": talib.SMA(c, 20),
                "sma_50": talib.SMA(c, 50),
                "sma_100": talib.SMA(c, 100),
                "sma_200": talib.SMA(c, 200),
                "ema_20": talib.EMA(c, 20),
                "ema_50": talib.EMA(c, 50),
                "macd": line,
                "macd_signal": signal,
                "macd_hist": hist,
                "rsi_14": talib.RSI(c, 14),
                "stoch_k": k,
                "stoch_d": d,
                "high_52w": talib.MAX(h, DAYS),
                "low_52w": talib.MIN(lo, DAYS),
                "volatility_pct": talib.STDDEV(logret, DAYS, 1.0) * VOL_SCALE,
            }
        )
    return out


def pandas_ta_all(p: Prices) -> list[Table]:
    import pandas as pd
    import pandas_ta_classic as ta

    out = []
    for h_row, lo_row, c_row in zip(p.rows_high, p.rows_low, p.rows_close, strict=True):
        c, h, lo = pd.Series(c_row), pd.Series(h_row), pd.Series(lo_row)
        m = ta.macd(c, 12, 26, 9, talib=False)
        st = ta.stoch(h, lo, c, k=14, d=3, smooth_k=3, talib=False)
        dc = ta.donchian(h, lo, lower_length=DAYS, upper_length=DAYS)
        vol = ta.stdev(ta.log_return(c), DAYS, ddof=1, talib=False) * (100.0 * np.sqrt(DAYS))
        out.append(
            {
                **{f"sma_{n}": ta.sma(c, n, talib=False).to_numpy() for n in (20, 50, 100, 200)},
                "ema_20": ta.ema(c, 20, talib=False).to_numpy(),
                "ema_50": ta.ema(c, 50, talib=False).to_numpy(),
                "macd": m["MACD_12_26_9"].to_numpy(),
                "macd_signal": m["MACDs_12_26_9"].to_numpy(),
                "macd_hist": m["MACDh_12_26_9"].to_numpy(),
                "rsi_14": ta.rsi(c, 14, talib=False).to_numpy(),
                "stoch_k": st["STOCHk_14_3_3"].to_numpy(),
                "stoch_d": st["STOCHd_14_3_3"].to_numpy(),
                "high_52w": dc[f"DCU_{DAYS}_{DAYS}"].to_numpy(),
                "low_52w": dc[f"DCL_{DAYS}_{DAYS}"].to_numpy(),
                "volatility_pct": vol.to_numpy(),
            }
        )
    return out


def pandas_all(p: Prices) -> Table:
    """Plain pandas on whole frames; EMAs seeded as TA-Lib seeds them (the mean of their first n values)."""
    import pandas as pd

    c, h, lo = pd.DataFrame(p.close), pd.DataFrame(p.high), pd.DataFrame(p.low)

    def smoothed(x: pd.DataFrame, n: int, alpha: float, first: int = 0) -> pd.DataFrame:
        start = first + n - 1
        seeded = x.iloc[start:].copy()
        seeded.iloc[0] = x.iloc[first : start + 1].mean()
        return seeded.ewm(alpha=alpha, adjust=False).mean().reindex(x.index)

    change = c.diff()
    gain = smoothed(change.clip(lower=0), 14, 1 / 14, first=1)
    loss = smoothed((-change).clip(lower=0), 14, 1 / 14, first=1)
    line = smoothed(c, 12, 2 / 13, first=14) - smoothed(c, 26, 2 / 27)
    signal = smoothed(line, 9, 2 / 10, first=25)
    hh, ll = h.rolling(14).max(), lo.rolling(14).min()
    slow_k = (100 * (c - ll) / (hh - ll)).rolling(3).mean()
    slow_d = slow_k.rolling(3).mean()
    frames = {
        **{f"sma_{n}": c.rolling(n).mean() for n in (20, 50, 100, 200)},
        "ema_20": smoothed(c, 20, 2 / 21),
        "ema_50": smoothed(c, 50, 2 / 51),
        "macd": line.where(signal.notna()),
        "macd_signal": signal,
        "macd_hist": line - signal,
        "rsi_14": 100 * gain / (gain + loss),
        "stoch_k": slow_k.where(slow_d.notna()),
        "stoch_d": slow_d,
        "high_52w": h.rolling(DAYS).max(),
        "low_52w": lo.rolling(DAYS).min(),
        "volatility_pct": np.log(c).diff().rolling(DAYS).std() * (100.0 * np.sqrt(DAYS)),
    }
    return {k: v.to_numpy() for k, v in frames.items()}


def _columns(per_ticker: list[Table]) -> Table:
    return {k: np.stack([t[k] for t in per_ticker], axis=1) for k in INDICATORS}


@dataclass(frozen=True)
class Contender:
    name: str
    run: Callable[[Prices], object]
    table: Callable[[object], Table]
    needs: str | None = None  # module that must import, else skipped
    subset: int | None = None  # timed on this many tickers, scaled to all


def contenders(pandas_ta_tickers: int) -> list[Contender]:
    return [
        Contender("ours", ours, lambda out: out),  # type: ignore[arg-type,return-value]
        Contender("ours, NumPy", ours_numpy, lambda out: out),  # type: ignore[arg-type,return-value]
        Contender("TA-Lib", talib_all, _columns, needs="talib"),  # type: ignore[arg-type]
        Contender("pandas", pandas_all, lambda out: out),  # type: ignore[arg-type,return-value]
        Contender(
            "pandas-ta-classic",
            pandas_ta_all,
            _columns,
            needs="pandas_ta_classic",  # type: ignore[arg-type]
            subset=pandas_ta_tickers,
        ),
    ]


def _engine() -> str:
    if not rolling_compiled.available():
        return "NumPy (Numba not installed: pip install -e '.[fast]')"
    import numba

    return f"compiled kernels (Numba {numba.__version__}) from {rolling.COMPILED_FROM:,} values, NumPy below"


def _available(module: str | None) -> str | None:
    """None when `module` imports, else why not."""
    if module is None:
        return None
    try:
        __import__(module)
    except Exception as exc:  # noqa: BLE001  (any import failure means: not usable here)
        return f"{type(exc).__name__}: {exc}"
    return None


def keep_freed_memory() -> str:
    """Ask glibc to serve every allocation from its heap and never return freed memory to the kernel."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return "not glibc: allocator left as it is"
    m_trim_threshold, m_mmap_threshold = -1, -3
    # -1: never trim (mallopt(3)). A finite threshold still hands back a freed top of heap above it: at
    # 5,000 tickers (GBs per run) every run would fault its memory in again, at 500 none would.
    ok = libc.mallopt(m_mmap_threshold, 1 << 30) and libc.mallopt(m_trim_threshold, -1)
    return "glibc keeps freed memory (mallopt)" if ok else "mallopt failed: allocator left as it is"


def _timed(fn: Callable[[Prices], object], p: Prices) -> tuple[float, int]:
    """Seconds and minor page faults of one run (its output freed afterwards, untimed)."""
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    start = time.perf_counter()
    out = fn(p)
    elapsed = time.perf_counter() - start
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    del out
    return elapsed, faults


def exactness(table: Table, ref: Table) -> dict[str, tuple[float, bool]]:
    """Per indicator: max |ours - ref| where ref has a value, and whether NaN sits exactly where ref's does."""
    result = {}
    for key in INDICATORS:
        mine, theirs = table[key], ref[key]
        defined = ~np.isnan(theirs)
        same_nan = bool(np.array_equal(np.isnan(mine), ~defined))
        diff = np.abs(mine[defined] - theirs[defined])
        result[key] = (float(np.max(diff)) if diff.size else 0.0, same_nan)  # NaN in mine shows as nan
    return result


def compare(p: Prices, repeat: int, pandas_ta_tickers: int, skip: frozenset[str] = frozenset()) -> None:
    runnable: list[tuple[Contender, Prices, float]] = []
    for c in contenders(pandas_ta_tickers):
        if c.name in skip:
            continue
        why = _available(c.needs)
        if why is not None:
            print(f"{c.name}: skipped, cannot import {c.needs} ({why}); pip install -e '.[bench]'")
            continue
        n = min(c.subset or p.tickers, p.tickers)
        runnable.append((c, p.first(n) if n < p.tickers else p, p.tickers / n))

    # Untimed first run of each: imports, first-touch memory, and the outputs checked for exactness.
    ref = next((c.table(c.run(q)) for c, q, _ in runnable if c.name == "TA-Lib"), None)
    exact: dict[str, dict[str, tuple[float, bool]]] = {}
    for c, q, _ in runnable:
        table = c.table(c.run(q))
        if ref is not None and c.name != "TA-Lib":
            exact[c.name] = exactness(table, {k: v[:, : q.tickers] for k, v in ref.items()})
        del table
    del ref

    times: dict[str, list[float]] = {c.name: [] for c, _, _ in runnable}
    faults: dict[str, list[int]] = {c.name: [] for c, _, _ in runnable}
    for _ in range(repeat):  # interleaved: every contender once per repeat
        for c, q, scale in runnable:
            gc.collect()
            seconds, count = _timed(c.run, q)
            times[c.name].append(seconds * scale)
            faults[c.name].append(count)

    print(
        f"\n{p.tickers} tickers x {p.close.shape[0]} days; {repeat} repeats, interleaved, after one untimed run"
    )
    base = times.get("TA-Lib")
    print(f"{'':20s} {'min s':>8s} {'median s':>9s}   {'/ TA-Lib (min, median)':>22s} {'page faults':>12s}")
    for c, q, scale in runnable:
        t = times[c.name]
        lo, med = min(t), statistics.median(t)
        ratio = f"{lo / min(base):6.2f}x {med / statistics.median(base):6.2f}x" if base else ""
        note = f"   (timed on {q.tickers} tickers, x{scale:g})" if scale != 1 else ""
        print(
            f"{c.name:20s} {lo:8.3f} {med:9.3f}   {ratio:>22s} {statistics.median(faults[c.name]):12.0f}{note}"
        )

    if exact:
        names = list(exact)
        print(
            "\nExactness: max |x - TA-Lib| over the days TA-Lib defines (NaN pattern same as TA-Lib: = / ≠)"
        )
        print(f"{'indicator':16s}" + "".join(f"{n:>22s}" for n in names))
        for key in INDICATORS:
            cells = "".join(f"{exact[n][key][0]:20.3g} {'=' if exact[n][key][1] else '≠'}" for n in names)
            print(f"{key:16s}{cells}")


def _talib_groups(p: Prices) -> dict[str, tuple[Callable[[], object], Callable[[], object]]]:
    """Ours and TA-Lib per indicator (ours standalone: compute_all shares some work between them)."""
    import talib

    rows = list(zip(p.rows_high, p.rows_low, p.rows_close, strict=True))
    h, lo, c = p.high, p.low, p.close

    def each(fn: Callable[[np.ndarray, np.ndarray, np.ndarray], object]) -> Callable[[], object]:
        return lambda: [fn(*r) for r in rows]

    def logret_std(c1: np.ndarray) -> np.ndarray:
        r = np.empty_like(c1)
        r[0] = np.nan
        np.log(c1[1:] / c1[:-1], out=r[1:])
        return talib.STDDEV(r, DAYS, 1.0) * VOL_SCALE  # type: ignore[no-any-return]

    return {
        "SMA 20/50/100/200": (
            lambda: T.sma_many(c, (20, 50, 100, 200)),
            each(lambda _h, _l, c1: [talib.SMA(c1, n) for n in (20, 50, 100, 200)]),
        ),
        "EMA 20/50": (
            lambda: (T.ema(c, 20), T.ema(c, 50)),
            each(lambda _h, _l, c1: (talib.EMA(c1, 20), talib.EMA(c1, 50))),
        ),
        "MACD 12/26/9": (lambda: T.macd(c), each(lambda _h, _l, c1: talib.MACD(c1, 12, 26, 9))),
        "RSI 14": (lambda: T.rsi(c, 14), each(lambda _h, _l, c1: talib.RSI(c1, 14))),
        "STOCH 14/3/3": (
            lambda: T.stoch(h, lo, c),
            each(lambda h1, l1, c1: talib.STOCH(h1, l1, c1, 14, 3, 0, 3, 0)),
        ),
        "52w high/low": (
            lambda: (T.rolling_max(h, DAYS), T.rolling_min(lo, DAYS)),
            each(lambda h1, l1, _c: (talib.MAX(h1, DAYS), talib.MIN(l1, DAYS))),
        ),
        "volatility 252": (lambda: T.volatility_pct(c), each(lambda _h, _l, c1: logret_std(c1))),
    }


def per_indicator(p: Prices, repeat: int) -> None:
    print(
        f"\nPer indicator, {p.tickers} tickers x {p.close.shape[0]} days, ms (min / median of {repeat}, "
        "interleaved)"
    )
    print(f"{'':20s} {'ours':>15s} {'TA-Lib':>15s} {'ours / TA-Lib':>14s}")
    for name, (mine, theirs) in _talib_groups(p).items():
        mine(), theirs()
        t: dict[str, list[float]] = {"ours": [], "talib": []}
        for _ in range(repeat):
            for key, fn in (("ours", mine), ("talib", theirs)):
                start = time.perf_counter()
                fn()
                t[key].append((time.perf_counter() - start) * 1e3)
        o, a = t["ours"], t["talib"]
        mo, ma = statistics.median(o), statistics.median(a)
        print(
            f"{name:20s} {min(o):7.1f} / {mo:5.1f} {min(a):7.1f} / {ma:5.1f} {min(o) / min(a):6.2f}x {mo / ma:5.2f}x"
        )


def narrow(days: int, repeat: int) -> None:
    """One ticker, as one report computes it: ours (1-D arrays) vs TA-Lib."""
    p = synthetic_prices(days, 1)
    h, lo, c = p.high[:, 0].copy(), p.low[:, 0].copy(), p.close[:, 0].copy()
    fns: dict[str, Callable[[], object]] = {"ours": lambda: T.compute_all(h, lo, c)}
    if _available("talib") is None:
        fns["TA-Lib"] = lambda: talib_all(p)
    t: dict[str, list[float]] = {k: [] for k in fns}
    for fn in fns.values():
        fn()
    for _ in range(repeat):
        for key, fn in fns.items():
            start = time.perf_counter()
            fn()
            t[key].append((time.perf_counter() - start) * 1e3)
    cells = ", ".join(f"{k} {min(v):.2f} / {statistics.median(v):.2f} ms" for k, v in t.items())
    print(f"\nOne ticker x {days} days (min / median of {repeat}): {cells}")


def _peak_mb(fn: Callable[[], object]) -> tuple[float, float]:
    """(peak traced MB during fn, MB still held by its result)."""
    gc.collect()
    tracemalloc.start()
    out = fn()
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del out
    return peak / 2**20, held / 2**20


def scaling(days: int, sizes: list[int], repeat: int) -> None:
    """Ours and TA-Lib at growing ticker counts: time per ticker should stay flat (linear scaling)."""
    if _available("talib") is not None:
        print("TA-Lib not importable: pip install -e '.[bench]'")
        return
    print(f"\nScaling, {days} days; {repeat} repeats each, interleaved, after one untimed run")
    print(
        f"{'tickers':>8s} {'ours s (min/med)':>18s} {'TA-Lib s (min/med)':>20s} {'ours/TA-Lib':>12s} "
        f"{'ours ms/ticker':>15s} {'TA-Lib ms/ticker':>17s} {'ours peak / output MB':>22s} "
        f"{'page faults ours/TA-Lib':>24s}"
    )
    per: dict[int, tuple[float, float]] = {}
    for n in sizes:
        p = synthetic_prices(days, n)
        peak, held = _peak_mb(functools.partial(ours, p))
        talib_all(p)
        t: dict[str, list[float]] = {"ours": [], "talib": []}
        faults: dict[str, list[int]] = {"ours": [], "talib": []}
        for _ in range(repeat):
            for key, fn in (("ours", ours), ("talib", talib_all)):
                gc.collect()
                seconds, count = _timed(fn, p)  # type: ignore[arg-type]
                t[key].append(seconds)
                faults[key].append(count)
        o, a = t["ours"], t["talib"]
        per[n] = (min(o) / n, min(a) / n)
        print(
            f"{n:8d} {min(o):8.3f} / {statistics.median(o):7.3f} {min(a):9.3f} / {statistics.median(a):8.3f} "
            f"{min(o) / min(a):5.2f}x {statistics.median(o) / statistics.median(a):5.2f}x "
            f"{1e3 * per[n][0]:15.3f} {1e3 * per[n][1]:17.3f} {peak:12.0f} / {held:7.0f} "
            f"{statistics.median(faults['ours']):12.0f} / {statistics.median(faults['talib']):9.0f}"
        )
        del p
    first, last = sizes[0], sizes[-1]
    print(
        f"time per ticker at {last} / at {first} (1.00 = linear): ours {per[last][0] / per[first][0]:.2f}, "
        f"TA-Lib {per[last][1] / per[first][1]:.2f}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tickers", type=int, default=500)
    parser.add_argument("--days", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--pandas-ta-tickers",
        type=int,
        default=25,
        help="pandas-ta-classic is timed on this many tickers and scaled up (it is slow)",
    )
    parser.add_argument("--per-indicator", action="store_true", help="also time ours vs TA-Lib per indicator")
    parser.add_argument(
        "--skip", default="", help="contenders to leave out, comma-separated (e.g. pandas-ta-classic)"
    )
    parser.add_argument(
        "--scaling",
        action="store_true",
        help="only ours vs TA-Lib at 500, 1,000, 2,000 and 5,000 tickers (--sizes to change)",
    )
    parser.add_argument(
        "--sizes", type=lambda s: [int(v) for v in s.split(",")], default=[500, 1000, 2000, 5000]
    )
    parser.add_argument(
        "--system-malloc",
        action="store_true",
        help="leave glibc's allocator as it is (freed memory returns to the kernel)",
    )
    args = parser.parse_args(argv)
    print("Memory:", "allocator left as it is" if args.system_malloc else keep_freed_memory())
    print("Engine of ours:", _engine())

    if args.scaling:
        scaling(args.days, args.sizes, args.repeat)
        return
    p = synthetic_prices(args.days, args.tickers)
    compare(p, args.repeat, args.pandas_ta_tickers, frozenset(filter(None, args.skip.split(","))))
    if args.per_indicator and _available("talib") is None:
        per_indicator(p, args.repeat)
    narrow(args.days, 50)


if __name__ == "__main__":
    main()
