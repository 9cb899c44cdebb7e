"""Test-wide guards: no test reaches the internet (loopback stubs are allowed), and shared fixtures."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest

from tests.support.fuzz import EXAMPLES_ENV, SEED_ENV, fuzz_examples, fuzz_seed

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
    """Every Hypothesis test runs with one seed (tests/support/fuzz.py), unless --hypothesis-seed is given."""
    from hypothesis import settings

    settings.register_profile("stockreport", print_blob=True)
    settings.load_profile("stockreport")
    if config.getoption("hypothesis_seed", None) is None:
        config.option.hypothesis_seed = str(fuzz_seed())


def pytest_report_header(config: pytest.Config) -> str:
    return (f"fuzz: seed {config.getoption('hypothesis_seed')} ({SEED_ENV}), "
            f"{fuzz_examples()} hardening examples ({EXAMPLES_ENV})")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """A failing randomised test names the seed to rerun it with."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
        seed = item.config.getoption("hypothesis_seed")
        report.sections.append(("fuzz seed", f"seed {seed}: rerun with {SEED_ENV}={seed} "
                                             f"(or pytest --hypothesis-seed={seed}) {item.nodeid}"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="Rewrite golden files under fixtures/golden/ from the current output.")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
