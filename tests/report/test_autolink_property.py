"""`md` against the autolinkers' own grammars: no generated host, URL or address becomes a link.

Three renderers a report.md meets: CommonMark (autolinks only inside `<...>`), GitHub's cmark-gfm with its
autolink extension (extended www, URL and e-mail autolinks; extensions/autolink.c) and markdown-it with
linkify (linkify-it: `scheme://`, protocol-relative `//host`, bare names with a known top-level domain,
addresses). Hypothesis builds strings from the pieces those grammars look for (`www.` in any case, schemes,
`//`, userinfo, IPv4/IPv6 hosts, labels starting with digits or one letter long, symbols and non-ASCII in
labels, ports, paths, the delimiters that may precede an autolink) and from a free alphabet of the trigger
characters. Seeded by tests/conftest.py (STOCKREPORT_FUZZ_SEED); the example count scales with
STOCKREPORT_FUZZ_EXAMPLES.

A second property keeps the escaping honest: the text a reader sees after rendering is the input, except
that the `@` of an address is shown full-width.
"""

from __future__ import annotations

import html
import re

import cmarkgfm
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from pipeline.render.markdown import md, md_inline
from tests.support.fuzz import scaled

COMMONMARK = MarkdownIt("commonmark")
LINKIFY = MarkdownIt("gfm-like", {"linkify": True})

_LABEL_CHARS = "abcxyzEVILé1079-_рф$^"
_label = st.text(alphabet=_LABEL_CHARS, min_size=1, max_size=6)
_tld = st.sampled_from(
    ["com", "io", "ru", "x", "c0m", "1", "рф", "xn--p1ai", "COM", "museum", "localhost", "e"]
)
_host = st.one_of(
    st.builds(lambda labels, tld: ".".join([*labels, tld]), st.lists(_label, max_size=3), _tld),
    st.sampled_from(["127.0.0.1", "localhost", "[::1]", "1.2.3.4", "evil.com", "www.evil.com"]),
)
_prefix = st.sampled_from(
    [
        "",
        "www.",
        "WWW.",
        "Www.",
        "http://",
        "https://",
        "HTTPS://",
        "hTtP://",
        "ftp://",
        "//",
        "///",
        "mailto:",
        "xmpp:",
        "file://",
        "javascript:",
        "http:/\\/",
        "www.www.",
    ]
)
_userinfo = st.sampled_from(["", "u@", "u:p@", "a.b+c@"])
_port = st.sampled_from(["", ":80", ":8080"])
_path = st.sampled_from(["", "/", "/x", "/a?b=1#c", "/(x)", ".", ",", ")", "/@x"])
_url = st.builds(lambda *parts: "".join(parts), _prefix, _userinfo, _host, _port, _path)
_email = st.builds(
    lambda local, host: f"{local}@{host}",
    st.text(alphabet=_LABEL_CHARS + ".+:", min_size=1, max_size=6),
    _host,
)
_before = st.sampled_from(["", " ", "(", "*", "_", "~", "x", '"', "'", "[", "-", ":", "\\", "<", "&"])
_item = st.builds(lambda before, text: before + text, _before, st.one_of(_url, _email))
SENTENCES = st.lists(_item, min_size=1, max_size=4).map(" ".join)
FREE = st.text(alphabet="wW.:/@-_ac0 \\*~(<>&;#[]()!tphmf", max_size=30)


def links(text: str) -> list[str]:
    """The renderers under which `md(text)` holds a link."""
    out = md(text)
    found = []
    if "<a" in cmarkgfm.github_flavored_markdown_to_html(out):
        found.append("cmark-gfm")
    if "<a" in LINKIFY.render(out):
        found.append("markdown-it linkify")
    if "<a" in COMMONMARK.render(out):
        found.append("commonmark")
    return found


def shown(text: str) -> str:
    """What a reader sees of `md(text)` rendered by cmark-gfm (whitespace collapsed)."""
    rendered = cmarkgfm.github_flavored_markdown_to_html(md(text))
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", rendered)).split())


_FAST = settings(max_examples=scaled(800), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FAST
@given(st.one_of(SENTENCES, FREE))
def test_no_generated_host_url_or_address_becomes_a_link(text: str) -> None:
    assert links(text) == [], (text, md(text))


@_FAST
@given(st.one_of(SENTENCES, FREE))
def test_escaping_does_not_change_the_rendered_text(text: str) -> None:
    assert shown(text) == " ".join(re.sub(r"(?<=\S)@", "\uff20", text).split()), md(text)


# The review's cases (finding 11) and what the property found on the first run, kept as named examples.
@pytest.mark.parametrize(
    "text",
    [
        "www.1evil.com",
        "www.123.com",
        "www.127.0.0.1/x",
        "www.e.x",
        "www.x-1.c0m/a",
        "www.1password.com",
        "www.9gag.com",
        "(www.0.io)",
        "*www.u:p@com",
        "www.1.2.3.4",
        "WWW.1EVIL.COM",
        "//localhost/x",
        "see //127.0.0.1/x",
        "//c0.y.COM/x",
        "http://localhost:8080/",
        "x///evil.io",
        "a@-b.com",
        "'0.@-.0.com",
        "evil$.com",
        "evil^.com/x",
        "mailto:a@-b.com",
        "xmpp:a@b.io/r",
    ],
)
def test_reviewed_cases_stay_text(text: str) -> None:
    assert links(text) == [] and links(f"see {text} now") == []
    assert links(md_inline(text)) == []
