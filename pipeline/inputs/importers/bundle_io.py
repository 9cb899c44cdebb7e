"""Create-or-update of a bundle directory, all-or-nothing.

Every importer builds the new `bundle.json` content as a plain dict (starting from the existing file, so
every part it does not fill is kept verbatim) plus any data files, then `commit` stages them in a temporary
copy of the bundle, validates the staged bundle with the same loader `stockreport validate` uses, and only
then replaces the real files atomically (data files first, `bundle.json` last). A failing import leaves
the bundle exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pipeline.errors import InputError, Problem, StockreportError, os_reason
from pipeline.files import atomic_write_bytes, make_folder, staging_prefix
from pipeline.inputs.bundle import SCHEMA_VERSION, Bundle
from pipeline.inputs.input_hash import BUNDLE_FILE
from pipeline.inputs.load import load_bundle, parse_bundle, read_bundle_json

STAGED_FILES = ("prices.csv", "benchmark.csv")


PROFILE_FIELDS = ("name", "exchange", "currency", "sector", "industry", "country")


@dataclass(frozen=True)
class ProfileOptions:
    """Profile fields given on the command line (None = not given).

    A new bundle is created with them; on an existing bundle each given field replaces the bundle's value
    (the change is printed), so `--name` on a re-import is never ignored."""

    name: str | None = None
    exchange: str | None = None
    currency: str | None = None
    sector: str | None = None
    industry: str | None = None
    country: str | None = None

    def given(self) -> dict[str, str]:
        return {k: v for k in PROFILE_FIELDS if (v := getattr(self, k)) is not None}


@dataclass(frozen=True)
class SourceProfile:
    """Profile fields a source reported (an SEC filer's name, exchange, SIC industry ...).

    They fill fields the bundle does not have and never replace a value the user set. The name is the
    exception that proves the rule: `raw_name` is the name as the source wrote it (e.g. in capitals), `name`
    the readable form; an existing name still equal to the ticker (a placeholder) or to a raw source name
    was not set by the user, so it is replaced."""

    name: str | None = None
    raw_name: str | None = None
    exchange: str | None = None
    sector: str | None = None
    industry: str | None = None
    country: str | None = None


def _user_set_name(existing: str | None, ticker: str, source: SourceProfile) -> bool:
    if not existing or existing == ticker:
        return False
    from pipeline.inputs.importers.names import is_all_capitals

    came_from_source = existing in {source.raw_name, source.name} or (
        is_all_capitals(existing)
        and source.raw_name is not None
        and existing.replace(".", "").replace(",", "").split()
        == source.raw_name.replace(".", "").replace(",", "").split()
    )
    return not came_from_source


def apply_profile(
    profile: dict[str, Any], given: ProfileOptions, source: SourceProfile | None = None
) -> None:
    """Fill `profile` (a raw dict): source fields where the bundle has none (and the name unless the user set
    it), then every field given on the command line, which always wins."""
    if source is not None:
        ticker = str(profile.get("ticker", ""))
        if source.name and not _user_set_name(profile.get("name"), ticker, source):
            profile["name"] = source.name
        for key in ("exchange", "sector", "industry", "country"):
            value = getattr(source, key)
            if value and not profile.get(key):
                profile[key] = value
    profile.update(given.given())


def reporting_currency(existing: dict[str, Any] | None, given: str | None) -> str:
    """The statements' currency: --currency, else the bundle's statement currency, else its price currency,
    else USD."""
    if given:
        return given
    existing = existing or {}
    return str(
        (existing.get("financials") or {}).get("currency")
        or (existing.get("profile") or {}).get("currency")
        or "USD"
    )


def statement_options(
    existing: dict[str, Any] | None, profile: ProfileOptions, currency: str
) -> ProfileOptions:
    """For a statements import --currency names the statements' currency: it is the share price's currency
    only of a new bundle (an HKD-traded filer reports in CNY)."""
    return replace(profile, currency=currency if existing is None else None)


def read_existing(out_dir: Path) -> dict[str, Any] | None:
    """The raw dict of an existing, valid bundle.json, or None when there is none yet."""
    path = out_dir / BUNDLE_FILE
    if not path.exists():
        return None
    raw = read_bundle_json(path, str(path))
    parse_bundle(raw, str(path))  # refuse to build on a broken bundle: fix it first
    assert isinstance(raw, dict)
    return raw


def open_bundle(
    out_dir: Path, ticker: str | None, profile: ProfileOptions, source: SourceProfile | None = None
) -> dict[str, Any]:
    """Existing bundle dict (its ticker must match `ticker`), or a new one; the profile updated with
    `profile` (given on the command line) and `source` (see `apply_profile`)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError([Problem(str(out_dir), "", "exists and is not a directory")])
    raw = read_existing(out_dir)
    if raw is not None:
        have = raw["profile"]["ticker"]
        if ticker is not None and ticker != have:
            raise InputError(
                [
                    Problem(
                        str(out_dir / BUNDLE_FILE),
                        "profile.ticker",
                        f"bundle belongs to {have}, not --ticker {ticker}",
                        have,
                    )
                ]
            )
        apply_profile(raw["profile"], profile, source)
        return raw
    if ticker is None:
        raise StockreportError(
            f"{out_dir / BUNDLE_FILE}: no bundle there yet; create one with `stockreport new "
            f"TICKER --out {out_dir}` (or pass --ticker to an importer that takes it)"
        )
    fresh: dict[str, Any] = {"ticker": ticker, "name": ticker, "currency": "USD"}
    apply_profile(fresh, profile, source)
    return {"schema_version": SCHEMA_VERSION, "as_of": None, "profile": fresh}


def cutoff(raw: dict[str, Any], as_of: dt.date | None) -> dt.date | None:
    """The no-look-ahead cutoff: --as-of, else the existing bundle's as_of, else none (new bundle)."""
    if as_of is not None:
        return as_of
    existing = raw.get("as_of")
    return dt.date.fromisoformat(existing) if existing else None


def set_as_of(raw: dict[str, Any], as_of: dt.date | None, latest_in_data: dt.date | None) -> None:
    """as_of = --as-of, else keep the bundle's, else the latest date in the imported data."""
    if as_of is not None:
        raw["as_of"] = as_of.isoformat()
    elif not raw.get("as_of"):
        if latest_in_data is None:
            raise StockreportError("cannot tell the bundle's as-of date: pass --as-of YYYY-MM-DD")
        raw["as_of"] = latest_in_data.isoformat()


def merge_statement_periods(
    raw: dict[str, Any],
    periods: list[dict[str, Any]],
    currency: str,
    scale: str = "units",
    *,
    share_basis: dt.date | None = None,
) -> None:
    """Replace the bundle's statement periods with the imported `periods` (fiscal years, and TTMs if any).

    The TTMs already in the bundle (the latest and its year-earlier base) are kept when the import brings
    none, they have the same currency and scale, and the latest still ends after the newest imported fiscal
    year; otherwise they would no longer be the latest twelve months."""
    old = raw.get("financials") or {}
    newest_fy = max((str(p["end"]) for p in periods if p.get("kind") == "FY"), default="")
    old_ttms = [
        p
        for p in old.get("periods", [])
        if p.get("kind") == "TTM" and old.get("currency") == currency and old.get("scale", "units") == scale
    ]
    fresh = any(p.get("kind") == "TTM" for p in periods)
    keep = [] if fresh or max((str(p["end"]) for p in old_ttms), default="") <= newest_fy else old_ttms
    merged = sorted(keep + periods, key=lambda p: (str(p["end"]), p.get("kind") == "TTM"), reverse=True)
    raw["financials"] = {"currency": currency, "scale": scale, "periods": merged}
    if share_basis is not None and not keep:  # kept TTMs come from another import, on their own basis
        raw["financials"]["share_basis"] = share_basis.isoformat()


def render(raw: dict[str, Any]) -> bytes:
    return (json.dumps(raw, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def commit(out_dir: Path, raw: dict[str, Any], files: dict[str, bytes] | None = None) -> Bundle:
    """Validate the updated bundle (with its new and existing files) in a staging copy, then write it."""
    files = files or {}
    make_folder(out_dir.parent, "the folder of the bundle (--out)")
    try:
        stage = Path(tempfile.mkdtemp(prefix=staging_prefix(out_dir.name), dir=out_dir.parent))
    except OSError as exc:
        raise StockreportError(f"cannot write the bundle {out_dir}: {os_reason(exc)}") from None
    try:
        names = set(STAGED_FILES)
        call = raw.get("earnings_call") or {}
        if call.get("transcript"):
            names.add(str(call["transcript"]))
        for name in names - files.keys():
            if (out_dir / name).is_file():
                shutil.copy2(out_dir / name, stage / name)
        for name, data in files.items():
            (stage / name).write_bytes(data)
        (stage / BUNDLE_FILE).write_bytes(render(raw))
        try:
            loaded = load_bundle(stage)
        except InputError as exc:
            raise InputError(
                [replace(p, file=p.file.replace(str(stage), str(out_dir))) for p in exc.problems]
            ) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    for name, data in files.items():
        atomic_write_bytes(out_dir / name, data)
    atomic_write_bytes(out_dir / BUNDLE_FILE, render(raw))
    return loaded.bundle
