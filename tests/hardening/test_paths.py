"""Tickers cannot name paths outside the output root: `output_dir_for` and the bundle validator both refuse."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from pipeline.errors import InputError, StockreportError
from pipeline.files import output_dir_for, ticker_dir_name
from pipeline.inputs.load import parse_bundle
from tests.hardening.support import BUNDLES

HOSTILE_TICKERS = [
    "../evil",
    "..",
    ".",
    "...",
    "../../etc/passwd",
    "/etc/passwd",
    "/abs",
    "\\\\server\\share",
    "C:\\x",
    "C:",
    "a/../../b",
    "AAPL\x00",
    "\x00",
    "",
    " ",
    ".hidden",
    "CON",
    "con",
    "NUL",
    "nul",
    "PRN",
    "AUX",
    "COM1",
    "com9",
    "LPT1",
    "NUL.txt",
    "CON.AAPL",
    "x" * 65,
]
# Windows device names are plain symbols (CON is a real NYSE ticker): the validator accepts them and the
# output step refuses them (test below); everything else in the list is refused by the validator too.
DEVICES = {"CON", "NUL", "PRN", "AUX", "COM1", "LPT1", "CON.AAPL"}


@pytest.mark.parametrize("ticker", HOSTILE_TICKERS)
def test_output_dir_for_refuses_or_stays_inside(ticker: str, tmp_path: Path) -> None:
    root = tmp_path / "outputs"
    root.mkdir()
    try:
        folder = output_dir_for(root, ticker)
    except StockreportError as exc:
        assert repr(ticker)[:20].strip("'") in str(exc) or "ticker" in str(exc)
        return
    # Allowed only as a plain child folder of root, with a harmless name.
    assert folder.parent == root.resolve()
    assert folder.name not in {".", ".."} and not folder.name.startswith(".")
    assert "/" not in folder.name and "\\" not in folder.name and "\x00" not in folder.name
    assert folder.name.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "COM9", "LPT1"}


@pytest.mark.parametrize("ticker", ["..", "../evil", "CON", "NUL", "COM1", "LPT1", "\x00", ""])
def test_dangerous_tickers_are_refused_outright(ticker: str, tmp_path: Path) -> None:
    with pytest.raises(StockreportError):
        output_dir_for(tmp_path, ticker)


def test_symlinked_output_folder_escape_is_refused(tmp_path: Path) -> None:
    """An existing outputs/AAPL that is a symlink elsewhere resolves outside the root: refused."""
    root = tmp_path / "outputs"
    root.mkdir()
    (root / "AAPL").symlink_to(tmp_path)
    with pytest.raises(StockreportError):
        output_dir_for(root, "AAPL")


def test_plain_tickers_map_to_their_folder(tmp_path: Path) -> None:
    for ticker, name in {"AAPL": "AAPL", "HK:3896": "HK_3896", "BRK.B": "BRK.B", "RDS-A": "RDS-A"}.items():
        assert ticker_dir_name(ticker) == name
        assert output_dir_for(tmp_path, ticker) == (tmp_path / name).resolve()


BASE = json.loads((BUNDLES / "HK_3896" / "bundle.json").read_text())


@pytest.mark.parametrize(
    "ticker",
    [t for t in HOSTILE_TICKERS if t not in DEVICES] + ["aapl", "AAPL/B", "AAPL\\B", "AA PL", "AAPL\nB"],
)
def test_bundle_validator_refuses_path_like_tickers(ticker: str) -> None:
    data = copy.deepcopy(BASE)
    data["profile"]["ticker"] = ticker
    with pytest.raises(InputError) as info:
        parse_bundle(data)
    assert any(p.field == "profile.ticker" for p in info.value.problems)
    for peer_data in (copy.deepcopy(BASE),):  # a peer's ticker is validated the same way
        if peer_data.get("peers"):
            peer_data["peers"][0]["ticker"] = ticker
            with pytest.raises(InputError):
                parse_bundle(peer_data)


@pytest.mark.parametrize("ticker", sorted(DEVICES))
def test_device_name_ticker_fails_cleanly_end_to_end(ticker: str, tmp_path: Path) -> None:
    """A bundle whose ticker is a Windows device name gets a clean error and writes nothing."""
    from pipeline.run import run_report
    from tests.hardening.support import OFFLINE, files_under

    bundle = tmp_path / "in" / "X"
    bundle.mkdir(parents=True)
    data = copy.deepcopy(BASE)
    data["profile"]["ticker"] = ticker
    (bundle / "bundle.json").write_text(json.dumps(data))
    with pytest.raises(StockreportError, match="cannot be used as an output folder name"):
        run_report(bundle, OFFLINE, tmp_path / "out")
    assert files_under(tmp_path / "out") == []
