"""Compiled Jinja templates kept between processes: Jinja's bytecode cache in `<cache>/templates/`
(`user_cache.default_cache_dir`), for the templates shipped in the package.

A new process then loads each compiled template instead of compiling it again (report.html.j2 alone took
110-210 ms per process). Jinja keys each file by the template's name and stores the sha1 of its source, so
an edited template is compiled afresh, never served stale; the bytecode header names the Python version.
The bytecode is Python's marshal format, which runs when loaded, so the folder is used only when it is this
user's own and no one else can write to it; any other problem (no home, a read-only disk, a damaged file)
costs a compile, never a failure. Templates from a STOCKREPORT_PROMPTS folder are not cached (a user's own
files, edited between runs, and kept out of the cache folder).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import jinja2

from pipeline.user_cache import default_cache_dir

TEMPLATES_FOLDER = "templates"


class TemplateBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file-system bytecode cache that never fails a render: a file it cannot read, parse or write
    is a cache miss (the template is compiled as without a cache)."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - truncated or foreign file (EOFError, ValueError, ...): compile
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:  # read-only or full disk: this process compiled it, the next one will too
            pass


def _private_folder(path: Path) -> bool:
    """`path` exists or was made (0700), is a real folder owned by this user, and no one else can write it."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.lstat()
    except OSError:
        return False
    owner = getattr(os, "getuid", lambda: info.st_uid)()
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == owner
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def template_bytecode_cache() -> jinja2.BytecodeCache | None:
    """The bytecode cache for the package's templates, or None when the folder cannot be used safely."""
    folder = default_cache_dir() / TEMPLATES_FOLDER
    return TemplateBytecodeCache(str(folder)) if _private_folder(folder) else None
