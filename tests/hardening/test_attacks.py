"""The attacks of the second outside pass, each through the entry point a user runs (`stockreport validate`,
`generate`, `batch`, `import sec`), in process with the real error printer (tests/support/cli.py).

Each must end in clean `error:` lines and exit 1 (or a correct report), with nothing secret or foreign in
any line printed or any file written: the secret below sits in a file outside the bundle, where a symlink
or a path in bundle.json points, and (for the redaction cases) in the environment as an API key.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hardening.support import BUNDLES, files_under
from tests.support.cli import run_cli

KEY = "sk-test-ATTACKATTACKATTACK0123456789"
OUTSIDE_SECRET = "root:$6$OUTSIDE-SECRET-LINE:19000:0:99999:7:::"  # shaped like an /etc/shadow line
NEEDLES = (KEY, "ATTACKATTACK", "OUTSIDE-SECRET")


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for var in ("OPENAI_BASE_URL", "STOCKREPORT_MODEL", "STOCKREPORT_CACHE", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("STOCKREPORT_OFFLINE_DELAY_S", "0")

    def hang(*_: object) -> None:  # a FIFO or device read that blocks fails the test instead of hanging it
        raise TimeoutError("the command hung")

    old = signal.signal(signal.SIGALRM, hang)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "private" / "keys.txt"
    path.parent.mkdir()
    path.write_text(f"{OUTSIDE_SECRET}\nOPENAI_API_KEY={KEY}\n")
    return path


def _bundle(tmp_path: Path, name: str = "HK_3896") -> Path:
    dst = tmp_path / "in" / name
    shutil.copytree(BUNDLES / name, dst)
    return dst


def _set_transcript(bundle: Path, name: str) -> None:
    data = json.loads((bundle / "bundle.json").read_text())
    data["earnings_call"]["transcript"] = name
    (bundle / "bundle.json").write_text(json.dumps(data))


def _assert_clean(code: int, out: str, err: str, root: Path) -> list[str]:
    """Exit 1, `error:` lines and no traceback, nothing secret printed or written under `root`; returns the
    error lines."""
    assert code == 1, (out, err)
    lines = [
        ln for ln in err.splitlines() if ln.startswith(("error:", "failed "))
    ]  # batch: 'failed TICKER: why'
    assert lines, err
    assert "Traceback" not in err + out
    leaks = [n for n in NEEDLES if n in out or n in err]
    for path in files_under(root):
        if "private" not in path.parts and "in" not in path.parts and not path.is_symlink():  # outputs only
            data = path.read_bytes()
            leaks += [f"{path}: {n}" for n in NEEDLES if n.encode() in data]
    assert leaks == []
    return lines


def _manifest(out: Path) -> dict:
    files = list(out.glob("batch-*.json"))
    assert len(files) == 1, files
    return json.loads(files[0].read_text())


# --- Leaks -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["validate", "generate", "batch"])
def test_prices_symlink_out_of_the_bundle_is_refused(
    command: str, tmp_path: Path, secret_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = _bundle(tmp_path, "AAPL")
    (bundle / "prices.csv").unlink()
    (bundle / "prices.csv").symlink_to(secret_file)
    args = {
        "validate": ["validate", str(bundle)],
        "generate": ["generate", str(bundle), "--out", str(tmp_path / "out")],
        "batch": [
            "batch",
            str(tmp_path / "in"),
            "--out",
            str(tmp_path / "out"),
            "--workers",
            "1",
            "--no-progress",
        ],
    }[command]
    lines = _assert_clean(*run_cli(args, capsys), tmp_path)
    assert any("prices.csv: is a link to a file outside the bundle folder" in ln for ln in lines), lines
    if command == "batch":
        entry = _manifest(tmp_path / "out")["tickers"]["AAPL"]
        assert entry["status"] == "failed" and "outside the bundle folder" in entry["error"]


def test_input_error_lines_are_redacted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A bundle field whose value is the API key: the validation error quotes the value, and the line printed
    and the manifest row both go through the redactor."""
    bundle = _bundle(tmp_path, "AAPL")
    data = json.loads((bundle / "bundle.json").read_text())
    data["as_of"] = KEY
    (bundle / "bundle.json").write_text(json.dumps(data))
    for args in (
        ["validate", str(bundle)],
        ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--workers", "1", "--no-progress"],
    ):
        lines = _assert_clean(*run_cli(args, capsys), tmp_path)
        assert any("as_of: " in ln and "[redacted]" in ln for ln in lines), lines
    assert "[redacted]" in _manifest(tmp_path / "out")["tickers"]["AAPL"]["error"]


@pytest.mark.parametrize("target", ["outside file", "/etc/passwd"])
def test_transcript_symlink_out_of_the_bundle_is_refused(
    target: str, tmp_path: Path, secret_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = _bundle(tmp_path)
    (bundle / "call.txt").symlink_to(secret_file if target == "outside file" else Path("/etc/passwd"))
    _set_transcript(bundle, "call.txt")
    for args in (["validate", str(bundle)], ["generate", str(bundle), "--out", str(tmp_path / "out")]):
        lines = _assert_clean(*run_cli(args, capsys), tmp_path)
        assert any(
            "earnings_call.transcript: is a link to a file outside the bundle folder" in ln for ln in lines
        ), lines
    assert files_under(tmp_path / "out") == []


def test_transcript_size_cap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 6 MB transcript (the cap is 5 MB) is refused before it is read, not sent to the model."""
    bundle = _bundle(tmp_path)
    (bundle / "call.txt").write_text("CEO: Revenue grew 24%.\n" * 270_000)
    _set_transcript(bundle, "call.txt")
    start = time.perf_counter()
    lines = _assert_clean(
        *run_cli(["generate", str(bundle), "--out", str(tmp_path / "out")], capsys), tmp_path
    )
    assert any("file is larger than 5242880 bytes" in ln for ln in lines), lines
    assert time.perf_counter() - start < 10


# --- Crashes and hangs -------------------------------------------------------------------------------------


def _special(kind: str, path: Path) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero"])
@pytest.mark.parametrize("command", ["validate", "generate", "batch"])
def test_transcript_device_or_fifo(
    kind: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = _bundle(tmp_path)
    _special(kind, bundle / "call.txt")
    _set_transcript(bundle, "call.txt")
    args = {
        "validate": ["validate", str(bundle)],
        "generate": ["generate", str(bundle), "--out", str(tmp_path / "out")],
        "batch": [
            "batch",
            str(tmp_path / "in"),
            "--out",
            str(tmp_path / "out"),
            "--workers",
            "1",
            "--no-progress",
        ],
    }[command]
    lines = _assert_clean(*run_cli(args, capsys), tmp_path)
    why = "outside the bundle folder" if kind == "/dev/zero" else "not a regular file"
    assert any(why in ln for ln in lines), lines


@pytest.mark.parametrize("command", ["validate", "generate", "batch"])
def test_bundle_json_is_dev_zero(command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """/dev/zero reports size 0, so a size check alone lets it through: the regular-file rule refuses it
    (as root the test makes a device node inside the bundle, so only that rule can refuse it)."""
    bundle = tmp_path / "in" / "ZERO"
    bundle.mkdir(parents=True)
    if os.geteuid() == 0:  # a character device node like /dev/zero, inside the bundle folder
        os.mknod(bundle / "bundle.json", 0o600 | stat.S_IFCHR, os.makedev(1, 5))
    else:
        (bundle / "bundle.json").symlink_to("/dev/zero")
    args = {
        "validate": ["validate", str(bundle)],
        "generate": ["generate", str(bundle), "--out", str(tmp_path / "out")],
        "batch": ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--no-progress"],
    }[command]
    lines = _assert_clean(*run_cli(args, capsys), tmp_path)
    assert any(
        "bundle.json: is not a regular file" in ln or "outside the bundle folder" in ln for ln in lines
    )


@pytest.mark.parametrize("depth", [70, 1_500, 100_000])
def test_deep_json_fails_its_ticker_only(
    depth: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Deeply nested JSON (inside a field, so it is valid JSON) fails its own ticker with one line; the
    rest of the batch runs and the manifest is written."""
    _bundle(tmp_path, "AAPL")
    deep = _bundle(tmp_path, "HK_3896")
    data = json.loads((deep / "bundle.json").read_text())
    text = json.dumps(data)[:-1] + ', "extra": ' + "[" * depth + "]" * depth + "}"
    (deep / "bundle.json").write_text(text)
    code, out, err = run_cli(
        ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--workers", "1", "--no-progress"],
        capsys,
    )
    assert code == 1 and "Traceback" not in err
    manifest = _manifest(tmp_path / "out")
    rows = manifest["tickers"]
    assert manifest["finished_at"] and rows["AAPL"]["status"] == "done"
    failed = [r for r in rows.values() if r["status"] == "failed"]
    assert len(failed) == 1 and "nested deeper than 64 levels" in failed[0]["error"]


def _bytes_read() -> int:
    """Bytes this process has read through read(2) so far (Linux /proc/self/io), 0 where unknown."""
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("rchar:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def test_huge_bundle_json_is_refused_before_parsing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 227 MB bundle.json (sparse: it costs no disk) is refused on its size, without being read."""
    _bundle(tmp_path, "AAPL")
    big = tmp_path / "in" / "BIG"
    big.mkdir()
    with (big / "bundle.json").open("wb") as fh:
        fh.write(b'{"profile": {"ticker": "BIG"}, "pad": "')
        fh.truncate(227 * 1024 * 1024)
    for args in (
        ["validate", str(big)],
        ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--workers", "1", "--no-progress"],
    ):
        start, read_before = time.perf_counter(), _bytes_read()
        lines = _assert_clean(*run_cli(args, capsys), tmp_path)
        assert time.perf_counter() - start < 15  # parsing 227 MB took 38 s and 2.8 GB before
        assert _bytes_read() - read_before < 50 * 1024 * 1024  # the file was not read (it is 227 MB)
        assert any("bundle.json: file is larger than 20971520 bytes" in ln for ln in lines), lines
    assert _manifest(tmp_path / "out")["tickers"]["AAPL"]["status"] == "done"


def test_gzip_bomb_is_cut_at_the_unpacked_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`import sec` of a gzip that unpacks far past the cap stops at the cap (here lowered to 1 MB so the
    bomb is small: 64 MB of zeros in a 64 KB file; the cap logic is the same at 200 MB)."""
    import pipeline.inputs.importers.common as common

    monkeypatch.setattr(common, "MAX_SOURCE_BYTES", 1024 * 1024)
    bomb = tmp_path / "CIK0000000001.json.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as fh:
        fh.write(b'{"facts": {"pad": "')
        for _ in range(64):
            fh.write(b"0" * (1024 * 1024))
    assert bomb.stat().st_size < 200_000
    lines = _assert_clean(
        *run_cli(["import", "sec", str(bomb), "--ticker", "BOMB", "--out", str(tmp_path / "bundle")], capsys),
        tmp_path,
    )
    assert any("unpacks to more than 1048576 bytes" in ln for ln in lines), lines
    assert not (tmp_path / "bundle").exists()


def test_unexpected_error_is_one_redacted_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug (any exception the code does not expect) prints one redacted line, not a traceback."""
    import pipeline.inputs

    def boom(_: Path) -> None:
        raise RuntimeError(f"internal state with {KEY} and\nmore lines")

    monkeypatch.setattr(pipeline.inputs, "load_bundle", boom)
    code, out, err = run_cli(["validate", str(BUNDLES / "AAPL")], capsys)
    lines = _assert_clean(code, out, err, tmp_path)
    assert len(lines) == 1 and lines[0].startswith(
        "error: unexpected RuntimeError: internal state with [redacted]"
    )
