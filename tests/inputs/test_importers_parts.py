"""Every part of a bundle from a file (`import profile|market|...`), `bundle set` and `new`, through the CLI:
each docs/examples file imports and validates, re-imports change what the file asks (and say so), nothing is
silently ignored."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.inputs.importer_helpers import DATA, REPO, run_cli

EXAMPLES = REPO / "docs" / "examples"
# example file -> (part command, a bundle.json path it must set, the value)
EXAMPLE_FILES = {
    "profile.yaml": ("profile", ("profile", "industry"), "Consumer Electronics"),
    "profile.csv": ("profile", ("profile", "website"), "https://www.apple.com"),
    "market.csv": ("market", ("market", "shares_outstanding"), 15_908_118_000),
    "consensus.json": ("consensus", ("consensus", "price_target"), 175),
    "consensus.csv": ("consensus", ("consensus", "analysts"), 40),
    "events.csv": ("events", ("events", 1, "title"), "Apple reports fourth quarter results"),
    "events.json": ("events", ("events", 1, "date"), "2022-10-27"),  # the same event again: replaced in place
    "risk-factors.yaml": ("risk-factors", ("risk_factors", "categories", 4, "name"), "General Risks"),
    "risk-factors.csv": ("risk-factors", ("risk_factors", "categories", 1, "name"), "Business Risks"),
    "earnings-call.yaml": ("earnings-call", ("earnings_call", "quarter"), "Q4-2022"),
    "technical-snapshot.json": ("technical-snapshot", ("technical_snapshot", "rsi_14"), 37.457906),
    "peers.csv": ("peers", ("peers", 0, "ticker"), "GOOGL"),
    "peers-provided.csv": ("peers", ("peers", 2, "change_pct"), -29.32),  # added after GOOGL and NVDA
}


def _bundle(path: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((path / "bundle.json").read_text())  # type: ignore[no-any-return]


def _get(doc: object, keys: tuple[object, ...]) -> object:
    for k in keys:
        doc = doc[k]  # type: ignore[index]
    return doc


@pytest.fixture
def aapl(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Path:
    out = tmp_path / "AAPL"
    code, _, err = run_cli(["new", "AAPL", "--out", str(out), "--as-of", "2022-12-30"], capsys, monkeypatch)
    assert code == 0, err
    return out


def test_every_example_file_is_documented_and_imports(
    aapl: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert {p.name for p in EXAMPLES.iterdir()} == set(EXAMPLE_FILES)
    doc = (REPO / "docs" / "importing.md").read_text()
    for name, (command, keys, value) in EXAMPLE_FILES.items():
        assert f"docs/examples/{name}" in doc, name
        code, out, err = run_cli(
            ["import", command, str(EXAMPLES / name), "--out", str(aapl)], capsys, monkeypatch
        )
        assert code == 0, (name, err)
        assert _get(_bundle(aapl), keys) == value, name
        assert run_cli(["validate", str(aapl)], capsys, monkeypatch)[0] == 0


def test_events_after_as_of_are_skipped_and_said(
    aapl: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_cli(
        ["import", "events", str(EXAMPLES / "events.csv"), "--out", str(aapl)], capsys, monkeypatch
    )
    assert code == 0 and "events: 2 added (2 in all)" in out
    assert "note: 2023-02-02 Apple reports first quarter results (dated after as_of 2022-12-30)" in err
    assert [e["date"] for e in _bundle(aapl)["events"]] == ["2022-09-07", "2022-10-27"]


def test_reimport_updates_the_rows_given_and_keeps_the_rest(
    aapl: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run_cli(["import", "peers", str(EXAMPLES / "peers.csv"), "--out", str(aapl)], capsys, monkeypatch)
    update = tmp_path / "p.csv"
    update.write_text("ticker,name\nNVDA,NVIDIA Corp.\nTSLA,\n")
    code, out, _ = run_cli(["import", "peers", str(update), "--out", str(aapl)], capsys, monkeypatch)
    assert code == 0 and "peers: 1 added, 1 updated (3 in all)" in out
    assert [(p["ticker"], p.get("name")) for p in _bundle(aapl)["peers"]] == [
        ("GOOGL", "Alphabet Inc."),
        ("NVDA", "NVIDIA Corp."),
        ("TSLA", None),
    ]
    code, out, _ = run_cli(
        ["import", "peers", str(update), "--out", str(aapl), "--replace"], capsys, monkeypatch
    )
    assert [p["ticker"] for p in _bundle(aapl)["peers"]] == ["NVDA", "TSLA"] and "1 removed" in out
    code, out, _ = run_cli(["import", "peers", str(update), "--out", str(aapl)], capsys, monkeypatch)
    assert "no change" in out


def test_a_dated_part_is_replaced_whole_when_its_date_changes(
    aapl: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run_cli(
        ["import", "consensus", str(EXAMPLES / "consensus.json"), "--out", str(aapl)], capsys, monkeypatch
    )
    same_day = tmp_path / "c1.csv"
    same_day.write_text("analysts,as_of\n41,2022-12-15\n")
    code, out, _ = run_cli(["import", "consensus", str(same_day), "--out", str(aapl)], capsys, monkeypatch)
    assert "consensus.analysts: 40 -> 41" in out and _bundle(aapl)["consensus"]["price_target"] == 175
    later = tmp_path / "c2.json"
    later.write_text('{"rating": "Hold", "as_of": "2022-12-29"}')
    code, out, err = run_cli(["import", "consensus", str(later), "--out", str(aapl)], capsys, monkeypatch)
    assert code == 0 and "replaced whole: as_of 2022-12-15 -> 2022-12-29" in err
    assert _bundle(aapl)["consensus"] == {"rating": "Hold", "as_of": "2022-12-29"}  # no stale target kept
    late = tmp_path / "c3.json"
    late.write_text('{"rating": "Buy", "as_of": "2023-01-05"}')
    code, _, err = run_cli(["import", "consensus", str(late), "--out", str(aapl)], capsys, monkeypatch)
    assert code == 1 and "dated after the bundle's as_of 2022-12-30" in err


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        ("ticker,name,pe_ratoi\nNVDA,,12\n", "p.csv", "row 2: pe_ratoi: Extra inputs are not permitted"),
        ("ticker,price\nNVDA,-3\n", "p.csv", "row 2: price: Input should be greater than 0"),
        ("- ticker: NVDA\n  price: &a 3\n- ticker: AMD\n  price: *a\n", "p.yaml", "YAML aliases"),
        ('[{"ticker": "../etc"}]', "p.json", "[0].ticker: not a plain ticker symbol"),
        ("ticker\nNVDA\n", "p.txt", "unknown file type"),
    ],
)
def test_bad_files_are_refused_naming_the_row(
    aapl: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    content: str,
    name: str,
    expected: str,
) -> None:
    before = (aapl / "bundle.json").read_bytes()
    path = tmp_path / name
    path.write_text(content)
    code, _, err = run_cli(["import", "peers", str(path), "--out", str(aapl)], capsys, monkeypatch)
    assert code == 1 and expected in err and str(path) in err and "Traceback" not in err
    assert (aapl / "bundle.json").read_bytes() == before


def test_bundle_set_reads_values_as_the_schema_says(
    aapl: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_cli(
        [
            "bundle",
            "set",
            str(aapl),
            "profile.name=Apple Inc.",
            "market.pe_ratio=21.3",
            "benchmark.name=SPDR S&P 500 ETF Trust",
            "as_of=2022-12-29",
        ],
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    b = _bundle(aapl)
    assert (
        b["market"]["pe_ratio"] == 21.3
        and b["profile"]["name"] == "Apple Inc."
        and b["as_of"] == "2022-12-29"
    )
    assert "profile.name: 'AAPL' -> 'Apple Inc.'" in out and "as_of: '2022-12-30' -> '2022-12-29'" in out
    for bad, why in [
        ("market.pe_ratio=cheap", "market.pe_ratio: Input should be a valid number"),
        ("market.pe=3", "market.pe: no such field"),
        ("peers.x=1", "PATH is as_of or PART.FIELD"),
        ("profile.ticker=MSFT", "the ticker names the bundle"),
        ("as_of=soon", "not a YYYY-MM-DD"),
        ("risk_factors.categories=x", "is a list or object"),
    ]:
        code, _, err = run_cli(["bundle", "set", str(aapl), bad], capsys, monkeypatch)
        assert code == 1 and why in err, (bad, err)
    code, out, _ = run_cli(["bundle", "set", str(aapl), "--unset", "market"], capsys, monkeypatch)
    assert code == 0 and "market" not in _bundle(aapl)


def test_new_scaffolds_a_valid_bundle_and_lists_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "HK_0700"
    code, text, err = run_cli(
        [
            "new",
            "HK:0700",
            "--out",
            str(out),
            "--as-of",
            "2024-06-28",
            "--currency",
            "hkd",
            "--name",
            "Tencent Holdings Ltd",
        ],
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    assert run_cli(["validate", str(out)], capsys, monkeypatch)[0] == 0
    for part in (
        "financials",
        "prices",
        "market",
        "peers",
        "events",
        "risk_factors",
        "consensus",
        "earnings_call",
    ):
        assert f"  {part}: stockreport " in text, part
    assert _bundle(out)["profile"] == {"ticker": "HK:0700", "name": "Tencent Holdings Ltd", "currency": "HKD"}
    code, _, err = run_cli(["new", "HK:0700", "--out", str(out)], capsys, monkeypatch)
    assert code == 1 and "a bundle is already there" in err
    code, _, err = run_cli(["new", "../x", "--out", str(tmp_path / "x")], capsys, monkeypatch)
    assert code == 1 and "not a plain ticker" in err


def test_profile_options_on_an_existing_bundle_are_applied_not_ignored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's report: `--name`/`--exchange` on a re-import were silently ignored."""
    out = tmp_path / "NVDA"
    sec = str(DATA / "sec" / "CIK0001045810.json.gz")
    code, text, _ = run_cli(
        ["import", "sec", sec, "--ticker", "NVDA", "--out", str(out), "--as-of", "2022-12-30"],
        capsys,
        monkeypatch,
    )
    assert code == 0 and _bundle(out)["profile"]["name"] == "NVIDIA Corp."  # readable, not 'NVIDIA CORP'
    code, text, _ = run_cli(
        [
            "import",
            "sec",
            sec,
            "--ticker",
            "NVDA",
            "--out",
            str(out),
            "--name",
            "Nvidia",
            "--exchange",
            "NASDAQ",
            "--sector",
            "Semiconductors",
        ],
        capsys,
        monkeypatch,
    )
    assert code == 0
    assert "profile.name: 'NVIDIA Corp.' -> 'Nvidia'" in text and "profile.exchange: set to 'NASDAQ'" in text
    prices = str(DATA / "prices" / "financetoolkit-historical_dataset.csv.gz")
    code, text, err = run_cli(
        [
            "import",
            "prices",
            prices,
            "--ticker",
            "NVDA",
            "--file-ticker",
            "AAPL",
            "--out",
            str(out),
            "--exchange",
            "Nasdaq GS",
        ],
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    assert "profile.exchange: 'NASDAQ' -> 'Nasdaq GS'" in text
    b = _bundle(out)
    assert b["profile"]["name"] == "Nvidia"  # a re-import without --name keeps the user's name


def test_filer_name_in_capitals_is_replaced_unless_the_user_set_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "NVDA"
    shutil.copytree(REPO / "fixtures" / "bundles" / "AAPL", out)  # any bundle; ticker and name set below
    raw = _bundle(out)
    raw["profile"].update(ticker="NVDA", name="NVIDIA CORP")  # as an older import wrote it
    raw.pop("financials")
    (out / "bundle.json").write_text(json.dumps(raw))
    sec = str(DATA / "sec" / "CIK0001045810.json.gz")
    code, text, err = run_cli(
        ["import", "sec", sec, "--ticker", "NVDA", "--out", str(out)], capsys, monkeypatch
    )
    assert code == 0, err
    assert "profile.name: 'NVIDIA CORP' -> 'NVIDIA Corp.'" in text


@pytest.mark.parametrize(
    ("filer", "readable"),
    [
        ("MARVELL TECHNOLOGY, INC", "Marvell Technology, Inc."),
        ("NVIDIA CORP", "NVIDIA Corp."),
        ("INTERNATIONAL BUSINESS MACHINES CORP", "International Business Machines Corp."),
        ("AT&T INC.", "AT&T Inc."),
        ("Apple Inc.", "Apple Inc."),
        ("BANK OF AMERICA CORP /DE/", "Bank of America Corp."),
        ("COSTCO WHOLESALE CORP /NEW", "Costco Wholesale Corp."),
        ("NOVO NORDISK A S", "Novo Nordisk A/S"),
        ("ASML HOLDING NV", "ASML Holding N.V."),
        ("SPDR S&P 500 ETF TRUST", "SPDR S&P 500 ETF Trust"),
        ("FREEPORT-MCMORAN INC", "Freeport-McMoran Inc."),
        ("3M CO", "3M Co."),
        ("JPMORGAN CHASE & CO", "JPMorgan Chase & Co."),
        ("ENTERPRISE PRODUCTS PARTNERS L.P.", "Enterprise Products Partners L.P."),
        ("HSBC HOLDINGS PLC", "HSBC Holdings plc"),
        ("TOYOTA MOTOR CORP/", "Toyota Motor Corp."),
        ("US BANCORP \\DE\\", "US Bancorp"),
        ("ELI LILLY & Co", "Eli Lilly & Co"),
        ("MCDONALDS CORP", "McDonalds Corp."),
        ("THE COCA-COLA CO", "The Coca-Cola Co."),
        ("BLACKSTONE SECURED LENDING FUND LLC", "Blackstone Secured Lending Fund LLC"),
    ],
)
def test_readable_names(filer: str, readable: str) -> None:
    from pipeline.inputs.importers.names import readable_name

    assert readable_name(filer) == readable
