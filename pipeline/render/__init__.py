"""Renderers: the typed Report as JSON, Markdown, a self-contained HTML page and PDF."""

from pipeline.render.html import render_html
from pipeline.render.markdown import render_markdown
from pipeline.render.write import render_json, write_report

__all__ = ["render_html", "render_json", "render_markdown", "write_report"]
