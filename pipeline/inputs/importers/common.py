"""Helpers shared by the importers: reading source files with one-line errors, fiscal-year labels."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import zlib
from pathlib import Path

import pandas as pd

from pipeline.errors import InputError, Problem

MAX_SOURCE_BYTES = 200 * 1024 * 1024


def fail(file: Path | str, message: str, field: str = "") -> InputError:
    """An InputError with a single problem (the CLI prints it as one line)."""
    return InputError([Problem(str(file), field, message)])


def read_source_bytes(path: Path) -> bytes:
    """Read a source file, transparently un-gzipping `*.gz`; refuse missing, huge or corrupt files."""
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            raise fail(path, f"file is larger than {MAX_SOURCE_BYTES} bytes")
        data = path.read_bytes()
    except FileNotFoundError:
        raise fail(path, "file not found") from None
    except IsADirectoryError:
        raise fail(path, "is a directory, expected a file") from None
    except PermissionError:
        raise fail(path, "permission denied") from None
    if path.suffix == ".gz" or data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise fail(path, f"not a readable gzip file ({exc})") from None
    return data


def read_json_source(path: Path) -> object:
    """Parse a JSON (or JSON.gz) source file with a one-line error on failure."""
    data = read_source_bytes(path)
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise fail(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise fail(path, f"bad JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise fail(path, "bad JSON: nested too deeply") from None


def read_csv_source(path: Path, **kwargs: object) -> pd.DataFrame:
    """Read a CSV (or CSV.gz) as strings; one-line error for anything pandas cannot parse."""
    import io

    data = read_source_bytes(path)
    if b"\x00" in data[:4096]:
        raise fail(path, "not a text CSV file (binary content)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, **kwargs)  # type: ignore[call-overload]
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise fail(path, f"not a readable CSV file: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") \
            from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def fiscal_year_of(end: dt.date) -> int:
    """Fiscal-year label of a period ending on `end`: the calendar year of the end date.

    So Apple's year ending 2023-09-30 is FY2023 and NVIDIA's year ending 2024-01-28 is FY2024 (both
    match the companies' own names). Exception: a 52/53-week year ending in the first 7 days of January
    belongs to the previous calendar year (e.g. 2022-01-01 -> FY2021).
    """
    if end.month == 1 and end.day <= 7:
        return end.year - 1
    return end.year


def parse_date_option(value: str | None, option: str) -> dt.date | None:
    """'2022-12-30' -> date; a clear error for anything else."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError([Problem(option, "", "not a YYYY-MM-DD date", value)]) from None
