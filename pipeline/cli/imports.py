"""`stockreport import ...`: fill a bundle from real source formats (see pipeline/inputs/importers/)."""

from __future__ import annotations

from pipeline.cli.app import import_app  # noqa: F401
