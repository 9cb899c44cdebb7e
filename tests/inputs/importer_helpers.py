"""Shared paths and a CLI runner for the importer tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "fixtures" / "data"
SHARED = REPO.parent / "shared" / "data"


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
            ) -> tuple[int, str, str]:
    """Run `stockreport ARGS` through the real entry point (its error handling included)."""
    from pipeline.cli import main

    monkeypatch.setattr(sys, "argv", ["stockreport", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err
