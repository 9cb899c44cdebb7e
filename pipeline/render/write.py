"""Write a report's files into `outputs/<TICKER>/`: report.json, report.md, report.html (and report.pdf).

Everything is rendered in memory first, then the folder is written whole (`files.atomic_write_folder`: one
sync, one swap), so a render error or a crash never leaves a half-written report where a good one was.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from pipeline.errors import StockreportError
from pipeline.files import atomic_write_folder, make_folder, staging_prefix
from pipeline.redact import redact
from pipeline.render.html import render_html
from pipeline.render.markdown import render_markdown
from pipeline.render.paths import DEFAULT_FORMATS, FILE_NAMES, FORMATS, report_dir
from pipeline.render.pdf import APT_HINT, find_chromium, html_to_pdf
from pipeline.render.text import visible
from pipeline.report.document import Report


def render_json(report: Report) -> str:
    return report.model_dump_json(indent=2) + "\n"  # pydantic's serializer: same JSON, ~10x faster


RENDERERS: dict[str, Callable[[Report], str]] = {
    "json": render_json,
    "md": render_markdown,
    "html": render_html,
}


def write_report(report: Report, out_root: Path, formats: Iterable[str] = DEFAULT_FORMATS) -> dict[str, Path]:
    """Render `formats` and write them under `report_dir(out_root, report.ticker)`; returns format -> path."""
    wanted = list(dict.fromkeys(formats))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise StockreportError(f"unknown report format {unknown[0]!r}; choose from {', '.join(FORMATS)}")
    if "pdf" in wanted and find_chromium() is None:  # fail before writing anything
        raise StockreportError(f"--format pdf needs headless Chromium, which was not found: {APT_HINT}")
    folder = report_dir(out_root, report.ticker)
    make_folder(folder, "the report folder")
    # Every format passes `visible`: no bidi override or zero-width character reaches a reader.
    texts = {f: visible(RENDERERS[f](report)) for f in wanted if f in RENDERERS}
    if "pdf" in wanted and "html" not in texts:
        texts_html = visible(render_html(report))
    else:
        texts_html = texts.get("html", "")
    # All or nothing: a full disk on the second file must not leave a new JSON beside an old Markdown.
    # The folder is swapped whole: a reader or a crash sees the old report or the new one, never a mix.
    written = {fmt: folder / FILE_NAMES[fmt] for fmt in texts}
    atomic_write_folder(folder, {FILE_NAMES[fmt]: text.encode("utf-8") for fmt, text in texts.items()})
    if "pdf" in wanted:
        if "html" in written:
            html_to_pdf(written["html"], folder / FILE_NAMES["pdf"])
        else:  # print from a throwaway copy so only the requested files appear
            with tempfile.TemporaryDirectory(dir=folder, prefix=staging_prefix("render")) as tmp:
                html_path = Path(tmp) / "report.html"
                html_path.write_text(redact(texts_html), encoding="utf-8")  # as atomic writes mask
                html_to_pdf(html_path, folder / FILE_NAMES["pdf"])
        written["pdf"] = folder / FILE_NAMES["pdf"]
    return {f: written[f] for f in wanted}
