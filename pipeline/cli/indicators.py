"""`stockreport indicators`: see the module docstring of the stage it wires."""

from __future__ import annotations

from pipeline.cli.app import app  # noqa: F401
