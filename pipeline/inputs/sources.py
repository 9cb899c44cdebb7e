"""Reading input files (bundle.json, price files, transcripts, importer sources) with one-line, named errors.

One place for every rule an input file must pass before its bytes are trusted, so every reader applies
them the same way:
- a regular file only: a device (/dev/zero reports size 0), a FIFO (an open would block) or a socket is
  refused before a byte is read;
- inside its folder when the caller names one (`inside`): a symlink leading out of a bundle is refused, so a
  `prices.csv -> ~/.config/keys` cannot echo a secret into an error line or send it to the model. The check
  is made on the file actually opened, not only on the name: after the open, the path is resolved again
  and must lead, inside the folder, to the very file held open (same device and inode), so a link swapped
  between the check and the open is refused too. A file with more than one name (a hard link, which can
  lead anywhere on the same file system and looks like any other file) is refused inside a bundle: copy it
  in instead (docs/security.md);
- a size cap checked before reading and again while reading (a file that grows, or lies about its size,
  is cut at cap + 1 bytes and refused), and after gunzip (a 4 MB gzip that unpacks to 4 GiB is refused
  once the cap is passed, without unpacking the rest);
- UTF-8 (with or without BOM) decoding, an optional binary-content check, JSON parsing with the error
  position, and a nesting-depth limit (deep JSON cannot crash a later stage with RecursionError).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import stat
import zlib
from pathlib import Path

from pipeline.errors import NO_VALUE, InputError, Problem

# No input we read nests deeper than ~8 levels (SEC companyfacts is the deepest); 64 leaves room.
MAX_JSON_DEPTH = 64
# No figure we read has more than ~20 digits (SEC amounts in dollars); Python refuses to convert more than
# 4,300 with a ValueError of its own, so the bound is ours, with our message.
MAX_INT_DIGITS = 100
# A report.json read back (resume, --section, diff, eval): ours are well under 1 MB.
MAX_REPORT_BYTES = 64 * 1024 * 1024


def fail(file: Path | str, message: str, field: str = "") -> InputError:
    """An InputError with a single problem (the CLI prints it as one line)."""
    return InputError([Problem(str(file), field, message, NO_VALUE)])


def _leaves(path: Path, inside: Path) -> bool:
    """Whether `path` (symlinks followed) resolves outside the folder `inside`."""
    root = inside.resolve()
    real = path.resolve()
    return real != root and root not in real.parents


def _check_opened(info: os.stat_result, path: Path, inside: Path, name: str) -> None:
    """The file held open is the one `path` leads to inside `inside` now, and has a single name."""
    if _leaves(path, inside):
        raise fail(name, "is a link to a file outside the bundle folder (refused)")
    try:
        now = os.stat(path.resolve())
    except OSError:
        now = None
    if now is None or (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
        raise fail(name, "changed while it was being opened (refused)")
    if info.st_nlink > 1:
        raise fail(
            name,
            f"has {info.st_nlink} names (a hard link; refused in a bundle: copy the file "
            "into the bundle folder instead)",
        )


def _read_capped(fd: int, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    left = max_bytes + 1  # one byte over the cap tells a file that grew past it
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _gunzip(data: bytes, name: str, max_bytes: int) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as unpacked:
            out = unpacked.read(max_bytes + 1)  # bounded: a gzip bomb stops here
    except (OSError, EOFError, zlib.error) as exc:
        raise fail(name, f"not a readable gzip file ({exc})") from None
    if len(out) > max_bytes:
        raise fail(name, f"unpacks to more than {max_bytes} bytes (refused)")
    return out


def read_bytes(
    path: Path, *, max_bytes: int, label: str | None = None, gunzip: bool = False, inside: Path | None = None
) -> bytes:
    """The bytes of a regular file, at most `max_bytes` (also after un-gzipping, when `gunzip` and the file
    is gzip). With `inside`, the file opened must be the one the path leads to inside that folder, with one
    name. Everything else is one InputError."""
    name = label or str(path)
    if inside is not None and _leaves(path, inside):
        raise fail(name, "is a link to a file outside the bundle folder (refused)")
    try:
        # O_NONBLOCK: opening a FIFO with no writer would block forever; it is refused by fstat below.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise fail(name, "file not found") from None
    except IsADirectoryError:
        raise fail(name, "is a directory, expected a file") from None
    except PermissionError:
        raise fail(name, "permission denied") from None
    except OSError as exc:
        raise fail(name, f"cannot be read ({exc.strerror or type(exc).__name__})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise fail(name, "is a directory, expected a file")
        if not stat.S_ISREG(info.st_mode):
            raise fail(name, "is not a regular file (a device, FIFO or socket; refused)")
        if inside is not None:
            _check_opened(info, path, inside, name)
        if info.st_size > max_bytes:
            raise fail(name, f"file is larger than {max_bytes} bytes")
        try:
            data = _read_capped(fd, max_bytes)
        except OSError as exc:
            raise fail(name, f"cannot be read ({exc.strerror or type(exc).__name__})") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise fail(name, f"file is larger than {max_bytes} bytes")
    if gunzip and (path.suffix == ".gz" or data[:2] == b"\x1f\x8b"):
        data = _gunzip(data, name, max_bytes)
    return data


def decode_text(data: bytes, name: str, *, what: str | None = None) -> str:
    """UTF-8 text (a BOM is dropped); with `what`, NUL bytes are refused as 'not a <what> (binary content)'."""
    if what is not None and b"\x00" in data:
        raise fail(name, f"not a {what} (binary content)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(name, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def json_depth_exceeds(value: object, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether parsed JSON nests deeper than `limit` (iterative: no recursion of its own)."""
    level: list[object] = [value]
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        nxt: list[object] = []
        for node in level:
            if isinstance(node, dict):
                nxt += [v for v in node.values() if isinstance(v, dict | list)]
            elif isinstance(node, list):
                nxt += [v for v in node if isinstance(v, dict | list)]
        level = nxt
    return False


class _LongInteger(ValueError):
    pass


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise _LongInteger(digits)
    return int(digits)


def _position(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    return f"line {line} column {index - (text.rfind(chr(10), 0, index) + 1) + 1}"


def parse_json(text: str, name: str) -> object:
    """json.loads with the error position as the problem's field ('line 2 column 14: bad JSON: ...'), a
    nesting limit (MAX_JSON_DEPTH) and an integer length limit (MAX_INT_DIGITS)."""
    try:
        value = json.loads(text, parse_int=_bounded_int)
    except json.JSONDecodeError as exc:
        raise fail(name, f"bad JSON: {exc.msg}", f"line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise fail(name, f"bad JSON: nested deeper than {MAX_JSON_DEPTH} levels") from None
    except _LongInteger as exc:
        digits = str(exc.args[0])
        raise fail(
            name,
            f"bad JSON: an integer of {len(digits.lstrip('-'))} digits (more than {MAX_INT_DIGITS}; refused)",
            _position(text, text.find(digits)),
        ) from None
    if json_depth_exceeds(value):
        raise fail(name, f"bad JSON: nested deeper than {MAX_JSON_DEPTH} levels")
    return value


def read_json_file(
    path: Path, *, max_bytes: int, label: str | None = None, inside: Path | None = None
) -> object:
    """A JSON file read with every rule above (regular file, size cap, UTF-8, bounded nesting and integers):
    the one way to read a JSON file a user can point us at or edit (reports, recordings, manifests, price
    tables), so each problem is one InputError line."""
    name = label or str(path)
    return parse_json(
        decode_text(read_bytes(path, max_bytes=max_bytes, label=name, inside=inside), name), name
    )
