"""Untrusted text (descriptions, events, transcript updates, model prose) cannot inject markup in any format.

The browser half (nothing executes, layout intact) is in test_browser.py; here the structure is compared
tag by tag with a clean rendering, and the Markdown is parsed by a CommonMark parser.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from pipeline.render.html import render_html
from pipeline.render.markdown import md, md_inline, render_markdown
from tests.report.factory import HOSTILE, PAYLOADS, hostile_report, make_report


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(f"<{tag} {sorted(a for a, _ in attrs)}>")

    def handle_endtag(self, tag: str) -> None:
        self.tags.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def hostile_html() -> str:
    return render_html(hostile_report())


def test_html_structure_is_unchanged_by_payloads(hostile_html: str) -> None:
    clean = make_report(chart=True, text="plain words here")
    clean = clean.model_copy(update={"header": clean.header.model_copy(update={"company_name": "Evil Corp"})})
    assert _parse(hostile_html).tags == _parse(render_html(clean)).tags


@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_shows_payload_as_text(hostile_html: str, payload: str) -> None:
    text = "".join(_parse(hostile_html).text)
    assert payload.strip() in text


def test_html_has_no_injected_elements(hostile_html: str) -> None:
    tags = _parse(hostile_html).tags
    assert not [t for t in tags if t.startswith(("<script", "<img", "<a ", "<b "))]


def _md_tokens(text: str) -> list[str]:
    parser = MarkdownIt("commonmark", {"html": True})
    out: list[str] = []
    for tok in parser.parse(text):
        out.append(tok.type)
        out.extend(child.type for child in tok.children or [])
    return out


def test_markdown_payloads_are_inert() -> None:
    hostile = render_markdown(hostile_report())
    clean = render_markdown(make_report(chart=True, text="plain words here"))
    tokens = _md_tokens(hostile)
    assert not {"html_block", "html_inline", "link_open", "image"} & set(tokens)
    # Same block structure as the clean report: no extra headings, lists or paragraphs broke out.
    assert [t for t in tokens if t.endswith("_open")] == [t for t in _md_tokens(clean) if t.endswith("_open")]
    rendered = MarkdownIt("commonmark", {"html": True}).render(hostile)
    assert "<script" not in rendered and "<img" not in rendered and 'href="http://evil' not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered  # still readable as text


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("[link](http://evil.example)", "\\[link\\](http\\:\\//evil\\.example)"),
        ("![x](http://evil.example/a.png)", "!\\[x\\](http\\:\\//evil\\.example/a\\.png)"),
        ("see https://evil.example/x", "see https\\:\\//evil\\.example/x"),
        ("www.evil.example and evil.example", "www\\.evil\\.example and evil\\.example"),
        ("ir@evil.example", "ir\uff20evil\\.example"),
        ("2.35 billion, U.S. e.g. Q2: 10:30", "2.35 billion, U.S. e.g. Q2: 10:30"),
        ("# heading", "\\# heading"),
        (
            "intro\n## heading\n- item\n+ item\n3. item\n---",
            "intro\n\\## heading\n\\- item\n\\+ item\n3\\. item\n\\---",
        ),
        ("a | b", "a \\| b"),
        ("&lt;b&gt; and S&P", "&amp;lt;b&amp;gt; and S&P"),
        ("    code block", "code block"),
        ("-1.5% fell; version 0.1.0; #5 rank", "-1.5% fell; version 0.1.0; #5 rank"),
        ("a\n\n\n\nb", "a\n\nb"),
    ],
)
def test_md_escape(raw: str, escaped: str) -> None:
    assert md(raw) == escaped


def test_md_inline_is_one_line() -> None:
    assert md_inline("title\n# not a heading\n| x") == "title # not a heading \\| x"


def test_markdown_table_cells_survive_pipes() -> None:
    report = make_report()
    peers = report.sections.peers.model_copy(
        update={"rows": [report.sections.peers.rows[0].model_copy(update={"name": "A | B\nC " + HOSTILE})]}
    )
    text = render_markdown(
        report.model_copy(update={"sections": report.sections.model_copy(update={"peers": peers})})
    )
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    header_cells = [t for t in tokens if t.type == "th_open"]
    rows = [t for t in tokens if t.type == "tr_open"]
    assert len(header_cells) > 0 and len(rows) > 0
    row_lines = [ln for ln in text.splitlines() if ln.startswith("| **A")]
    assert len(row_lines) == 1 and row_lines[0].count(" | ") == 9  # 10 cells, none split by the payload
