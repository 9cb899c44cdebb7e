"""The output folder: one writer at a time, and the leftovers of a killed run cleared by the next one.

- `claim(out)`: an exclusive `flock` on `OUT/.stockreport.lock` for the whole run. A second writer is
  refused with a clear error naming the holder's pid, or waits for it (`--wait`). The kernel drops the lock
  when its holder dies, even by SIGKILL, so a crash never leaves a stale lock behind.
  OUT may be shared, or unpacked from an archive, so whoever can create entries there must not be able to
  make a run write elsewhere: the lock file is opened with O_NOFOLLOW (a symlink is refused, never
  followed) and must be a regular file with one name (no hard link to another file), owned by this user;
  anything else is refused before a byte is written.
- Under the lock nobody else writes to OUT, so what a dead run left there is garbage, but only what a run
  of ours provably wrote is touched; a user's files are never matched by their name pattern alone:
  - staged files and render folders (`files.staging_prefix`: '.stockreport-staging-<pid>-...') whose pid
    is no longer running, in OUT itself and in its ticker folders (names a ticker folder can have), never
    deeper and never through a symlink;
  - unfinished manifests that carry our writer signature (`batch.manifest.abandoned`: schema, program,
    this host, and the pid of a run that is no longer running): `batch.manifest.interrupted_manifests` folds their
    accounting into the new run's manifest and removes them. Manifests of remote (OpenAI Batch) runs are
    kept: they are the state `--resume-remote` needs.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import StockreportError, os_reason
from pipeline.files import make_folder, staging_pid, ticker_dir_name

LOCK_FILE = ".stockreport.lock"

log = logging.getLogger(__name__)

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks here; runs are not guarded
    fcntl = None  # type: ignore[assignment]


def _holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return f"pid {info.get('pid')}, started {info.get('started')}"
    except (OSError, ValueError, AttributeError):
        return "pid unknown"


def _refused(path: Path, why: str) -> StockreportError:
    return StockreportError(
        f"cannot lock the output folder {path.parent}: {path.name} {why} (refused: a run writes its pid into "
        f"that file); if no stockreport run is using the folder, remove {path} and run again"
    )


def _check_lock_file(fd: int, path: Path) -> None:
    """The opened lock file is ours to write: a regular file, one name, this user's."""
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise _refused(path, "is not a regular file")
    if info.st_nlink != 1:
        raise _refused(path, f"has {info.st_nlink} names (a hard link to another file)")
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        raise _refused(path, f"belongs to another user (uid {info.st_uid})")


def _open_locked(path: Path, out_root: Path, wait: bool) -> int:
    """An fd of `path` holding its exclusive lock. The file is removed when a run ends, so a lock taken on a
    file that was just removed is retried on the new one (the usual lock-file race)."""
    flags = (
        os.O_RDWR
        | os.O_CREAT
        | getattr(os, "O_NOFOLLOW", 0)
        | getattr(os, "O_CLOEXEC", 0)
        | getattr(os, "O_NONBLOCK", 0)
    )  # O_NONBLOCK: a FIFO planted there cannot hang the open
    while True:
        try:
            fd = os.open(path, flags, 0o600)
        except OSError as exc:
            if exc.errno == errno.ELOOP or path.is_symlink():
                raise _refused(path, "is a symbolic link") from None
            if exc.errno in (errno.EISDIR, errno.ENXIO):
                raise _refused(path, "is not a regular file") from None
            raise StockreportError(f"cannot lock the output folder {out_root}: {os_reason(exc)}") from None
        try:
            _check_lock_file(fd, path)
            if fcntl is None:  # pragma: no cover
                return fd
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder(fd)
                if not wait:
                    raise StockreportError(
                        f"{out_root} is in use by another stockreport run ({holder}); wait for it to finish, "
                        "pass --wait to queue behind it, or choose another --out"
                    ) from None
                log.warning(
                    "%s is in use by another stockreport run (%s); waiting for it (--wait)", out_root, holder
                )
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError as exc:  # e.g. a network file system without locks
                raise StockreportError(
                    f"cannot lock the output folder {out_root}: {os_reason(exc)}"
                ) from None
            try:
                now, held = os.lstat(path), os.fstat(fd)
                same = (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)
            except FileNotFoundError:
                same = False
        except BaseException:
            os.close(fd)
            raise
        if same:
            return fd
        os.close(fd)


@contextmanager
def claim(out_root: Path, *, wait: bool = False) -> Iterator[None]:
    """Hold OUT for this run (see the module doc); on entry, clear the staging leftovers of dead runs.

    The lock file is removed at the end, so a finished run leaves nothing of its own in OUT."""
    make_folder(out_root, "the output folder (--out)")
    path = out_root / LOCK_FILE
    fd = _open_locked(path, out_root, wait)
    try:
        started = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "started": started}).encode(), 0)
        remove_staging_leftovers(out_root)
        yield
    finally:
        path.unlink(missing_ok=True)  # still holding the lock: a waiter retries on a fresh file
        os.close(fd)  # releases the lock


def run_is_gone(pid: object) -> bool:
    """Whether `pid` is provably not a running process (no such process). Our own pid, a pid of another
    user's process, or anything that is not a pid counts as running: then nothing of it is touched."""
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):
        return False
    return _zombie(pid)


def _zombie(pid: int) -> bool:
    """A process that has exited but is not reaped yet (its parent died too, and whoever adopted it has not
    collected it): it still answers kill(pid, 0), but writes nothing any more. Linux /proc only."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    state = stat_line.rpartition(")")[2].split()[:1]
    return state in (["Z"], ["X"])


def _managed_folders(out_root: Path) -> list[Path]:
    """OUT and its ticker folders (a name `files.ticker_dir_name` would produce), never through a symlink."""
    folders = [out_root]
    with os.scandir(out_root) as entries:
        for entry in entries:
            if not entry.is_dir(follow_symlinks=False):
                continue
            try:
                managed = ticker_dir_name(entry.name) == entry.name
            except StockreportError:
                managed = False
            if managed:
                folders.append(Path(entry.path))
    return folders


def remove_staging_leftovers(out_root: Path) -> list[Path]:
    """Staged files and render folders of dead runs of ours (call under `claim`; see the module doc)."""
    removed: list[Path] = []
    for folder in _managed_folders(out_root):
        with os.scandir(folder) as entries:
            for entry in entries:
                if not run_is_gone(staging_pid(entry.name)):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                elif entry.is_file(follow_symlinks=False):
                    Path(entry.path).unlink(missing_ok=True)
                else:
                    continue
                removed.append(Path(entry.path))
    return removed
