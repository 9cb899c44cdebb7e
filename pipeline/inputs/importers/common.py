"""Helpers shared by the importers: reading source files with one-line errors, fiscal-year labels."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from pipeline.errors import InputError, Problem
from pipeline.inputs.sources import decode_text, fail, parse_json, read_bytes

MAX_SOURCE_BYTES = 200 * 1024 * 1024


def read_source_bytes(path: Path) -> bytes:
    """Read a source file, transparently un-gzipping `*.gz`; refuse missing, huge or corrupt files."""
    return read_bytes(path, max_bytes=MAX_SOURCE_BYTES, gunzip=True)


def read_json_source(path: Path) -> object:
    """Parse a JSON (or JSON.gz) source file with a one-line error on failure."""
    return parse_json(decode_text(read_source_bytes(path), str(path)), str(path))


def read_csv_source(path: Path, **kwargs: object) -> pd.DataFrame:
    """Read a CSV (or CSV.gz) as strings; one-line error for anything pandas cannot parse."""
    import io

    text = decode_text(read_source_bytes(path), str(path), what="text CSV file")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, **kwargs)  # type: ignore[call-overload]
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise fail(
            path, f"not a readable CSV file: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        ) from None
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
