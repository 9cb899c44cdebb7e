"""Bad bundles: each kind of problem exits non-zero with file, field path and value named, no traceback."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support import cli as support_cli

HK = Path(__file__).resolve().parents[2] / "fixtures" / "bundles" / "HK_3896"

PRICES = """Date,Open,High,Low,Close,Volume
2026-01-26,7.00,7.20,6.90,7.10,1000
2026-01-27,7.10,7.30,7.00,7.20,1200
2026-01-28,7.20,7.25,7.05,7.15,900
"""


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code, out, err = support_cli.run_cli(args, capsys)
    return code, out + err


@pytest.fixture
def bundle_dir(tmp_path: Path) -> Path:
    target = tmp_path / "HK_3896"
    shutil.copytree(HK, target)
    (target / "prices.csv").write_text(PRICES)
    return target


def assert_one_error_line(bundle_dir: Path, capsys: pytest.CaptureFixture[str], expected: list[str]) -> None:
    """`validate` exits 1 without a traceback, and one line (found by expected[1]) holds every fragment."""
    code, text = run_cli(["validate", str(bundle_dir)], capsys)
    assert code == 1
    assert "Traceback" not in text
    line = next((ln for ln in text.splitlines() if expected[1] in ln), None)
    assert line is not None, text
    for fragment in expected:
        assert fragment in line, (fragment, line)


def edit_json(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def edit_prices(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_valid_bundle_passes(bundle_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, text = run_cli(["validate", str(bundle_dir)], capsys)
    assert code == 0, text
    assert "OK HK:3896" in text and "3 price days" in text


def _set(path: list[str | int], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        node: Any = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


def _delete(path: list[str | int]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        node: Any = data
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return change


# (case id, how to break bundle.json, expected fragments of the one error line)
JSON_CASES = [
    (
        "wrong-type",
        _set(["financials", "periods", 0, "income", "revenue"], "lots"),
        ["bundle.json", "financials.periods[0].income.revenue", "'lots'"],
    ),
    (
        "period-without-end",
        _delete(["financials", "periods", 2, "end"]),
        ["bundle.json", "financials.periods[2].end", "Field required", "value: missing"],
    ),
    (
        "unknown-currency",
        _set(["financials", "currency"], "RMB"),
        ["bundle.json", "financials.currency", "unknown currency", "'RMB'"],
    ),
    (
        "bad-ticker",
        _set(["profile", "ticker"], "../etc/passwd"),
        ["bundle.json", "profile.ticker", "not a plain ticker", "'../etc/passwd'"],
    ),
    (
        "ticker-lowercase-space",
        _set(["profile", "ticker"], "hk 3896"),
        ["bundle.json", "profile.ticker", "'hk 3896'"],
    ),
    (
        "negative-snapshot-price",
        _set(["technical_snapshot", "last_price"], -7.15),
        ["bundle.json", "technical_snapshot.last_price", "greater than 0", "-7.15"],
    ),
    (
        "unknown-key",
        _set(["profile", "sectr"], "Tech"),
        ["bundle.json", "profile.sectr", "Extra inputs are not permitted"],
    ),
    (
        "look-ahead",
        _set(["events", 0, "date"], "2026-02-01"),
        ["bundle.json", "dated after the bundle's as_of", "events[0].date=2026-02-01"],
    ),
    (
        "transcript-path-escape",
        _set(["earnings_call", "transcript"], "../../secret.txt"),
        ["bundle.json", "earnings_call.transcript", "plain file name"],
    ),
    (
        "missing-transcript-file",
        _set(["earnings_call", "transcript"], "call.txt"),
        ["bundle.json", "earnings_call.transcript", "file not found", "'call.txt'"],
    ),
]


@pytest.mark.parametrize("change,expected", [c[1:] for c in JSON_CASES], ids=[c[0] for c in JSON_CASES])
def test_bad_bundle_json(
    bundle_dir: Path,
    capsys: pytest.CaptureFixture[str],
    change: Callable[[dict[str, Any]], None],
    expected: list[str],
) -> None:
    edit_json(bundle_dir / "bundle.json", change)
    assert_one_error_line(bundle_dir, capsys, expected)


PRICE_CASES = [
    (
        "negative-price",
        "7.20,7.25,7.05,7.15",
        "7.20,7.25,7.05,-7.15",
        ["prices.csv", "row 4 (2026-01-28).Close", "price must be positive", "-7.15"],
    ),
    (
        "high-below-low",
        "7.10,7.30,7.00,7.20",
        "7.10,6.90,7.00,6.95",
        ["prices.csv", "row 3 (2026-01-27).High", "High is below Low", "6.9 < 7.0"],
    ),
    (
        "dates-out-of-order",
        "2026-01-27,",
        "2026-01-25,",
        ["prices.csv", "row 3 (2026-01-25).Date", "out of order"],
    ),
    (
        "duplicate-date",
        "2026-01-27,",
        "2026-01-26,",
        ["prices.csv", "row 3 (2026-01-26).Date", "duplicate date"],
    ),
    (
        "not-a-number",
        "7.20,1200",
        "7.20,lots",
        ["prices.csv", "row 3 (2026-01-27).Volume", "not a finite number", "'lots'"],
    ),
    (
        "bad-date",
        "2026-01-28,",
        "28/01/2026,",
        ["prices.csv", "row 4 (28/01/2026).Date", "not a YYYY-MM-DD date"],
    ),
    (
        "missing-column",
        "Date,Open,High,Low,Close,Volume",
        "Date,Open,High,Low,Close",
        ["prices.csv", "header", "missing column(s) Volume"],
    ),
    (
        "priced-after-as-of",
        "2026-01-28,",
        "2026-01-29,",
        ["prices.csv", "row 4 (2026-01-29).Date", "after the bundle's as_of 2026-01-28"],
    ),
]


@pytest.mark.parametrize("old,new,expected", [c[1:] for c in PRICE_CASES], ids=[c[0] for c in PRICE_CASES])
def test_bad_prices(
    bundle_dir: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, expected: list[str]
) -> None:
    edit_prices(bundle_dir / "prices.csv", old, new)
    assert_one_error_line(bundle_dir, capsys, expected)


def test_missing_bundle_file(bundle_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (bundle_dir / "bundle.json").unlink()
    code, text = run_cli(["validate", str(bundle_dir)], capsys)
    assert code == 1
    assert f"{bundle_dir / 'bundle.json'}: file not found" in text


def test_bad_json(bundle_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (bundle_dir / "bundle.json").write_text('{"as_of": "2026-01-28",\n "profile": {,}}')
    code, text = run_cli(["validate", str(bundle_dir)], capsys)
    assert code == 1
    assert "bundle.json: line 2 column 14: bad JSON" in text


def test_every_problem_is_listed(bundle_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Several faults at once: one line each, not just the first."""
    edit_json(bundle_dir / "bundle.json", _set(["profile", "currency"], "XXX"))
    edit_json(bundle_dir / "bundle.json", _set(["peers", 1, "price"], -1))
    code, text = run_cli(["validate", str(bundle_dir)], capsys)
    assert code == 1
    errors = [ln for ln in text.splitlines() if ln.startswith("error:")]
    assert len(errors) == 2, text
    assert any("profile.currency" in ln for ln in errors)
    assert any("peers[1].price" in ln for ln in errors)


@pytest.mark.slow  # spawns a stockreport process
def test_console_script_has_no_traceback(bundle_dir: Path) -> None:
    """The installed entry point (python -m pipeline) behaves the same as the in-process CLI."""
    edit_prices(bundle_dir / "prices.csv", "7.10,7.30,7.00,7.20", "7.10,6.90,7.00,6.95")
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "validate", str(bundle_dir)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "High is below Low" in proc.stderr
