"""SEC EDGAR `submissions/CIK##########.json` -> the filer's profile and its filing dates.

What the bundle takes from it (docs/importing.md, `fetch sec`):
- the name in force on the as-of date (`formerNames` hold earlier names with their dates), made readable
  (names.py) unless the user set one;
- the exchange listed for the ticker (`tickers[i]` -> `exchanges[i]`);
- sector: SEC's industry office (`ownerOrg`, e.g. '06 Technology') when given, else the SIC division of `sic`
  (Standard Industrial Classification: 3571 -> Manufacturing); industry: `sicDescription`;
- country: 'United States' for a business address in a US state (other codes are left unset);
- fiscal year end ('0924' -> 09-24) and the latest 10-K/10-Q filed by the as-of date, for the bundle's notes
  and to tell when companyfacts lags a filing EDGAR already lists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pipeline.inputs.importers.names import readable_name
from pipeline.inputs.sources import fail

# SIC divisions by major group (the first two digits), as in the SIC manual.
SIC_DIVISIONS: list[tuple[int, int, str]] = [
    (1, 9, "Agriculture, Forestry and Fishing"),
    (10, 14, "Mining"),
    (15, 17, "Construction"),
    (20, 39, "Manufacturing"),
    (40, 49, "Transportation, Communications and Utilities"),
    (50, 51, "Wholesale Trade"),
    (52, 59, "Retail Trade"),
    (60, 67, "Finance, Insurance and Real Estate"),
    (70, 89, "Services"),
    (91, 97, "Public Administration"),
    (99, 99, "Nonclassifiable"),
]
US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH "
    "OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR".split()
)
STATEMENT_FORMS = ("10-K", "10-K/A", "10-Q", "10-Q/A")


@dataclass(frozen=True)
class Filing:
    form: str
    filed: dt.date
    report_date: dt.date | None
    accession: str


@dataclass(frozen=True)
class FilerProfile:
    """The submissions file, read: raw `name` as filed on the as-of date and the profile fields."""

    cik: int
    name: str
    exchange: str | None = None
    sic: str | None = None
    sector: str | None = None
    industry: str | None = None
    country: str | None = None
    fiscal_year_end: str | None = None  # "MM-DD"
    filings: list[Filing] = field(default_factory=list)

    @property
    def readable_name(self) -> str:
        return readable_name(self.name)

    def latest(self, forms: tuple[str, ...], as_of: dt.date | None) -> Filing | None:
        """The latest filing of one of `forms` filed on or before `as_of`."""
        found = [f for f in self.filings if f.form in forms and (as_of is None or f.filed <= as_of)]
        return max(found, key=lambda f: (f.filed, f.accession)) if found else None

    def note(self, as_of: dt.date | None) -> str:
        """One line for the bundle's notes: where the profile came from and the filings it rests on."""
        parts = [f"SEC EDGAR: CIK {self.cik:010d}"]
        if self.sic:
            parts.append(f"SIC {self.sic}" + (f" ({self.industry})" if self.industry else ""))
        if self.fiscal_year_end:
            parts.append(f"fiscal year ends {self.fiscal_year_end}")
        for forms in (("10-K", "10-K/A"), ("10-Q", "10-Q/A")):
            f = self.latest(forms, as_of)
            if f is not None:
                period = f" for the period to {f.report_date}" if f.report_date else ""
                parts.append(f"latest {f.form} filed {f.filed}{period}")
        return "; ".join(parts)


def sic_division(sic: str | None) -> str | None:
    if not sic or not sic.strip().isdigit():
        return None
    group = int(sic.strip().zfill(4)[:2])
    return next((name for lo, hi, name in SIC_DIVISIONS if lo <= group <= hi), None)


def _str(doc: dict[str, object], key: str) -> str | None:
    value = doc.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return value.strip() or None if isinstance(value, str) else None


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _name_on(doc: dict[str, object], as_of: dt.date | None, label: str) -> str:
    name = _str(doc, "name")
    if name is None:
        raise fail(label, "not an SEC submissions file (no 'name')")
    former = doc.get("formerNames")
    if as_of is None or not isinstance(former, list):
        return name
    for entry in former:  # earlier names with the dates they were used
        if isinstance(entry, dict):
            start, end = _date(entry.get("from")), _date(entry.get("to"))
            old = entry.get("name")
            if isinstance(old, str) and old.strip() and start and end and start <= as_of < end:
                return old.strip()
    return name


def _exchange(doc: dict[str, object], ticker: str) -> str | None:
    tickers, exchanges = doc.get("tickers"), doc.get("exchanges")
    if not isinstance(exchanges, list) or not exchanges:
        return None
    wanted = {ticker.upper(), ticker.upper().replace(".", "-"), ticker.upper().replace("-", ".")}
    if isinstance(tickers, list):
        for t, e in zip(tickers, exchanges, strict=False):
            if isinstance(t, str) and t.upper() in wanted and isinstance(e, str) and e.strip():
                return e.strip()
    first = exchanges[0]
    return first.strip() if isinstance(first, str) and first.strip() else None


def _sector(doc: dict[str, object]) -> str | None:
    org = _str(doc, "ownerOrg")  # "06 Technology": SEC's industry office
    if org:
        words = org.split(" ", 1)
        return words[1].strip() if len(words) == 2 and words[0].isdigit() else org
    return sic_division(_str(doc, "sic"))


def _country(doc: dict[str, object]) -> str | None:
    addresses = doc.get("addresses")
    business = addresses.get("business") if isinstance(addresses, dict) else None
    code = business.get("stateOrCountry") if isinstance(business, dict) else None
    return "United States" if isinstance(code, str) and code.strip().upper() in US_STATES else None


def _filings(doc: dict[str, object]) -> list[Filing]:
    filings = doc.get("filings")
    recent = filings.get("recent") if isinstance(filings, dict) else None
    if not isinstance(recent, dict):
        return []
    columns = {k: recent.get(k) for k in ("form", "filingDate", "reportDate", "accessionNumber")}
    if not all(isinstance(v, list) for v in columns.values()):
        return []
    out = []
    for form, filed, report, accn in zip(*columns.values(), strict=False):  # type: ignore[call-overload]
        day = _date(filed)
        if isinstance(form, str) and day is not None:
            out.append(Filing(form.strip(), day, _date(report), str(accn)))
    return out


def read_submissions(doc: object, label: str, *, ticker: str, as_of: dt.date | None) -> FilerProfile:
    """The filer profile of a submissions document (see the module doc)."""
    if not isinstance(doc, dict) or "cik" not in doc:
        raise fail(label, "not an SEC submissions file (no 'cik')")
    try:
        cik = int(str(doc["cik"]).strip())
    except ValueError:
        raise fail(label, "not an SEC submissions file (cik is not a number)") from None
    fye = _str(doc, "fiscalYearEnd")
    return FilerProfile(
        cik=cik,
        name=_name_on(doc, as_of, label),
        exchange=_exchange(doc, ticker),
        sic=_str(doc, "sic"),
        sector=_sector(doc),
        industry=_str(doc, "sicDescription"),
        country=_country(doc),
        fiscal_year_end=f"{fye[:2]}-{fye[2:]}" if fye and len(fye) == 4 and fye.isdigit() else None,
        filings=_filings(doc),
    )
