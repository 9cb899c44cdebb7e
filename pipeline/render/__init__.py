"""Renderers: the typed Report as JSON, Markdown, a self-contained HTML page and PDF.

One module each (json and the folder write in write.py, markdown.py, html.py, pdf.py); import from those.
Nothing is imported here, so the CLI can read the file names and formats (paths.py) to build its options
without loading Jinja and the report model (`stockreport --help`).
"""
