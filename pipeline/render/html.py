"""report.html: one self-contained page (inline CSS and SVG, no scripts, CSP forbids any fetch).

A report of several models (`generate -m A -m B`) is one page: the bundle's parts once, each model's score,
factors and prose in its own block, and a switch made of radio inputs whose `:checked` state shows one block
(CSS only, so the CSP still allows no script at all).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from pipeline.render.env import context, environment, view_context
from pipeline.render.svg import chart_legend, gauge, price_chart, subscore_bars
from pipeline.report.document import Report

PHONE_CHART = {"width": 360, "height": 250}  # drawn for narrow screens, so its 13 px labels stay 13 px


@dataclass(frozen=True)
class View:
    """One model's part of the page."""

    index: int  # 1-based: the switch's input is #model-<index>
    sfx: str  # id suffix: '' for the lead model, '-m2', ... for the others (ids stay unique)
    r: Report
    ctx: dict[str, Any]
    svg_gauge: Markup
    svg_subscores: Markup


def model_views(report: Report) -> list[View]:
    views = []
    for i, r in enumerate(report.views(), start=1):
        sfx = "" if i == 1 else f"-m{i}"
        views.append(
            View(
                i,
                sfx,
                r,
                view_context(r),
                Markup(gauge(r.score.overall, r.score.label, uid=sfx)),
                Markup(subscore_bars(r.score.subscores, uid=sfx)),
            )
        )
    return views


def render_html(report: Report) -> str:
    ctx = context(report)
    chart = ctx["chart"]
    cur, bench = report.header.price_currency, ctx["benchmark"]
    # The SVG builders escape every string they embed, so their output is trusted markup here.
    wide = price_chart(chart, cur, bench) if chart else ""
    narrow = price_chart(chart, cur, bench, uid="-phone", **PHONE_CHART) if chart else ""
    ctx.update(
        views=model_views(report),
        svg_chart=Markup(wide),
        svg_chart_phone=Markup(narrow),
        chart_legend=Markup(chart_legend(bench) if wide else ""),
    )
    return environment(html=True).get_template("report.html.j2").render(**ctx)
