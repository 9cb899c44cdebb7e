"""`generate --section`: only the named sections are re-asked, the rest kept; the report names each model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.errors import StockreportError
from pipeline.model.providers import resolve_model
from pipeline.report.document import Report
from pipeline.run import RunConfig, build_model, regenerate_sections, run_report
from tests.batch.conftest import SAMPLES, stockreport
from tests.support.openai_stub import OpenAIStub, completion

HK = SAMPLES / "HK_3896"
FACTORS = json.dumps(
    {
        "positive": [{"title": "Equity base", "text": "Equity funds 26.28% of total assets."}],
        "negative": [
            {"title": "High leverage", "text": "A debt-to-equity ratio of 1.30 denotes elevated leverage."}
        ],
    }
)


def _first(out: Path) -> Report:
    cfg = RunConfig(out=out, no_cache=True)
    return run_report(HK, build_model(cfg), out, options=cfg.narrate_options()).report


def test_section_from_another_model_keeps_the_rest(tmp_path: Path) -> None:
    before = _first(tmp_path)
    with OpenAIStub() as stub:
        stub.enqueue(completion(FACTORS))
        resolved = resolve_model("openai-compatible:stub-llm", base_url=stub.base_url, timeout=5)
        after = regenerate_sections(HK, resolved, tmp_path, ("factors",)).report
        assert len(stub.requests) == 1  # only the factors section was asked
        assert "factors" in stub.requests[0].body["messages"][-1]["content"]
    models = {p.section: p.model for p in after.provenance.sections}
    assert models == {
        "earnings_call": "offline",
        "events": "offline",
        "factors": "openai-compatible:stub-llm",
        "financials": "offline",
        "technicals": "offline",
        "summary": "offline",
    }
    assert [f.title for f in after.factors.positive] == ["Equity base"]
    assert after.sections.summary == before.sections.summary
    assert after.sections.financials.summary == before.sections.financials.summary
    assert after.sections.earnings_call.summary == before.sections.earnings_call.summary
    assert after.score == before.score
    assert after.provenance.prompt_versions == before.provenance.prompt_versions
    kept_usage = {p.section: p.usage for p in before.provenance.sections if p.section != "factors"}
    assert {p.section: p.usage for p in after.provenance.sections if p.section != "factors"} == kept_usage
    on_disk = Report.model_validate_json((tmp_path / "HK_3896" / "report.json").read_text())
    assert on_disk.factors == after.factors
    assert "openai-compatible:stub-llm" in (tmp_path / "HK_3896" / "report.json").read_text()
    assert all(c.status == "verified" for c in after.number_checks if c.section.startswith("factors"))


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("none", "no report to update"),
        ("changed", "the bundle changed"),
        ("unknown", "unknown section"),
    ],
)
def test_refuses_when_it_cannot_keep_sections_safely(tmp_path: Path, setup: str, message: str) -> None:
    import shutil

    bundle = tmp_path / "in" / "HK_3896"
    shutil.copytree(HK, bundle)
    out = tmp_path / "out"
    resolved = build_model(RunConfig(out=out))
    if setup != "none":
        run_report(bundle, resolved, out)
    if setup == "changed":
        data = json.loads((bundle / "bundle.json").read_text())
        data["profile"]["description"] += " New."
        (bundle / "bundle.json").write_text(json.dumps(data))
    with pytest.raises(StockreportError, match=message):
        regenerate_sections(bundle, resolved, out, ("nonsense",) if setup == "unknown" else ("summary",))


@pytest.mark.slow  # spawns a stockreport process
def test_cli_section_regeneration_keeps_other_sections(tmp_path: Path) -> None:
    assert stockreport("generate", str(HK), "--out", str(tmp_path)).returncode == 0
    path = tmp_path / "HK_3896" / "report.json"
    before = json.loads(path.read_text())
    proc = stockreport(
        "generate", str(HK), "--out", str(tmp_path), "--section", "summary", "-s", "technicals"
    )
    assert proc.returncode == 0, proc.stderr
    assert "re-asked summary, technicals" in proc.stdout
    after = json.loads(path.read_text())
    assert after["sections"]["financials"] == before["sections"]["financials"]
    assert after["factors"] == before["factors"]
    assert after["sections"]["summary"] == before["sections"]["summary"]  # offline: same answer again
    assert after["provenance"]["generated_at"] >= before["provenance"]["generated_at"]
    # The offline prose is the same whether re-asked or kept; the provenance (latency, cache) tells them apart.
    kept_prov = [
        [p for p in r["provenance"]["sections"] if p["section"] not in ("summary", "technicals")]
        for r in (before, after)
    ]
    assert len(kept_prov[0]) == 4
    assert kept_prov[1] == kept_prov[0]
