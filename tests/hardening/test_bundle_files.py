"""Bundle files that lead elsewhere, and input errors that would quote what they lead to (review finding 12).

Through `stockreport validate`, `generate` and `batch` (in process, real error printer):
- a hard link is refused inside a bundle: it can name any file of the same file system and looks like any
  other file (docs/security.md);
- a symlink swapped between the inside-the-bundle check and the open is refused (the opened file is
  compared with what the path leads to);
- a file that is not what it should be is described, never quoted: a price file's header, a bundle.json
  that is some other JSON, an unknown key's value.
Each ends in `error:` lines, exit 1, and the secret in nothing printed or written.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hardening.support import BUNDLES, files_under
from tests.support.cli import run_cli

SECRET = "hunter2-SECRET-LINE"
NETRC = f"machine api.example.com login bob password {SECRET}\n"


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("STOCKREPORT_OFFLINE_DELAY_S", "0")
    monkeypatch.delenv("STOCKREPORT_MODEL", raising=False)
    yield


def _bundle(tmp_path: Path, name: str = "AAPL") -> Path:
    dst = tmp_path / "in" / name
    shutil.copytree(BUNDLES / name, dst)
    return dst


def _commands(tmp_path: Path, bundle: Path) -> dict[str, list[str]]:
    return {
        "validate": ["validate", str(bundle)],
        "generate": ["generate", str(bundle), "--out", str(tmp_path / "out"), "--no-cache"],
        "batch": [
            "batch",
            str(bundle.parent),
            "--out",
            str(tmp_path / "out"),
            "--no-progress",
            "--no-cache",
            "--workers",
            "1",
        ],
    }


def _assert_refused(code: int, out: str, err: str, tmp_path: Path, needle: str) -> list[str]:
    assert code == 1, (out, err)
    assert "Traceback" not in err and "unexpected" not in err
    lines = [ln for ln in err.splitlines() if ln.startswith(("error:", "failed "))]
    assert any(needle in ln for ln in lines), lines
    assert SECRET not in out + err
    written = (
        [p for p in files_under(tmp_path / "out") if SECRET.encode() in p.read_bytes()]
        if (tmp_path / "out").exists()
        else []
    )
    assert written == []
    return lines


def _set_transcript(bundle: Path, name: str) -> None:
    data = json.loads((bundle / "bundle.json").read_text())
    data["earnings_call"]["transcript"] = name
    (bundle / "bundle.json").write_text(json.dumps(data))


@pytest.mark.parametrize("command", ["validate", "generate", "batch"])
@pytest.mark.parametrize("which", ["prices.csv", "transcript", "bundle.json"])
def test_a_hard_link_out_of_the_bundle_is_refused(
    which: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "private" / "netrc"
    secret.parent.mkdir()
    secret.write_text(NETRC)
    bundle = _bundle(tmp_path, "AAPL" if which != "transcript" else "HK_3896")
    if which == "transcript":
        _set_transcript(bundle, "call.txt")
        os.link(secret, bundle / "call.txt")
    else:
        (bundle / which).unlink()
        os.link(secret, bundle / which)
    lines = _assert_refused(
        *run_cli(_commands(tmp_path, bundle)[command], capsys),
        tmp_path,
        "has 2 names (a hard link; refused in a bundle",
    )
    if command == "batch":
        (manifest,) = (tmp_path / "out").glob("batch-*.json")
        row = next(iter(json.loads(manifest.read_text())["tickers"].values()))
        assert row["status"] == "failed" and "hard link" in row["error"], lines
    assert secret.read_text() == NETRC


@pytest.mark.parametrize("command", ["validate", "batch"])
def test_a_price_header_is_described_not_quoted(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A regular file in the bundle that is not a price file (here a netrc): the header error says what
    the first line is like, and quotes nothing of it."""
    bundle = _bundle(tmp_path)
    (bundle / "prices.csv").write_text(NETRC + "2024-01-02,1,2,3\n")
    lines = _assert_refused(
        *run_cli(_commands(tmp_path, bundle)[command], capsys),
        tmp_path,
        "prices.csv: header: missing column(s) Date, Open, High, Low, Close, Volume",
    )
    assert any(
        "the first line has 1 field, none of them a known column; it does not look like a "
        "comma-separated price file" in ln
        for ln in lines
    ), lines
    assert not [ln for ln in lines if "machine" in ln or "api.example.com" in ln]


def test_a_partly_known_header_names_only_our_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = _bundle(tmp_path)
    (bundle / "prices.csv").write_text(f"Date,Close,{SECRET}\n2024-01-02,1,2\n")
    lines = _assert_refused(*run_cli(["validate", str(bundle)], capsys), tmp_path, "missing column(s) Open")
    assert any("the first line has 3 fields, of them Date, Close)" in ln for ln in lines), lines


@pytest.mark.parametrize(
    "content",
    [
        {"auths": {"registry.example": {"auth": SECRET}}, "credsStore": "desktop"},  # a docker config.json
        [SECRET, {"token": SECRET}],
        SECRET,
    ],
)
def test_a_bundle_json_that_is_other_json_is_described_not_quoted(
    content: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = _bundle(tmp_path)
    (bundle / "bundle.json").write_text(json.dumps(content))
    for command in ("validate", "batch"):
        lines = _assert_refused(
            *run_cli(_commands(tmp_path, bundle)[command], capsys),
            tmp_path,
            "bundle.json: not a stockreport bundle: a JSON ",
        )
        assert len([ln for ln in lines if "bundle.json" in ln]) == 1, lines


def test_an_unknown_key_is_named_and_its_value_is_not_echoed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = _bundle(tmp_path)
    data = json.loads((bundle / "bundle.json").read_text())
    data["api_password"] = SECRET
    data["k" * 500] = 1
    (bundle / "bundle.json").write_text(json.dumps(data))
    lines = _assert_refused(
        *run_cli(["validate", str(bundle)], capsys),
        tmp_path,
        "bundle.json: api_password: Extra inputs are not permitted",
    )
    assert all(len(ln) < 400 for ln in lines), lines  # a 500-character key is shortened


def _swap_on_open(
    monkeypatch: pytest.MonkeyPatch, target: Path, before: Callable[[], None], after: Callable[[], None]
) -> list[int]:
    """Run `before` just before `target` is opened and `after` just after: an attacker winning the race
    between the check and the use. Returns a list that counts the opens."""
    real_open = os.open
    seen: list[int] = []

    def racing_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if Path(path) == target:
            seen.append(1)
            before()
            try:
                return real_open(path, flags, *args, **kwargs)
            finally:
                after()
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", racing_open)
    return seen


@pytest.mark.parametrize("race", ["swapped before the open", "swapped for the open only"])
@pytest.mark.parametrize("command", ["validate", "generate"])
def test_a_symlink_swapped_between_check_and_open_is_refused(
    race: str,
    command: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    secret = tmp_path / "private" / "netrc"
    secret.parent.mkdir()
    secret.write_text(NETRC)
    bundle = _bundle(tmp_path)
    (bundle / "real-prices.csv").write_bytes((BUNDLES / "AAPL" / "prices.csv").read_bytes())
    link = bundle / "prices.csv"
    link.unlink()
    link.symlink_to("real-prices.csv")  # inside the bundle: allowed

    def point_outside() -> None:
        link.unlink()
        link.symlink_to(secret)

    def point_inside() -> None:
        link.unlink()
        link.symlink_to("real-prices.csv")

    after = point_inside if race == "swapped for the open only" else (lambda: None)
    opens = _swap_on_open(monkeypatch, link, point_outside, after)
    lines = _assert_refused(*run_cli(_commands(tmp_path, bundle)[command], capsys), tmp_path, "prices.csv: ")
    why = (
        "is a link to a file outside the bundle folder (refused)"
        if race == "swapped before the open"
        else "changed while it was being opened (refused)"
    )
    assert any(f"prices.csv: {why}" in ln for ln in lines), lines
    assert opens
