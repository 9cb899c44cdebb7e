"""Hardening suite: print how many fuzz cases ran (the issue asks for the count)."""

from __future__ import annotations

import pytest

from tests.hardening.support import COUNTS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if COUNTS:
        total = sum(COUNTS.values())
        detail = ", ".join(f"{k}={v}" for k, v in sorted(COUNTS.items()))
        terminalreporter.write_line(f"hardening: {total} bundles run end to end ({detail})")
