"""Build the EDGAR fixtures the `fetch sec` tests serve (fixtures/data/sec/edgar/, see its README).

No recorded `submissions/CIK##########.json` of AAPL, NVDA or GOOGL and no complete recorded
`company_tickers.json` are available offline, so they are constructed in EDGAR's documented shape:

- company_tickers.json: {"0": {"cik_str": N, "ticker": T, "title": NAME}, ...}; the entries below are copied
  from a recorded company_tickers.json (dgunning/edgartools data/company_tickers.json @ 70d4f200, MIT),
  first 40 entries plus GOOG, SNOW and MRVL, renumbered;
- submissions: the header fields of each filer (TSLA's verbatim from the recorded body in dgunning/edgartools
  data/company_submission.json @ d5e8247b, the commit of the Tesla companyfacts file; AAPL, NVDA and GOOGL's
  from EDGAR's public filer pages, written here), and `filings.recent` built from the filer's companyfacts
  file: one filing per accession number found there (form, filing date, report date = the latest period end
  of its us-gaap facts within 100 days before filing). Real submissions also list filings without XBRL
  facts (8-K, Forms 3/4, ...); these have none, and the fields the facts do not tell are empty.

Run: python scripts/build_edgar_fixtures.py (rewrites the files byte-identically).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SEC = REPO / "fixtures" / "data" / "sec"
OUT = SEC / "edgar"

# From the recorded company_tickers.json (see the module doc), in its order, then GOOG, SNOW and MRVL.
TICKERS: list[tuple[int, str, str]] = [
    (789019, "MSFT", "MICROSOFT CORP"),
    (320193, "AAPL", "Apple Inc."),
    (1045810, "NVDA", "NVIDIA CORP"),
    (1652044, "GOOGL", "Alphabet Inc."),
    (1018724, "AMZN", "AMAZON COM INC"),
    (1326801, "META", "Meta Platforms, Inc."),
    (1067983, "BRK-B", "BERKSHIRE HATHAWAY INC"),
    (1046179, "TSM", "TAIWAN SEMICONDUCTOR MANUFACTURING CO LTD"),
    (59478, "LLY", "ELI LILLY & Co"),
    (1730168, "AVGO", "Broadcom Inc."),
    (353278, "NVO", "NOVO NORDISK A S"),
    (1403161, "V", "VISA INC."),
    (19617, "JPM", "JPMORGAN CHASE & CO"),
    (1318605, "TSLA", "Tesla, Inc."),
    (34088, "XOM", "EXXON MOBIL CORP"),
    (104169, "WMT", "Walmart Inc."),
    (884394, "SPY", "SPDR S&P 500 ETF TRUST"),
    (731766, "UNH", "UNITEDHEALTH GROUP INC"),
    (1141391, "MA", "Mastercard Inc"),
    (80424, "PG", "PROCTER & GAMBLE Co"),
    (937966, "ASML", "ASML HOLDING NV"),
    (200406, "JNJ", "JOHNSON & JOHNSON"),
    (909832, "COST", "COSTCO WHOLESALE CORP /NEW"),
    (354950, "HD", "HOME DEPOT, INC."),
    (1047716, "LTMAY", "LATAM AIRLINES GROUP S.A."),
    (310158, "MRK", "Merck & Co., Inc."),
    (1341439, "ORCL", "ORACLE CORP"),
    (1094517, "TM", "TOYOTA MOTOR CORP/"),
    (93410, "CVX", "CHEVRON CORP"),
    (70858, "BAC", "BANK OF AMERICA CORP /DE/"),
    (1551152, "ABBV", "AbbVie Inc."),
    (21344, "KO", "COCA COLA CO"),
    (1108524, "CRM", "Salesforce, Inc."),
    (1065280, "NFLX", "NETFLIX INC"),
    (2488, "AMD", "ADVANCED MICRO DEVICES INC"),
    (77476, "PEP", "PEPSICO INC"),
    (901832, "AZN", "ASTRAZENECA PLC"),
    (1306965, "SHEL", "Shell plc"),
    (1000184, "SAP", "SAP SE"),
    (97745, "TMO", "THERMO FISHER SCIENTIFIC INC."),
    (1652044, "GOOG", "Alphabet Inc."),
    (1640147, "SNOW", "Snowflake Inc."),
    (1835632, "MRVL", "Marvell Technology, Inc."),
]

TSLA_HEADER: dict[str, Any] = {  # verbatim from the recorded body (see the module doc)
    "cik": "1318605",
    "entityType": "operating",
    "sic": "3711",
    "sicDescription": "Motor Vehicles & Passenger Car Bodies",
    "insiderTransactionForOwnerExists": 0,
    "insiderTransactionForIssuerExists": 1,
    "name": "Tesla, Inc.",
    "tickers": ["TSLA"],
    "exchanges": ["Nasdaq"],
    "ein": "912197729",
    "description": "",
    "website": "",
    "investorWebsite": "",
    "category": "Large accelerated filer",
    "fiscalYearEnd": "1231",
    "stateOfIncorporation": "DE",
    "stateOfIncorporationDescription": "DE",
    "addresses": {
        "mailing": {
            "street1": "3500 DEER CREEK RD",
            "street2": "None",
            "city": "PALO ALTO",
            "stateOrCountry": "CA",
            "zipCode": "94304",
            "stateOrCountryDescription": "CA",
        },
        "business": {
            "street1": "3500 DEER CREEK RD",
            "street2": "None",
            "city": "PALO ALTO",
            "stateOrCountry": "CA",
            "zipCode": "94304",
            "stateOrCountryDescription": "CA",
        },
    },
    "phone": "650-681-5000",
    "flags": "",
    "formerNames": [
        {"name": "TESLA MOTORS INC", "from": "2005-02-17T00:00:00.000Z", "to": "2017-01-27T00:00:00.000Z"}
    ],
}


def _header(
    cik: str,
    name: str,
    sic: str,
    sic_description: str,
    tickers: list[str],
    fye: str,
    state: str,
    street: str,
    city: str,
    zip_code: str,
    former: list[dict[str, str]],
) -> dict[str, Any]:
    address = {
        "street1": street,
        "street2": None,
        "city": city,
        "stateOrCountry": "CA",
        "zipCode": zip_code,
        "stateOrCountryDescription": "CA",
    }
    return {
        "cik": cik,
        "entityType": "operating",
        "sic": sic,
        "sicDescription": sic_description,
        "insiderTransactionForOwnerExists": 0,
        "insiderTransactionForIssuerExists": 1,
        "name": name,
        "tickers": tickers,
        "exchanges": ["Nasdaq"] * len(tickers),
        "ein": "",
        "description": "",
        "website": "",
        "investorWebsite": "",
        "category": "Large accelerated filer",
        "fiscalYearEnd": fye,
        "stateOfIncorporation": state,
        "stateOfIncorporationDescription": state,
        "addresses": {"mailing": address, "business": address},
        "phone": "",
        "flags": "",
        "formerNames": former,
    }


HEADERS: dict[str, tuple[str, dict[str, Any]]] = {
    "CIK0000320193": (
        "CIK0000320193.json.gz",
        _header(
            "320193",
            "Apple Inc.",
            "3571",
            "Electronic Computers",
            ["AAPL"],
            "0927",
            "CA",
            "ONE APPLE PARK WAY",
            "CUPERTINO",
            "95014",
            [
                {"name": "APPLE INC", "from": "2007-01-10T00:00:00.000Z", "to": "2019-08-05T00:00:00.000Z"},
                {
                    "name": "APPLE COMPUTER INC",
                    "from": "1994-01-26T00:00:00.000Z",
                    "to": "2007-01-04T00:00:00.000Z",
                },
            ],
        ),
    ),
    "CIK0001045810": (
        "CIK0001045810.json.gz",
        _header(
            "1045810",
            "NVIDIA CORP",
            "3674",
            "Semiconductors & Related Devices",
            ["NVDA"],
            "0125",
            "DE",
            "2788 SAN TOMAS EXPRESSWAY",
            "SANTA CLARA",
            "95051",
            [],
        ),
    ),
    "CIK0001652044": (
        "CIK0001652044.json.gz",
        _header(
            "1652044",
            "Alphabet Inc.",
            "7370",
            "Services-Computer Programming, Data Processing, Etc.",
            ["GOOGL", "GOOG"],
            "1231",
            "DE",
            "1600 AMPHITHEATRE PARKWAY",
            "MOUNTAIN VIEW",
            "94043",
            [],
        ),
    ),
    "CIK0001318605": ("CIK0001318605.json.gz", TSLA_HEADER),
}
RECENT_KEYS = (
    "accessionNumber",
    "filingDate",
    "reportDate",
    "acceptanceDateTime",
    "act",
    "form",
    "fileNumber",
    "filmNumber",
    "items",
    "core_type",
    "size",
    "isXBRL",
    "isInlineXBRL",
    "primaryDocument",
    "primaryDocDescription",
)


def filings_from_facts(facts: dict[str, Any]) -> dict[str, list[Any]]:
    """One row per accession number in the companyfacts file, newest first, in `filings.recent`'s columns."""
    forms: dict[str, tuple[str, str]] = {}
    ends: dict[str, list[str]] = defaultdict(list)
    for taxonomy, tags in facts["facts"].items():
        for tag in tags.values():
            for rows in tag.get("units", {}).values():
                for r in rows:
                    forms.setdefault(r["accn"], (r["form"], r["filed"]))
                    if taxonomy == "us-gaap":
                        ends[r["accn"]].append(r["end"])
    rows = []
    for accn, (form, filed) in forms.items():
        day = dt.date.fromisoformat(filed)
        window = [e for e in ends[accn] if day - dt.timedelta(days=100) <= dt.date.fromisoformat(e) < day]
        report = max(window) if window else ""
        rows.append(
            {
                "accessionNumber": accn,
                "filingDate": filed,
                "reportDate": report,
                "acceptanceDateTime": "",
                "act": "34" if form.startswith("10-") else "",
                "form": form,
                "fileNumber": "",
                "filmNumber": "",
                "items": "",
                "core_type": form,
                "size": 0,
                "isXBRL": 1,
                "isInlineXBRL": 0,
                "primaryDocument": "",
                "primaryDocDescription": form,
            }
        )
    rows.sort(key=lambda r: (r["filingDate"], r["accessionNumber"]), reverse=True)
    return {k: [r[k] for r in rows] for k in RECENT_KEYS}


def _write(path: Path, doc: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(doc, separators=(",", ":")).encode()
    path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))


def main() -> None:
    _write(
        OUT / "company_tickers.json.gz",
        {str(i): {"cik_str": cik, "ticker": t, "title": title} for i, (cik, t, title) in enumerate(TICKERS)},
    )
    for stem, (facts_file, header) in HEADERS.items():
        facts = json.loads(gzip.decompress((SEC / facts_file).read_bytes()))
        doc = {**header, "filings": {"recent": filings_from_facts(facts), "files": []}}
        _write(OUT / "submissions" / f"{stem}.json.gz", doc)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
