"""Reading input files (bundle.json, transcripts, importer sources) with one-line, named errors.

One place for the size limit, missing / directory / permission errors, optional gunzip, the binary-content
check, UTF-8 (with or without BOM) decoding and JSON parsing, so every reader reports them the same way.
"""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path

from pipeline.errors import InputError, Problem


def fail(file: Path | str, message: str, field: str = "") -> InputError:
    """An InputError with a single problem (the CLI prints it as one line)."""
    return InputError([Problem(str(file), field, message)])


def read_bytes(path: Path, *, max_bytes: int, label: str | None = None, gunzip: bool = False) -> bytes:
    """The file's bytes (un-gzipped when `gunzip` and the file is gzip); refuse missing, huge or corrupt files."""
    name = label or str(path)
    try:
        if path.stat().st_size > max_bytes:
            raise fail(name, f"file is larger than {max_bytes} bytes")
        data = path.read_bytes()
    except FileNotFoundError:
        raise fail(name, "file not found") from None
    except IsADirectoryError:
        raise fail(name, "is a directory, expected a file") from None
    except PermissionError:
        raise fail(name, "permission denied") from None
    if gunzip and (path.suffix == ".gz" or data[:2] == b"\x1f\x8b"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise fail(name, f"not a readable gzip file ({exc})") from None
    return data


def decode_text(data: bytes, name: str, *, what: str | None = None) -> str:
    """UTF-8 text (a BOM is dropped); with `what`, NUL bytes are refused as 'not a <what> (binary content)'."""
    if what is not None and b"\x00" in data:
        raise fail(name, f"not a {what} (binary content)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(name, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def parse_json(text: str, name: str) -> object:
    """json.loads with the error position as the problem's field ('line 2 column 14: bad JSON: ...')."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(name, f"bad JSON: {exc.msg}", f"line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise fail(name, "bad JSON: nested too deeply") from None
