"""File-system helpers shared by every stage: atomic writes, staging names, folders and safe output paths.

Durability: a single file is synced before it is renamed into place (`atomic_write_many`). A report folder
is written whole into a staging folder, synced once (Linux `syncfs`: one journal commit for the folder,
where three `fsync`s cost three), and swapped with the old folder in one step (`renameat2`
RENAME_EXCHANGE), so a reader or a crash sees the old report or the new one, never a mix
(`atomic_write_folder`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import os
import re
import shutil
import stat
import sys
import tempfile
from pathlib import Path

from pipeline.errors import StockreportError, os_reason
from pipeline.redact import redact_bytes

# Every file or folder staged by a run carries this marker and the run's pid ('.stockreport-staging-4242-
# report.json.k3x9_a2b.tmp'), so the next run can tell what a dead run left (pipeline/outdir.py) from a
# user's own files, whatever they are called.
STAGING_MARKER = ".stockreport-staging-"
_STAGING_NAME = re.compile(r"^\.stockreport-staging-(\d{1,10})-.+\.[a-z0-9_]{8}(?:\.tmp)?$")

_WINDOWS_DEVICES = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}


def staging_prefix(name: str) -> str:
    """The prefix of a temp file or folder this process stages for `name` (mkstemp/mkdtemp add 8 chars)."""
    return f"{STAGING_MARKER}{os.getpid()}-{name}."


def staging_pid(name: str) -> int | None:
    """The pid in a staging name of ours, or None for any other name."""
    match = _STAGING_NAME.match(name)
    return int(match.group(1)) if match else None


def make_folder(path: Path, what: str = "folder") -> Path:
    """mkdir -p with one clear line when it cannot be done (a file in the way, no permission, read-only)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise StockreportError(
            f"{what} {path} is a file, not a folder; choose a folder (it is created if missing)"
        ) from None
    except NotADirectoryError:
        raise StockreportError(
            f"{what} {path} cannot be created: a part of that path is a file, not a folder"
        ) from None
    except OSError as exc:
        raise StockreportError(f"{what} {path} cannot be created: {os_reason(exc)}") from None
    if not path.is_dir():
        raise StockreportError(f"{what} {path} is not a folder")
    return path


def _stage(path: Path, data: bytes) -> Path:
    """Write `data` to a synced temp file beside `path`; the caller renames it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=staging_prefix(path.name), suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; reports and bundles are meant to be shared
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def atomic_write_many(files: dict[Path, bytes]) -> None:
    """Write several files all or nothing: every one is staged (a full disk fails here, before any old file
    is touched), then all are renamed into place. Raises StockreportError naming the file on OSError.

    Every file the tool writes passes here, so text is redacted here (`redact.redact_bytes`)."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            staged.append((_stage(path, redact_bytes(data)), path))
        for tmp, path in staged:
            os.replace(tmp, path)
    except OSError as exc:
        raise StockreportError(f"cannot write {path}: {os_reason(exc)}") from None
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)


@functools.cache
def _libc() -> ctypes.CDLL | None:
    """The C library, for the two Linux calls Python does not wrap (syncfs, renameat2); None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (both names always exist); False where the system cannot."""
    libc = _libc()
    call = getattr(libc, "renameat2", None)
    if call is None:
        return False
    if call(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # an old kernel or a file system without it: the caller writes file by file
    raise OSError(code, os.strerror(code), str(b))


def _sync_folder(folder: Path, names: list[str]) -> None:
    """Make the files in `folder` durable: one `syncfs` on Linux, else an fsync per file."""
    call = getattr(_libc(), "syncfs", None)
    fd = os.open(folder, os.O_RDONLY)
    try:
        if call is not None and call(fd) == 0:
            return
        for name in names:
            file_fd = os.open(folder / name, os.O_RDONLY)
            try:
                os.fsync(file_fd)
            finally:
                os.close(file_fd)
    finally:
        os.close(fd)


def atomic_write_folder(folder: Path, files: dict[str, bytes]) -> None:
    """Write `files` (name -> bytes) into `folder` all or nothing, with one sync for the folder.

    The new files, and hard links to every other file already in `folder` (an earlier report.pdf, a file of
    the user's), are written into a staging folder beside it, synced once, and swapped with `folder` in one
    rename; the old folder is then removed. A folder holding anything but plain files (a subfolder, a
    symlink), or a system without the swap, is written file by file instead (`atomic_write_many`).
    Text is redacted as by `atomic_write_many`. Raises StockreportError naming the folder on OSError."""
    parent = folder.parent
    make_folder(parent)
    try:
        staging = Path(tempfile.mkdtemp(dir=parent, prefix=staging_prefix(folder.name)))
    except OSError as exc:
        raise StockreportError(f"cannot write {folder}: {os_reason(exc)}") from None
    try:
        if _stage_folder(staging, folder, files) and _swap_in(staging, folder):
            return
    except OSError as exc:
        raise StockreportError(f"cannot write {folder}: {os_reason(exc)}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # the staged files, or the old report after the swap
    atomic_write_many({folder / name: data for name, data in files.items()})


def _stage_folder(staging: Path, folder: Path, files: dict[str, bytes]) -> bool:
    """Fill `staging` with the new files and links to the others; False when `folder` holds what a link
    cannot carry over."""
    for name, data in files.items():
        fd = os.open(staging / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(redact_bytes(data))
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        entries = []
    for entry in entries:
        if entry.name in files:
            continue
        if not entry.is_file(follow_symlinks=False):
            return False
        try:
            os.link(entry.path, staging / entry.name, follow_symlinks=False)
        except OSError:  # a file system without hard links, or a file we may not link
            return False
    try:  # mkdtemp makes 0700: the folder keeps the mode it had (reports are meant to be shared)
        mode = stat.S_IMODE(folder.stat().st_mode)
    except FileNotFoundError:
        mode = 0o755
    os.chmod(staging, mode)
    _sync_folder(staging, [*files, *(e.name for e in entries if e.name not in files)])
    return True


def _swap_in(staging: Path, folder: Path) -> bool:
    """Put `staging` where `folder` is, in one step; True when done (the old folder is then at `staging`)."""
    try:
        info = folder.lstat()
    except FileNotFoundError:
        try:
            os.rename(staging, folder)  # nothing there yet
            return True
        except OSError as exc:
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
            info = folder.lstat()  # made meanwhile: swap with it
    if not stat.S_ISDIR(info.st_mode):
        return False  # a symlink or a file in the way: the file-by-file path says what is wrong
    return _exchange(staging, folder)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write via a temp file in the same directory + rename, so readers never see half a file."""
    atomic_write_many({path: data})


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def ticker_dir_name(ticker: str) -> str:
    """'HK:3896' -> 'HK_3896'. Refuses anything that could name a path outside its parent."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", ticker)
    if (
        not name
        or name.strip(".") == ""
        or name.startswith(".")
        or "\x00" in ticker
        or name.split(".")[0].upper() in _WINDOWS_DEVICES
        or len(name) > 64
    ):
        raise StockreportError(f"ticker {ticker!r} cannot be used as an output folder name")
    return name


def output_dir_for(out_root: Path, ticker: str) -> Path:
    """The per-ticker folder under `out_root`, guaranteed to stay inside it."""
    root = out_root.resolve()
    target = (root / ticker_dir_name(ticker)).resolve()
    if target.parent != root:
        raise StockreportError(f"ticker {ticker!r} would write outside {out_root}")
    return target
