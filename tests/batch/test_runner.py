"""Runner: failure isolation, fail-fast, manifest contents, resume (up-to-date skip) and --force."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.batch.runner import Limits, run_batch
from pipeline.narrate.offline_chat import OfflineChatModel
from pipeline.narrate.offline_model import OFFLINE_MODEL_ID
from pipeline.report.document import Report
from pipeline.run import RunConfig, build_model
from tests.batch.conftest import make_bundles, manifest_of, stockreport


class FailsFor(OfflineChatModel):
    """The offline model, except that it errors for prompts naming one company."""

    bad: str = ""

    def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any) -> Any:
        if any(self.bad in str(m.content) for m in messages):
            raise ValueError("model exploded")
        return super()._generate(messages, stop, run_manager, **kw)


def _cfg(out: Path, **kw: Any) -> RunConfig:
    return RunConfig(out=out, formats=("json", "md"), no_cache=True, **kw)


@pytest.mark.parametrize("breakage", ["bad-json", "model-error", "duplicate-ticker"])
def test_one_failure_never_stops_the_others(tmp_path: Path, breakage: str) -> None:
    bundles = make_bundles(tmp_path / "in", ["AAA", "BBB", "CCC"])
    resolved = build_model(_cfg(tmp_path))
    if breakage == "bad-json":
        (bundles[1] / "bundle.json").write_text("{")
    elif breakage == "model-error":
        resolved = resolved.with_chat(FailsFor(bad="Cloud Holdings Ltd BBB", model_name=OFFLINE_MODEL_ID))
    else:
        data = json.loads((bundles[1] / "bundle.json").read_text())
        data["profile"]["ticker"] = "AAA"
        (bundles[1] / "bundle.json").write_text(json.dumps(data))
    out = tmp_path / "out"
    outcome = run_batch(bundles, _cfg(out), Limits(concurrency=2, workers=1), resolved=resolved)
    status = {r.bundle: r.status for r in outcome.results}
    failed = outcome.failed
    assert len(failed) == 1 and failed[0].error
    expected = {"bad-json": "bad JSON", "model-error": "model exploded", "duplicate-ticker": "duplicate"}
    assert expected[breakage] in failed[0].error
    assert status[str(bundles[2])] == "done"
    assert sorted(s for s in status.values()) == ["done", "done", "failed"]
    manifest = json.loads(outcome.manifest.path.read_text())
    assert manifest["totals"]["failed"] == 1 and manifest["totals"]["done"] == 2
    assert Report.model_validate_json((out / "CCC" / "report.json").read_text()).ticker == "CCC"


def test_fail_fast_stops_early(tmp_path: Path) -> None:
    bundles = make_bundles(tmp_path / "in", [f"T{i:02d}" for i in range(8)])
    (bundles[0] / "bundle.json").write_text("{")
    outcome = run_batch(bundles, _cfg(tmp_path / "out"), Limits(concurrency=1, workers=1, fail_fast=True))
    assert outcome.results[0].status == "failed"
    assert len(outcome.results) < len(bundles)  # the queue was not drained
    manifest = json.loads(outcome.manifest.path.read_text())
    assert manifest["totals"]["pending"] >= 1


def test_manifest_rows_and_resume_then_force(tmp_path: Path) -> None:
    bundles = make_bundles(tmp_path / "in", ["AAA", "BBB"])
    out = tmp_path / "out"
    first = run_batch(bundles, _cfg(out), Limits(concurrency=2, workers=1), batch_id="one")
    row = json.loads((out / "batch-one.json").read_text())["tickers"]["AAA"]
    assert row["status"] == "done" and row["error"] is None and not row["cached"]
    assert row["input_hash"].startswith("sha256:") and row["model_calls"] == 6
    assert set(row["paths"]) == {"json", "md"} and Path(row["paths"]["json"]).is_file()
    assert row["tokens"]["input"] > 0 and row["cost_usd"] == 0 and row["seconds"] > 0
    mtime = (out / "AAA" / "report.json").stat().st_mtime_ns
    assert {r.status for r in first.results} == {"done"}

    again = run_batch(bundles, _cfg(out), Limits(concurrency=2, workers=1), batch_id="two")
    assert {r.status for r in again.results} == {"cached"}
    assert sum(r.model_calls for r in again.results) == 0
    assert (out / "AAA" / "report.json").stat().st_mtime_ns == mtime
    assert json.loads((out / "batch-two.json").read_text())["tickers"]["BBB"]["cached"] is True

    # a changed input, a changed model or --force all regenerate
    data = json.loads((bundles[1] / "bundle.json").read_text())
    data["profile"]["description"] += " Changed."
    (bundles[1] / "bundle.json").write_text(json.dumps(data))
    third = run_batch(bundles, _cfg(out), Limits(concurrency=2, workers=1))
    assert {r.ticker: r.status for r in third.results} == {"AAA": "cached", "BBB": "done"}
    forced = run_batch(bundles, _cfg(out, force=True), Limits(concurrency=2, workers=1))
    assert {r.status for r in forced.results} == {"done"}


def test_missing_md_means_not_up_to_date(tmp_path: Path) -> None:
    bundles = make_bundles(tmp_path / "in", ["AAA"])
    out = tmp_path / "out"
    run_batch(bundles, _cfg(out), Limits(workers=1))
    (out / "AAA" / "report.md").unlink()
    assert run_batch(bundles, _cfg(out), Limits(workers=1)).results[0].status == "done"


@pytest.mark.slow  # spawns a stockreport process
def test_batch_cli_processes_exit_code_and_summary(tmp_path: Path) -> None:
    make_bundles(tmp_path / "in", ["AAA", "BBB", "CCC"])
    (tmp_path / "in" / "BBB" / "prices.csv").write_text(
        "Date,Open,High,Low,Close,Volume\n2026-01-02,1,0.5,0.9,0.8,10\n"
    )
    out = tmp_path / "out"
    proc = stockreport("batch", str(tmp_path / "in"), "--out", str(out), "--workers", "2", "--no-cache")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "failed" in proc.stderr and "BBB" in proc.stderr
    m = manifest_of(out)
    assert {k: v["status"] for k, v in m["tickers"].items()} == {
        "AAA": "done",
        "BBB": "failed",
        "CCC": "done",
    }
    assert "prices.csv" in m["tickers"]["BBB"]["error"]
    ok = stockreport("batch", str(tmp_path / "in" / "AAA"), "--out", str(out), "--no-progress")
    assert ok.returncode == 0 and "cached" in ok.stderr


@pytest.mark.parametrize("ticker", ["../OUTSIDE", "CON", "." * 3])
def test_a_ticker_naming_no_usable_folder_fails_alone_in_the_up_to_date_check(
    tmp_path: Path, ticker: str
) -> None:
    """The up-to-date check runs for every bundle before any worker starts; a ticker that names no usable
    output folder is that ticker's failure (said by its worker), never the batch's."""
    good, bad = make_bundles(tmp_path / "in", ["GOOD", "BADT"])
    cfg = _cfg(tmp_path / "out")
    assert run_batch([good], cfg, Limits(workers=1)).results[0].status == "done"
    data = json.loads((bad / "bundle.json").read_text())
    data["profile"]["ticker"] = ticker
    (bad / "bundle.json").write_text(json.dumps(data))
    outcome = run_batch([good, bad], cfg, Limits(workers=1))
    status = {r.bundle: (r.status, r.error) for r in outcome.results}
    assert status[str(good)] == ("cached", None)
    assert status[str(bad)][0] == "failed" and status[str(bad)][1]  # the reason, from the worker
