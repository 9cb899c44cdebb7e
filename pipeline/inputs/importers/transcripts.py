"""Earnings-call transcript files -> a normalised `transcript.json` in the bundle + `earnings_call`."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from pipeline.errors import StockreportError
from pipeline.inputs.bundle import Bundle
from pipeline.inputs.importers.bundle_io import (
    ProfileOptions,
    commit,
    cutoff,
    open_bundle,
    read_existing,
    set_as_of,
)
from pipeline.inputs.transcripts import load_transcript

TRANSCRIPT_FILE = "transcript.json"
_QUARTER_IN_NAME = re.compile(r"(?i)_q([1-4])_((?:19|20)\d\d)$")


def quarter_from_name(path: Path) -> str | None:
    """'AFL_q4_2020.txt' -> 'Q4-2020' (the ECTSum / la83la naming), else None."""
    m = _QUARTER_IN_NAME.search(path.stem)
    return f"Q{m.group(1)}-{m.group(2)}" if m else None


def import_transcript(
    path: Path,
    out_dir: Path,
    *,
    call_date: dt.date | None = None,
    quarter: str | None = None,
    as_of: dt.date | None = None,
    ticker: str | None = None,
    profile: ProfileOptions | None = None,
) -> Bundle:
    """`stockreport import transcript`: store the call, set `earnings_call.date/quarter/transcript`.

    Other earnings_call fields (highlights, guidance) are kept when the bundle already has them.
    """
    path, out_dir = Path(path), Path(out_dir)
    transcript = load_transcript(path)
    existing = read_existing(out_dir) or {}
    call = dict(existing.get("earnings_call") or {})
    date = call_date or (dt.date.fromisoformat(call["date"]) if call.get("date") else None)
    if date is None:
        raise StockreportError(f"{path}: the call date is unknown; pass --call-date YYYY-MM-DD")
    limit = cutoff(existing, as_of)
    if limit is not None and date > limit:
        raise StockreportError(
            f"{path}: call date {date} is after the bundle's as-of {limit} (no look-ahead)"
        )
    raw = open_bundle(out_dir, ticker, profile or ProfileOptions())
    call["date"] = date.isoformat()
    quarter = quarter or quarter_from_name(path) or call.get("quarter")
    if quarter:
        call["quarter"] = quarter
    call["transcript"] = TRANSCRIPT_FILE
    raw["earnings_call"] = call
    set_as_of(raw, as_of, date)
    data = (transcript.model_dump_json(indent=2, exclude_defaults=False) + "\n").encode("utf-8")
    return commit(out_dir, raw, {TRANSCRIPT_FILE: data})
