"""Start-up: the model stack (LangChain, provider SDKs, LangSmith tracing) is imported only when a model is
called. Each command runs in a fresh `stockreport` process under `python -X importtime`, which names every
module imported by the process and by its forked workers; the test reads the names from stderr."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.metrics import rolling_compiled
from tests.batch.conftest import REPO, make_bundles

MODEL_STACK = ("langchain", "langchain_core", "langchain_openai", "langsmith", "openai")
SDKS = ("langchain", "langchain_openai", "openai")  # what an offline report must not need either
_IMPORTED = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)\s*$", re.MULTILINE)


def imported(*args: str, env: dict[str, str] | None = None, code: str | None = None) -> set[str]:
    """Top-level packages a fresh process imported running `stockreport ARGS` (or `code`); fails on exit != 0."""
    cmd = [sys.executable, "-X", "importtime", *(["-c", code] if code else ["-m", "pipeline", *args])]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=120, cwd=REPO, env={**os.environ, **(env or {})}
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = {m.split(".")[0] for m in _IMPORTED.findall(proc.stderr)}
    assert "pipeline" in names, "importtime output not found: the check would pass vacuously"
    return names


def stack(names: set[str]) -> list[str]:
    return sorted(n for n in names if n in MODEL_STACK)


@pytest.mark.slow  # spawns stockreport processes
@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("generate", "--help"),
        ("batch", "--help"),
        ("validate", "fixtures/bundles/AAPL"),
        ("metrics", "fixtures/bundles/AAPL"),
    ],
    ids=lambda a: " ".join(a),
)
def test_commands_that_call_no_model_import_no_model_stack(args: tuple[str, ...]) -> None:
    assert stack(imported(*args)) == []


@pytest.mark.slow  # spawns stockreport processes
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_batch_whose_reports_are_up_to_date_imports_no_model_stack(tmp_path: Path, workers: str) -> None:
    make_bundles(tmp_path / "in", ["UPA", "UPB", "UPC"])
    out = tmp_path / "out"
    args = ["batch", str(tmp_path / "in"), "--out", str(out), "--no-progress", "--workers", workers]
    first = imported(*args)
    assert "langchain_core" in first, "the first run makes the reports: it must call the model"
    assert sorted(p.parent.name for p in out.glob("*/report.json")) == ["UPA", "UPB", "UPC"]
    assert stack(imported(*args)) == []  # all cached
    # One stale report: the model stack comes back (the check above is not blind to it).
    bundle_json = tmp_path / "in" / "UPB" / "bundle.json"
    bundle_json.write_text(bundle_json.read_text().replace(" UPB", " UPB (renamed)"))
    assert "langchain_core" in imported(*args)


@pytest.mark.slow  # spawns stockreport processes
def test_an_offline_report_needs_no_provider_sdk(tmp_path: Path) -> None:
    """The offline model answers through LangChain's chat-model interface (langchain_core), so its
    structured output is parsed as a hosted model's is; it needs no provider SDK and not `langchain`."""
    names = imported("generate", "fixtures/bundles/AAPL", "--out", str(tmp_path))
    assert (tmp_path / "AAPL" / "report.json").is_file()
    assert "langchain_core" in names
    assert sorted(n for n in names if n in SDKS) == []
    assert "numba" not in names  # one ticker's indicators stay on NumPy: loading Numba costs ~0.2 s


@pytest.mark.slow  # spawns a Python process
@pytest.mark.skipif(not rolling_compiled.available(), reason="Numba is not installed (the `fast` extra)")
def test_many_tickers_load_the_compiled_kernels() -> None:
    """The other side of the check above: from `rolling.COMPILED_FROM` values up, Numba is loaded."""
    code = (
        "import numpy as np; from pipeline.metrics import technicals as T; "
        "c = 50 + np.cumsum(np.ones((1000, 250)), axis=0); T.compute_all(c * 1.01, c * 0.99, c)"
    )
    assert "numba" in imported(code=code)


@pytest.mark.slow  # spawns a Python process
def test_resolving_a_hosted_model_builds_no_client() -> None:
    """Name, key and URL are checked when the model is resolved; LangChain builds the client on first use."""
    code = (
        "from pipeline.model.providers import resolve_model\n"
        "m = resolve_model('openai:gpt-5.2', base_url='http://127.0.0.1:9/v1')\n"
        "assert m.provider == 'openai' and m.model_id == 'gpt-5.2'\n"
    )
    names = imported(code=code, env={"OPENAI_API_KEY": "sk-test-startup"})
    assert stack(names) == []
    used = code + "m.chat_model\n"
    assert {"langchain", "langchain_openai", "openai"} <= imported(code=used, env={"OPENAI_API_KEY": "sk-x"})


@pytest.mark.slow  # spawns a Python process
def test_resolving_offline_loads_only_its_own_provider() -> None:
    code = (
        "import sys\n"
        "from pipeline.model.providers import resolve_model\n"
        "m = resolve_model('offline')\n"
        "assert 'pipeline.review.replay' not in sys.modules, 'the replay provider was loaded too'\n"
        "assert 'pipeline.narrate.offline_chat' not in sys.modules\n"
    )
    assert stack(imported(code=code)) == []


def test_a_model_that_cannot_be_built_fails_the_batch_before_any_report(tmp_path: Path) -> None:
    """Building the client is deferred, not its failure: a batch with work to do builds it before the first
    ticker, so a provider that cannot be set up is one error, not one failed ticker per bundle."""
    from pipeline.batch.runner import Limits, run_batch
    from pipeline.errors import StockreportError
    from pipeline.model.providers import ResolvedModel
    from pipeline.run_config import RunConfig

    def broken() -> object:
        raise StockreportError("model provider 'nowhere' needs its LangChain package: No module named 'x'")

    model = ResolvedModel(broken, "nowhere:m", "nowhere", "m")  # type: ignore[arg-type]
    bundles = make_bundles(tmp_path / "in", ["BRA", "BRB"])
    cfg = RunConfig(model="nowhere:m", out=tmp_path / "out", no_cache=True)
    with pytest.raises(StockreportError, match="needs its LangChain package"):
        run_batch(bundles, cfg, Limits(concurrency=2, workers=1), resolved=model)
    assert not list((tmp_path / "out").glob("*/report.*"))


@pytest.mark.slow  # spawns stockreport processes
@pytest.mark.parametrize("args", [("--help",), ("import", "--help"), ("generate", "--help")], ids=" ".join)
def test_help_imports_no_pandas(args: tuple[str, ...]) -> None:
    """Listing commands reads the part registry, not the price code: pandas and NumPy are ~half of it."""
    names = imported(*args)
    assert sorted(n for n in names if n in ("pandas", "numpy")) == []
