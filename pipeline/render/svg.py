"""Inline SVG charts: price vs its 50/200-day averages and the rebased benchmark, the score gauge, sub-score bars.

Pure functions returning SVG markup strings. Every piece of text that reaches the markup goes through `esc`,
so a company or benchmark name cannot inject elements; numbers are formatted here, never interpolated raw.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

import numpy as np

from pipeline.metrics.types import ChartSeries, SubScore
from pipeline.render.format import MISSING, date, money

LABEL_COLOURS: dict[str, str] = {"Outperform": "#1a7f37", "Neutral": "#b7791f", "Underperform": "#c62828"}
SERIES_STYLE: tuple[tuple[str, str, str], ...] = (
    # (label suffix, stroke colour, dash pattern)
    ("price", "#1f4e79", ""),
    ("50-day average", "#e69f00", ""),
    ("200-day average", "#6b7280", "6 4"),
    ("benchmark (rebased)", "#2ca02c", "2 3"),
)


def esc(text: object) -> str:
    return escape(str(text), quote=True)


def _path(x: np.ndarray, y: np.ndarray) -> str:
    """SVG path data over the finite points; a gap (NaN) starts a new sub-path with 'M'."""
    ok = np.isfinite(y)
    if not ok.any():
        return ""
    prev_ok = np.concatenate(([False], ok[:-1]))
    cmd = np.where(prev_ok, "L", "M")[ok]
    xs, ys = x[ok], y[ok]
    return " ".join(f"{c}{a:.1f},{b:.1f}" for c, a, b in zip(cmd, xs, ys, strict=True))


def _floats(values: Sequence[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def price_chart(
    chart: ChartSeries,
    currency: str,
    benchmark_name: str | None = None,
    width: int = 600,
    height: int = 280,
    uid: str = "",
) -> str:
    """Line chart of close, SMA 50, SMA 200 and the benchmark rebased to the stock's first close.

    The legend is HTML (`chart_legend`), so it wraps on a phone instead of shrinking with the drawing.

    y = top + (hi - v) / (hi - lo) * plot_height, with [lo, hi] the range of all series padded by 5%.
    """
    n = len(chart.dates)
    if n < 2:
        return ""
    series = [
        _floats(chart.close),
        _floats(chart.sma_50),
        _floats(chart.sma_200),
        _floats(chart.benchmark_rebased),
    ]
    stacked = np.vstack(series)
    finite = stacked[np.isfinite(stacked)]
    if finite.size == 0:
        return ""
    lo, hi = float(finite.min()), float(finite.max())
    pad = (hi - lo) * 0.05 or max(abs(hi) * 0.05, 1.0)
    lo, hi = lo - pad, hi + pad
    left, right, top, bottom = 84.0, 8.0, 10.0, 26.0
    pw, ph = width - left - right, height - top - bottom
    x = left + np.arange(n) * (pw / (n - 1))
    bench = esc(benchmark_name) if benchmark_name else "benchmark"

    def y_of(v: np.ndarray) -> np.ndarray:
        return top + (hi - v) / (hi - lo) * ph

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" class="chart price-chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="pc-title{uid}"><title id="pc-title{uid}">Price with 50- and 200-day averages '
        f"vs. {bench} (rebased)</title>"
    ]
    for tick in np.linspace(lo + pad, hi - pad, 4):
        ty = float(y_of(np.array([tick]))[0])
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{ty:.1f}" y2="{ty:.1f}" class="grid" '
            f'stroke="#e5e7eb"/><text x="{left - 6}" y="{ty + 4:.1f}" text-anchor="end" '
            f'font-size="13" fill="#4b5563">{esc(money(float(tick), currency))}</text>'
        )
    for i in (0, n // 2, n - 1):
        anchor = "start" if i == 0 else ("end" if i == n - 1 else "middle")
        parts.append(
            f'<text x="{x[i]:.1f}" y="{top + ph + 20:.1f}" text-anchor="{anchor}" font-size="13" '
            f'fill="#4b5563">{esc(date(chart.dates[i]))}</text>'
        )
    for (name, colour, dash), values in zip(SERIES_STYLE, series, strict=True):
        d = _path(x, y_of(values))
        if d:
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="1.6"{dash_attr} '
                f'data-series="{esc(name)}"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def chart_legend(benchmark_name: str | None = None) -> str:
    """HTML legend for `price_chart`: one swatch per series, in the same colours and dashes."""
    items = []
    for name, colour, dash in SERIES_STYLE:
        label = (
            f"{esc(benchmark_name or 'Benchmark')} (rebased)"
            if name.startswith("benchmark")
            else esc(name.capitalize())
        )
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        items.append(
            f'<li><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 8" width="24" height="8" '
            f'aria-hidden="true"><line x1="0" x2="24" y1="4" y2="4" stroke="{colour}" stroke-width="2.5"'
            f"{dash_attr}/></svg>{label}</li>"
        )
    return f'<ul class="legend">{"".join(items)}</ul>'


def _arc_point(cx: float, cy: float, r: float, fraction: float) -> tuple[float, float]:
    """Point on the upper semicircle: fraction 0 at the left end, 1 at the right end."""
    angle = math.pi * (1.0 - fraction)
    return cx + r * math.cos(angle), cy - r * math.sin(angle)


def gauge(score: int, label: str, uid: str = "") -> str:
    """Semicircle gauge 0-100: grey track, coloured arc to `score`, the score and label in the middle."""
    f = min(max(score, 0), 100) / 100.0
    cx, cy, r = 100.0, 100.0, 80.0
    x0, y0 = _arc_point(cx, cy, r, 0.0)
    x1, y1 = _arc_point(cx, cy, r, 1.0)
    xs, ys = _arc_point(cx, cy, r, f)
    colour = LABEL_COLOURS.get(label, "#6b7280")
    track = (
        f'<path d="M{x0:.1f},{y0:.1f} A{r},{r} 0 0 1 {x1:.1f},{y1:.1f}" fill="none" stroke="#e5e7eb" '
        f'stroke-width="16" stroke-linecap="round"/>'
    )
    arc = (
        (
            f'<path d="M{x0:.1f},{y0:.1f} A{r},{r} 0 0 1 {xs:.1f},{ys:.1f}" fill="none" stroke="{colour}" '
            f'stroke-width="16" stroke-linecap="round"/>'
        )
        if f > 0
        else ""
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" class="gauge" viewBox="0 0 200 124" role="img" '
        f'aria-labelledby="gauge-title{uid}"><title id="gauge-title{uid}">Score {score} of 100: {esc(label)}</title>'
        f'{track}{arc}<text x="100" y="92" text-anchor="middle" font-size="36" font-weight="700" '
        f'fill="#111827" class="gauge-score">{score}</text><text x="100" y="118" text-anchor="middle" '
        f'font-size="15" fill="{colour}">{esc(label)}</text></svg>'
    )


def subscore_bars(subscores: Sequence[SubScore], width: int = 360, uid: str = "") -> str:
    """One horizontal bar per sub-score (0-100), coloured by its label; 'n/a' when the score is missing."""
    if not subscores:
        return ""
    row, label_w, value_w = 26, 150, 36  # label column fits "Earnings Call Sentiment" at 12px
    bar_w = width - label_w - value_w
    height = row * len(subscores) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" class="chart subscores" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="sub-title{uid}"><title id="sub-title{uid}">Sub-scores, 0 to 100</title>'
    ]
    for i, s in enumerate(subscores):
        y = 4 + i * row
        colour = LABEL_COLOURS.get(s.label or "", "#9ca3af")
        fill_w = bar_w * min(max(s.score, 0), 100) / 100 if s.score is not None else 0.0
        shown = str(s.score) if s.score is not None else MISSING
        parts.append(
            f'<text x="0" y="{y + 14}" font-size="12" fill="#111827">{esc(s.title)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="14" rx="3" fill="#f3f4f6"/>'
            f'<rect x="{label_w}" y="{y + 3}" width="{fill_w:.1f}" height="14" rx="3" fill="{colour}"/>'
            f'<text x="{width - 4}" y="{y + 14}" font-size="12" text-anchor="end" '
            f'fill="#111827">{esc(shown)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
