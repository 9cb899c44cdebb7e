"""The `stockreport` command line: thin typer commands that wire the stages together.

Each file here registers its commands on the one `app`: `app.py` (validate, schema, error handling),
`imports.py` (import ...), `metrics.py` (metrics), `indicators.py` (indicators), `generate.py` (generate).
"""

from pipeline.cli import batch, generate, imports, indicators, metrics, review  # noqa: F401  (register commands)
from pipeline.cli.app import app, main

__all__ = ["app", "main"]
