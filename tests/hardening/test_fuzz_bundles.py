"""Bad input at volume: malformed bundles run end to end through `run_report` with the offline model.

Every case ends as a clean StockreportError/InputError with nothing on disk, or as a complete, valid
report. Any other exception fails. Hypothesis generates the cases (>= 1,000 per run in all, counted per test
and in tests/hardening/support.COUNTS, printed in the terminal summary, xdist workers' counts summed).
"""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hardening.support import BUNDLES, COUNTS, run_case
from tests.support.fuzz import scaled

pytestmark = pytest.mark.slow  # fuzz (CI runs it; `-m "not slow"` skips it)

AAPL = BUNDLES / "AAPL"
HK = BUNDLES / "HK_3896"
BASES = {
    "AAPL": json.loads((AAPL / "bundle.json").read_text()),
    "HK": json.loads((HK / "bundle.json").read_text()),
}
AAPL_PRICES = (AAPL / "prices.csv").read_text().splitlines()
FUZZ = settings(
    deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
# + the table-driven cases below: >= 1,000 in all; STOCKREPORT_FUZZ_EXAMPLES runs more (tests/support/fuzz.py)
EXAMPLES = {k: scaled(n) for k, n in {"json": 400, "numbers": 140, "bytes": 200, "prices": 330}.items()}

odd_scalars = st.sampled_from(
    [
        None,
        True,
        "",
        " ",
        "NaN",
        "Infinity",
        "-1",
        "1e999",
        float("nan"),
        float("inf"),
        float("-inf"),
        10**400,
        -(10**30),
        1e308,
        -0.0,
        2**63,
        "2025-13-45",
        "0001-01-01",
        "9999-12-31",
        "../../etc/passwd",
        "\x00",
        "CON",
        "\u202e\u0000<script>alert(1)</script>",
        "ＡＡＰＬ",
        "é" * 5000,
        [],
        {},
        [None],
        {"": None},
    ]
)
json_values = st.recursive(
    odd_scalars | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30),
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=8), kids, max_size=3),
    max_leaves=6,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, prefix + (i,))
    return out


PATHS = {name: _paths(data) for name, data in BASES.items()}


@st.composite
def mutated_json(draw: st.DrawFn) -> tuple[str, Any]:
    base = draw(st.sampled_from(sorted(BASES)))
    data = copy.deepcopy(BASES[base])
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS[base]))
        parent: Any = data
        try:
            for key in path[:-1]:
                parent = parent[key]
            action = draw(st.sampled_from(["replace", "replace", "delete", "add", "duplicate"]))
            if action == "replace":
                parent[path[-1]] = draw(json_values)
            elif action == "delete":
                del parent[path[-1]]
            elif action == "duplicate" and isinstance(parent, list):
                parent.append(copy.deepcopy(parent[path[-1]]))
            elif isinstance(parent, dict):
                parent[draw(st.text(max_size=8))] = draw(json_values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this path
    return base, data


def _bundle_dir(tmp: Path, base: str) -> Path:
    """A copy of the base bundle's files (prices and benchmark for AAPL) in a fresh folder."""
    src = AAPL if base == "AAPL" else HK
    dst = tmp / "in" / src.name
    shutil.copytree(src, dst)
    return dst


def fuzz_test(test: Callable[[], None]) -> Callable[[], None]:
    """Marks a test that runs a Hypothesis search itself, so a failure names the fuzz seed (tests/conftest.py)."""
    test.runs_hypothesis = True  # type: ignore[attr-defined]
    return test


def run_counted(search: Callable[[], None], kind: str) -> None:
    """Run a Hypothesis search of bundles of `kind`; it must have run its EXAMPLES cases end to end, and for
    JSON both outcomes (a report, a clean error) must occur. Counted per test, so it holds under xdist."""
    before = {k: COUNTS[f"{kind}:{k}"] for k in ("report", "error")}
    search()
    ran = {k: COUNTS[f"{kind}:{k}"] - n for k, n in before.items()}
    print(f"{kind}: {sum(ran.values())} bundles end to end {ran}")
    assert sum(ran.values()) >= EXAMPLES[kind], ran
    if kind == "json":
        assert ran["report"] > 0 and ran["error"] > 0  # both outcomes were exercised


def _run(kind: str, base: str, prepare: Callable[[Path], None]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bundle = _bundle_dir(Path(tmp), base)
        prepare(bundle)
        run_case(bundle, Path(tmp) / "out", kind)


@settings(FUZZ, max_examples=EXAMPLES["json"])
@given(mutated_json())
def _mutated_bundle_json(case: tuple[str, Any]) -> None:
    base, data = case
    # allow_nan: NaN/Infinity literals are what a careless exporter writes; Python's json reads them back.
    text = json.dumps(data, allow_nan=True, ensure_ascii=False)
    _run("json", base, lambda d: (d / "bundle.json").write_text(text, encoding="utf-8"))


@fuzz_test
def test_mutated_bundle_json() -> None:
    run_counted(_mutated_bundle_json, "json")


def _numeric_paths(node: Any) -> list[tuple[Any, ...]]:
    out = []
    for path in _paths(node):
        leaf: Any = node
        for key in path:
            leaf = leaf[key]
        if isinstance(leaf, int | float) and not isinstance(leaf, bool):
            out.append(path)
    return out


NUMERIC = {name: _numeric_paths(data) for name, data in BASES.items()}
odd_numbers = st.sampled_from([0, -0.0, 1e-300, -1e-300, 1e300, -1e300, 1e308, 2**53 + 1, 10**20, -1, 1e-9])


@st.composite
def perturbed_numbers(draw: st.DrawFn) -> tuple[str, Any]:
    """Type-correct but extreme numbers (zero, tiny, huge, negative): they pass the schema and stress the
    metrics (division by zero, overflow to inf) all the way into the rendered report."""
    base = draw(st.sampled_from(sorted(BASES)))
    data = copy.deepcopy(BASES[base])
    for _ in range(draw(st.integers(1, 6))):
        path = draw(st.sampled_from(NUMERIC[base]))
        parent: Any = data
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = draw(odd_numbers | st.floats(allow_nan=False, allow_infinity=False))
    return base, data


@settings(FUZZ, max_examples=EXAMPLES["numbers"])
@given(perturbed_numbers())
def _extreme_numbers(case: tuple[str, Any]) -> None:
    base, data = case
    text = json.dumps(data)
    _run("numbers", base, lambda d: (d / "bundle.json").write_text(text, encoding="utf-8"))


@fuzz_test
def test_extreme_numbers() -> None:
    run_counted(_extreme_numbers, "numbers")


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "shift_jis"]


@st.composite
def mangled_bytes(draw: st.DrawFn) -> tuple[str, bytes]:
    base = draw(st.sampled_from(sorted(BASES)))
    text = json.dumps(BASES[base], ensure_ascii=False)
    if draw(st.booleans()):  # non-ASCII text in a free-text field, so encodings actually differ
        text = text.replace('"name": "', '"name": "Société Générale ☁ 金山云 ', 1)
    enc = draw(st.sampled_from(ENCODINGS))
    raw = text.encode(enc, errors="replace")
    op = draw(st.sampled_from(["none", "truncate", "flip", "insert", "bom_twice", "empty", "nul"]))
    if op == "truncate":
        raw = raw[: draw(st.integers(0, len(raw)))]
    elif op == "flip":
        for _ in range(draw(st.integers(1, 5))):
            i = draw(st.integers(0, len(raw) - 1))
            raw = raw[:i] + bytes([raw[i] ^ draw(st.integers(1, 255))]) + raw[i + 1 :]
    elif op == "insert":
        i = draw(st.integers(0, len(raw)))
        raw = raw[:i] + draw(st.binary(min_size=1, max_size=16)) + raw[i:]
    elif op == "bom_twice":
        raw = b"\xef\xbb\xbf\xef\xbb\xbf" + raw
    elif op == "empty":
        raw = draw(st.sampled_from([b"", b" ", b"\n", b"\xef\xbb\xbf", b"null", b"[]", b"0", b'""']))
    elif op == "nul":
        raw = raw.replace(b",", b",\x00", 1)
    return base, raw


@settings(FUZZ, max_examples=EXAMPLES["bytes"])
@given(mangled_bytes())
def _mangled_bundle_bytes(case: tuple[str, bytes]) -> None:
    base, raw = case
    _run("bytes", base, lambda d: (d / "bundle.json").write_bytes(raw))


@fuzz_test
def test_mangled_bundle_bytes() -> None:
    run_counted(_mangled_bundle_bytes, "bytes")


cells = st.sampled_from(
    [
        "",
        "NaN",
        "nan",
        "inf",
        "-inf",
        "Infinity",
        "1e309",
        "-1",
        "0",
        "1e308",
        "x",
        "1,000.5",
        "  42 ",
        "0x1A",
        "2026-01-02",
        "\x00",
        "１２",
        "9" * 400,
    ]
)


def _scaled(cell: str) -> str:
    try:
        return f"{float(cell) * 1e300:.6g}"
    except ValueError:  # an earlier mutation put text here: leave it
        return cell


@st.composite
def mutated_prices(draw: st.DrawFn) -> tuple[str, bytes]:
    rows = AAPL_PRICES[:]  # header + ~750 rows
    which = draw(st.sampled_from(["prices.csv", "benchmark.csv"]))
    for _ in range(draw(st.integers(1, 3))):
        op = draw(
            st.sampled_from(
                [
                    "cell",
                    "dup_date",
                    "swap",
                    "drop_col",
                    "extra_col",
                    "truncate",
                    "header",
                    "blank_line",
                    "short_row",
                    "scale",
                ]
            )
        )
        i = draw(st.integers(1, len(rows) - 1)) if len(rows) > 1 else 0
        if op == "cell" and i:
            parts = rows[i].split(",")
            parts[draw(st.integers(0, len(parts) - 1))] = draw(cells)
            rows[i] = ",".join(parts)
        elif op == "dup_date" and i:
            rows.insert(i, rows[i])
        elif op == "swap" and 1 < i:
            rows[i - 1], rows[i] = rows[i], rows[i - 1]
        elif op == "drop_col":
            col = draw(st.integers(0, 5))
            rows = [",".join(p for j, p in enumerate(r.split(",")) if j != col) for r in rows]
        elif op == "extra_col":
            rows = [r + ",extra" for r in rows]
        elif op == "truncate":
            rows = rows[: draw(st.integers(0, 3))]
        elif op == "header" and rows:
            rows[0] = draw(
                st.sampled_from(
                    [
                        "date,open,high,low,close,volume",
                        "Date;Open;High;Low;Close;Volume",
                        "\ufeffDate,Open,High,Low,Close,Volume",
                        "",
                    ]
                )
            )
        elif op == "blank_line" and i:
            rows.insert(i, "")
        elif op == "short_row" and i:
            rows[i] = rows[i].rsplit(",", 2)[0]
        elif op == "scale" and i:  # a huge but finite price: metrics must not overflow into inf/NaN output
            parts = rows[i].split(",")
            rows[i] = ",".join([parts[0]] + [_scaled(p) for p in parts[1:5]] + parts[5:])
    text = "\n".join(rows) + ("\n" if rows else "")
    enc = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "crlf"]))
    raw = text.replace("\n", "\r\n").encode() if enc == "crlf" else text.encode(enc, errors="replace")
    return which, raw


@settings(FUZZ, max_examples=EXAMPLES["prices"])
@given(mutated_prices())
def _mutated_price_files(case: tuple[str, bytes]) -> None:
    which, raw = case
    _run("prices", "AAPL", lambda d: (d / which).write_bytes(raw))


@fuzz_test
def test_mutated_price_files() -> None:
    run_counted(_mutated_price_files, "prices")


def _drop(name: str) -> Callable[[Path], None]:
    return lambda d: (d / name).unlink()


def _json_edit(edit: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def prepare(d: Path) -> None:
        data = json.loads((d / "bundle.json").read_text())
        edit(data)
        (d / "bundle.json").write_text(json.dumps(data, allow_nan=True))

    return prepare


def _as_dir(name: str) -> Callable[[Path], None]:
    def prepare(d: Path) -> None:
        (d / name).unlink(missing_ok=True)
        (d / name).mkdir()

    return prepare


TABLE: dict[str, tuple[str, Callable[[Path], None]]] = {
    "no bundle.json": ("AAPL", _drop("bundle.json")),
    "bundle.json is a folder": ("AAPL", _as_dir("bundle.json")),
    "prices.csv is a folder": ("AAPL", _as_dir("prices.csv")),
    "benchmark without prices": ("AAPL", _drop("prices.csv")),
    "no benchmark": ("AAPL", _drop("benchmark.csv")),
    "bundle dir missing": ("AAPL", lambda d: shutil.rmtree(d)),
    "transcript missing": (
        "HK",
        _json_edit(lambda b: b["earnings_call"].__setitem__("transcript", "call.txt")),
    ),
    "transcript escapes": (
        "HK",
        _json_edit(lambda b: b["earnings_call"].__setitem__("transcript", "../../../etc/passwd")),
    ),
    "transcript absolute": (
        "HK",
        _json_edit(lambda b: b["earnings_call"].__setitem__("transcript", "/etc/passwd")),
    ),
    "empty prices": ("AAPL", lambda d: (d / "prices.csv").write_bytes(b"")),
    "header-only prices": (
        "AAPL",
        lambda d: (d / "prices.csv").write_text("Date,Open,High,Low,Close,Volume\n"),
    ),
    "one-row prices": (
        "AAPL",
        lambda d: (d / "prices.csv").write_text("\n".join(AAPL_PRICES[:1] + AAPL_PRICES[-1:]) + "\n"),
    ),
    "all NaN prices": (
        "AAPL",
        lambda d: (d / "prices.csv").write_text(
            AAPL_PRICES[0]
            + "\n"
            + "".join(f"{r.split(',')[0]},NaN,NaN,NaN,NaN,NaN\n" for r in AAPL_PRICES[1:])
        ),
    ),
    "everything null": ("AAPL", _json_edit(lambda b: b.update({k: None for k in b if k != "profile"}))),
    "bundle is a list": ("AAPL", lambda d: (d / "bundle.json").write_text("[1, 2, 3]")),
    "deeply nested": ("AAPL", lambda d: (d / "bundle.json").write_text("[" * 100_000 + "]" * 100_000)),
    "huge as_of year": ("AAPL", _json_edit(lambda b: b.__setitem__("as_of", "99999-01-01"))),
    "as_of before prices": ("AAPL", _json_edit(lambda b: b.__setitem__("as_of", "1990-01-01"))),
}


@pytest.mark.parametrize("name", sorted(TABLE))
def test_named_breakages(name: str, tmp_path: Path) -> None:
    base, prepare = TABLE[name]
    bundle = _bundle_dir(tmp_path, base)
    prepare(bundle)
    run_case(bundle, tmp_path / "out", "table")


def test_200k_row_price_file(tmp_path: Path) -> None:
    """One large file (200,000 daily rows, 1700-2247: pandas' datetime range holds no more) with one duplicate
    date near the end: a short error; the same file without the duplicate gives a report."""
    bundle = _bundle_dir(tmp_path, "AAPL")
    _json_edit(lambda b: b.__setitem__("as_of", "2250-01-01"))(bundle)
    n = 200_000
    dates = pd.date_range(start="1700-01-01", periods=n, freq="D").strftime("%Y-%m-%d").to_numpy()
    close = 100 + np.sin(np.arange(n) / 50.0) * 10
    frame = pd.DataFrame(
        {
            "Date": dates,
            "Open": close,
            "High": close + 1,
            "Low": close - 1,
            "Close": close,
            "Volume": np.full(n, 1000),
        }
    )
    good = frame.to_csv(index=False, float_format="%.4f")
    bad = frame.copy()
    bad.loc[n - 10, "Date"] = bad.loc[n - 11, "Date"]
    (bundle / "prices.csv").write_text(bad.to_csv(index=False, float_format="%.4f"))
    (bundle / "benchmark.csv").unlink()
    assert run_case(bundle, tmp_path / "out", "200k") == "error"
    (bundle / "prices.csv").write_text(good)
    assert run_case(bundle, tmp_path / "out2", "200k") == "report"


def test_the_fuzz_runs_at_least_1000_bundles() -> None:
    """Each fuzz test above checks it ran its EXAMPLES (run_counted); together they are >= 1,000 bundles,
    wherever xdist ran them."""
    assert sum(EXAMPLES.values()) >= min(1000, scaled(1000))
