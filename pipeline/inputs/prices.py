"""Daily OHLCV price files of a bundle (`prices.csv`, `benchmark.csv`): reading and validation.

The canonical layout is `Date,Open,High,Low,Close,Volume`, dates ISO `YYYY-MM-DD`, ascending, unique.
Checks are vectorised; each kind of problem reports its first few rows so a 200k-row file with one
systematic fault gives a short, readable error instead of 200k lines.

A file parsed once is not parsed again in the same process: valid frames are kept by the sha256 of the
file's bytes and the as_of they were checked against (`parse_price_csv`), so the benchmark.csv that every
bundle of a batch carries, or a peer's prices, cost one parse per process, not one per bundle.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import InputError, Problem
from pipeline.inputs.input_hash import MAX_PRICE_BYTES
from pipeline.inputs.sources import read_bytes

COLUMNS = ["Date", "Open", "High", "Low", "Close", "Volume"]
PRICE_COLUMNS = ["Open", "High", "Low", "Close"]
MAX_ROWS_PER_KIND = 5


def _date_label(text: object) -> str:
    """A row's Date cell as named in a field path: bounded (the cell may hold anything)."""
    shown = str(text)
    return shown if len(shown) <= 12 else shown[:10] + "..."


def _rows(
    file: str,
    mask: np.ndarray,
    dates: pd.Series,
    field: str,
    message: str,
    values: pd.Series | Callable[[int], object],
) -> list[Problem]:
    """Problems for the first rows where `mask` is set; `values` may be a function of the row (built lazily)."""
    idx = np.flatnonzero(mask)
    if not len(idx):
        return []
    value_of = values if callable(values) else values.iloc.__getitem__
    out = [
        Problem(file, f"row {i + 2} ({_date_label(dates.iloc[i])}).{field}", message, value_of(i))
        for i in idx[:MAX_ROWS_PER_KIND]
    ]
    if len(idx) > MAX_ROWS_PER_KIND:
        out.append(
            Problem(
                file, field, f"{len(idx) - MAX_ROWS_PER_KIND} more rows with the same problem", int(len(idx))
            )
        )
    return out


def describe_header(columns: Sequence[object], known: Sequence[str]) -> str:
    """What an error may say about a header that is not the expected one, without quoting it: the file may
    not be a price file at all (a key file, a config), so only its field count, which of our own column
    names it has, and whether it looks like CSV."""
    count = len(columns)
    found = [c for c in known if c in {str(x) for x in columns}]
    text = f"the first line has {count} field{'' if count == 1 else 's'}"
    text += f", of them {', '.join(found)}" if found else ", none of them a known column"
    if count <= 1:
        text += "; it does not look like a comma-separated price file"
    return text


def validate_price_frame(raw: pd.DataFrame, file: str, as_of: dt.date | None = None) -> pd.DataFrame:
    """Check a frame with the canonical columns (as strings or numbers); return it typed and indexed by date.

    Raises InputError listing every problem found.
    """
    problems: list[Problem] = []
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise InputError(
            [
                Problem(
                    file,
                    "header",
                    f"missing column(s) {', '.join(missing)}; expected "
                    f"{','.join(COLUMNS)} ({describe_header(raw.columns, COLUMNS)})",
                )
            ]
        )
    if raw.empty:
        raise InputError([Problem(file, "rows", "no price rows", 0)])

    date_text = raw["Date"].astype(str)
    dates = pd.to_datetime(date_text, format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():  # tolerate padding; stripping every row up front costs more than parsing
        date_text = date_text.str.strip()
        dates = pd.to_datetime(date_text, format="%Y-%m-%d", errors="coerce")
    problems += _rows(file, dates.isna().to_numpy(), date_text, "Date", "not a YYYY-MM-DD date", date_text)

    typed = {}
    for col in PRICE_COLUMNS + ["Volume"]:
        column = raw[col]
        num = (
            column.astype("float64")
            if pd.api.types.is_numeric_dtype(column)
            else pd.to_numeric(column, errors="coerce").astype("float64")
        )
        bad = num.isna().to_numpy() | ~np.isfinite(num.to_numpy())
        problems += _rows(file, bad, date_text, col, "not a finite number", raw[col])
        typed[col] = num
    frame = pd.DataFrame(typed)
    ok = frame.notna().all(axis=1).to_numpy() & np.isfinite(frame.to_numpy()).all(axis=1)

    for col in PRICE_COLUMNS:
        problems += _rows(
            file, ok & (frame[col] <= 0).to_numpy(), date_text, col, "price must be positive", frame[col]
        )
    problems += _rows(
        file,
        ok & (frame["Volume"] < 0).to_numpy(),
        date_text,
        "Volume",
        "volume must not be negative",
        frame["Volume"],
    )
    problems += _rows(
        file,
        ok & (frame["High"] < frame["Low"]).to_numpy(),
        date_text,
        "High",
        "High is below Low",
        lambda i: f"{frame['High'].iloc[i]} < {frame['Low'].iloc[i]}",
    )
    # Close must sit inside the day's range; Open is not checked because real feeds (e.g. Yahoo SPY
    # 2008) carry opens slightly outside the reported range.
    tol = 1e-9 * frame["Close"].abs()
    outside = ok & (
        ((frame["Close"] > frame["High"] + tol) | (frame["Close"] < frame["Low"] - tol)).to_numpy()
    )
    problems += _rows(file, outside, date_text, "Close", "Close is outside [Low, High]", frame["Close"])

    valid_dates = dates.notna().to_numpy()
    dup = valid_dates & dates.duplicated(keep="first").to_numpy()
    problems += _rows(file, dup, date_text, "Date", "duplicate date", date_text)
    back = np.zeros(len(dates), dtype=bool)
    if valid_dates.all():
        back[1:] = dates.to_numpy()[1:] < dates.to_numpy()[:-1]
    problems += _rows(file, back, date_text, "Date", "dates out of order (must be ascending)", date_text)
    if as_of is not None and valid_dates.any():
        late = valid_dates & (dates > pd.Timestamp(as_of)).to_numpy()
        problems += _rows(file, late, date_text, "Date", f"after the bundle's as_of {as_of}", date_text)

    if problems:
        raise InputError(problems)
    frame.index = pd.DatetimeIndex(dates, name="Date")
    return frame


# Valid frames by (sha256 of the bytes, as_of), most recently used last. Bounded: a batch streams unique
# prices through it, while the shared benchmark is used by every bundle and so stays.
_PARSED: OrderedDict[tuple[str, dt.date | None], pd.DataFrame] = OrderedDict()
_PARSED_MAX = 32
_PARSED_LOCK = threading.Lock()


def parse_price_csv(data: bytes, file: str, as_of: dt.date | None = None) -> pd.DataFrame:
    """Parse and validate the bytes of a canonical bundle price file (`file` names it in errors).

    The same bytes checked against the same as_of give a copy of the frame parsed before (a file that
    fails is parsed and reported every time, under its own name)."""
    key = (hashlib.sha256(data).hexdigest(), as_of)
    with _PARSED_LOCK:
        frame = _PARSED.get(key)
        if frame is not None:
            _PARSED.move_to_end(key)
    if frame is None:
        frame = _parse_price_csv(data, file, as_of)
        with _PARSED_LOCK:
            _PARSED[key] = frame
            while len(_PARSED) > _PARSED_MAX:
                _PARSED.popitem(last=False)
    return frame.copy()  # the caller's own: a change to it never reaches the next bundle


def _parse_price_csv(data: bytes, file: str, as_of: dt.date | None) -> pd.DataFrame:
    try:
        # Numbers are parsed by the C reader; a column with any bad cell stays text and is checked cell by cell.
        raw = pd.read_csv(io.BytesIO(data), dtype={"Date": str}, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(
            [Problem(file, "", f"not a readable CSV file: {str(exc).splitlines()[0]}")]
        ) from None
    raw.columns = [str(c).strip() for c in raw.columns]
    return validate_price_frame(raw, file, as_of)


def read_price_csv(
    path: Path, as_of: dt.date | None = None, label: str | None = None, inside: Path | None = None
) -> pd.DataFrame:
    """Read (regular file, size cap, inside `inside` when given) and validate a canonical bundle price file."""
    file = label or str(path)
    return parse_price_csv(
        read_bytes(path, max_bytes=MAX_PRICE_BYTES, label=file, inside=inside), file, as_of
    )


def write_price_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a typed price frame in the canonical layout (atomically)."""
    from pipeline.files import atomic_write_text

    out = frame[PRICE_COLUMNS + ["Volume"]].copy()
    out.index = out.index.strftime("%Y-%m-%d")
    out.index.name = "Date"
    atomic_write_text(path, out.to_csv(float_format="%.10g", lineterminator="\n"))
