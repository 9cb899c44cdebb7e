"""The `stockreport` command line: thin typer commands that wire the stages together.

Each file here registers its commands on the one `app`: `app.py` (validate, schema, error handling),
`imports.py` (import ...),
`bundles.py` (new, bundle set, import PART), `fetch.py` (fetch sec), `metrics.py` (metrics), `indicators.py`
(indicators), `generate.py` (generate).
"""

from pipeline.cli import (  # noqa: F401  (register commands)
    batch,
    bundles,
    fetch,
    generate,
    imports,
    indicators,
    metrics,
    review,
)
from pipeline.cli.app import app, main

__all__ = ["app", "main"]
