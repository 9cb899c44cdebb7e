"""Find every number a reader sees in a piece of prose, with its unit, scale, currency and written precision.

A written number is `num * scale` where `scale` is the unit of the written digits: "RMB 2.35 billion" is
2.35 * 1e9 CNY with 2 decimals, "590 basis points" is 590 * 0.01 = 5.90 percentage points, "-10.78%" is -10.78.
The sign a reader sees is read as they read it (signs.py): a minus sign glued or spaced, a sign word ("minus",
"negative", "a loss of"), accounting parentheses ("RMB (9.02) billion", "was (16.19%)"); "the equity ratio
(26.28%)" is an aside, positive as written.
The precision matters for matching: a fact matches when it rounds to the written digits (see match.py).

`scan(text)` reads the text a reader sees (normalise.py: entities, invisible characters, other scripts'
digits, markup inside a number) and returns, with offsets into the original text:
  * numbers: digits with any glued or spaced unit ("grew987.6%", "987.6-percent", "987-fold", "margin:77.7%",
    "$987.6MM", "RMB 123.4Bn", "RMB 123.4-billion", "1.234e11 yuan", "1.2x10^11"), number words with a
    unit, scale or currency ("twelve billion yuan", "ninety-eight percent") or of twenty and more
    ("ninety-eight risk factors"), durations ("6 months", "20-day"), dates and bare years;
  * unparsed: anything else with a digit in it ("1.1.0.19.126429", "1,23,456", "987abc"), never skipped.

Not figures, masked before the search: built-in identifiers ("S&P 500", "COVID-19", "10-K", "20DMA"), the
bundle's tickers ("HK:3896", "(3896)", unless a currency or scale is attached: "RMB (3896) million" is a
number), period labels ("Q2", "FY2024", "Q2-2025", "2Q25", "fiscal 2022", "trailing twelve months": they are
read as the period a sentence is about, see context.py), ordinals ("3rd") and URLs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

from pipeline.checks import numerals, signs
from pipeline.checks.normalise import Normalised, normalise
from pipeline.inputs.bundle import Scale
from pipeline.inputs.currencies import ISO_4217

Kind = Literal["pct", "money", "ratio", "count", "date", "multiple", "duration", "period"]

# Identifiers that contain digits but are names, not figures.
BUILTIN_IDENTIFIERS: tuple[str, ...] = (
    "S&P 500",
    "S&P500",
    "Russell 2000",
    "Russell 1000",
    "Nasdaq 100",
    "Nasdaq-100",
    "FTSE 100",
    "DAX 40",
    "Nikkei 225",
    "CSI 300",
    "Hang Seng 50",
    "COVID-19",
    "Covid-19",
    "covid-19",
    "COVID19",
    "Form 10-K",
    "Form 10-Q",
    "10-K",
    "10-Q",
    "20-F",
    "8-K",
    "6-K",
    "Fortune 500",
    "Web 3.0",
    "Industry 4.0",
    "Wi-Fi 6",
    "5G",
    "4G",
    "3G",
    "20DMA",
    "50DMA",
    "100DMA",
    "200DMA",
    "24/7",
)

_DOLLARS = frozenset({"USD", "HKD", "CAD", "AUD", "SGD", "NZD", "TWD"})
# Written currency marker -> the ISO codes it can mean ("$" and "¥" are ambiguous on purpose).
CURRENCY_MARKERS: dict[str, frozenset[str]] = {
    "us$": frozenset({"USD"}),
    "hk$": frozenset({"HKD"}),
    "nt$": frozenset({"TWD"}),
    "c$": frozenset({"CAD"}),
    "a$": frozenset({"AUD"}),
    "s$": frozenset({"SGD"}),
    "r$": frozenset({"BRL"}),
    "$": _DOLLARS,
    "¥": frozenset({"JPY", "CNY"}),
    "€": frozenset({"EUR"}),
    "£": frozenset({"GBP"}),
    "₹": frozenset({"INR"}),
    "₩": frozenset({"KRW"}),
    "rmb": frozenset({"CNY"}),
    "yuan": frozenset({"CNY"}),
    "renminbi": frozenset({"CNY"}),
    "yen": frozenset({"JPY"}),
    "euro": frozenset({"EUR"}),
    "euros": frozenset({"EUR"}),
    "dollar": _DOLLARS,
    "dollars": _DOLLARS,
    "pound": frozenset({"GBP"}),
    "pounds": frozenset({"GBP"}),
    "rupee": frozenset({"INR"}),
    "rupees": frozenset({"INR"}),
    "franc": frozenset({"CHF"}),
    "francs": frozenset({"CHF"}),
}
_CODES = ("USD", "HKD", "CNY", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "SGD", "INR", "KRW", "TWD", "RMB")
# Before a number any ISO 4217 code is a currency ("SEK 1,234.50", as pipeline.money writes codes without a
# symbol); after a number only the common ones, since "5 ALL" or "3 TOP" would rather be words.
_CODES_BEFORE = tuple(sorted(ISO_4217 | set(_CODES)))
for _code in _CODES_BEFORE:
    CURRENCY_MARKERS.setdefault(_code.lower(), frozenset({"CNY" if _code == "RMB" else _code}))

SCALES: dict[str, float] = {
    "trillion": 1e12,
    "trillions": 1e12,
    "tn": 1e12,
    "trn": 1e12,
    "t": 1e12,
    "billion": 1e9,
    "bn": 1e9,
    "bln": 1e9,
    "b": 1e9,
    "million": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "mm": 1e6,
    "mil": 1e6,
    "m": 1e6,
    "thousand": 1e3,
    "k": 1e3,
    "lakh": 1e5,
    "lakhs": 1e5,
    "crore": 1e7,
    "crores": 1e7,
    **{
        s.value: s.factor for s in Scale if s is not Scale.units
    },  # "millions" as a bundle's statements say it
}
DURATION_UNITS: dict[str, str] = {
    "day": "day",
    "days": "day",
    "week": "week",
    "weeks": "week",
    "month": "month",
    "months": "month",
    "mo": "month",
    "mos": "month",
    "year": "year",
    "years": "year",
    "yr": "year",
    "yrs": "year",
    "quarter": "quarter",
    "quarters": "quarter",
}

_SYM = r"US\$|HK\$|NT\$|C\$|A\$|S\$|R\$|\$|¥|€|£|₹|₩"
_CODE = "|".join(_CODES)
_CODE_BEFORE = "|".join(_CODES_BEFORE)
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_EXP = r"[eE][+]?\d{1,3}(?![A-Za-z0-9])|\s?[x×*·]\s?10\^[+]?\d{1,3}"
_WSCALE = r"(?i:trillions?|billions?|millions?|thousands?|lakhs?|crores?|bn|bln|mn|mln|tn|trn|mil)"
_LSCALE = r"MM|Mn|MN|Bn|BN|B|M|K|T|k|m|b"
_PCT = (
    r"(?i:%|per[\s-]?cent(?:age\s+points?)?\b|percentage\s+points?\b|pct\b|ppts?\b|pp\b|basis\s+points?\b|"
    r"bps?\b|points\b(?!\s+(?:to|at|toward|towards)\b))"
)
_MULT = r"x(?![A-Za-z0-9])|×|(?i:times\b|fold\b)"
_DUR = r"(?i:days?|weeks?|months?|years?|quarters?|yrs?|mos?)\b"
_CUR_AFTER = r"(?i:yuan|renminbi|dollars?|euros?|yen|pounds?|francs?|rupees?)|" + _CODE

NUMBER_RE = re.compile(
    rf"""
    (?<![0-9])(?<![0-9][.,])                            # the start of a run of digits (letters may be glued)
    (?P<open>\()?
    (?:(?<![A-Za-z0-9%)\]])(?P<sign>[-+–])(?=\s?(?:{_SYM}|{_CODE_BEFORE})?\s?[\d.(]))?
    (?:(?P<cur>{_SYM})|(?<![A-Za-z])(?=[A-Za-z]{{3}}[\s\d(-])(?P<code>{_CODE_BEFORE}|(?i:rmb))(?:\s|-)?)?
    (?P<iopen>\((?=[-\d.]))?
    (?<![\d%)\]])(?P<sign2>-)?
    (?P<num>{_NUM})
    (?P<exp>{_EXP})?
    (?P<iclose>(?(iopen)\)))?
    (?:
        (?:\s|-)?(?P<pct>{_PCT})
      | (?:\s|-)?(?P<mult>{_MULT})
      | (?:(?:\s|-)?(?P<wscale>{_WSCALE})\b|(?P<lscale>{_LSCALE})(?![A-Za-z0-9])|\s(?P<lscale2>MM|Bn|BN|Mn)\b)
        (?:\s(?P<curafter>{_CUR_AFTER})\b)?
      | (?:\s|-)(?:(?:trading|calendar|business|working)[\s-])?(?P<dur>{_DUR})
      | \s(?P<curafter2>{_CUR_AFTER})\b
    )?
    (?:(?P<close>\))(?:(?P<cpct>%)|\s?(?P<cwscale>{_WSCALE})\b|(?P<clscale>{_LSCALE})(?![A-Za-z0-9]))?)?
    """,
    re.VERBOSE,
)
_DIGIT_RUN = re.compile(r"\d[\d.,]*\d|\d")
_DIGIT = re.compile(r"\.?\d")
_VALID_RUN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_ORDINAL = re.compile(r"\b\d+(?:st|nd|rd|th)\b", re.I)
_URL = re.compile(r"https?://\S+|www\.\S+|\b[\w.+-]+@[\w-]+\.[\w.]+", re.I)
# Period labels: the period a sentence is about. With a year they are checked as kind "period" against the
# periods the sources know (FY2024, the call's Q2-2025, "fiscal 2022" in a transcript); without one ("Q2",
# "FY", "trailing twelve months") they are context only.
PERIOD_LABEL_RE = re.compile(
    r"""\b(?:
        (?P<q>Q[1-4]|[1-4]Q|H[12]|[12]H)(?:(?:[\s-]?|\s+of\s+)(?:FY|CY|fiscal\s+)?[\s-]?(?P<qy>(?:19|20)\d{2})
                                         |['’-]?(?P<qy2>\d{2})(?![\d.,]))?
      | (?P<qw>first|second|third|fourth)[\s-]+quarter(?:[\s-]+(?:of[\s-]+)?(?:fiscal[\s-]+)?(?P<qy3>(?:19|20)\d{2}))?
      | (?P<hw>first|second)[\s-]+half(?:[\s-]+of)?(?:[\s-]+fiscal)?[\s-]+(?P<qy4>(?:19|20)\d{2})
      | (?:FY|CY)[\s'’-]?(?P<fy>(?:19|20)\d{2}|\d{2})
      | fiscal(?:[\s-]+year)?[\s-]+(?:(?P<fy2>(?:19|20)\d{2})|['’](?P<fy3>\d{2}))
      | full[\s-]+year[\s-]+(?P<fy4>(?:19|20)\d{2})
      | (?P<fy5>(?:19|20)\d{2})[\s-]+fiscal[\s-]+year
      | (?:trailing|last|latest)[\s-]+(?:12|twelve)[\s-]+months
      | (?:TTM|LTM)(?:[\s-]+to)?[\s-]+(?P<tm>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?[\s-]+
        (?P<ty>(?:19|20)\d{2})
    )(?![0-9%])(?!\s?(?:%|percent|per\s?cent))""",
    re.I | re.VERBOSE,
)
_QUARTER_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_MONTH_NUMBERS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}


def period_value(m: re.Match[str]) -> float | None:
    """A period label with a year as a number: FY2024 -> 20240, Q2-2025 -> 20252, H1 2025 -> 20255, TTM to
    Sep 2025 -> 202509 (a trailing twelve months by the year and month it ends)."""
    g = m.groupdict()
    if g.get("ty"):
        return float(int(g["ty"]) * 100 + _MONTH_NUMBERS[g["tm"][:3].lower()])
    fy = g.get("fy") or g.get("fy2") or g.get("fy3") or g.get("fy4") or g.get("fy5")
    qy = g.get("qy") or g.get("qy2") or g.get("qy3") or g.get("qy4")
    year_text = fy or qy
    if not year_text:
        return None
    year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    if fy:
        return float(year * 10)
    label = (g.get("q") or "").upper()
    if g.get("qw"):
        return float(year * 10 + _QUARTER_WORDS[g["qw"].lower()])
    if g.get("hw"):
        return float(year * 10 + 4 + _QUARTER_WORDS[g["hw"].lower()])
    digit = int(next(c for c in label if c.isdigit()))
    return float(year * 10 + (digit if "Q" in label else 4 + digit))


def period_label(value: float) -> str:
    """The label `period_value` reads as `value`: 20240 -> 'FY2024', 20252 -> 'Q2-2025', 20255 -> 'H1-2025',
    202509 -> 'TTM to Sep 2025'."""
    n = int(round(value))
    if n >= 100_000:
        month = n % 100
        return f"TTM to {_MONTH_ABBREVIATIONS[month - 1]} {n // 100}" if 1 <= month <= 12 else str(n)
    year, code = divmod(n, 10)
    return f"FY{year}" if code == 0 else f"Q{code}-{year}" if code <= 4 else f"H{code - 4}-{year}"


_MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_MON = (
    r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
DATE_RES: tuple[re.Pattern[str], ...] = (
    re.compile(rf"\b{_MON}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MON}\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b"),
    re.compile(r"\b(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>(?:19|20)\d\d)\b"),
    re.compile(rf"\b{_MON}\s+(?P<year>(?:19|20)\d\d)\b", re.I),
)

_SMALL = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_WORD_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_NUMWORD = "|".join([*_SMALL, *_TENS, "hundred", *_WORD_SCALES])
WORD_NUMBER_RE = re.compile(
    rf"(?<![A-Za-z])(?P<words>(?:{'|'.join([*_SMALL, *_TENS])})(?:(?:[\s-]+and)?[\s-]+(?:{_NUMWORD}|point))*)"
    rf"(?![A-Za-z])"
    rf"(?:[\s-]+(?P<unit>per[\s-]?cent(?:age\s+points?)?|percent|percentage\s+points?|times|fold|"
    rf"{_CUR_AFTER}|{_DUR}))?",
    re.I,
)
APPROX_RE = re.compile(
    r"(?:~|≈|\b(?:about|approx\.?|approximately|around|roughly|nearly|almost|over|more than|less than|under|"
    r"close to|some|up to|at least|in excess of|circa|c\.|just over|just under|well over|near))\s*$",
    re.I,
)
_RANGE_GAP = re.compile(r"\s*(?:to|-|–)\s*")


@dataclass(frozen=True)
class WrittenNumber:
    """One number in prose. `value = num * scale`, signed; `decimals` counts digits after the point of `num`.

    `start`/`end` are offsets in the text as written; `nstart`/`nend` in its normalised form (context.py reads
    the normalised sentence). `unit` is the duration unit ("day", "month", ...) or, for a date, its precision
    ("day", "month", "year").
    """

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
    has_unit: bool = (
        False  # a %, "times", scale word or duration was written (a currency alone does not count)
    )
    paren: bool = False  # written in parentheses (an accounting negative or an aside: `negative` says which)
    unit: str | None = None
    scaled: bool = False  # a scale (K, M, B, million, ...) was written
    nstart: int = 0
    nend: int = 0

    @property
    def value(self) -> float:
        return (-1.0 if self.negative else 1.0) * self.num * self.scale

    @property
    def sig_figs(self) -> int:
        """Significant figures as written; trailing zeros of an integer do not count ("120" has 2)."""
        digits = f"{self.num:.{self.decimals}f}".replace(".", "").lstrip("0")
        return max(1, len(digits if self.decimals else digits.rstrip("0")))

    @property
    def is_year(self) -> bool:
        return self.kind == "date" and self.unit == "year"

    @property
    def low_information(self) -> bool:
        """A number that many facts match by chance: at most two significant figures (integers below 100,
        single digits, "0.36"), a whole-number percentage, or a bare year. It verifies only when its own
        clause names the fact's subject (match.py)."""
        if self.kind == "period":
            return False
        if self.kind == "date":
            return self.is_year
        if self.kind == "pct" and self.decimals == 0:
            return True
        return self.sig_figs <= 2


@dataclass(frozen=True)
class Unparsed:
    """Something with a digit in it that is not a number the check can read ("1.1.0.19.126429")."""

    text: str
    start: int
    end: int
    nstart: int
    nend: int
    reason: str


@dataclass(frozen=True)
class Scan:
    normalised: Normalised
    numbers: list[WrittenNumber]
    unparsed: list[Unparsed]


@functools.lru_cache(maxsize=64)
def _maskable(identifiers: tuple[str, ...]) -> tuple[str, ...]:
    # built once per identifier set: mask() runs for every sentence checked
    return tuple(
        ident
        for ident in sorted({*BUILTIN_IDENTIFIERS, *identifiers}, key=len, reverse=True)
        if any(c.isdigit() for c in ident)
    )


_CURRENCY_BEFORE = re.compile(rf"(?:{_SYM}|(?i:{_CODE}))\s?-?$")
_UNIT_AFTER = re.compile(rf"(?:\s|-)?(?:{_PCT}|{_WSCALE}\b|(?:{_LSCALE})(?![A-Za-z])|{_MULT})")


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def mask(text: str, identifiers: Iterable[str] = ()) -> str:
    """Blank out identifiers, period labels, ordinals and URLs (same length, so offsets hold).

    An identifier with a currency before it or a unit after it is a number in disguise and stays:
    "RMB (3896) million" is 3,896 million yuan whatever the ticker is.
    """
    has_digit = _DIGIT.search(text) is not None
    for pattern in (_URL, PERIOD_LABEL_RE, _ORDINAL) if has_digit else (PERIOD_LABEL_RE,):
        for m in pattern.finditer(text):
            text = _blank(text, m.start(), m.end())
    for ident in _maskable(tuple(identifiers)) if has_digit else ():
        at = text.find(ident)
        while at >= 0:
            end = at + len(ident)
            disguised = _CURRENCY_BEFORE.search(text[max(0, at - 5) : at]) or _UNIT_AFTER.match(text, end)
            if not disguised:
                text = _blank(text, at, end)
            at = text.find(ident, end)
    return text


def _dates(text: str) -> tuple[list[tuple[int, int, float, str]], str]:
    found: list[tuple[int, int, float, str]] = []
    if _DIGIT.search(text) is None:
        return found, text
    for pattern in DATE_RES:
        first = len(found)
        for m in pattern.finditer(text):
            groups = m.groupdict()
            year = int(groups["year"])
            month = _MONTHS[groups["mon"][:3].lower()] if groups.get("mon") else int(groups.get("month") or 0)
            day = int(groups["day"]) if groups.get("day") else 0
            if not 1 <= month <= 12 or day > 31:
                continue
            value = year * 10_000 + month * 100 + day
            found.append((m.start(), m.end(), float(value), "day" if day else "month"))
        for start, end, _, _ in found[first:]:  # blank this pattern's dates before the next pattern runs
            text = _blank(text, start, end)
    return found, text


def _currency(m: re.Match[str]) -> frozenset[str] | None:
    marker = m.group("cur") or m.group("code") or m.group("curafter") or m.group("curafter2")
    return CURRENCY_MARKERS.get(marker.lower()) if marker else None


def _exponent(m: re.Match[str]) -> int:
    exp = m.group("exp")
    if not exp:
        return 0
    return int(exp.split("^")[1] if "^" in exp else exp[1:])


def _from_match(m: re.Match[str], norm: Normalised, text: str) -> WrittenNumber:
    raw = m.group("num")
    num = float(raw.replace(",", ""))
    decimals = len(raw.split(".")[1]) if "." in raw else 0
    currency = _currency(m)
    scale = 10.0 ** _exponent(m)
    kind: Kind = "ratio" if decimals else "count"
    unit_word: str | None = None
    wscale = (
        m.group("wscale")
        or m.group("lscale")
        or m.group("lscale2")
        or m.group("cwscale")
        or m.group("clscale")
    )
    pct = m.group("pct") or m.group("cpct")
    if pct:
        kind = "pct"
        scale = 0.01 if re.match(r"basis|bps?\b", pct, re.I) else 1.0
    elif m.group("mult"):
        kind = "multiple"
    elif wscale:
        key = wscale.lower()
        scale *= SCALES[key]
        kind = "money"
    elif m.group("dur"):
        kind, unit_word = "duration", DURATION_UNITS[m.group("dur").lower()]
    if currency is not None:
        kind = "money"
    elif m.group("exp") and kind in ("ratio", "count"):
        kind = "money"  # a number in scientific notation is a magnitude, read like a scaled amount
    elif kind == "count" and not m.group("open") and 1900 <= num <= 2100 and "," not in raw:
        kind, unit_word = "date", "year"
    open_, close = m.group("open"), m.group("close")
    nstart, nend = m.start(), m.end()
    before = norm.text[:nstart]
    inner = bool(
        m.group("iopen") and (m.group("iclose") or close)
    )  # "RMB (9.02) billion", "RMB (9.02 billion)"
    whole = bool(open_ and close) and not inner
    unit_outside = bool(m.group("cpct") or m.group("cwscale") or m.group("clscale"))  # "(16.19)%"
    accounting = inner or (whole and kind != "date" and (unit_outside or signs.value_expected(before)))
    if whole and not accounting and m.group("code"):  # an aside "(RMB362m)": the amount as written
        nstart, nend = nstart + 1, nend - 1
    if open_ and not whole:  # an unmatched "(": not part of the number
        nstart += 1
    if close and not (whole or inner):
        nend -= 1
    if kind == "date" and open_ and close:  # "(2025)" is the year 2025
        nstart, nend = m.start("num"), m.end("num")
    negative = bool(m.group("sign") in ("-", "\u2013") or m.group("sign2") or accounting)
    spaced = None if negative or open_ else signs.spaced_minus(before)
    if spaced is not None:  # "was − 16.19%": the minus a reader sees, one space before
        negative, nstart = True, spaced
    elif (word := signs.sign_word_before(norm.text[:nstart])) is not None:
        negative, nstart = True, word  # "minus 16.19%", "a loss of RMB 973 million"
    elif signs.sign_word_after(norm.text[nend:]):
        negative = True  # "a 10.78% loss"
    paren = bool(open_ or m.group("iopen"))
    start, end = norm.span(nstart, nend)
    approx = bool(APPROX_RE.search(norm.text[max(0, nstart - 25) : nstart]))
    has_unit = bool(m.group("pct") or m.group("mult") or wscale or m.group("dur"))
    return WrittenNumber(
        text[start:end],
        start,
        end,
        num,
        scale,
        decimals,
        kind,
        negative,
        currency,
        approx,
        has_unit=has_unit,
        paren=paren,
        unit=unit_word,
        scaled=bool(wscale or m.group("exp")),
        nstart=nstart,
        nend=nend,
    )


def _word_value(words: str) -> tuple[float, float, int]:
    """(num, scale, decimals) of "four hundred twelve billion", "twenty-two", "two point five million"."""
    total, current, top = 0.0, 0.0, 1.0
    fraction: list[int] = []
    in_fraction = False
    for token in re.split(r"[\s-]+", words.lower()):
        if token == "and":
            continue
        if token == "point":
            in_fraction = True
        elif in_fraction and token in _SMALL and _SMALL[token] < 10:
            fraction.append(_SMALL[token])
        elif token in _SMALL:
            current += _SMALL[token]
        elif token in _TENS:
            current += _TENS[token]
        elif token == "hundred":
            current = (current or 1) * 100
        elif token in _WORD_SCALES:
            value = current + (float("0." + "".join(map(str, fraction))) if fraction else 0.0)
            total += (value or 1) * _WORD_SCALES[token]
            top, current, fraction, in_fraction = max(top, _WORD_SCALES[token]), 0.0, [], False
    total += current + (float("0." + "".join(map(str, fraction))) if fraction else 0.0)
    num = total / top
    decimals = 0 if num == int(num) else len(repr(num).split(".")[1])
    return num, top, min(decimals, 6)


_WORD_UNIT = re.compile(
    rf"[\s-]+(?P<unit>per[\s-]?cent(?:age\s+points?)?|percent|percentage\s+points?|times|fold|{_CUR_AFTER}|"
    rf"{_DUR})(?![A-Za-z])",
    re.I,
)


def _word_candidates(masked: str) -> list[tuple[int, int, float, float, int, str]]:
    """(start, end, num, scale, decimals, unit) of number words: "a dozen", "half a billion", "two and a half
    billion" (numerals.FRACTION_RE) first, then the plain number words of WORD_NUMBER_RE elsewhere."""
    found: list[tuple[int, int, float, float, int, str]] = []
    taken: list[tuple[int, int]] = []
    lower = masked.lower()
    fractions = any(w in lower for w in numerals.SCALE_WORDS)  # most sentences have none: skip the scan
    for m in numerals.FRACTION_RE.finditer(masked) if fractions else ():
        num, scale = numerals.fraction_value(m)
        unit = _WORD_UNIT.match(masked, m.end())
        end = unit.end() if unit else m.end()
        found.append(
            (m.start(), end, num, scale, 1 if num != int(num) else 0, unit.group("unit") if unit else "")
        )
        taken.append((m.start(), end))
    for m in WORD_NUMBER_RE.finditer(masked):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        num, scale, decimals = _word_value(m.group("words"))
        found.append((m.start(), m.end(), num, scale, decimals, m.group("unit") or ""))
    return sorted(found)


def _word_numbers(masked: str, norm: Normalised, text: str) -> list[WrittenNumber]:
    found: list[WrittenNumber] = []
    for m_start, m_end, num, scale, decimals, unit_text in _word_candidates(masked):
        unit = unit_text.lower()
        before = masked[max(0, m_start - 5) : m_start]
        currency: frozenset[str] | None = None
        cur_before = _CURRENCY_BEFORE.search(before)
        if cur_before:
            currency = CURRENCY_MARKERS.get(cur_before.group(0).strip(" -").lower())
        kind: Kind = "count"
        unit_word: str | None = None
        if unit.startswith("per") or unit.startswith("percent"):
            kind = "pct"
        elif unit in ("times", "fold"):
            kind = "multiple"
        elif unit in DURATION_UNITS:
            kind, unit_word = "duration", DURATION_UNITS[unit]
        elif unit:
            currency = CURRENCY_MARKERS.get(unit)
        if currency is not None:
            kind = "money"
        elif scale > 1 and kind == "count":
            kind = "money"
        if not (unit or currency or scale > 1 or num * scale >= 20):
            continue  # "one of the", "two segments": grammar, not a figure
        nstart = m_start - (len(cur_before.group(0)) if cur_before else 0)
        start, end = norm.span(nstart, m_end)
        approx = bool(APPROX_RE.search(norm.text[max(0, nstart - 25) : nstart]))
        negative = signs.sign_word_before(norm.text[:nstart]) is not None
        found.append(
            WrittenNumber(
                text[start:end],
                start,
                end,
                num,
                scale,
                decimals,
                kind,
                negative=negative,
                currency=currency,
                approx=approx,
                has_unit=bool(unit) or scale > 1,
                unit=unit_word,
                scaled=scale > 1,
                nstart=nstart,
                nend=m_end,
            )
        )
    return found


def _multiples(masked: str, norm: Normalised, text: str) -> list[WrittenNumber]:
    """ "doubled" (+100%), "tripled" (+200%), "halved" (-50%), "by half" (50%): a change, as a percentage."""
    found: list[WrittenNumber] = []
    spans = [
        (m, numerals.MULTIPLE_VERBS[m.group("stem").lower()]) for m in numerals.MULTIPLE_RE.finditer(masked)
    ]
    spans += [(m, 50.0) for m in numerals.BY_HALF_RE.finditer(masked)]
    for m, value in spans:
        start, end = norm.span(m.start(), m.end())
        approx = bool(APPROX_RE.search(norm.text[max(0, m.start() - 25) : m.start()]))
        found.append(
            WrittenNumber(
                text[start:end],
                start,
                end,
                abs(value),
                1.0,
                0,
                "pct",
                negative=value < 0,
                approx=approx,
                has_unit=True,
                nstart=m.start(),
                nend=m.end(),
            )
        )
    return found


def _inherit_range_units(found: list[WrittenNumber], text: str) -> list[WrittenNumber]:
    """ "$6.5 to $7.0 billion", "10 to 10.2 percent": a bare left end takes the right end's unit."""
    out = list(found)
    for i in range(len(out) - 2, -1, -1):
        left, right = out[i], out[i + 1]
        plain = ("date", "period")
        if (
            left.has_unit
            or left.kind in plain
            or not right.has_unit
            or right.kind in plain
            or (left.currency and right.currency and left.currency != right.currency)
        ):
            continue
        if _RANGE_GAP.fullmatch(text[left.nend : right.nstart]):
            out[i] = replace(
                left,
                scale=right.scale,
                kind=right.kind,
                currency=left.currency or right.currency,
                has_unit=True,
                unit=right.unit,
                scaled=right.scaled,
            )
    return out


def _number_matches(masked: str) -> Iterable[re.Match[str]]:
    """NUMBER_RE's matches, tried only just before each run of digits (a currency, sign or parenthesis is at
    most a few characters ahead of it), not at every character of the text."""
    pos = 0
    while True:
        digit = _DIGIT.search(masked, pos)
        if digit is None:
            return
        found = None
        for start in range(max(pos, digit.start() - 8), digit.start() + 1):
            m = NUMBER_RE.match(masked, start)
            if m is not None and m.start("num") <= digit.start() < m.end("num") + 1:
                found = m
                break
        if found is None:
            pos = digit.end()
            continue
        yield found
        pos = max(found.end(), digit.end())


def scan(text: str, identifiers: Iterable[str] = ()) -> Scan:
    """Every number written in `text` (in order) and everything numeric that could not be read. Never raises."""
    norm = normalise(text)
    numbers: list[WrittenNumber] = []
    for m in PERIOD_LABEL_RE.finditer(norm.text):
        value = period_value(m)
        if value is not None:
            start, end = norm.span(m.start(), m.end())
            numbers.append(
                WrittenNumber(
                    text[start:end], start, end, value, 1.0, 0, "period", nstart=m.start(), nend=m.end()
                )
            )
    date_spans, masked = _dates(mask(norm.text, identifiers))
    for s, e, value, precision in date_spans:
        start, end = norm.span(s, e)
        numbers.append(
            WrittenNumber(
                text[start:end], start, end, value, 1.0, 0, "date", unit=precision, nstart=s, nend=e
            )
        )
    unparsed: list[Unparsed] = []

    def flag(s: int, e: int, reason: str) -> None:
        start, end = norm.span(s, e)
        unparsed.append(Unparsed(text[start:end], start, end, s, e, reason))

    for s, e, reason in list(numerals.lookalike_spans(masked)):  # "З16.19%", "❾❽%", "XLII percent"
        flag(s, e, reason)
        masked = _blank(masked, s, e)
    for run in _DIGIT_RUN.finditer(masked):
        if not _VALID_RUN.fullmatch(run.group(0)):
            s = run.start()
            e = run.end()
            while e < len(masked) and not masked[e].isspace():
                e += 1
            while s > 0 and not masked[s - 1].isspace():
                s -= 1
            flag(s, e, "not a number the check can read")
            masked = _blank(masked, s, e)
    for m in _number_matches(masked):
        end = m.end()
        if end < len(masked) and masked[end].isalnum():
            e = end
            while e < len(masked) and not masked[e].isspace():
                e += 1
            flag(m.start(), e, "digits glued to letters")
            continue
        numbers.append(_from_match(m, norm, text))
    for n in numbers:
        if n.kind != "period":
            masked = _blank(masked, n.nstart, n.nend)
    for n in _multiples(masked, norm, text):
        numbers.append(n)
        masked = _blank(masked, n.nstart, n.nend)
    for n in _word_numbers(masked, norm, text):
        numbers.append(n)
        masked = _blank(masked, n.nstart, n.nend)
    for u in unparsed:
        masked = _blank(masked, u.nstart, u.nend)
    for m in re.finditer(r"\S*\d\S*", masked):  # digits nothing above could read
        flag(m.start(), m.end(), "not a number the check can read")
    numbers.sort(key=lambda n: n.nstart)
    unparsed.sort(key=lambda u: u.nstart)
    return Scan(norm, _inherit_range_units(numbers, norm.text), unparsed)


def extract_numbers(text: str, identifiers: Iterable[str] = ()) -> list[WrittenNumber]:
    """Every number written in `text`, in order. Never raises on any string."""
    return scan(text, identifiers).numbers


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
            word = re.search(r"([A-Za-z.]+)\.$", text[start : m.start() + 1])
            if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
                continue
        piece = text[start : m.end()]
        if piece.strip():
            out.append((start + len(piece) - len(piece.lstrip()), piece.strip()))
        start = m.end()
    piece = text[start:]
    if piece.strip():
        out.append((start + len(piece) - len(piece.lstrip()), piece.strip()))
    return out
