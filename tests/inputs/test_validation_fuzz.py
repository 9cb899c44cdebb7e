"""Random mutations of a valid bundle never produce anything but a valid bundle or a clean InputError."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import InputError
from pipeline.inputs.load import parse_bundle
from pipeline.inputs.prices import validate_price_frame
from tests.support.fuzz import scaled

pytestmark = pytest.mark.slow  # fuzz (CI runs it; `-m "not slow"` skips it)

HK = json.loads((Path(__file__).resolve().parents[2] / "fixtures/bundles/HK_3896/bundle.json").read_text())

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(["", "2025-13-45", "HK:3896", "../x", "\x00", "1e999", "NaN"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, prefix + (i,))
    return out


ALL_PATHS = [p for p in _paths(HK) if p]


@st.composite
def mutated_bundles(draw: st.DrawFn) -> Any:
    data = copy.deepcopy(HK)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(ALL_PATHS))
        parent: Any = data
        try:
            for key in path[:-1]:
                parent = parent[key]
            action = draw(st.sampled_from(["replace", "delete", "add"]))
            if action == "replace":
                parent[path[-1]] = draw(json_values)
            elif action == "delete":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[draw(st.text(max_size=8))] = draw(json_values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this path
    return data


@settings(max_examples=scaled(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_bundles())
def test_mutated_bundle_is_valid_or_clean_error(data: Any) -> None:
    try:
        parse_bundle(data)
    except InputError as exc:
        assert exc.problems
        for problem in exc.problems:
            line = str(problem)
            assert line.startswith("bundle.json") and "\n" not in line


cells = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=6),
    st.sampled_from(["", "-1", "0", "1e308", "2026-01-01", "NaN"]),
)


@settings(max_examples=scaled(200), deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["2026-01-01", "2026-01-02", "2025-12-31", "x", ""]),
            cells,
            cells,
            cells,
            cells,
            cells,
        ),
        min_size=0,
        max_size=8,
    )
)
def test_mutated_price_rows_are_valid_or_clean_error(rows: list[tuple[str, ...]]) -> None:
    import pandas as pd

    frame = pd.DataFrame(rows, columns=["Date", "Open", "High", "Low", "Close", "Volume"], dtype=object)
    try:
        out = validate_price_frame(frame, "prices.csv")
    except InputError as exc:
        assert exc.problems and all(str(p).startswith("prices.csv") for p in exc.problems)
    else:
        assert (out[["Open", "High", "Low", "Close"]] > 0).all().all()
        assert out.index.is_monotonic_increasing and out.index.is_unique
