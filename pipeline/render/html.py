"""report.html: one self-contained page (inline CSS and SVG, no scripts, CSP forbids any fetch)."""

from __future__ import annotations

from markupsafe import Markup

from pipeline.render.env import context, environment
from pipeline.render.svg import chart_legend, gauge, price_chart, subscore_bars
from pipeline.report.document import Report


def render_html(report: Report) -> str:
    ctx = context(report)
    chart = ctx["chart"]
    # The SVG builders escape every string they embed, so their output is trusted markup here.
    svg_chart = price_chart(chart, report.header.price_currency, ctx["benchmark"]) if chart else ""
    ctx.update(
        svg_gauge=Markup(gauge(report.score.overall, report.score.label)),
        svg_subscores=Markup(subscore_bars(report.score.subscores)),
        svg_chart=Markup(svg_chart),
        chart_legend=Markup(chart_legend(ctx["benchmark"]) if svg_chart else ""),
    )
    return environment(html=True).get_template("report.html.j2").render(**ctx)
