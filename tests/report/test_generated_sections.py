"""The real HK_3896 report (offline model) carries every seed section and key figure in all three formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.model.providers import resolve_model
from pipeline.run import run_report
from tests.report.test_render import SEED_HEADINGS

REPO = Path(__file__).resolve().parents[2]
# Figures a reader sees, all computed from or copied out of fixtures/bundles/HK_3896 by the pipeline.
SHOWN = [
    "HK$7.50",
    "▲(4.90% Upside)",
    "9.02B",
    "850.17M",
    "-972.95M",
    "1.30",
    "26.28%",
    "16.19%",
    "Aug 20, 2025",
    "Mar 25, 2026",
    "Jan 28, 2026",
    "HK$32.40B",
    "60.21",
    "7.15",
]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("out")
    done = run_report(REPO / "fixtures" / "bundles" / "HK_3896", resolve_model("offline"), out)
    return {k: p.read_text(encoding="utf-8") for k, p in done.paths.items()}


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_seed_headings_in_order(files: dict[str, str], fmt: str) -> None:
    text = files[fmt].replace("&amp;", "&")
    at = 0
    for heading in SEED_HEADINGS:  # each heading must come after the previous one
        found = text.find(heading, at)
        assert found != -1, f"{heading!r} missing or out of order"
        at = found + len(heading)


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("figure", SHOWN)
def test_key_figures_shown(files: dict[str, str], fmt: str, figure: str) -> None:
    assert figure in files[fmt]


def test_json_contract_keys(files: dict[str, str]) -> None:
    data = json.loads(files["json"])
    assert {
        "ticker",
        "as_of",
        "score",
        "factors",
        "metrics",
        "sections",
        "provenance",
        "number_checks",
    } <= set(data)
    assert {"overall", "label", "subscores"} <= set(data["score"])
    assert {"model", "prompt_versions", "input_hash", "usage", "cost_usd"} <= set(data["provenance"])
    assert all({"title", "text"} == set(f) for f in data["factors"]["positive"] + data["factors"]["negative"])
    assert data["metrics"]["price_target"]["target"] == 7.5
