"""Faults: a 200-ticker `stockreport batch` against a model server that fails 30% of requests, and a full disk.

Every ticker must end done, or failed with its reason, in a complete manifest; every report on disk parses;
no temp files are left. Retry backoff is patched small (RetryPolicy) so the run takes seconds.

Timing margins do not depend on the machine's speed or load: a healthy reply comes from a server thread in
this process, so on a loaded machine it can take a good part of a second; the client timeout (TIMEOUT_S) is
far above that, and a "timeout" fault hangs well past it (HANG_S), so only the faults time out. Timeouts
are made rarer than the other faults (FAULT_WEIGHTS): each one costs its client the whole TIMEOUT_S.
"""

from __future__ import annotations

import errno
import functools
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import pipeline.files
import pipeline.model.ask as structured
from pipeline.cli import app
from pipeline.errors import StockreportError
from pipeline.report.document import Report
from pipeline.run import run_report
from tests.hardening.model_server import ModelServer
from tests.hardening.support import BUNDLES, OFFLINE, check_outputs, files_under

N_TICKERS = 200
TIMEOUT_S = 2.0  # client timeout: about 10x the slowest healthy reply seen on a loaded 2-core machine
HANG_S = 3.0  # a "timeout" fault answers only after this, long after the client gave up
FAULT_WEIGHTS = {"timeout": 0.25}


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Backoff of ~10 ms instead of seconds; Retry-After is honoured up to 50 ms."""
    fast = functools.partial(
        structured.RetryPolicy, initial=0.005, maximum=0.02, jitter=0.005, max_retry_after=0.05
    )
    monkeypatch.setattr(structured, "RetryPolicy", fast)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for var in (
        "OPENAI_BASE_URL",
        "OPENAI_COMPATIBLE_API_KEY",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "STOCKREPORT_MODEL",
        "STOCKREPORT_CACHE",
    ):
        monkeypatch.delenv(var, raising=False)
    yield


def _bundles(root: Path, n: int) -> list[str]:
    """`n` copies of the AAPL bundle under distinct tickers (prices, no benchmark: less to parse)."""
    base = json.loads((BUNDLES / "AAPL" / "bundle.json").read_text())
    base["benchmark"] = None
    prices = (BUNDLES / "AAPL" / "prices.csv").read_bytes()
    tickers = []
    for i in range(n):
        ticker = f"T{i:03d}"
        folder = root / ticker
        folder.mkdir(parents=True)
        base["profile"]["ticker"] = ticker
        (folder / "bundle.json").write_text(json.dumps(base))
        (folder / "prices.csv").write_bytes(prices)
        tickers.append(ticker)
    return tickers


@pytest.mark.slow  # 200 tickers, ~1,000 requests against the fault server
def test_200_ticker_batch_under_30pct_faults(tmp_path: Path, fast_retries: None, clean_env: None) -> None:
    tickers = _bundles(tmp_path / "in", N_TICKERS)
    out = tmp_path / "out"
    with ModelServer(fault_rate=0.3, seed=9, hang_s=HANG_S, fault_weights=FAULT_WEIGHTS) as server:
        result = CliRunner().invoke(
            app,
            [
                "batch",
                str(tmp_path / "in"),
                "--model",
                "openai-compatible:stub",
                "--base-url",
                server.base_url,
                "--timeout",
                str(TIMEOUT_S),
                "--concurrency",
                "16",
                "--no-cache",
                "--no-progress",
                "--out",
                str(out),
            ],
        )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    faults = {k: v for k, v in server.counts.items() if k != "ok"}
    total = sum(server.counts.values())
    print(f"fault stub: {total} requests, {sum(faults.values())} faults {faults}")
    assert set(faults) == {"timeout", "429", "500", "truncated_body", "truncated_json", "slow", "reset"}
    assert 0.2 < sum(faults.values()) / total < 0.4

    manifests = list(out.glob("batch-*.json"))
    assert len(manifests) == 1
    manifest = json.loads(manifests[0].read_text())
    entries = manifest["tickers"]
    assert sorted(entries) == tickers  # complete: every ticker has its entry
    assert manifest["finished_at"] and manifest["totals"]["tickers"] == N_TICKERS
    statuses = {t: e["status"] for t, e in entries.items()}
    assert set(statuses.values()) <= {"done", "failed"}, statuses
    for ticker, entry in entries.items():
        folder = out / ticker
        if entry["status"] == "failed":
            assert entry["error"] and "Traceback" not in entry["error"]
            assert files_under(folder) == []  # no half report
        else:
            report = check_outputs(folder, ticker)
            assert report.provenance.input_hash == entry["input_hash"]
    done = sum(s == "done" for s in statuses.values())
    reasons = [f"{t}: {e['error']}" for t, e in entries.items() if e["status"] == "failed"]
    print(f"batch: {done} done, {N_TICKERS - done} failed", *reasons, sep="\n  ")
    assert done >= N_TICKERS * 0.9  # retries and re-asks absorb nearly all faults
    assert result.exit_code == (0 if done == N_TICKERS else 1)
    # Nothing half-written anywhere: no temp files, every JSON parses.
    assert not [p for p in files_under(out) if p.name.endswith(".tmp") or p.name.startswith(".")]
    assert manifest["totals"]["model_calls"] == total  # every request the server received is counted


def test_accounting_counts_failed_attempts_and_failed_tickers(
    tmp_path: Path, fast_retries: None, clean_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """At a 70% fault rate most tickers fail: the manifest still counts every request the server received,
    and every token it billed (100 in + 20 out per answer that arrived whole), failed tickers included."""
    from tests.support.cli import run_cli

    _bundles(tmp_path / "in", 20)
    out = tmp_path / "out"
    with ModelServer(
        fault_rate=0.7,
        seed=3,
        hang_s=HANG_S,
        fault_weights=FAULT_WEIGHTS,
        faults=("429", "500", "truncated_json", "reset", "timeout"),
    ) as server:
        code, _, err = run_cli(
            [
                "batch",
                str(tmp_path / "in"),
                "--model",
                "openai-compatible:stub",
                "--base-url",
                server.base_url,
                "--timeout",
                str(TIMEOUT_S),
                "--concurrency",
                "8",
                "--no-cache",
                "--no-progress",
                "--out",
                str(out),
            ],
            capsys,
        )
    assert server.counts["timeout"] > 0  # timeouts were among the faults counted
    manifest = json.loads(next(out.glob("batch-*.json")).read_text())
    rows = manifest["tickers"].values()
    received = sum(server.counts.values())
    answered = server.counts["ok"] + server.counts["truncated_json"]  # replies that carry usage
    failed = [r for r in rows if r["status"] == "failed"]
    print(
        f"70% faults: {received} requests received, {len(failed)} of 20 tickers failed, "
        f"manifest model_calls {manifest['totals']['model_calls']}"
    )
    assert code == 1 and failed and "Traceback" not in err
    assert manifest["totals"]["model_calls"] == received
    assert all(r["model_calls"] > 0 for r in failed)  # failed tickers spent calls too
    assert manifest["totals"]["input_tokens"] == 100 * answered
    assert manifest["totals"]["output_tokens"] == 20 * answered


def test_every_fault_kind_ends_reported_or_named(
    tmp_path: Path, fast_retries: None, clean_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that always faults the same way: transport faults exhaust retries and name the error;
    a truncated answer exhausts re-asks; a slow stream still succeeds."""
    from pipeline.model.providers import resolve_model

    # two calls per request are enough to show retries end in a named error; timeouts cost TIMEOUT_S each
    monkeypatch.setattr(structured, "RetryPolicy", functools.partial(structured.RetryPolicy, max_attempts=2))
    for fault in ("timeout", "429", "500", "truncated_body", "truncated_json", "slow", "reset"):
        out = tmp_path / fault
        with ModelServer(fault_rate=1.0, faults=(fault,), hang_s=HANG_S) as server:
            model = resolve_model("openai-compatible:stub", base_url=server.base_url, timeout=TIMEOUT_S)
            if fault == "slow":
                assert run_report(BUNDLES / "AAPL", model, out).report.ticker == "AAPL"
                continue
            with pytest.raises(StockreportError) as info:
                run_report(BUNDLES / "AAPL", model, out)
        message = str(info.value)
        assert "failed after" in message or "no valid answer" in message, message
        assert files_under(out) == []


def test_full_disk_fails_cleanly_and_keeps_the_previous_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    first = run_report(BUNDLES / "AAPL", OFFLINE, out)
    before = {p: p.read_bytes() for p in files_under(out)}
    assert len(before) == 3

    changed = tmp_path / "AAPL"
    shutil.copytree(BUNDLES / "AAPL", changed)
    data = json.loads((changed / "bundle.json").read_text())
    data["profile"]["name"] = "Apple Inc. (renamed)"
    (changed / "bundle.json").write_text(json.dumps(data))

    real_fdopen = os.fdopen

    class FullDisk:
        """A file object that takes 100 bytes, then raises ENOSPC like a full disk."""

        def __init__(self, fh: object) -> None:
            self.fh, self.written = fh, 0

        def __enter__(self) -> FullDisk:
            return self

        def __exit__(self, *exc: object) -> None:
            self.fh.close()  # type: ignore[attr-defined]

        def write(self, data: bytes) -> int:
            self.fh.write(data[:100])  # type: ignore[attr-defined]
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __getattr__(self, name: str) -> object:
            return getattr(self.fh, name)

    calls = {"n": 0}

    def fdopen(fd: int, mode: str = "r", *args: object, **kwargs: object) -> object:
        calls["n"] += 1
        fh = real_fdopen(fd, mode, *args, **kwargs)  # type: ignore[call-overload]
        return FullDisk(fh) if calls["n"] >= 2 else fh  # the second file (report.md) hits the full disk

    monkeypatch.setattr(pipeline.files.os, "fdopen", fdopen)
    with pytest.raises(StockreportError) as info:
        run_report(changed, OFFLINE, out)
    assert "No space left" in str(info.value) or "space" in str(info.value).lower()
    monkeypatch.undo()
    after = {p: p.read_bytes() for p in files_under(out)}
    assert after == before, "the previous good report changed or temp files were left"
    assert (
        Report.model_validate_json(before[out / "AAPL" / "report.json"]).header.company_name
        == first.report.header.company_name
    )
