#!/usr/bin/env python3
"""Rebuild the sample bundles fixtures/bundles/AAPL and GOOGL from the real source files in fixtures/data/.

    python scripts/build_sample_bundles.py [--out fixtures/bundles]

Each bundle starts from a hand-written profile (below; written from public general knowledge, as its
note says), then the importers fill it exactly as the documented commands would:

    stockreport import sec fixtures/data/sec/CIK0000320193.json.gz --ticker AAPL --out B --as-of 2022-12-30
    stockreport import prices fixtures/data/prices/financetoolkit-historical_dataset.csv.gz --ticker AAPL \
        --benchmark fixtures/data/prices/financetoolkit-historical_dataset.csv.gz \
        --benchmark-ticker Benchmark --benchmark-name "SPDR S&P 500 ETF Trust (SPY)" --out B

The HK_3896 bundle is hand-written from the seed page; it is only validated here. The build is
deterministic: running it twice gives byte-identical files (tests/inputs/test_importers_samples.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.errors import StockreportError  # noqa: E402
from pipeline.inputs import load_bundle  # noqa: E402
from pipeline.inputs.importers.bundle_io import commit  # noqa: E402
from pipeline.inputs.importers.prices import import_prices  # noqa: E402
from pipeline.inputs.importers.sec import import_sec  # noqa: E402

DATA = REPO / "fixtures" / "data"
SPY_NAME = "SPDR S&P 500 ETF Trust (SPY)"
PROFILE_NOTE = (
    "Profile (name, exchange, sector, industry, description, revenue model) hand-written from public "
    "general knowledge for this sample; it is not imported from a data source."
)


@dataclass(frozen=True)
class Sample:
    ticker: str
    as_of: dt.date
    profile: dict[str, str]
    sec_file: Path
    prices: dict[str, Any]
    notes: list[str] = field(default_factory=list)


SAMPLES = [
    Sample(
        ticker="AAPL",
        as_of=dt.date(2022, 12, 30),
        profile={
            "ticker": "AAPL",
            "name": "Apple Inc.",
            "exchange": "NASDAQ",
            "currency": "USD",
            "sector": "Technology",
            "industry": "Consumer Electronics",
            "country": "United States",
            "description": (
                "Apple designs, manufactures and sells smartphones (iPhone), personal computers (Mac), tablets "
                "(iPad), wearables and accessories (Apple Watch, AirPods) and home products, together with the "
                "operating systems and software that run on them. It also operates a range of services on its "
                "installed base of devices: the App Store, iCloud, Apple Music, Apple TV+, AppleCare, Apple Pay "
                "and advertising. Apple is headquartered in Cupertino, California, and sells worldwide through "
                "its own retail and online stores, carriers, wholesalers and resellers."
            ),
            "revenue_model": (
                "Most revenue comes from one-off hardware sales, led by the iPhone, with Mac, iPad and "
                "wearables/home/accessories making up the rest of the products segment. A growing share comes "
                "from services: commissions on App Store sales, subscriptions (iCloud, Music, TV+, Arcade), "
                "licensing fees such as search-engine default payments, AppleCare and payment services. "
                "Services carry a much higher gross margin than hardware, and the large installed base of "
                "active devices makes that revenue recurring."
            ),
            "website": "https://www.apple.com",
        },
        sec_file=DATA / "sec" / "CIK0000320193.json.gz",
        prices={
            "path": DATA / "prices" / "financetoolkit-historical_dataset.csv.gz",
            "benchmark": DATA / "prices" / "financetoolkit-historical_dataset.csv.gz",
            "benchmark_ticker": "Benchmark",
        },
        notes=[
            "Statements: SEC XBRL companyfacts (CIK0000320193), 10-K facts filed on or before 2022-12-30. "
            "Prices: FinanceToolkit test dataset (daily, 2019-12-31..2022-12-30), raw Close; benchmark = its "
            "'Benchmark' rows, which are SPY (SOURCES.md)."
        ],
    ),
    Sample(
        ticker="GOOGL",
        as_of=dt.date(2017, 12, 29),
        profile={
            "ticker": "GOOGL",
            "name": "Alphabet Inc. (Class A)",
            "exchange": "NASDAQ",
            "currency": "USD",
            "sector": "Technology",
            "industry": "Internet Content & Information",
            "country": "United States",
            "description": (
                "Alphabet is the holding company of Google, formed in 2015. Google runs Search, YouTube, Android, "
                "Chrome, Maps, Gmail and the Google Play store, sells hardware such as Pixel phones and Nest "
                "devices, and offers Google Cloud services to businesses. Alphabet's 'Other Bets' include "
                "early-stage businesses such as Waymo (self-driving cars) and Verily (life sciences). The company "
                "is headquartered in Mountain View, California."
            ),
            "revenue_model": (
                "The large majority of revenue is advertising: advertisers pay per click or impression for ads "
                "shown on Google Search, YouTube and partner websites and apps (Google Network, where Google shares "
                "revenue with the partners). The rest comes from Google Cloud (infrastructure and workspace "
                "subscriptions), Play store commissions, hardware sales and YouTube subscriptions; Other Bets add "
                "little revenue."
            ),
            "website": "https://abc.xyz",
        },
        sec_file=DATA / "sec" / "CIK0001652044.json.gz",
        prices={
            "path": DATA / "prices" / "yahoofinance-GOOG-20040819-20180120.csv.gz",
            "file_ticker": None,
            "benchmark": DATA / "prices" / "yahoofinance-SPY-20080101-20180101.csv.gz",
            "benchmark_ticker": "SPY",
        },
        notes=[
            "Statements: SEC XBRL companyfacts (CIK0001652044), 10-K facts filed on or before 2017-12-29 "
            "(the FY2017 10-K was filed in 2018, so FY2016 is the newest year). Gross profit is derived as "
            "revenue - cost of revenue (Alphabet reports no GrossProfit tag).",
            "Prices: mplfinance Yahoo file of the Class C share GOOG (no GOOGL series is in the data); GOOGL "
            "traded within a few percent of GOOG in this period. Raw Close, not Adj Close. Benchmark: "
            "mplfinance Yahoo SPY.",
        ],
    ),
]


def build(sample: Sample, target: Path) -> None:
    """Build one bundle in a scratch directory, then move its files over `target`'s."""
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{sample.ticker}.", suffix=".build", dir=target.parent))
    try:
        commit(
            scratch,
            {
                "schema_version": 1,
                "as_of": sample.as_of.isoformat(),
                "profile": sample.profile,
                "notes": [PROFILE_NOTE, *sample.notes],
            },
        )
        import_sec(sample.sec_file, scratch, ticker=sample.ticker, as_of=sample.as_of, years=5)
        p = sample.prices
        import_prices(
            p["path"],
            scratch,
            ticker=sample.ticker,
            as_of=sample.as_of,
            file_ticker=p.get("file_ticker"),
            benchmark=p["benchmark"],
            benchmark_ticker=p["benchmark_ticker"],
            benchmark_name=SPY_NAME,
        )
        load_bundle(scratch)
        target.mkdir(exist_ok=True)
        for f in sorted(scratch.iterdir()):
            os.replace(f, target / f.name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "fixtures" / "bundles", help="bundles root")
    args = parser.parse_args(argv)
    try:
        for sample in SAMPLES:
            build(sample, args.out / sample.ticker)
            loaded = load_bundle(args.out / sample.ticker)
            print(
                f"built {args.out / sample.ticker}: as of {loaded.bundle.as_of}, "
                f"{len(loaded.bundle.financials.periods) if loaded.bundle.financials else 0} periods, "
                f"{0 if loaded.prices is None else len(loaded.prices)} price days"
            )
        hk = REPO / "fixtures" / "bundles" / "HK_3896"
        if hk.is_dir():
            load_bundle(hk)
            print(f"validated {hk} (hand-written, not rebuilt)")
    except StockreportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
