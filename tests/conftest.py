"""Test-wide guards: no test reaches the internet (loopback stubs are allowed), and shared fixtures."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from typing import Any

import pytest

from tests.support.fuzz import EXAMPLES_ENV, SEED_ENV, fuzz_examples, fuzz_profile, fuzz_seed, scaled

REPO = Path(__file__).resolve().parents[1]
BUNDLES = REPO / "fixtures" / "bundles"

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: object) -> object:
    host = address[0] if isinstance(address, tuple) else None
    if isinstance(host, str):
        try:
            allowed = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            allowed = False
        if not allowed:
            raise OSError(f"tests may not reach the network (tried {host})")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def bundles() -> Path:
    return BUNDLES


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Every Hypothesis test runs derandomised: one seed (tests/support/fuzz.py) for the whole run, the same in
    every xdist worker, no example database (a failure replayed from an earlier run's database would make two
    runs of the same commit differ), no deadline (timing depends on the machine's load). The profile is
    `stockreport-ci`, or `stockreport-deep` when STOCKREPORT_FUZZ_EXAMPLES asks for more examples."""
    from hypothesis import settings

    common = {"print_blob": True, "database": None, "deadline": None}
    settings.register_profile("stockreport-ci", **common)
    settings.register_profile("stockreport-deep", **common, max_examples=scaled(100))
    settings.load_profile(fuzz_profile())
    worker = getattr(config, "workerinput", None)  # set by xdist in worker processes
    if worker is not None and "stockreport_fuzz_seed" in worker:
        config.option.hypothesis_seed = worker["stockreport_fuzz_seed"]
    elif config.getoption("hypothesis_seed", None) is None:
        config.option.hypothesis_seed = str(fuzz_seed())


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: every worker runs with the controller's seed (`random` is drawn once, here)."""
    node.workerinput["stockreport_fuzz_seed"] = node.config.option.hypothesis_seed


def pytest_report_header(config: pytest.Config) -> str:
    return (
        f"fuzz: seed {config.getoption('hypothesis_seed')} ({SEED_ENV}), "
        f"{fuzz_examples()} hardening examples ({EXAMPLES_ENV}), profile {fuzz_profile()}"
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """A failing randomised test names the seed to rerun it with."""
    outcome = yield
    report = outcome.get_result()
    test = getattr(item, "obj", None)
    if report.failed and (
        getattr(test, "is_hypothesis_test", False) or getattr(test, "runs_hypothesis", False)
    ):
        seed = item.config.getoption("hypothesis_seed")
        report.sections.append(
            (
                "fuzz seed",
                f"seed {seed}: rerun with {SEED_ENV}={seed} "
                f"(or pytest --hypothesis-seed={seed}) {item.nodeid}",
            )
        )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite golden files under fixtures/golden/ from the current output.",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In an xdist worker: hand this worker's hardening counts to the controller (pytest_testnodedown)."""
    from tests.hardening.support import COUNTS

    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["hardening_counts"] = dict(COUNTS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    from tests.hardening.support import COUNTS

    COUNTS.update(getattr(node, "workeroutput", {}).get("hardening_counts", {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How many fuzz bundles ran end to end (the hardening issue asks for the count), all workers summed."""
    from tests.hardening.support import COUNTS

    if COUNTS:
        total = sum(COUNTS.values())
        detail = ", ".join(f"{k}={v}" for k, v in sorted(COUNTS.items()))
        terminalreporter.write_line(f"hardening: {total} bundles run end to end ({detail})")
