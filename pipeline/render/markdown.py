"""report.md: the report as Markdown, with every untrusted string neutralised.

Company descriptions, events, transcripts and model prose are untrusted: a Markdown viewer renders raw HTML,
links and images, so `md` turns them into literal text:
- `<` `>` become `&lt;` `&gt;` (no tag, comment or autolink survives), entity-like `&name;` keeps its `&` literal;
- inline syntax characters (backslash, backtick, `*`, `_`, `[`, `]`, `|`, `~`) are backslash-escaped, so
  `[link](http://evil)` and `![img](...)` stay text and a `|` cannot split a table cell;
- a line that would start a heading, list, block quote or setext underline (`#`, `-`, `+`, `=`, `1.`) is escaped;
- bare URLs, `www.` names, domains and e-mail addresses cannot become links, under CommonMark, GitHub's
  autolink extension (cmark-gfm) or markdown-it's linkify. The escapes follow each autolinker's grammar
  (the rendered text is unchanged):
  - cmark-gfm's extended www autolink needs the literal `www.` at a word start and then takes any host
    (`www.1evil.com`, `www.127.0.0.1`, `www.e.x`): the dot after every `www` is escaped, whatever follows;
  - its extended URL autolink needs a literal `:` followed by `//` after `http`, `https` or `ftp`: every
    `:` before `//` is escaped (any scheme);
  - markdown-it's linkify also links protocol-relative `//host` (`//localhost`, `//127.0.0.1`) and bare
    names with a known top-level domain: every `/` followed by `/` is escaped, and every dot before two
    letters (any label before it: `evil$.com` counts for linkify);
  - the extended e-mail autolink (with `mailto:`/`xmpp:`) runs on the text after escapes are undone, so
    escaping cannot stop it: every `@` that follows a non-space character becomes a full-width `＠`.
  tests/report/test_autolink_property.py checks this against all three renderers with generated hosts,
  URLs and addresses.
Invisible and bidi control characters are handled for every format by `text.visible` (render/write.py).
"""

from __future__ import annotations

import re

from pipeline.render.env import context, environment
from pipeline.report import Report

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


def render_markdown(report: Report) -> str:
    return environment(html=False).get_template("report.md.j2").render(**context(report))
