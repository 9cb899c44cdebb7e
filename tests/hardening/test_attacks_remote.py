"""`stockreport batch --via openai-batch` against hostile and broken servers, through the CLI (in process).

A 401 whose body echoes the key, a connection reset, a server that is not a Batch API endpoint, one that
answers 200 with something that is not a batch, and a batch that never progresses: each ends in one clean
`error:` line, exit 1 and a finished manifest whose tickers say why they failed, with the key nowhere.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.batch.batch_stub import BatchStub
from tests.batch.conftest import make_bundles
from tests.hardening.model_server import ModelServer
from tests.hardening.support import files_under
from tests.support.cli import run_cli

KEY = "sk-test-REMOTEREMOTEREMOTE0123456789"
NEEDLES = (KEY, "REMOTEREMOTE", KEY[-12:])


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("OPENAI_BASE_URL", "STOCKREPORT_MODEL", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)


class _NotABatch(BaseHTTPRequestHandler):
    """200 with JSON that is no batch, for every request."""

    def log_message(self, *args: Any) -> None:
        pass

    def _reply(self) -> None:
        body = b'{"object": "list", "data": []}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _reply  # noqa: N815


@pytest.fixture
def not_a_batch() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotABatch)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def _run(tmp_path: Path, base_url: str, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[str, dict]:
    make_bundles(tmp_path / "in", ["AAA", "BBB"])
    out = tmp_path / "out"
    code, stdout, err = run_cli(
        [
            "batch",
            str(tmp_path / "in"),
            "--via",
            "openai-batch",
            "--model",
            "openai:gpt-5.2",
            "--base-url",
            base_url,
            "--out",
            str(out),
            "--poll",
            "0.02",
            "--timeout",
            "5",
            "-f",
            "json",
            *extra,
        ],
        capsys,
    )
    assert code == 1, err
    assert "Traceback" not in stdout + err
    errors = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1, err  # one line for the whole remote failure, not one per ticker
    leaks = [n for n in NEEDLES if n in stdout + err]
    leaks += [f"{p}: {n}" for p in files_under(out) for n in NEEDLES if n.encode() in p.read_bytes()]
    assert leaks == []
    manifests = list(out.glob("batch-*.json"))
    assert len(manifests) == 1, manifests
    manifest = json.loads(manifests[0].read_text())
    assert manifest["finished_at"] and set(manifest["tickers"]) == {"AAA", "BBB"}
    assert all(r["status"] == "failed" and r["error"] for r in manifest["tickers"].values())
    return errors[0], manifest


def test_401_echoing_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = {
        "error": {
            "message": f"Incorrect API key provided: {KEY}. Authorization: Bearer {KEY}",
            "type": "invalid_request_error",
            "code": "invalid_api_key",
        }
    }
    with ModelServer(error_reply=(401, body)) as server:
        line, _ = _run(tmp_path, server.base_url, capsys)
    assert "submitting the remote batch: the server answered 401 (check the API key)" in line
    assert "[redacted]" in line


def test_connection_reset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with ModelServer(fault_rate=1.0, faults=("reset",)) as server:
        line, manifest = _run(tmp_path, server.base_url, capsys)
    assert "submitting the remote batch: connection failed" in line
    assert "connection failed" in manifest["tickers"]["AAA"]["error"]


def test_resume_remote_against_a_chat_only_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with ModelServer() as server:  # answers POST /chat/completions only
        line, _ = _run(tmp_path, server.base_url, capsys, "--resume-remote", "batch_123")
    assert (
        "remote batch batch_123: the server answered 501 (is --base-url an OpenAI Batch API endpoint?)"
        in line
    )


def test_resume_remote_against_a_server_that_answers_no_batch(
    tmp_path: Path, not_a_batch: str, capsys: pytest.CaptureFixture[str]
) -> None:
    line, _ = _run(tmp_path, not_a_batch, capsys, "--resume-remote", "batch_123")
    assert "the server's answer is not an OpenAI batch" in line


def test_remote_batch_that_never_progresses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with BatchStub(polls_before_done=10**9) as stub:
        line, manifest = _run(tmp_path, stub.base_url, capsys, "--stall-timeout", "1")
    assert "remote batch batch_1: no progress for" in line and "--resume-remote batch_1" in line
    assert manifest["remote"]["batch_id"] == "batch_1"  # kept: the batch can still be resumed
