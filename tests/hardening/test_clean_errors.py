"""Ordinary bad input ends in one specific line with a hint, never in "unexpected ... please report it"
(review finding 16).

The class: OS, URL, JSON and decoding errors raised by user input (paths given on the command line or in
the environment, files a user can point us at or edit, server URLs) that no code turned into a
StockreportError, so they reached the handler meant for bugs. Each case below runs through the real entry
point (`stockreport ...` in process, with its error printer) and must exit 1 with one `error:` line (or the
batch's `failed` lines) that says what is wrong, and no traceback. The generic handler stays for real bugs:
the last test checks it still answers for one.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.hardening.model_server import ModelServer
from tests.hardening.support import BUNDLES
from tests.support.cli import run_cli

SEC = Path(__file__).resolve().parents[2] / "fixtures" / "data" / "sec" / "CIK0001318605.json.gz"
BIG = "1" * 5000  # more digits than Python converts (4,300) without a ValueError of its own


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for var in ("OPENAI_BASE_URL", "STOCKREPORT_MODEL", "STOCKREPORT_PRICES", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("STOCKREPORT_OFFLINE_DELAY_S", "0")
    monkeypatch.setenv("STOCKREPORT_CACHE", str(tmp_path / "cache"))
    yield


@pytest.fixture(scope="module")
def server() -> Iterator[ModelServer]:
    with ModelServer() as s:
        yield s


def _unwritable(tmp_path: Path) -> Path:
    """A folder this process cannot create entries in (root ignores permissions: sysfs refuses it too)."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return Path("/sys/stockreport-test-out")
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    return folder / "out"


def _big_int_bundle(tmp_path: Path) -> Path:
    bundle = tmp_path / "big" / "AAPL"
    shutil.copytree(BUNDLES / "AAPL", bundle)
    text = (bundle / "bundle.json").read_text()
    (bundle / "bundle.json").write_text(text.replace('"schema_version": 1', f'"schema_version": {BIG}', 1))
    return bundle


def _report(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "reports" / "report.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _a_file(tmp_path: Path) -> Path:
    path = tmp_path / "a-file"
    path.write_text("x")
    return path


Case = Callable[[Path, str], tuple[list[str], dict[str, str], str]]
STUB = ["--model", "openai-compatible:stub", "--timeout", "5"]

CASES: dict[str, Case] = {
    "generate --out is a file": lambda t, url: (
        ["generate", str(BUNDLES / "AAPL"), "--out", str(_a_file(t))],
        {},
        "the output folder (--out) {t}/a-file is a file, not a folder",
    ),
    "batch --out is a file": lambda t, url: (
        ["batch", str(BUNDLES), "--out", str(_a_file(t)), "--no-progress"],
        {},
        "the output folder (--out) {t}/a-file is a file, not a folder",
    ),
    "generate --out under a file": lambda t, url: (
        ["generate", str(BUNDLES / "AAPL"), "--out", str(_a_file(t) / "x")],
        {},
        "a part of that path is a file, not a folder",
    ),
    "generate --out unwritable": lambda t, url: (
        ["generate", str(BUNDLES / "AAPL"), "--out", str(_unwritable(t))],
        {},
        "cannot be created: ",
    ),
    "batch --out unwritable": lambda t, url: (
        ["batch", str(BUNDLES), "--out", str(_unwritable(t)), "--no-progress"],
        {},
        "cannot be created: ",
    ),
    "import sec --out unwritable": lambda t, url: (
        ["import", "sec", str(SEC), "--ticker", "TSLA", "--out", str(_unwritable(t) / "TSLA")],
        {},
        "cannot be created: ",
    ),
    "validate: integer of 5,000 digits": lambda t, url: (
        ["validate", str(_big_int_bundle(t))],
        {},
        "bad JSON: an integer of 5000 digits (more than 100; refused)",
    ),
    "metrics: integer of 5,000 digits": lambda t, url: (
        ["metrics", str(_big_int_bundle(t))],
        {},
        "an integer of 5000 digits",
    ),
    "generate: integer of 5,000 digits": lambda t, url: (
        ["generate", str(_big_int_bundle(t)), "--out", str(t / "out")],
        {},
        "an integer of 5000 digits",
    ),
    "batch: integer of 5,000 digits": lambda t, url: (
        ["batch", str(_big_int_bundle(t).parent), "--out", str(t / "out"), "--no-progress"],
        {},
        "an integer of 5000 digits",
    ),
    "import sec: integer of 5,000 digits": lambda t, url: (
        [
            "import",
            "sec",
            str(_sec_file(t, f'{{"cik": {BIG}, "facts": {{}}}}')),
            "--ticker",
            "X",
            "--out",
            str(t / "X"),
        ],
        {},
        "line 1 column 9: bad JSON: an integer of 5000 digits",
    ),
    "eval: integer of 5,000 digits": lambda t, url: (
        ["eval", str(_report(t, f'{{"a": {BIG}}}'.encode()))],
        {},
        "an integer of 5000 digits",
    ),
    "diff: report not UTF-8": lambda t, url: (
        ["diff", str(_report(t, b"\xff\xfe{")), str(_report(t, b"\xff\xfe{"))],
        {},
        "not UTF-8 text",
    ),
    "eval: report not UTF-8": lambda t, url: (["eval", str(_report(t, b"\xff\xfe{"))], {}, "not UTF-8 text"),
    "--base-url with an invalid port": lambda t, url: (
        [
            "generate",
            str(BUNDLES / "AAPL"),
            "--out",
            str(t / "out"),
            *STUB,
            "--base-url",
            "http://u:p@127.0.0.1:1:2/v1",
        ],
        {},
        "--base-url 'http://127.0.0.1:1:2/v1' is not a valid URL",
    ),
    "batch --base-url with an open bracket": lambda t, url: (
        [
            "batch",
            str(BUNDLES),
            "--out",
            str(t / "out"),
            "--no-progress",
            *STUB,
            "--base-url",
            "http://[::1/v1",
        ],
        {},
        "is not a valid URL",
    ),
    "--base-url without a scheme": lambda t, url: (
        [
            "generate",
            str(BUNDLES / "AAPL"),
            "--out",
            str(t / "out"),
            *STUB,
            "--base-url",
            "localhost:8000/v1",
        ],
        {},
        "must start with http:// or https://",
    ),
    "--base-url with port 99999": lambda t, url: (
        [
            "generate",
            str(BUNDLES / "AAPL"),
            "--out",
            str(t / "out"),
            *STUB,
            "--base-url",
            "http://127.0.0.1:99999/v1",
        ],
        {},
        "has port 99999, outside 1-65535",
    ),
    "OPENAI_BASE_URL with an invalid port": lambda t, url: (
        ["generate", str(BUNDLES / "AAPL"), "--out", str(t / "out"), "--model", "openai:gpt-5.2"],
        {"OPENAI_BASE_URL": "http://h:1:2/v1", "OPENAI_API_KEY": "sk-test-cleanerrors0123456789"},
        "OPENAI_BASE_URL 'http://h:1:2/v1' is not a valid URL",
    ),
    "answer cache folder is a file": lambda t, url: (
        [
            "generate",
            str(BUNDLES / "AAPL"),
            "--out",
            str(t / "out"),
            *STUB,
            "--base-url",
            url,
            "--cache-dir",
            str(_a_file(t)),
        ],
        {},
        "the answer cache folder {t}/a-file is a file, not a folder",
    ),
    "batch: answer cache under a file": lambda t, url: (
        ["batch", str(BUNDLES), "--out", str(t / "out"), "--no-progress", *STUB, "--base-url", url],
        {"STOCKREPORT_CACHE": str(_a_file(t) / "cache")},
        "the answer cache folder",
    ),
    "price table not UTF-8": lambda t, url: (
        ["generate", str(BUNDLES / "AAPL"), "--out", str(t / "out"), *STUB, "--base-url", url, "--no-cache"],
        {"STOCKREPORT_PRICES": str(_report(t, b"\xff{"))},
        "not UTF-8 text",
    ),
    "indicators --out is a folder": lambda t, url: (
        ["indicators", str(BUNDLES / "AAPL" / "prices.csv"), "--out", str(t)],
        {},
        "it is a folder, not a file",
    ),
}


def _sec_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "companyfacts.json"
    path.write_text(text)
    return path


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_one_specific_line(
    case: str,
    tmp_path: Path,
    server: ModelServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args, env, expected = CASES[case](tmp_path, server.base_url)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    code, out, err = run_cli(args, capsys)
    assert code == 1, (out, err)
    assert "unexpected" not in err and "please report" not in err and "Traceback" not in err + out, err
    lines = [ln for ln in err.splitlines() if ln.startswith(("error:", "failed "))]
    assert lines, err
    assert any(expected.format(t=tmp_path) in ln for ln in lines), lines
    if args[0] != "batch":
        assert len([ln for ln in err.splitlines() if ln.startswith("error:")]) == 1, err


def test_the_generic_handler_still_answers_for_a_bug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An OSError with no file behind it (or any other exception nobody expected) is still reported as a bug."""
    import pipeline.inputs as inputs

    def broken(*_: object) -> None:
        raise ConnectionResetError(104, "Connection reset by peer")

    monkeypatch.setattr(inputs, "load_bundle", broken)
    code, _, err = run_cli(["validate", str(BUNDLES / "AAPL")], capsys)
    assert code == 1
    assert err.strip() == (
        "error: unexpected ConnectionResetError: [Errno 104] Connection reset by peer "
        "(please report it; --verbose shows the traceback)"
    )
