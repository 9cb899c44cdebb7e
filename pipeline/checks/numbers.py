"""Find the numbers a piece of prose states, with their unit, scale, currency and written precision.

A written number is `num * scale` where `scale` is the unit of the written digits: "RMB 2.35 billion" is
2.35 * 1e9 CNY with 2 decimals, "590 basis points" is 590 * 0.01 = 5.90 percentage points, "-10.78%" is -10.78.
Parentheses are ambiguous in prose ("(1.2)" may be an accounting negative, "(26.28%)" an aside), so a
parenthesised number carries `paren=True` and the matcher accepts either sign for it.
The precision matters for matching: a fact matches when it rounds to the written digits (see match.py).

What is not a number to check: digits inside words or identifiers ("Q2", "FY2024", "50DMA", "HK:3896",
"S&P 500", "COVID-19", "20-day"), masked out before the numeric pattern runs. Dates ("Aug 20, 2025",
"2025-08-20", a bare year such as 2025) are kind `date` and are checked against the dates of the sources.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from pipeline.inputs.currencies import ISO_4217

Kind = Literal["pct", "money", "ratio", "count", "date", "multiple"]

# Identifiers that contain digits but are names, not figures.
BUILTIN_IDENTIFIERS: tuple[str, ...] = (
    "S&P 500", "S&P500", "Russell 2000", "Russell 1000", "Nasdaq 100", "Nasdaq-100", "FTSE 100", "DAX 40",
    "Nikkei 225", "CSI 300", "COVID-19", "Covid-19", "covid-19", "Form 10-K", "Form 10-Q", "10-K", "10-Q",
    "20-F", "8-K", "Fortune 500", "Web 3.0", "Industry 4.0", "Wi-Fi 6", "5G", "4G",
)

_DOLLARS = frozenset({"USD", "HKD", "CAD", "AUD", "SGD", "NZD", "TWD"})
# Written currency marker -> the ISO codes it can mean ("$" and "¥" are ambiguous on purpose).
CURRENCY_MARKERS: dict[str, frozenset[str]] = {
    "us$": frozenset({"USD"}), "hk$": frozenset({"HKD"}), "nt$": frozenset({"TWD"}),
    "c$": frozenset({"CAD"}), "a$": frozenset({"AUD"}), "s$": frozenset({"SGD"}), "r$": frozenset({"BRL"}),
    "$": _DOLLARS, "¥": frozenset({"JPY", "CNY"}), "€": frozenset({"EUR"}), "£": frozenset({"GBP"}),
    "₹": frozenset({"INR"}), "₩": frozenset({"KRW"}), "rmb": frozenset({"CNY"}), "yuan": frozenset({"CNY"}),
    "renminbi": frozenset({"CNY"}), "yen": frozenset({"JPY"}), "euro": frozenset({"EUR"}),
    "euros": frozenset({"EUR"}), "dollar": _DOLLARS, "dollars": _DOLLARS,
}
_CODES = ("USD", "HKD", "CNY", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "SGD", "INR", "KRW", "TWD", "RMB")
# Before a number any ISO 4217 code is a currency ("SEK 1,234.50", as pipeline.money writes codes without a
# symbol); after a number only the common ones, since "5 ALL" or "3 TOP" would rather be words.
_CODES_BEFORE = tuple(sorted(ISO_4217 | set(_CODES)))
for _code in _CODES_BEFORE:
    CURRENCY_MARKERS.setdefault(_code.lower(), frozenset({"CNY" if _code == "RMB" else _code}))

SCALES: dict[str, float] = {
    "trillion": 1e12, "tn": 1e12, "t": 1e12, "billion": 1e9, "bn": 1e9, "bln": 1e9, "b": 1e9,
    "million": 1e6, "mn": 1e6, "mln": 1e6, "m": 1e6, "thousand": 1e3, "k": 1e3,
}

_SYM = r"US\$|HK\$|NT\$|C\$|A\$|S\$|R\$|\$|¥|€|£|₹|₩"
_CODE = "|".join(_CODES)
_CODE_BEFORE = "|".join(_CODES_BEFORE)
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_WORD_SCALE = r"trillion|billion|million|thousand|bn|bln|mn|mln|tn"
_PCT = r"%|percent\b|per\s?cent\b|pct\b|percentage\s+points?\b|basis\s+points?\b|bps\b|points?\b"
_MULT = r"times\b|x(?![A-Za-z0-9])"
_CUR_AFTER = r"yuan|renminbi|dollars?|euros?|yen|" + _CODE

NUMBER_RE = re.compile(
    rf"""
    (?<![A-Za-z0-9_.:/&#])(?<![A-Za-z]-)              # not inside a word, ticker or identifier
    (?P<open>\()?
    (?P<sign>[-−](?=\s?(?:{_SYM}|{_CODE_BEFORE})?\s?[\d.]))?
    (?:(?P<cur>{_SYM})|(?P<code>{_CODE_BEFORE})\s?)?
    (?P<sign2>[-−])?
    (?P<num>{_NUM})
    (?:
        \s?(?P<pct>{_PCT})
      | \s?(?P<mult>{_MULT})
      | (?:\s?(?P<wscale>{_WORD_SCALE})\b|(?P<lscale>[BMKTbmk])(?![A-Za-z0-9]))
        (?:\s(?P<curafter>{_CUR_AFTER})\b)?
      | \s(?P<curafter2>{_CUR_AFTER})\b
    )?
    (?P<close>\))?
    (?![A-Za-z0-9]|-[A-Za-z]|[.,]\d)
    """,
    re.VERBOSE,
)

_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_MON = (r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
        r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
DATE_RES: tuple[re.Pattern[str], ...] = (
    re.compile(rf"\b{_MON}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MON}\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b"),
    re.compile(rf"\b{_MON}\s+(?P<year>(?:19|20)\d\d)\b", re.I),
)
_WORD_NUMBERS = {
    w: i for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split())
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
     "hundred": 100}
WORD_NUMBER_RE = re.compile(
    r"\b(?P<word>" + "|".join(_WORD_NUMBERS) + r")\s+(?P<unit>percent|per cent|percentage points?|times)\b",
    re.I,
)
APPROX_RE = re.compile(
    r"(?:~|≈|\b(?:about|approx\.?|approximately|around|roughly|nearly|almost|over|more than|less than|under|"
    r"close to|some|up to|at least|in excess of|circa|c\.|just over|just under|well over))\s*$",
    re.I,
)
_RANGE_GAP = re.compile(r"\s*(?:to|-|–)\s*")


@dataclass(frozen=True)
class WrittenNumber:
    """One number in prose. `value = num * scale`, signed; `decimals` counts digits after the point of `num`."""

    text: str
    start: int
    end: int
    num: float
    scale: float
    decimals: int
    kind: Kind
    negative: bool = False
    currency: frozenset[str] | None = None
    approx: bool = False
    has_unit: bool = False  # a %, "times" or scale word was written (a currency alone does not count)
    paren: bool = False  # written in parentheses, "(1.2)": either sign is accepted

    @property
    def value(self) -> float:
        return (-1.0 if self.negative else 1.0) * self.num * self.scale

    @property
    def sig_figs(self) -> int:
        """Significant figures as written; trailing zeros of an integer do not count ("120" has 2)."""
        digits = f"{self.num:.{self.decimals}f}".replace(".", "").lstrip("0")
        return max(1, len(digits if self.decimals else digits.rstrip("0")))


@functools.lru_cache(maxsize=64)
def _maskable(identifiers: tuple[str, ...]) -> tuple[str, ...]:
    # built once per identifier set: mask() runs for every sentence checked
    return tuple(ident for ident in sorted({*BUILTIN_IDENTIFIERS, *identifiers}, key=len, reverse=True)
                 if any(c.isdigit() for c in ident))


def mask(text: str, identifiers: Iterable[str] = ()) -> str:
    """Blank out identifier occurrences (same length, so offsets hold) before looking for numbers."""
    for ident in _maskable(tuple(identifiers)):
        if ident in text:
            text = text.replace(ident, " " * len(ident))
    return text


def _dates(text: str) -> tuple[list[WrittenNumber], str]:
    found: list[WrittenNumber] = []
    for pattern in DATE_RES:
        first = len(found)
        for m in pattern.finditer(text):
            year = int(m.group("year"))
            groups = m.groupdict()
            month = _MONTHS[groups["mon"][:3].lower()] if groups.get("mon") else int(groups.get("month") or 0)
            day = int(groups["day"]) if groups.get("day") else 0
            value = year * 10_000 + month * 100 + day if day else float(year)
            found.append(WrittenNumber(m.group(0), m.start(), m.end(), float(value), 1.0, 0, "date"))
        # blank this pattern's dates before the next runs, from the matches found (no second scan)
        for d in found[first:]:
            text = text[:d.start] + " " * (d.end - d.start) + text[d.end:]
    return found, text


def _currency(m: re.Match[str]) -> frozenset[str] | None:
    marker = m.group("cur") or m.group("code") or m.group("curafter") or m.group("curafter2")
    return CURRENCY_MARKERS.get(marker.lower()) if marker else None


def _from_match(m: re.Match[str], text: str) -> WrittenNumber:
    raw = m.group("num")
    num = float(raw.replace(",", ""))
    decimals = len(raw.split(".")[1]) if "." in raw else 0
    currency = _currency(m)
    scale = 1.0
    kind: Kind = "ratio" if decimals else "count"
    unit = m.group("pct") or m.group("mult") or m.group("wscale") or m.group("lscale")
    if m.group("pct"):
        kind = "pct"
        scale = 0.01 if re.match(r"basis|bps", m.group("pct"), re.I) else 1.0
    elif m.group("mult"):
        kind = "multiple"
    elif m.group("wscale") or m.group("lscale"):
        key = (m.group("wscale") or m.group("lscale")).lower()
        scale, kind = SCALES[key], "money"
    if currency is not None:
        kind = "money"
    elif kind == "count" and not unit and 1900 <= num <= 2100 and "," not in raw:
        kind = "date"
    open_, close = m.group("open"), m.group("close")
    # "(1.2)" may be an accounting negative or a plain aside ("equity ratio (26.28%)"): sign left open.
    paren = bool(open_ and close) and not m.group("code")
    negative = bool(m.group("sign") or m.group("sign2"))
    # Keep the parentheses in the written text only when they carry the sign.
    start = m.start() + (1 if open_ and not paren else 0)
    end = m.end() - (1 if close and not paren else 0)
    approx = bool(APPROX_RE.search(text[max(0, start - 25):start]))
    return WrittenNumber(text[start:end], start, end, num, scale, decimals, kind, negative, currency, approx,
                         has_unit=bool(unit), paren=paren)


def _inherit_range_units(found: list[WrittenNumber], text: str) -> list[WrittenNumber]:
    """"$6.5 to $7.0 billion", "10 to 10.2 percent": a bare left end takes the right end's unit."""
    out = list(found)
    for i in range(len(out) - 2, -1, -1):
        left, right = out[i], out[i + 1]
        if left.has_unit or left.kind == "date" or not right.has_unit or right.kind == "date" or (
                left.currency and right.currency and left.currency != right.currency):
            continue
        if _RANGE_GAP.fullmatch(text[left.end:right.start]):
            out[i] = WrittenNumber(left.text, left.start, left.end, left.num, right.scale, left.decimals,
                                   right.kind, left.negative, left.currency or right.currency, left.approx,
                                   has_unit=True)
    return out


def extract_numbers(text: str, identifiers: Iterable[str] = ()) -> list[WrittenNumber]:
    """Every number written in `text`, in order. Never raises on any string."""
    dates, masked = _dates(mask(text, identifiers))
    found = [_from_match(m, text) for m in NUMBER_RE.finditer(masked)]
    for m in WORD_NUMBER_RE.finditer(masked):
        unit = m.group("unit").lower()
        kind: Kind = "multiple" if unit == "times" else "pct"
        approx = bool(APPROX_RE.search(text[max(0, m.start() - 25):m.start()]))
        found.append(WrittenNumber(m.group(0), m.start(), m.end(), float(_WORD_NUMBERS[m.group("word").lower()]),
                                   1.0, 0, kind, approx=approx, has_unit=True))
    found = sorted(found + dates, key=lambda n: n.start)
    return _inherit_range_units(found, text)


_ABBREVIATIONS = frozenset(
    "u.s u.k e.g i.e inc ltd co corp vs mr mrs ms dr no approx st jan feb mar apr jun jul aug sep sept oct nov dec "
    "fig est etc plc n.v s.a a.g".split()
)
_BOUNDARY = re.compile(r"[.!?]+[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9$¥€£~-])|\n+")


def split_sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs. Splits on . ! ? followed by a space and a capital/digit, and on newlines;
    never on a decimal point ("1.30") or after an abbreviation ("U.S. GAAP", "Inc.")."""
    out: list[tuple[int, str]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if m.group(0)[0] == ".":
            word = re.search(r"([A-Za-z.]+)\.$", text[start:m.start() + 1])
            if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
                continue
        piece = text[start:m.end()]
        if piece.strip():
            out.append((start + len(piece) - len(piece.lstrip()), piece.strip()))
        start = m.end()
    piece = text[start:]
    if piece.strip():
        out.append((start + len(piece) - len(piece.lstrip()), piece.strip()))
    return out
