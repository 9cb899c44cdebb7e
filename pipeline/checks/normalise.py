"""Text as a reader sees it, for the number check: what renders as one number is checked as one number.

The report keeps what the model wrote; the check reads a normalised copy and maps every position back:

  * HTML entities are decoded (`&#57;` renders as "9");
  * format characters are removed: zero-width space/joiners, soft hyphen, bidi marks, BOM (`9<ZWSP>8<ZWSP>7%`
    renders as "987%"), and combining marks riding on a digit;
  * every Unicode decimal digit becomes its ASCII digit (Arabic-Indic, full-width, Devanagari, ...), except one
    that looks like another digit (Bengali 4 reads as 8: lookalikes.py, flagged by numerals.py), the Arabic
    percent sign, decimal and thousands separators become `%`, `.` and `,`; other characters go through NFKC
    (full-width letters and punctuation, superscripts, odd spaces); dashes and the minus sign become `-`;
  * markup inside a number is removed: HTML tags and Markdown emphasis/code marks between a digit and the
    rest of the number (`9<b>8</b>7%`, `9**8**7%`, `46<i>.</i>2%`), and backslash escapes (`9\\.8%`).
    Elsewhere a tag becomes a space, so words on either side stay apart.

`Normalised.span(a, b)` maps a span of the normalised text back to the original text.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from pipeline.checks.lookalikes import DIGIT_LOOKALIKES

_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SPECIAL = {
    "\u066a": "%",
    "\u066b": ".",
    "\u066c": ",",
    "\u2212": "-",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\ufe63": "-",
    "\uff0d": "-",
    "\u2043": "-",
    "\u2796": "-",  # heavy minus sign
    "\u02d7": "-",  # modifier letter minus sign
    "\u208b": "-",
    "\u2019": "'",
    "\u2018": "'",
}
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>|<!--.{0,200}?-->", re.S)
_MARKS = re.compile(r"[*`~]+|(?<=\d)_+(?=\d)|\\(?=[.,%$*_`~-])")
_NUMBERISH = re.compile(r"[0-9.,%$]")


@dataclass(frozen=True)
class Normalised:
    text: str
    origin: tuple[int, ...]  # origin[i]: offset in the original text of normalised character i
    original_length: int

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original-text span of normalised [start, end)."""
        if start >= len(self.origin):
            return self.original_length, self.original_length
        last = self.origin[end - 1] + 1 if end > start else self.origin[start]
        return self.origin[start], max(last, self.origin[start])


def _char(c: str) -> str:
    if c in _SPECIAL:
        return _SPECIAL[c]
    if c in DIGIT_LOOKALIKES:
        return c  # Bengali 4 looks like 8: kept as written, flagged next to a number (numerals.py)
    if c.isdigit() and unicodedata.category(c) == "Nd":
        return str(unicodedata.decimal(c))
    if c.isascii():
        return c
    return unicodedata.normalize("NFKC", c)


def _decode(text: str) -> tuple[list[str], list[int]]:
    """Characters after entity decoding and per-character mapping, with their original offsets."""
    chars: list[str] = []
    origin: list[int] = []
    pos = 0
    for m in _ENTITY.finditer(text):
        _map(text[pos : m.start()], pos, chars, origin)
        decoded = html.unescape(m.group(0))
        _map(
            decoded if decoded != m.group(0) else m.group(0),
            m.start(),
            chars,
            origin,
            fixed=decoded != m.group(0),
        )
        pos = m.end()
    _map(text[pos:], pos, chars, origin)
    return chars, origin


_SUPERSCRIPTS = dict(
    zip(
        "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u207a\u207b",
        "0123456789+-",
        strict=True,
    )
)


def _map(piece: str, offset: int, chars: list[str], origin: list[int], fixed: bool = False) -> None:
    for i, c in enumerate(piece):
        if c in _SUPERSCRIPTS:  # "10\u00b9\u00b9" is 10 to the 11th: keep the exponent apart as "10^11"
            where = offset if fixed else offset + i
            if not (i and piece[i - 1] in _SUPERSCRIPTS):
                chars.append("^")
                origin.append(where)
            chars.append(_SUPERSCRIPTS[c])
            origin.append(where)
            continue
        where = offset if fixed else offset + i
        category = unicodedata.category(c)
        if category == "Cf":
            continue  # zero-width space/joiners, soft hyphen, bidi marks, BOM: invisible
        if category in ("Mn", "Me") and chars and _NUMBERISH.match(chars[-1]):
            continue  # a combining mark riding on a digit renders as that digit
        for out in _char(c):
            chars.append(out)
            origin.append(where)


def _strip_markup(chars: list[str], origin: list[int]) -> tuple[str, list[int]]:
    """Remove tags and Markdown marks that sit inside a number; other tags become one space."""
    text = "".join(chars)
    out: list[str] = []
    out_origin: list[int] = []
    pos = 0
    spans = sorted(
        [(m.start(), m.end(), True) for m in _TAG.finditer(text)]
        + [(m.start(), m.end(), False) for m in _MARKS.finditer(text)]
    )
    for start, end, is_tag in spans:
        if start < pos:
            continue
        out.extend(text[pos:start])
        out_origin.extend(origin[pos:start])
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        inside_number = bool(before and after) and (
            (before.isdigit() and (after.isalnum() or _NUMBERISH.match(after) is not None))
            or (after.isdigit() and (before.isalnum() or _NUMBERISH.match(before) is not None))
        )
        if not inside_number:
            if is_tag:
                out.append(" ")
                out_origin.append(origin[start])
            else:
                out.extend(text[start:end])
                out_origin.extend(origin[start:end])
        pos = end
    out.extend(text[pos:])
    out_origin.extend(origin[pos:])
    return "".join(out), out_origin


# ASCII with no entity, tag or Markdown mark (& < > * _ ` ~ \\): nothing to change, the common case.
_PLAIN = re.compile(r"[ !\"#$%'()+,\-./0-9:;=?@A-Z\[\]^a-z{|}\t\n\r]*")


def normalise(text: str) -> Normalised:
    """The text a reader sees (see the module docstring), with a map back to `text`."""
    if _PLAIN.fullmatch(text):
        return Normalised(text, tuple(range(len(text))), len(text))
    chars, origin = _decode(text)
    normal, normal_origin = _strip_markup(chars, origin)
    return Normalised(normal, tuple(normal_origin), len(text))
