"""Shared paths and a CLI runner for the importer tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import cli as support_cli

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "fixtures" / "data"
SHARED = REPO.parent / "shared" / "data"


def run_cli(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    """Run `stockreport ARGS` through the real entry point (its error handling included)."""
    return support_cli.run_cli(args, capsys)
