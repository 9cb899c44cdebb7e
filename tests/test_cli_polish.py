"""The command line a user meets first: --version, readable help, the same model options on generate, batch
and record, each error printed once, and `record` writing where it is told (never into the package)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline import __version__
from pipeline.cli.app import command
from tests.support.cli import run_cli

REPO = Path(__file__).resolve().parents[1]
HK = REPO / "fixtures" / "bundles" / "HK_3896"
MODEL_OPTIONS = {
    "--model",
    "--base-url",
    "--temperature",
    "--reasoning-effort",
    "--timeout",
    "--max-tokens",
    "--max-transcript-tokens",
}


def _commands(cmd: object, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], object]]:
    out = [(path, cmd)]
    for name, sub in getattr(cmd, "commands", {}).items():
        out += _commands(sub, (*path, name))
    return out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["--version"], capsys)
    assert (code, out.strip(), err) == (0, f"stockreport {__version__}", "")


@pytest.mark.parametrize("path", [p for p, _ in _commands(command())], ids=" ".join)
def test_help_has_conventional_placeholders(
    capsys: pytest.CaptureFixture[str], path: tuple[str, ...]
) -> None:
    code, out, _ = run_cli([*path, "--help"], capsys)
    assert code == 0
    # typer's own placeholders are Python types in angle brackets: <bool>, <list[Path]>, <int range>
    assert re.findall(r"<(?:bool|str|int|float|path|list\[[^\]]*\]|[a-z]+ range)>", out, re.I) == []
    assert "{" not in out.split("\n", 3)[1]  # no "{bundle_dirs}..." in the usage line


def test_generate_batch_record_share_the_model_options() -> None:
    cmds = command().commands

    def options(name: str) -> dict[str, tuple[object, str | None]]:
        return {o: (p.default, p.help) for p in cmds[name].params for o in p.opts if o in MODEL_OPTIONS}

    generate = options("generate")
    assert set(generate) == MODEL_OPTIONS
    assert options("batch") == generate
    assert options("record") == generate


@pytest.mark.parametrize("args", [["generate", str(HK)], ["batch", str(HK)]])
def test_an_unknown_format_is_one_error_before_any_work(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str]
) -> None:
    code, out, err = run_cli([*args, "--out", str(tmp_path / "out"), "--format", "docx"], capsys)
    assert code == 2
    assert err.count("docx") == 1 and out == ""
    assert not (tmp_path / "out").exists()  # nothing ran, nothing was written


def test_a_failed_ticker_is_reported_once(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "BAD"
    bad.mkdir()
    (bad / "bundle.json").write_text("{}", encoding="utf-8")
    code, out, err = run_cli(["generate", str(bad), "--out", str(tmp_path / "out")], capsys)
    assert code == 1
    lines = [line for line in (out + err).splitlines() if "profile" in line]
    assert len(lines) == 1, out + err


def test_record_writes_under_the_working_directory_by_default(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    before = sorted((REPO / "fixtures" / "recorded").rglob("*"))
    code, out, err = run_cli(["record", str(HK)], capsys)
    assert code == 0, err
    written = sorted(p.name for p in (tmp_path / "recordings" / "offline" / "HK_3896").iterdir())
    assert "factors.json" in written and "summary.json" in written
    assert sorted((REPO / "fixtures" / "recorded").rglob("*")) == before
    code, out, err = run_cli(["record", str(HK), "--out", str(tmp_path / "elsewhere"), "--check"], capsys)
    assert code == 1 and "missing" in out  # --out is read by --check too
