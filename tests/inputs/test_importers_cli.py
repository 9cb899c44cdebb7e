"""`stockreport import ...` through the real entry point: clean one-line errors, working commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.inputs.importer_helpers import DATA, REPO, run_cli

GARBAGE = b"\x89PNG\r\n\x1a\n\x00\x00garbage\xff\xfe"


@pytest.mark.parametrize(
    "args",
    [
        ["import", "sec", "{bad}", "--ticker", "AAPL", "--out", "{out}"],
        ["import", "statements", "{bad}", "{bad}", "{bad}", "--ticker", "AAPL", "--out", "{out}"],
        ["import", "prices", "{bad}", "--ticker", "AAPL", "--out", "{out}"],
        [
            "import",
            "prices",
            str(DATA / "prices" / "yahoofinance-GOOG-20040819-20180120.csv.gz"),
            "--ticker",
            "GOOGL",
            "--benchmark",
            "{bad}",
            "--benchmark-name",
            "X",
            "--out",
            "{out}",
        ],
        ["import", "transcript", "{bad}", "--call-date", "2021-01-01", "--ticker", "AAPL", "--out", "{out}"],
    ],
)
@pytest.mark.parametrize("content", [GARBAGE, b"just some text\nwith, commas\n", b""])
def test_garbage_file_gives_clean_error(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    content: bytes,
) -> None:
    bad = tmp_path / "garbage_input.dat"
    bad.write_bytes(content)
    out = tmp_path / "bundle"
    code, _, err = run_cli([a.format(bad=bad, out=out) for a in args], capsys, monkeypatch)
    if args[1] == "transcript" and content.startswith(b"just"):
        assert code == 0 and (out / "transcript.json").exists()  # any text is a one-sentence-per-line call
        return
    assert code == 1
    assert "Traceback" not in err and "garbage_input.dat" in err and err.startswith("error: ")
    assert not (out / "bundle.json").exists()


@pytest.mark.parametrize(("option", "value"), [("--as-of", "2022-13-45"), ("--as-of", "yesterday")])
def test_bad_date_option(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    option: str,
    value: str,
) -> None:
    code, _, err = run_cli(
        [
            "import",
            "sec",
            str(DATA / "sec" / "CIK0001318605.json.gz"),
            "--ticker",
            "TSLA",
            "--out",
            str(tmp_path / "T"),
            option,
            value,
        ],
        capsys,
        monkeypatch,
    )
    assert code == 1 and "not a YYYY-MM-DD date" in err and "Traceback" not in err


def test_missing_file_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run_cli(
        ["import", "prices", str(tmp_path / "nope.csv"), "--ticker", "A", "--out", str(tmp_path / "b")],
        capsys,
        monkeypatch,
    )
    assert code == 1 and "nope.csv: file not found" in err


def test_documented_commands_build_a_bundle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = str(tmp_path / "TSLA")
    s = DATA / "statements"
    steps = [
        [
            "import",
            "sec",
            str(DATA / "sec" / "CIK0001318605.json.gz"),
            "--ticker",
            "TSLA",
            "--out",
            out,
            "--as-of",
            "2022-06-30",
            "--exchange",
            "NASDAQ",
        ],
        [
            "import",
            "statements",
            str(s / "TSLA_income.csv"),
            str(s / "TSLA_balance.csv"),
            str(s / "TSLA_cash.csv"),
            "--ticker",
            "TSLA",
            "--out",
            out,
        ],
        [
            "import",
            "transcript",
            str(DATA / "transcripts" / "ectsum-AFL_q4_2020.txt"),
            "--out",
            out,
            "--call-date",
            "2022-04-20",
            "--quarter",
            "Q1-2022",
        ],
        ["validate", out],
    ]
    for step in steps:
        code, stdout, err = run_cli(step, capsys, monkeypatch)
        assert code == 0, err
    raw = json.loads((tmp_path / "TSLA" / "bundle.json").read_text())
    assert raw["profile"] == {
        "ticker": "TSLA",
        "name": "Tesla, Inc.",
        "exchange": "NASDAQ",
        "currency": "USD",
    }
    # FY2021 from the statements (90-day lag); the TTMs from the 10-Q of 2022-03-31 (and its year-earlier base)
    # are kept, since they still end after FY2021
    assert [p["label"] for p in raw["financials"]["periods"]] == ["TTM", "FY2021", "TTM Mar 2021"]
    assert raw["earnings_call"]["transcript"] == "transcript.json"
    assert "OK TSLA as of 2022-06-30" in stdout


@pytest.mark.slow  # spawns a stockreport process
def test_subprocess_error_has_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text("{not json")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "import",
            "sec",
            str(bad),
            "--ticker",
            "AAPL",
            "--out",
            str(tmp_path / "b"),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "broken.json" in proc.stderr and "bad JSON" in proc.stderr
