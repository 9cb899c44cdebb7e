"""The output folder is shared ground: whoever can create entries in OUT must not be able to make a run write
anywhere else, and the next run's cleanup touches only what a dead run of ours provably left.

Through `stockreport generate` and `batch` (in process, real error printer), review findings 10 and 17:
- `OUT/.stockreport.lock` planted as a symlink, a hard link, a FIFO, a folder or another user's file: the run
  is refused with one line and the file it points at is unchanged;
- the cleanup removes staged files and unfinished manifests of dead runs of ours (marker, pid, signature)
  and leaves every user file alone, whatever its name.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hardening.support import BUNDLES
from tests.support.cli import run_cli

VICTIM_TEXT = "precious user data\n"


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("STOCKREPORT_OFFLINE_DELAY_S", "0")
    monkeypatch.delenv("STOCKREPORT_MODEL", raising=False)
    yield


def _commands(tmp_path: Path, out: Path) -> dict[str, list[str]]:
    src = tmp_path / "in"
    if not src.exists():
        shutil.copytree(BUNDLES / "HK_3896", src / "HK_3896")
    return {
        "generate": ["generate", str(src / "HK_3896"), "--out", str(out), "--no-cache"],
        "batch": ["batch", str(src), "--out", str(out), "--no-progress", "--no-cache", "--workers", "1"],
    }


def _dead_pid() -> int:
    """The pid of a process that has exited (reaped), as a killed run's would be."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


@pytest.mark.parametrize("command", ["generate", "batch"])
@pytest.mark.parametrize("plant", ["symlink", "hardlink", "fifo", "folder"])
def test_a_planted_lock_file_is_refused_and_nothing_outside_is_written(
    command: str, plant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text(VICTIM_TEXT)
    lock = out / ".stockreport.lock"
    if plant == "symlink":
        lock.symlink_to(victim)
    elif plant == "hardlink":
        os.link(victim, lock)
    elif plant == "fifo":
        os.mkfifo(lock)
    else:
        lock.mkdir()
    code, stdout, err = run_cli(_commands(tmp_path, out)[command], capsys)
    assert code == 1, (stdout, err)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: cannot lock the output folder"), err
    assert "refused" in lines[0] and "unexpected" not in err
    assert victim.read_text() == VICTIM_TEXT
    assert not (out / "HK_3896").exists() and not list(out.glob("batch-*.json"))  # nothing was run
    assert lock.is_symlink() or lock.exists()  # the planted entry is left for the user to judge


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_a_lock_file_of_another_user_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    lock = out / ".stockreport.lock"
    lock.write_text(VICTIM_TEXT)
    os.chown(lock, 65534, 65534)
    code, _, err = run_cli(_commands(tmp_path, out)["generate"], capsys)
    assert code == 1 and "belongs to another user (uid 65534)" in err, err
    assert lock.read_text() == VICTIM_TEXT


def test_a_lock_file_left_by_a_killed_run_of_ours_is_reused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The strict checks do not lock a user out of their own folder: a plain lock file a SIGKILLed run left
    (regular, one name, ours) is taken over, and removed at the end."""
    out = tmp_path / "out"
    out.mkdir()
    (out / ".stockreport.lock").write_text(json.dumps({"pid": _dead_pid(), "started": "x"}))
    code, _, err = run_cli(_commands(tmp_path, out)["generate"], capsys)
    assert code == 0, err
    assert not (out / ".stockreport.lock").exists() and (out / "HK_3896" / "report.json").is_file()


def _manifest(out: Path, name: str, **fields: object) -> Path:
    data = {
        "schema": "stockreport.batch-manifest/1",
        "writer": {"program": "stockreport", "pid": _dead_pid(), "host": socket.gethostname()},
        "id": name,
        "started_at": "2026-01-01T00:00:00+00:00",
        "finished_at": None,
        "remote": None,
        "tickers": {
            "X": {"status": "done", "model_calls": 3, "tokens": {"input": 10, "output": 2}, "cost_usd": 0.5}
        },
    }
    for key, value in fields.items():
        if key.startswith("writer_"):
            data["writer"][key.removeprefix("writer_")] = value  # type: ignore[index]
        else:
            data[key] = value
    path = out / f"batch-{name}.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("command", ["generate", "batch"])
def test_cleanup_removes_only_what_a_dead_run_of_ours_left(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    (out / "HK_3896" / "sub").mkdir(parents=True)
    (out / "my_notes").mkdir()
    (out / ".hidden").mkdir()
    dead, alive = _dead_pid(), os.getppid()
    ours = [  # staged by a dead run of ours: removed
        out / f".stockreport-staging-{dead}-batch-1.json.ab12cd34.tmp",
        out / "HK_3896" / f".stockreport-staging-{dead}-report.json.k3x9_a2b.tmp",
        out / "HK_3896" / f".stockreport-staging-{dead}-report.pdf.zz99aa00.tmp",
    ]
    render = out / "HK_3896" / f".stockreport-staging-{dead}-render.abcdefgh"
    users = [  # a user's files, whatever they look like: kept
        out / "my_notes" / ".draft.abcdefgh.tmp",
        out / "HK_3896" / ".report.json.k3x9_a2b.tmp",  # the old staging pattern, no marker
        out / ".render-abcdefgh",
        out / "HK_3896" / "sub" / f".stockreport-staging-{dead}-deep.abcdefgh.tmp",  # not a folder we manage
        out / ".hidden" / f".stockreport-staging-{dead}-x.abcdefgh.tmp",
        out / f".stockreport-staging-{alive}-live.json.abcdefgh.tmp",  # a running process's
        out / f".stockreport-staging-{dead}-name-without-random-part",
    ]
    for path in ours + users:
        path.write_text("x")
    render.mkdir()
    (render / "report.html").write_text("<p>")
    folded = _manifest(out, "20260101T000000Z-00001")
    kept = [
        out / "batch-keep-me.json",
        _manifest(out, "20260101T000000Z-00002", schema=None, writer={}),  # no signature (an older writer)
        _manifest(out, "20260101T000000Z-00003", writer_host="another-host"),
        _manifest(out, "20260101T000000Z-00004", writer_pid=alive),
        _manifest(out, "20260101T000000Z-00005", id="20260101T000000Z-99999"),  # id does not match the name
        _manifest(out, "20260101T000000Z-00006", remote={"batch_id": "b"}),  # resume state
    ]
    kept[0].write_text(json.dumps({"id": "mine", "started_at": "x", "finished_at": None, "tickers": {}}))

    code, _, err = run_cli(_commands(tmp_path, out)[command], capsys)
    assert code == 0, err
    assert [p for p in ours + [render] if p.exists()] == []
    assert [p for p in users + kept if not p.exists()] == []
    assert folded.exists() == (command == "generate")  # `generate` writes no manifest to fold it into
    assert (out / "my_notes" / ".draft.abcdefgh.tmp").read_text() == "x"
    if command == "batch":
        (manifest,) = [p for p in out.glob("batch-*.json") if p not in kept]
        data = json.loads(manifest.read_text())
        assert [e["id"] for e in data["interrupted"]] == ["20260101T000000Z-00001"]
        assert data["interrupted"][0]["model_calls"] == 3 and data["interrupted"][0]["cost_usd"] == 0.5
        assert data["schema"] == "stockreport.batch-manifest/1" and data["writer"]["pid"] == os.getpid()
