"""Company names as people write them: 'MARVELL TECHNOLOGY, INC' -> 'Marvell Technology, Inc.'.

SEC EDGAR keeps many filer names in capitals ('NVIDIA CORP', 'BANK OF AMERICA CORP /DE/'). `readable_name`
rewrites the words written in capitals and leaves every word that has a lower-case letter as it is (so
'Apple Inc.' and 'TransDigm Group INC' keep their own spelling of the first words):

- legal suffixes take their usual form: Inc., Corp., Co., Ltd., LLC, L.P., N.V., S.A., plc, AG, SE ...;
- acronyms stay in capitals: the names in ACRONYMS (NVIDIA, IBM, AT&T, ...), words with no vowel (CSX, PNC,
  HSBC), words with a digit (3M) and short words joined by '&' (S&P, AT&T);
- 'of', 'and', 'the', ... are lower case inside a name; 'MC' starts a capital (McDonald, McKesson);
- EDGAR's disambiguation tails ('/DE/', '/NEW', '\\DE\\', a trailing '/') are dropped.

Used only for names a filer reported; a name the user set is never rewritten.
"""

from __future__ import annotations

import re

SUFFIXES = {
    "INC": "Inc.",
    "INC.": "Inc.",
    "INCORPORATED": "Incorporated",
    "CORP": "Corp.",
    "CORP.": "Corp.",
    "CORPORATION": "Corporation",
    "CO": "Co.",
    "CO.": "Co.",
    "COMPANY": "Company",
    "LTD": "Ltd.",
    "LTD.": "Ltd.",
    "LIMITED": "Limited",
    "LLC": "LLC",
    "L.L.C.": "LLC",
    "LP": "L.P.",
    "L.P.": "L.P.",
    "NV": "N.V.",
    "N.V.": "N.V.",
    "SA": "S.A.",
    "S.A.": "S.A.",
    "AG": "AG",
    "SE": "SE",
    "PLC": "plc",
    "AB": "AB",
    "ASA": "ASA",
    "A/S": "A/S",
    "SPA": "S.p.A.",
    "S.P.A.": "S.p.A.",
    "BV": "B.V.",
    "B.V.": "B.V.",
    "GMBH": "GmbH",
    "KGAA": "KGaA",
    "NA": "N.A.",
    "N.A.": "N.A.",
    "LLP": "LLP",
    "PC": "P.C.",
    "SAB": "S.A.B.",
    "CV": "C.V.",
}
# Names known to be written in capitals (or with capitals inside) by the companies themselves.
ACRONYMS = {
    "NVIDIA": "NVIDIA",
    "IBM": "IBM",
    "AT&T": "AT&T",
    "AMD": "AMD",
    "ASML": "ASML",
    "SAP": "SAP",
    "ING": "ING",
    "UBS": "UBS",
    "ABB": "ABB",
    "BHP": "BHP",
    "EOG": "EOG",
    "AES": "AES",
    "NXP": "NXP",
    "KLA": "KLA",
    "RTX": "RTX",
    "PPG": "PPG",
    "ETF": "ETF",
    "REIT": "REIT",
    "USA": "USA",
    "US": "US",
    "UK": "UK",
    "ICICI": "ICICI",
    "AIG": "AIG",
    "AON": "Aon",
    "EPAM": "EPAM",
    "CBRE": "CBRE",
    "IQVIA": "IQVIA",
    "JPMORGAN": "JPMorgan",
    "PEPSICO": "PepsiCo",
    "UNITEDHEALTH": "UnitedHealth",
    "PAYPAL": "PayPal",
    "BLACKROCK": "BlackRock",
    "FEDEX": "FedEx",
    "ABBVIE": "AbbVie",
    "MASTERCARD": "Mastercard",
    "SERVICENOW": "ServiceNow",
    "HUBSPOT": "HubSpot",
    "EBAY": "eBay",
    "IROBOT": "iRobot",
}
SMALL_WORDS = {
    "OF",
    "AND",
    "THE",
    "FOR",
    "IN",
    "ON",
    "AT",
    "BY",
    "TO",
    "A",
    "AN",
    "DE",
    "DU",
    "DA",
    "DI",
    "LA",
    "LE",
    "DES",
    "DEL",
    "Y",
    "ET",
    "&",
}
# EDGAR appends a state or '/NEW' to tell filers of the same name apart: not part of the name.
_EDGAR_TAIL = re.compile(r"\s*(?:[/\\][A-Z]{2,3}[/\\]?|/NEW/?|/ADR/?|/FI/?|/)\s*$")
_VOWELS = set("AEIOUY")


def has_lower(text: str) -> bool:
    return any(c.islower() for c in text)


def is_all_capitals(name: str) -> bool:
    """True when no letter of `name` is lower case (and it has letters)."""
    return any(c.isalpha() for c in name) and not has_lower(name)


def _strip_tails(name: str) -> str:
    previous = None
    while previous != name:
        previous, name = name, _EDGAR_TAIL.sub("", name).strip()
    return name


def _word(word: str, first: bool) -> str:
    """One whitespace-separated word written in capitals, as a person would write it."""
    core = word.rstrip(",;")
    tail = word[len(core) :]
    key = core.upper()
    if key in ACRONYMS:
        out = ACRONYMS[key]
    elif key in SUFFIXES and not first:
        out = SUFFIXES[key]
    elif key in SMALL_WORDS and not first:
        out = key.lower() if key != "&" else "&"
    elif any(c.isdigit() for c in core) or ("&" in core and len(core) <= 5):
        out = core  # 3M, S&P, P&G
    elif "-" in core:
        out = "-".join(_word(part, True) for part in core.split("-"))
    elif len([c for c in core if c.isalpha()]) >= 2 and not (set(core) & _VOWELS):
        out = core  # CSX, PNC, HSBC: no vowel, an abbreviation
    elif key.startswith("MC") and len(core) > 3 and core[2:3].isalpha():
        out = "Mc" + core[2:].capitalize()
    else:
        out = core.capitalize()  # "O'REILLY" -> "O'reilly" is rare; "LOWE'S" -> "Lowe's"
    return out + tail


def readable_name(name: str) -> str:
    """A filer's name as people write it; a name with lower-case letters keeps them (see the module doc)."""
    text = " ".join(name.split())
    if not text:
        return text
    text = _strip_tails(text)
    if text.endswith(" A S"):  # Danish 'A/S' as EDGAR writes it: 'NOVO NORDISK A S'
        text = text[:-4] + " A/S"
    words = text.split(" ")
    out = []
    for i, w in enumerate(words):
        out.append(w if has_lower(w) else _word(w, i == 0))
    return " ".join(out)
