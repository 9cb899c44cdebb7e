"""Every part of a bundle from a file: `stockreport import profile|market|consensus|risk-factors|events|peers|
technical-snapshot|earnings-call FILE --out DIR`, and `stockreport bundle set DIR PATH=VALUE`.

Layouts (docs/importing.md, "Parts of a bundle"; an example of each under docs/examples/):
- JSON or YAML: the part exactly as in bundle.json (for list parts, a list or {"<part>": [...]});
- CSV: for list parts one row per item with the item's field names as columns; for object parts one row
  with the field names as columns, or two columns `field,value` (one field per line); risk factors as rows
  `category,description,count`.

Re-importing updates what the file gives and keeps the rest, and every change is printed (changes.py):
- object parts: each field in the file replaces the bundle's (JSON/YAML `null` removes it); a dated part
  (market, consensus, technical snapshot, earnings call) is replaced whole when the file's date differs from
  the bundle's, so figures of two dates are never mixed; `--replace` replaces the part whole;
- list parts: an item replaces the bundle's item with the same key (peers: ticker; events: date + title),
  new items are added, the others kept; `--replace` replaces the list;
- no look-ahead: events dated after the bundle's as_of are skipped (and counted); a dated part after it is
  refused.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from pipeline.errors import InputError, Problem, StockreportError, field_path
from pipeline.inputs.bundle import (
    AnalystConsensus,
    Benchmark,
    Bundle,
    CorporateEvent,
    EarningsCall,
    MarketData,
    Peer,
    Profile,
    RiskCategory,
    RiskFactors,
    StockSplit,
    TechnicalSnapshot,
)
from pipeline.inputs.importers.bundle_io import ProfileOptions, commit, open_bundle
from pipeline.inputs.importers.changes import LIST_KEYS
from pipeline.inputs.sources import decode_text, fail, json_depth_exceeds, parse_json, read_bytes

MAX_PART_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class PartSpec:
    """One importable part: its command name, its key in bundle.json and its model."""

    command: str
    key: str
    model: type[BaseModel]
    is_list: bool = False
    dated: str | None = None  # the field dating an object part: another date replaces the part whole
    help: str = ""


PARTS: dict[str, PartSpec] = {
    s.command: s
    for s in (
        PartSpec(
            "profile",
            "profile",
            Profile,
            help="Company profile fields: name, exchange, sector, industry, "
            "country, description, revenue_model, website, currency.",
        ),
        PartSpec(
            "market",
            "market",
            MarketData,
            dated="as_of",
            help="Market figures of the stock: market_cap, shares_outstanding, pe_ratio, dividend_yield_pct.",
        ),
        PartSpec(
            "consensus",
            "consensus",
            AnalystConsensus,
            dated="as_of",
            help="Analyst consensus: rating, price_target, currency, analysts, as_of, source.",
        ),
        PartSpec(
            "risk-factors",
            "risk_factors",
            RiskFactors,
            help="Risk factors: total, new_count, top_category, source and categories (name, description, "
            "count); CSV rows: category,description,count.",
        ),
        PartSpec(
            "technical-snapshot",
            "technical_snapshot",
            TechnicalSnapshot,
            dated="as_of",
            help="Indicator values a source reported (for tickers without a price history).",
        ),
        PartSpec(
            "earnings-call",
            "earnings_call",
            EarningsCall,
            dated="date",
            help="Earnings call: date, quarter, next_date, positive/negative updates, guidance (JSON/YAML).",
        ),
        PartSpec(
            "events",
            "events",
            CorporateEvent,
            is_list=True,
            help="Corporate events: date, title, summary, category (one per row).",
        ),
        PartSpec(
            "splits",
            "splits",
            StockSplit,
            is_list=True,
            help="Stock splits: date (first day on the new basis), ratio (new shares per old share: 10 for "
            "10-for-1, 0.1 for 1-for-10), source (one per row).",
        ),
        PartSpec(
            "peers",
            "peers",
            Peer,
            is_list=True,
            help="Peers: ticker (required), name, and optionally figures given by hand (one per row); a peer "
            "with a bundle of its own beside this one is computed from it.",
        ),
    )
}
# Part keys `bundle set` may write scalar fields of (lists are imported from files).
SETTABLE: dict[str, type[BaseModel]] = {
    "profile": Profile,
    "market": MarketData,
    "consensus": AnalystConsensus,
    "risk_factors": RiskFactors,
    "technical_snapshot": TechnicalSnapshot,
    "earnings_call": EarningsCall,
    "benchmark": Benchmark,
}
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$")


@dataclass
class PartResult:
    """What an import did beyond the field changes: items skipped and why."""

    skipped: list[str]


# ---------------------------------------------------------------------------------------------- reading


def _load_yaml(text: str, label: str) -> object:
    import yaml

    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):  # anchors/aliases: the "billion laughs" expansion
                raise fail(label, "YAML aliases (*name) are not accepted in an input file")
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
        raise fail(label, f"bad YAML: {getattr(exc, 'problem', None) or exc}", where) from None
    if json_depth_exceeds(value):
        raise fail(label, "bad YAML: nested too deep")
    return _plain(value)


def _plain(value: object) -> object:
    """YAML's dates and times as ISO strings, as they would be in JSON."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _csv_rows(data: bytes, label: str) -> list[dict[str, str]]:
    import pandas as pd

    text = decode_text(data, label, what="text CSV file")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise fail(
            label, f"not a readable CSV file: {str(exc).splitlines()[0] if str(exc) else exc}"
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return [
        {k: v.strip() for k, v in row.items() if isinstance(v, str) and v.strip()}
        for row in frame.to_dict(orient="records")
    ]


def read_part_file(path: Path) -> tuple[object, str]:
    """The file's content as plain data and its format ('json', 'yaml' or 'csv'), by extension."""
    label = str(path)
    data = read_bytes(path, max_bytes=MAX_PART_BYTES, gunzip=True)  # capped before and after gunzip
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".json"):
        return parse_json(decode_text(data, label), label), "json"
    if name.endswith((".yaml", ".yml")):
        return _load_yaml(decode_text(data, label), label), "yaml"
    if name.endswith(".csv"):
        return _csv_rows(data, label), "csv"
    raise fail(label, "unknown file type: expected .json, .yaml/.yml or .csv")


# ----------------------------------------------------------------------------------------- converting


def _field_types(model: type[BaseModel]) -> dict[str, str]:
    """field -> 'number' | 'text' | 'other', from the model's JSON schema (CSV cells are all text)."""
    out = {}
    for name, prop in model.model_json_schema().get("properties", {}).items():
        types = {prop.get("type")} | {a.get("type") for a in prop.get("anyOf", [])}
        out[name] = "number" if types & {"number", "integer"} else "text"
    return out


def _cell(value: str, kind: str) -> object:
    """A CSV cell: numbers may carry thousands separators and a trailing '%' ('858,200,000', '23.35%')."""
    if kind == "number" and _NUMBER.match(value):
        return value.replace(",", "").rstrip("%")
    return value


def _csv_item(row: dict[str, str], types: dict[str, str]) -> dict[str, object]:
    return {k: _cell(v, types.get(k, "text")) for k, v in row.items()}


def _csv_object(spec: PartSpec, rows: list[dict[str, str]], label: str) -> dict[str, object]:
    types = _field_types(spec.model)
    if spec.key == "risk_factors":
        cats = []
        for row in rows:
            item = {("name" if k == "category" else k): v for k, v in row.items()}
            cats.append(_csv_item(item, _field_types(RiskCategory)))
        return {"categories": cats}
    if rows and set(rows[0]) <= {"field", "value"}:  # field,value: one field per line
        return {
            r["field"]: _cell(r.get("value", ""), types.get(r["field"], "text")) for r in rows if "field" in r
        }
    if len(rows) != 1:
        raise fail(
            label,
            f"expected one data row of {spec.command} fields (or two columns field,value), found {len(rows)}",
        )
    return _csv_item(rows[0], types)


def _items(spec: PartSpec, content: object, fmt: str, label: str) -> list[dict[str, object]]:
    if fmt == "csv":
        assert isinstance(content, list)
        types = _field_types(spec.model)
        return [_csv_item(r, types) for r in content]
    if isinstance(content, dict) and spec.key in content:
        content = content[spec.key]
    if not isinstance(content, list) or not all(isinstance(x, dict) for x in content):
        raise fail(label, f"expected a list of {spec.command} (or an object with a '{spec.key}' list)")
    return list(content)


def _object(spec: PartSpec, content: object, fmt: str, label: str) -> dict[str, object]:
    if fmt == "csv":
        assert isinstance(content, list)
        return _csv_object(spec, content, label)
    if isinstance(content, dict) and set(content) == {spec.key} and isinstance(content[spec.key], dict):
        content = content[spec.key]  # {"market": {...}} as in bundle.json
    if not isinstance(content, dict):
        raise fail(label, f"expected an object of {spec.command} fields")
    return dict(content)


def _check(model: type[BaseModel], value: dict[str, object], label: str, where: str) -> dict[str, Any]:
    """Validate one item as the bundle will; problems name the input file and row, not bundle.json."""
    try:
        parsed = model.model_validate(value)
    except ValidationError as exc:
        problems = []
        for e in exc.errors(include_url=False):
            path = field_path(tuple(e["loc"])) or "(top level)"
            problems.append(
                Problem(
                    label,
                    f"{where}{path}" if where else path,
                    e["msg"].removeprefix("Value error, "),
                    e.get("input"),
                )
            )
        raise InputError(problems) from None
    dumped = parsed.model_dump(mode="json", exclude_none=True, include=set(value) | _required(model))
    return _tidy(dumped)  # type: ignore[return-value]


def _tidy(value: object) -> object:
    """Whole numbers as integers in bundle.json (858200000, not 858200000.0), as the importers write them."""
    if isinstance(value, dict):
        return {k: _tidy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tidy(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _required(model: type[BaseModel]) -> set[str]:
    return {n for n, f in model.model_fields.items() if f.is_required()}


# ------------------------------------------------------------------------------------------- merging


def _bundle_as_of(raw: dict[str, Any]) -> dt.date | None:
    return dt.date.fromisoformat(raw["as_of"]) if raw.get("as_of") else None


def _merge_list(
    spec: PartSpec, raw: dict[str, Any], items: list[dict[str, Any]], replace: bool, label: str, fmt: str
) -> PartResult:
    key = LIST_KEYS[spec.key]
    limit = _bundle_as_of(raw)
    skipped = []
    kept: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        checked = _check(spec.model, item, label, f"row {i + 2}: " if fmt == "csv" else f"[{i}].")
        when = checked.get("date") or checked.get("as_of")
        if limit is not None and when and dt.date.fromisoformat(str(when)) > limit:
            skipped.append(f"{key(checked)} (dated after as_of {limit})")
            continue
        kept.append(checked)
    seen: dict[str, int] = {}
    for item in kept:  # a key twice in one file: the later row wins, and it is said
        if key(item) in seen:
            skipped.append(f"{key(item)} (listed twice; the later row is kept)")
        seen[key(item)] = len(seen)
    incoming = {key(item): item for item in kept}
    if replace:
        raw[spec.key] = list(incoming.values())
    else:
        old = list(raw.get(spec.key) or [])
        merged = [incoming.pop(key(x), x) for x in old]
        raw[spec.key] = merged + list(incoming.values())
    if not raw[spec.key]:
        raw.pop(spec.key)
    return PartResult(skipped)


def _merge_object(
    spec: PartSpec, raw: dict[str, Any], value: dict[str, object], replace: bool, label: str
) -> PartResult:
    old = dict(raw.get(spec.key) or {})
    if spec.key == "profile":
        if value.get("ticker") not in (None, old.get("ticker")):
            raise InputError(
                [Problem(label, "ticker", f"the bundle belongs to {old.get('ticker')}", value.get("ticker"))]
            )
        value = {**value, "ticker": old.get("ticker")}
    new_categories = value.get("categories")
    if (
        spec.key == "risk_factors"
        and not replace
        and isinstance(new_categories, list)
        and old.get("categories")
    ):
        by_name = {str(c.get("name")): c for c in old["categories"]}
        for c in new_categories:  # a category replaces the one with the same name
            by_name[str(c.get("name") if isinstance(c, dict) else c)] = c
        value = {**value, "categories": list(by_name.values())}
    date_field = spec.dated
    redated = (
        date_field is not None
        and value.get(date_field) is not None
        and old.get(date_field) is not None
        and str(value[date_field]) != str(old[date_field])
    )
    if replace or redated:
        if (
            spec.key == "earnings_call"
            and old.get("transcript")
            and "transcript" not in value
            and not redated
        ):
            value = {**value, "transcript": old["transcript"]}
        new: dict[str, object] = dict(value)
    else:
        new = {**old, **value}
    new = {k: v for k, v in new.items() if v is not None}  # JSON/YAML null removes a field
    raw[spec.key] = _check(spec.model, new, label, "")
    limit = _bundle_as_of(raw)
    when = raw[spec.key].get(date_field) if date_field else None
    if limit is not None and when and dt.date.fromisoformat(str(when)[:10]) > limit:
        raise InputError(
            [
                Problem(
                    label,
                    date_field or "",
                    f"dated after the bundle's as_of {limit} (no "
                    "look-ahead); move as_of with `stockreport bundle set DIR as_of=...`",
                    when,
                )
            ]
        )
    if redated and not replace and date_field is not None:
        return PartResult(
            [f"{spec.key} replaced whole: {date_field} {old[date_field]} -> {value[date_field]}"]
        )
    return PartResult([])


def import_part(command: str, path: Path, out_dir: Path, *, replace: bool = False) -> tuple[PartResult, Any]:
    """Read `path`, merge it into the part `command` of the existing bundle at `out_dir`, validate, write."""
    spec = PARTS[command]
    content, fmt = read_part_file(Path(path))
    raw = open_bundle(Path(out_dir), None, ProfileOptions())
    if spec.is_list:
        result = _merge_list(spec, raw, _items(spec, content, fmt, str(path)), replace, str(path), fmt)
    else:
        result = _merge_object(spec, raw, _object(spec, content, fmt, str(path)), replace, str(path))
    return result, commit(Path(out_dir), raw)


# ------------------------------------------------------------------------------------------ bundle set


def _parse_assignment(text: str) -> tuple[list[str], str]:
    if "=" not in text:
        raise InputError(
            [Problem("bundle set", "", "expected PATH=VALUE, e.g. profile.name='Apple Inc.'", text)]
        )
    path, value = text.split("=", 1)
    return [p for p in path.strip().split(".") if p], value


def set_fields(out_dir: Path, assignments: list[str], unset: list[str]) -> Bundle:
    """`stockreport bundle set DIR PATH=VALUE ... [--unset PATH]`: scalar fields of the object parts and
    as_of; values are read as the schema says (numbers, dates), so `market.pe_ratio=12.5` is a number."""
    raw = open_bundle(Path(out_dir), None, ProfileOptions())
    label = "bundle set"
    for text in assignments:
        parts, value = _parse_assignment(text)
        _assign(raw, parts, value.strip(), label, text)
    for text in unset:
        parts = [p for p in text.strip().split(".") if p]
        if len(parts) == 1 and parts[0] in SETTABLE and parts[0] != "profile":
            raw.pop(parts[0], None)
        elif len(parts) == 2 and parts[0] in SETTABLE:
            (raw.get(parts[0]) or {}).pop(parts[1], None)
        else:
            raise InputError(
                [
                    Problem(
                        label, "", "--unset takes PART or PART.FIELD (e.g. market or profile.website)", text
                    )
                ]
            )
    return commit(Path(out_dir), raw)


def _assign(raw: dict[str, Any], parts: list[str], value: str, label: str, text: str) -> None:
    if parts == ["as_of"]:
        try:
            raw["as_of"] = dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise InputError([Problem(label, "as_of", "not a YYYY-MM-DD date", value)]) from None
        return
    if len(parts) != 2 or parts[0] not in SETTABLE:
        raise InputError(
            [
                Problem(
                    label,
                    "",
                    "PATH is as_of or PART.FIELD with PART one of "
                    f"{', '.join(SETTABLE)} (lists are imported from files)",
                    text,
                )
            ]
        )
    part, name = parts
    model = SETTABLE[part]
    if name not in model.model_fields:
        raise InputError(
            [Problem(label, f"{part}.{name}", f"no such field; {part} has {', '.join(model.model_fields)}")]
        )
    if part == "profile" and name == "ticker":
        raise InputError(
            [
                Problem(
                    label,
                    "profile.ticker",
                    "the ticker names the bundle: create another with `stockreport new`",
                )
            ]
        )
    kind = _field_types(model).get(name, "text")
    if kind == "text" and not _is_scalar_text(model, name):
        raise InputError([Problem(label, f"{part}.{name}", "is a list or object: import it from a file")])
    current = dict(raw.get(part) or {})
    current[name] = _cell(value, kind)
    raw[part] = _check(model, current, label, f"{part}.")


def _is_scalar_text(model: type[BaseModel], name: str) -> bool:
    prop = model.model_json_schema().get("properties", {}).get(name, {})
    types = (
        {prop.get("type")}
        | {a.get("type") for a in prop.get("anyOf", [])}
        | ({"string"} if "enum" in prop or "$ref" in prop or "const" in prop else set())
    )
    return bool(types & {"string", "boolean"})


# -------------------------------------------------------------------------------------------- new


FILL_HINTS: dict[str, str] = {
    "financials": "stockreport fetch sec {ticker} --out {dir}   (or import sec / import statements)",
    "prices": "stockreport import prices PRICES.csv --ticker {ticker} --benchmark BENCH.csv "
    "--benchmark-name NAME --out {dir}",
    "benchmark": "stockreport import prices ... --benchmark BENCH.csv --benchmark-name NAME --out {dir}",
    "market": "stockreport import market market.csv --out {dir}",
    "peers": "stockreport import peers peers.csv --out {dir}",
    "events": "stockreport import events events.csv --out {dir}",
    "risk_factors": "stockreport import risk-factors risks.yaml --out {dir}",
    "consensus": "stockreport import consensus consensus.json --out {dir}",
    "earnings_call": "stockreport import transcript CALL.txt --call-date D --out {dir}   "
    "(or import earnings-call call.yaml)",
    "profile": "stockreport import profile profile.yaml --out {dir}   (or bundle set {dir} profile.FIELD=VALUE)",
}
PROFILE_TEXT_FIELDS = ("description", "revenue_model", "sector", "industry", "exchange")


def missing_with_hints(bundle: Bundle, out_dir: Path, has_prices: bool) -> list[tuple[str, str]]:
    """(missing part, the command that fills it) for a bundle, profile text fields first."""
    fmt: Callable[[str], str] = lambda s: s.format(ticker=bundle.profile.ticker, dir=out_dir)  # noqa: E731
    out = []
    absent = [f for f in PROFILE_TEXT_FIELDS if not getattr(bundle.profile, f)]
    if absent or bundle.profile.name == bundle.profile.ticker:
        names = (["name"] if bundle.profile.name == bundle.profile.ticker else []) + absent
        out.append((f"profile ({', '.join(names)})", fmt(FILL_HINTS["profile"])))
    missing = bundle.missing_parts()
    if not has_prices:
        missing.insert(1, "prices")
    for part in missing:
        out.append((part, fmt(FILL_HINTS.get(part, "stockreport schema bundle"))))
    return out


def new_bundle(ticker: str, out_dir: Path, *, as_of: dt.date, profile: ProfileOptions) -> Bundle:
    """`stockreport new TICKER`: a bundle holding only its profile and as_of, which validates."""
    from pipeline.inputs.bundle import TICKER_RE
    from pipeline.inputs.input_hash import BUNDLE_FILE

    if not TICKER_RE.fullmatch(ticker):
        raise InputError(
            [Problem("TICKER", "", "not a plain ticker symbol (e.g. 'AAPL', 'BRK.B', 'HK:3896')", ticker)]
        )
    if (out_dir / BUNDLE_FILE).exists():
        raise StockreportError(
            f"{out_dir / BUNDLE_FILE}: a bundle is already there; change it with "
            "`stockreport bundle set` or the importers"
        )
    raw = open_bundle(out_dir, ticker, profile)
    raw["as_of"] = as_of.isoformat()
    return commit(out_dir, raw)
