"""`stockreport fetch sec` against a local EDGAR (tests/support/edgar_server.py): bundles that validate and
report, SEC's fair-access rules (User-Agent, 10 requests/s, retries, each file once, cache revalidation)."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.edgar_server import EdgarServer

FOUR = ["AAPL", "NVDA", "GOOGL", "TSLA"]
UA = "Stockreport Tests tests@example.com"


@pytest.fixture
def edgar(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    with EdgarServer() as server:
        monkeypatch.setenv("SEC_USER_AGENT", UA)
        monkeypatch.setenv("STOCKREPORT_SEC_BASE_URL", server.url)
        monkeypatch.setenv("STOCKREPORT_CACHE", str(tmp_path / "cache"))
        yield server


def fetch(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    return run_cli(["fetch", "sec", *args, "--no-progress"], capsys)


def test_four_tickers_fetched_once_each_within_the_rate_then_validate_and_report(
    edgar: EdgarServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bundles"
    code, stdout, stderr = fetch([*FOUR, "--as-of", "2022-12-30", "--out", str(out)], capsys)
    assert code == 0, stderr
    paths = Counter(e.path for e in edgar.log)
    assert paths["/files/company_tickers.json"] == 1
    assert len(paths) == 9 and set(paths.values()) == {
        1
    }  # the map, then submissions + companyfacts each once
    assert edgar.peak_per_second() <= 10 and not edgar.violations
    assert {e.user_agent for e in edgar.log} == {UA}
    assert "9 requests (9 downloads" in stdout
    names = {}
    for t in FOUR:
        code, text, err = run_cli(["validate", str(out / t)], capsys)
        assert code == 0, err
        names[t] = json.loads((out / t / "bundle.json").read_text())["profile"]["name"]
    assert names == {
        "AAPL": "Apple Inc.",
        "NVDA": "NVIDIA Corp.",
        "GOOGL": "Alphabet Inc.",
        "TSLA": "Tesla, Inc.",
    }
    nvda = json.loads((out / "NVDA" / "bundle.json").read_text())
    assert nvda["profile"]["industry"] == "Semiconductors & Related Devices"
    assert nvda["profile"]["exchange"] == "Nasdaq" and nvda["profile"]["country"] == "United States"
    assert "latest 10-Q filed 2022-11-18 for the period to 2022-10-30" in nvda["notes"][0]
    reports = tmp_path / "reports"
    code, _, err = run_cli(
        ["generate", *(str(out / t) for t in FOUR), "--out", str(reports), "--format", "json"], capsys
    )
    assert code == 0, err
    for t in FOUR:
        report = json.loads((reports / t / "report.json").read_text())
        assert report["ticker"] == t and report["sections"]["financials"]["breakdown"]["rows"]


def test_second_run_is_served_from_the_cache_and_revalidates_with_304(
    edgar: EdgarServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bundles"
    assert fetch([*FOUR, "--as-of", "2022-12-30", "--out", str(out)], capsys)[0] == 0
    first = {t: (out / t / "bundle.json").read_bytes() for t in FOUR}
    code, stdout, _ = fetch([*FOUR, "--as-of", "2022-12-30", "--out", str(out)], capsys)
    assert code == 0 and "0 requests" in stdout and "9 served from the cache" in stdout
    assert len(edgar.log) == 9  # nothing new reached the server
    code, stdout, _ = fetch([*FOUR, "--as-of", "2022-12-30", "--out", str(out), "--max-age", "0"], capsys)
    assert code == 0 and "9 requests (0 downloads, 9 not modified" in stdout
    revalidations = edgar.log[9:]
    assert len(revalidations) == 9 and {e.status for e in revalidations} == {304}
    assert all(e.if_none_match for e in revalidations)
    assert {t: (out / t / "bundle.json").read_bytes() for t in FOUR} == first


def test_without_user_agent_one_line_exit_1_and_no_request(
    edgar: EdgarServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SEC_USER_AGENT")
    code, stdout, stderr = fetch(["AAPL", "--out", str(tmp_path / "b")], capsys)
    assert code == 1 and stdout == ""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: SEC_USER_AGENT is not set")
    assert edgar.log == [] and not (tmp_path / "b").exists() and not (tmp_path / "cache").exists()
    monkeypatch.setenv("SEC_USER_AGENT", "just a name")
    code, _, stderr = fetch(["AAPL", "--out", str(tmp_path / "b")], capsys)
    assert code == 1 and "must include a contact email" in stderr and edgar.log == []


def test_limiter_keeps_a_burst_under_ten_per_second(
    edgar: EdgarServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 16 tickers EDGAR knows but the fixture server has no submissions for: 17 quick requests, 8 in flight.
    many = [
        "MSFT",
        "AMZN",
        "META",
        "AVGO",
        "LLY",
        "V",
        "JPM",
        "XOM",
        "WMT",
        "UNH",
        "MA",
        "PG",
        "JNJ",
        "HD",
        "ORCL",
        "CVX",
    ]
    code, stdout, stderr = fetch([*many, "--out", str(tmp_path / "b"), "--workers", "8"], capsys)
    assert code == 1 and stderr.count("404 Not Found (no such document)") == len(many)
    assert len(edgar.log) == 17 and not edgar.violations
    assert edgar.peak_per_second() <= 10


def test_transient_failures_are_retried_and_refusals_are_not(
    edgar: EdgarServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edgar.faults["/submissions/CIK0000320193.json"] = [503, 429]
    edgar.faults["/submissions/CIK0001045810.json"] = [403]
    out = tmp_path / "b"
    code, stdout, stderr = fetch(["AAPL", "NVDA", "--as-of", "2022-12-30", "--out", str(out)], capsys)
    assert code == 1
    assert edgar.count("/submissions/CIK0000320193.json") == 3 and (out / "AAPL" / "bundle.json").exists()
    assert "2 retries" in stdout
    assert edgar.count("/submissions/CIK0001045810.json") == 1  # a 403 is not retried
    assert "error: NVDA:" in stderr and "HTTP 403" in stderr and "10 requests per second" in stderr
    assert not (out / "NVDA").exists()


def test_unknown_ticker_fails_alone_and_shared_files_are_fetched_once(
    edgar: EdgarServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "b"
    code, stdout, stderr = fetch(
        ["GOOGL", "GOOG", "ZZZZ", "--as-of", "2022-12-30", "--out", str(out)], capsys
    )
    assert code == 1 and "error: ZZZZ: not in SEC's company_tickers.json" in stderr
    assert (out / "GOOGL" / "bundle.json").exists() and (out / "GOOG" / "bundle.json").exists()
    # GOOGL and GOOG are one filer: its two documents are downloaded once and shared
    assert edgar.count("/submissions/CIK0001652044.json") == 1
    assert edgar.count("/api/xbrl/companyfacts/CIK0001652044.json") == 1


def test_name_in_force_on_the_as_of_date_and_user_names_kept(
    edgar: EdgarServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "TSLA"
    assert fetch(["TSLA", "--as-of", "2016-12-30", "--out", str(bundle)], capsys)[0] == 0
    assert json.loads((bundle / "bundle.json").read_text())["profile"]["name"] == "Tesla Motors Inc."
    assert run_cli(["bundle", "set", str(bundle), "profile.name=Tesla (my name)"], capsys)[0] == 0
    assert fetch(["TSLA", "--out", str(bundle)], capsys)[0] == 0
    assert json.loads((bundle / "bundle.json").read_text())["profile"]["name"] == "Tesla (my name)"


def test_lagging_companyfacts_is_warned_and_noted(
    edgar: EdgarServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = "/submissions/CIK0000320193.json"
    doc = json.loads(gzip.decompress(edgar.body(path) or b""))
    recent = doc["filings"]["recent"]
    for key in recent:  # EDGAR lists a 10-Q on 2022-12-01 whose facts companyfacts does not have yet
        recent[key].insert(
            0,
            {
                "accessionNumber": "0000320193-22-999999",
                "filingDate": "2022-12-01",
                "reportDate": "2022-11-26",
                "form": "10-Q",
            }.get(key, ""),
        )
    edgar.overrides[path] = gzip.compress(json.dumps(doc).encode())
    code, _, stderr = fetch(["AAPL", "--as-of", "2022-12-30", "--out", str(tmp_path / "AAPL")], capsys)
    assert code == 0 and "warning: AAPL: SEC EDGAR: EDGAR lists a 10-Q filed 2022-12-01" in stderr
    notes = json.loads((tmp_path / "AAPL" / "bundle.json").read_text())["notes"]
    assert any("whose facts are not in companyfacts yet" in n for n in notes)


def test_base_url_credentials_never_printed_or_cached(
    edgar: EdgarServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "hunter2-very-secret"
    monkeypatch.setenv("STOCKREPORT_SEC_BASE_URL", edgar.url.replace("http://", f"http://mirror:{secret}@"))
    edgar.faults["/submissions/CIK0001045810.json"] = [404]
    code, stdout, stderr = fetch(["NVDA", "--out", str(tmp_path / "NVDA")], capsys)
    assert code == 1 and "404" in stderr
    assert secret not in stdout + stderr
    cached = b"".join(p.read_bytes() for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert cached and secret.encode() not in cached


def test_bad_base_url_is_one_line(
    edgar: EdgarServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STOCKREPORT_SEC_BASE_URL", "ftp://example")
    code, _, stderr = fetch(["AAPL", "--out", str(tmp_path / "b")], capsys)
    assert code == 1 and "STOCKREPORT_SEC_BASE_URL must be an http(s) URL" in stderr and edgar.log == []


def test_progress_bar_on_a_batch(
    edgar: EdgarServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, stderr = run_cli(["fetch", "sec", "TSLA", "NVDA", "--out", str(tmp_path / "b")], capsys)
    assert code == 0 and "fetch sec" in stderr and "2/2" in stderr
    assert stdout.count(" -> ") == 2
