"""The `stockreport` command line: thin typer commands that wire the stages together.

Each file here registers its commands on the one `app`: `app.py` (validate, schema, error handling),
`imports.py` (import ...), `metrics.py` (metrics, indicators), `generate.py` (generate, batch).
"""

from pipeline.cli import imports as _imports  # noqa: F401  (registers commands)
from pipeline.cli.app import app, main

__all__ = ["app", "main"]
