"""The Markdown escapers (`md`, `md_inline`) the Markdown template uses as filters; rules in markdown.py."""

from __future__ import annotations

import re

_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_INLINE = re.compile(r"([\\`*_\[\]|~])")
# Block markers only count when followed by a space/tab or the line end (CommonMark), so '0.1.0' stays as is.
_ORDERED = re.compile(r"^([ \t]*\d{1,9})([.)])(?=[ \t]|$)", re.MULTILINE)
_BLOCK = re.compile(r"^([ \t]*)(#{1,6}(?=[ \t]|$)|[-+](?=[ \t]|$)|[-=]+[ \t]*$)", re.MULTILINE)
_BLANKS = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
# Link triggers (see the module doc): 'x://' and 'mailto:'/'xmpp:', '//', 'www.' and a dot before a 2+ letter
# label, 'a@'.
_SCHEME_COLON = re.compile(r":(?=//)|(?i:(?<=\bmailto)|(?<=\bxmpp)):")
_DOUBLE_SLASH = re.compile(r"/(?=/)")
_DOMAIN_DOT = re.compile(r"(?i:(?<=www))\.|(?<=\S)\.(?=[^\W\d_]{2})")
_EMAIL_AT = re.compile(r"(?<=\S)@")


def md(text: object) -> str:
    """Escape untrusted prose for Markdown; paragraphs (blank lines) are kept, runs of them collapsed."""
    s = str(text).replace("\r\n", "\n").replace("\r", "\n")
    s = _ENTITY.sub("&amp;", s)
    s = s.replace("<", "&lt;").replace(">", "&gt;")
    s = _INLINE.sub(r"\\\1", s)
    s = _SCHEME_COLON.sub(r"\\:", s)
    s = _DOUBLE_SLASH.sub(r"\\/", s)
    s = _DOMAIN_DOT.sub(r"\\.", s)
    s = _EMAIL_AT.sub("\uff20", s)
    s = _ORDERED.sub(r"\1\\\2", s)  # '1. item' -> '1\. item'
    s = _BLOCK.sub(r"\1\\\2", s)
    s = "\n".join(line.lstrip(" \t") for line in s.split("\n"))  # 4 leading spaces would open a code block
    return _BLANKS.sub("\n\n", s).strip()


def md_inline(text: object) -> str:
    """`md` for one line (headings, list items, table cells): newlines become spaces."""
    return md(" ".join(str(text).split()))
