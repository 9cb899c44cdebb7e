"""`batch --via openai-batch` against a local stub of /v1/files and /v1/batches: rounds, merge, resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.batch.openai_batch import run_remote
from pipeline.report.document import Report
from pipeline.run import RunConfig
from tests.batch.batch_stub import BatchStub
from tests.batch.conftest import make_bundles, manifest_of, stockreport

SPEC = "openai:gpt-5.2"


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-real")


def _cfg(out: Path, stub: BatchStub) -> RunConfig:
    return RunConfig(
        model=SPEC, out=out, formats=("json", "md"), base_url=stub.base_url, timeout=10, no_cache=True
    )


def test_two_rounds_merge_through_the_normal_path(tmp_path: Path) -> None:
    bundles = make_bundles(tmp_path / "in", ["AAA", "BBB"])
    out = tmp_path / "out"
    sleeps: list[float] = []
    with BatchStub(polls_before_done=2) as stub:
        failed = run_remote(bundles, _cfg(out, stub), poll_s=0.5, sleep=sleeps.append)
        assert failed == []
        assert sorted(stub.batches) == ["batch_1", "batch_2"]
        first = [json.loads(json.dumps(r))["body"] for r in stub.requests_seen[:4]]
        sections = [
            r["body"]["messages"][1]["content"].split('<task section="')[1].split('"')[0]
            for r in stub.requests_seen
        ]
    assert sorted(sections[:4]) == ["earnings_call", "earnings_call", "events", "events"]
    assert (
        sorted(set(sections[4:])) == ["factors", "financials", "summary", "technicals"]
        and len(sections) == 12
    )
    assert all(b["model"] == "gpt-5.2" and b["response_format"]["type"] == "json_schema" for b in first)
    assert sleeps[:2] == [0.5, 0.75]  # backoff between polls
    for t in ("AAA", "BBB"):
        report = Report.model_validate_json((out / t / "report.json").read_text())
        assert report.provenance.model == SPEC and report.provenance.usage.input_tokens > 0
        assert report.provenance.cost_usd > 0  # priced from the batch's reported usage
        assert all(c.status == "verified" for c in report.number_checks)
        assert report.sections.summary.text and (out / t / "report.md").is_file()
    m = manifest_of(out)
    assert m["remote"]["batch_id"] == "batch_2" and m["remote"]["status"] == "completed"
    assert m["remote"]["history"] == ["batch_1", "batch_2"] and m["totals"]["done"] == 2


def test_resume_remote_after_a_crash_reuses_the_batch(tmp_path: Path) -> None:
    bundles = make_bundles(tmp_path / "in", ["AAA"])
    out = tmp_path / "out"

    def crash(_: float) -> None:
        raise KeyboardInterrupt  # the process dies while the first batch is still running

    with BatchStub(polls_before_done=1) as stub:
        with pytest.raises(KeyboardInterrupt):
            run_remote(bundles, _cfg(out, stub), poll_s=0.01, sleep=crash)
        assert manifest_of(out)["remote"]["batch_id"] == "batch_1"
        failed = run_remote(bundles, _cfg(out, stub), resume_id="batch_1", poll_s=0.01, sleep=lambda s: None)
        assert failed == []
        assert sorted(stub.batches) == ["batch_1", "batch_2"]  # batch_1 was not paid for twice
        assert len(stub.requests_seen) == 6
    assert Report.model_validate_json((out / "AAA" / "report.json").read_text()).ticker == "AAA"


@pytest.mark.slow  # spawns a stockreport process
def test_cli_then_up_to_date_rerun_sends_nothing(tmp_path: Path) -> None:
    make_bundles(tmp_path / "in", ["AAA", "BBB"])
    out = tmp_path / "out"
    args = [
        "batch",
        str(tmp_path / "in"),
        "--via",
        "openai-batch",
        "--model",
        SPEC,
        "--out",
        str(out),
        "--poll",
        "0.01",
        "-f",
        "json",
    ]
    env = {"OPENAI_API_KEY": "sk-test-not-real"}
    with BatchStub(polls_before_done=0) as stub:
        proc = stockreport(*args, "--base-url", stub.base_url, env=env)
        assert proc.returncode == 0, proc.stderr
        assert "--resume-remote batch_1" in proc.stderr and "done 2" in proc.stderr
        n = len(stub.batches)
        again = stockreport(*args, "--base-url", stub.base_url, env=env)
        assert again.returncode == 0 and "cached 2" in again.stderr
        assert len(stub.batches) == n == 2  # up to date: no new remote batch


def test_failed_remote_request_fails_only_its_ticker(tmp_path: Path) -> None:
    bundles = make_bundles(tmp_path / "in", ["CCC", "DDD"])
    out = tmp_path / "out"
    with BatchStub(polls_before_done=0) as stub:
        real_complete = stub._complete

        def complete(bid: str) -> None:  # fail CCC's first request of the first round
            if bid == "batch_1":
                lines = stub.files[stub.batches[bid]["input_file_id"]].decode().splitlines()
                stub.fail_keys = {next(json.loads(ln)["custom_id"] for ln in lines if "CCC" in ln)}
            real_complete(bid)

        stub._complete = complete  # type: ignore[method-assign]
        failed = run_remote(bundles, _cfg(out, stub), poll_s=0.01, sleep=lambda s: None)
    assert [f.ticker for f in failed] == ["CCC"] and "stub failure" in (failed[0].error or "")
    assert Report.model_validate_json((out / "DDD" / "report.json").read_text()).ticker == "DDD"
    assert not (out / "CCC").exists()
    assert manifest_of(out)["totals"]["failed"] == 1
