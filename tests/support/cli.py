"""Run `stockreport ARGS` in-process through the real entry point, error handling included."""

from __future__ import annotations

import sys

import pytest


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `stockreport ARGS`."""
    from pipeline.cli import main

    argv = sys.argv
    sys.argv = ["stockreport", *args]
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = argv
    captured = capsys.readouterr()
    return code, captured.out, captured.err
