"""Peers from their own data (docs/metrics.md, Peers): in a batch over AAPL, GOOGL and NVDA each report's peer
rows are the other bundles' own figures; read as of the subject's date; stale, missing and provided rows say
so; the peers' files are in the input hash; computed peer figures are checkable facts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.cli import run_cli

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "fixtures" / "data"
SEC = {"AAPL": "CIK0000320193.json.gz", "GOOGL": "CIK0001652044.json.gz", "NVDA": "CIK0001045810.json.gz"}
PRICES = DATA / "prices" / "financetoolkit-historical_dataset.csv.gz"


def _build(
    root: Path,
    capsys: pytest.CaptureFixture[str],
    as_of: dict[str, str],
    prices: tuple[str, ...] = ("AAPL",),
    peers: dict[str, list[str]] | None = None,
) -> None:
    for t, day in as_of.items():
        assert (
            run_cli(
                [
                    "import",
                    "sec",
                    str(DATA / "sec" / SEC[t]),
                    "--ticker",
                    t,
                    "--out",
                    str(root / t),
                    "--as-of",
                    day,
                ],
                capsys,
            )[0]
            == 0
        )
        if t in prices:
            assert (
                run_cli(
                    [
                        "import",
                        "prices",
                        str(PRICES),
                        "--ticker",
                        t,
                        "--benchmark",
                        str(PRICES),
                        "--benchmark-ticker",
                        "Benchmark",
                        "--benchmark-name",
                        "SPDR S&P 500 ETF Trust (SPY)",
                        "--out",
                        str(root / t),
                    ],
                    capsys,
                )[0]
                == 0
            )
        listed = (peers or {}).get(t, [o for o in as_of if o != t])
        table = root / f"peers_{t}.csv"
        table.write_text("ticker\n" + "".join(f"{p}\n" for p in listed))
        assert run_cli(["import", "peers", str(table), "--out", str(root / t)], capsys)[0] == 0


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """AAPL (with prices), GOOGL and NVDA as of 2022-12-30, each listing the other two; one batch run."""
    root = tmp_path_factory.mktemp("peers")
    bundles, reports = root / "bundles", root / "reports"

    class _Cap:  # module scope has no capsys: run_cli only needs readouterr
        def readouterr(self) -> object:
            return type("C", (), {"out": "", "err": ""})()

    cap = _Cap()
    _build(bundles, cap, {t: "2022-12-30" for t in SEC})  # type: ignore[arg-type]
    code, _, _ = run_cli(["batch", str(bundles), "--out", str(reports), "--workers", "1", "--no-cache"], cap)  # type: ignore[arg-type]
    assert code == 0
    return bundles, reports


def _report(reports: Path, ticker: str) -> dict:  # type: ignore[type-arg]
    return json.loads((reports / ticker / "report.json").read_text())  # type: ignore[no-any-return]


def _rows(report: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {r["ticker"]: r for r in report["sections"]["peers"]["rows"] if r["origin"] != "sector_average"}


def test_each_reports_peer_rows_are_the_other_bundles_own_figures(batch: tuple[Path, Path]) -> None:
    _, reports = batch
    own = {t: _report(reports, t) for t in SEC}
    for subject, report in own.items():
        rows = _rows(report)
        assert set(rows) == set(SEC) and rows[subject]["origin"] == "subject"
        for peer in set(SEC) - {subject}:
            row, theirs = rows[peer], own[peer]["metrics"]
            assert row["origin"] == "computed" and row["source"].startswith(
                f"computed from its bundle {peer}/"
            )
            head = theirs["fundamentals"]["periods"][0]["figures"]
            for key in ("roe_pct", "revenue_growth_pct", "eps_growth_pct"):
                assert row[key] == head[key]["value"], (subject, peer, key)
            for key in ("market_cap", "pe_ratio", "dividend_yield_pct"):
                assert row[key] == theirs["valuation"][key]["value"], (subject, peer, key)
            # no call or events in these bundles: the Neutral-sentiment score is the peer's own report score
            assert row["overall_score"] == own[peer]["score"]["overall"]
    aapl_in_nvda = _rows(own["NVDA"])["AAPL"]
    assert aapl_in_nvda["price"] == 129.93 and round(aapl_in_nvda["pe_ratio"], 2) == 21.27
    assert aapl_in_nvda["growth_basis"] == "FY2022 vs FY2021"
    assert _rows(own["AAPL"])["NVDA"]["price"] is None
    assert _rows(own["AAPL"])["NVDA"]["cell_notes"]["price"] == "no prices in the bundle"
    md = (reports / "NVDA" / "report.md").read_text()
    assert "| Apple Inc. | computed |" in md and "Where each row comes from:" in md


def test_computed_peer_figures_are_checkable_facts(batch: tuple[Path, Path]) -> None:
    from pipeline.checks.answer_checks import check_text
    from pipeline.checks.fact_index import build_fact_index
    from pipeline.inputs.load import load_bundle
    from pipeline.metrics.compute import compute_metrics

    bundles, _ = batch
    loaded = load_bundle(bundles / "NVDA")
    index = build_fact_index(loaded, compute_metrics(loaded))
    good = check_text("Apple's P/E ratio is 21.27.", index, section="t")
    assert good[0].status == "verified" and good[0].source == "metrics.peers.AAPL.pe_ratio"
    roe = check_text("Apple's return on equity was 175.46%.", index, section="t")
    assert roe[0].status == "verified" and roe[0].source == "metrics.peers.AAPL.roe_pct"
    for wrong in (
        "Apple's P/E ratio is 31.72.",
        "NVIDIA's P/E ratio is 21.27.",
    ):  # wrong value, wrong company
        assert check_text(wrong, index, section="t")[0].status == "unverified", wrong
    hk = load_bundle(
        REPO / "fixtures" / "bundles" / "HK_3896"
    )  # provided rows: the sector median is computed
    hk_index = build_fact_index(hk, compute_metrics(hk))
    median = check_text("The peer group's median P/E ratio is 15.93.", hk_index, section="t")
    assert median[0].status == "verified" and median[0].source == "metrics.peers.average.pe_ratio"


def test_a_peer_is_read_as_of_the_subjects_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _build(
        tmp_path, capsys, {"AAPL": "2022-12-30", "NVDA": "2022-06-30"}, peers={"NVDA": ["AAPL"], "AAPL": []}
    )
    code, out, _ = run_cli(["metrics", str(tmp_path / "NVDA"), "--json"], capsys)
    row = json.loads(out)["peers"]["rows"][0]
    assert row["origin"] == "computed" and row["as_of"] == "2022-06-30"  # AAPL's prices go to 2022-12-30
    assert row["figures"]["price"]["value"] == 136.72  # AAPL's close on 2022-06-30
    # FY2019-FY2022 were last filed (as comparatives) after 2022-06-30: none of them is used
    assert row["growth_basis"] == "FY2018 (no period a year earlier)"
    assert any("its bundle is as of 2022-12-30, after this report's 2022-06-30" in n for n in row["notes"])


def test_stale_peer_prices_are_not_shown_as_current(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _build(
        tmp_path, capsys, {"AAPL": "2022-12-30", "NVDA": "2023-03-31"}, peers={"NVDA": ["AAPL"], "AAPL": []}
    )
    code, out, _ = run_cli(["metrics", str(tmp_path / "NVDA"), "--json"], capsys)
    row = json.loads(out)["peers"]["rows"][0]
    for key in ("price", "change_pct", "market_cap", "pe_ratio"):
        assert row["figures"][key]["status"] == "insufficient_data", key
        assert "stale" in row["figures"][key]["note"] and "2022-12-30" in row["figures"][key]["note"], key
    assert row["figures"]["roe_pct"]["status"] == "ok"  # statements are 91 days old: fine
    assert any("prices: last day 2022-12-30" in n for n in row["notes"])


def test_peer_bundle_changes_the_input_hash_and_the_batch_redoes_its_dependants(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.batch.resume import input_hash, read_bundle_head
    from pipeline.inputs.load import load_bundle

    bundles, reports = tmp_path / "b", tmp_path / "r"
    _build(bundles, capsys, {"AAPL": "2022-12-30", "NVDA": "2022-12-30"}, prices=())
    for t in ("AAPL", "NVDA"):  # the resume check and the loader agree, peers included
        assert input_hash(bundles / t, read_bundle_head(bundles / t)) == load_bundle(bundles / t).input_hash
    before = load_bundle(bundles / "NVDA").input_hash

    def statuses() -> dict[str, str]:
        assert (
            run_cli(["batch", str(bundles), "--out", str(reports), "--workers", "1", "--no-cache"], capsys)[0]
            == 0
        )
        newest = max(reports.glob("batch-*.json"), key=lambda p: p.stat().st_mtime_ns)
        return {t: r["status"] for t, r in json.loads(newest.read_text())["tickers"].items()}

    assert statuses() == {"AAPL": "done", "NVDA": "done"}
    assert statuses() == {"AAPL": "cached", "NVDA": "cached"}
    assert (
        run_cli(["bundle", "set", str(bundles / "AAPL"), "profile.website=https://www.apple.com"], capsys)[0]
        == 0
    )
    assert load_bundle(bundles / "NVDA").input_hash != before
    assert statuses() == {"AAPL": "done", "NVDA": "done"}  # NVDA redone: its peer AAPL changed


def test_provided_missing_and_unusable_peer_rows_say_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "b"
    _build(root, capsys, {"NVDA": "2022-12-30"}, prices=(), peers={"NVDA": ["AMD", "INTC", "QCOM", "NVDA"]})
    shutil.copytree(REPO / "fixtures" / "bundles" / "AFL", root / "INTC")  # a bundle, but AFL's
    outside = tmp_path / "elsewhere" / "QCOM"
    shutil.copytree(REPO / "fixtures" / "bundles" / "AFL", outside)
    (root / "QCOM").symlink_to(outside, target_is_directory=True)  # a link out of the root is not followed
    hand = tmp_path / "hand.csv"
    hand.write_text(
        "ticker,name,pe_ratio,as_of\nTXN,Texas Instruments Inc.,-5,2022-12-30\n"
        "AVGO,Broadcom Inc.,22.1,2022-10-31\n"
    )
    assert run_cli(["import", "peers", str(hand), "--out", str(root / "NVDA")], capsys)[0] == 0
    code, out, _ = run_cli(["metrics", str(root / "NVDA"), "--json"], capsys)
    rows = {r["ticker"]: r for r in json.loads(out)["peers"]["rows"]}
    assert "NVDA" not in rows  # listed as its own peer: its row is the report's own
    assert rows["AMD"]["origin"] == "missing" and "no bundle of AMD beside NVDA/" in rows["AMD"]["notes"][0]
    assert rows["INTC"]["origin"] == "missing" and "INTC/bundle.json is AFL's" in rows["INTC"]["notes"][0]
    assert rows["QCOM"]["origin"] == "missing"
    assert (
        rows["TXN"]["origin"] == "provided"
        and rows["TXN"]["figures"]["pe_ratio"]["status"] == "not_meaningful"
    )
    avgo = rows["AVGO"]["figures"]["pe_ratio"]
    assert avgo["status"] == "insufficient_data" and "stale: provided as of 2022-10-31" in avgo["note"]


def test_sector_average_needs_three_peers_and_takes_the_median() -> None:
    from pipeline.metrics.figures import insufficient, ok
    from pipeline.metrics.peers import COLUMN_UNITS, MIN_PEERS_FOR_AVERAGE, sector_average
    from pipeline.metrics.types import PeerFigures

    def row(
        ticker: str, pe: float | None, score: int, currency: str = "USD", origin: str = "provided"
    ) -> PeerFigures:
        figs = {k: insufficient(u, "x", "not given") for k, u in COLUMN_UNITS.items()}
        if pe is not None:
            figs["pe_ratio"] = ok(pe, "ratio", "x")
            figs["market_cap"] = ok(pe * 1e9, "money", "x")
        ours = origin == "computed"
        return PeerFigures(
            ticker=ticker,
            name=ticker,
            origin=origin,  # type: ignore[arg-type]
            currency=currency,
            figures=figs,
            overall_score=score if ours else None,
            source_rating=None if ours else score,
        )

    assert MIN_PEERS_FOR_AVERAGE == 3
    assert sector_average([row("A", 10, 50), row("B", 12, 60)], "USD") is None
    avg = sector_average([row("A", 10, 50), row("B", 12, 60), row("C", 423, 70), row("D", None, 40)], "USD")
    assert avg is not None and avg.figures["pe_ratio"].value == 12
    # the sources' ratings have their own median; our score is never their median (review-1 #15)
    assert avg.source_rating == 55 and avg.overall_score is None
    both = [row("A", 10, 50), row("B", 12, 60), row("C", 14, 70), row("E", 9, 20, origin="computed")]
    both += [row("F", 8, 30, origin="computed"), row("G", 7, 40, origin="computed")]
    assert (m := sector_average(both, "USD")) is not None and (m.overall_score, m.source_rating) == (30, 60)
    roe = avg.figures["roe_pct"]
    assert roe.status == "insufficient_data" and "0 of 4 peers" in (roe.note or "")
    mixed = sector_average([row("A", 10, 50), row("B", 12, 60), row("C", 14, 70, "HKD")], "USD")
    assert mixed is not None and mixed.figures["market_cap"].status == "insufficient_data"  # 2 in USD
    assert mixed.figures["pe_ratio"].value == 12


def test_eps_growth_is_like_for_like_and_refuses_a_split() -> None:
    from pipeline.metrics.fundamentals import eps_growth

    assert eps_growth(
        eps=6.11, prior_eps=5.61, shares=16.3e9, prior_shares=16.9e9, base="FY2021"
    ).value == pytest.approx((6.11 / 5.61 - 1) * 100)
    split = eps_growth(eps=1.2, prior_eps=3.0, shares=3.4e9, prior_shares=1.1e9, base="FY2021")
    assert split.status == "insufficient_data" and "a split" in (split.note or "")
    assert eps_growth(eps=1.0, prior_eps=None, no_base="no FY a year earlier").note == "no FY a year earlier"
    assert eps_growth(eps=-1.0, prior_eps=2.0, base="FY2021").status == "not_meaningful"
