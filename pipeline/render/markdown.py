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

from pipeline.render.env import context, environment
from pipeline.render.markdown_escape import md, md_inline
from pipeline.report.document import Report

__all__ = ["md", "md_inline", "render_markdown"]


def render_markdown(report: Report) -> str:
    return environment(html=False).get_template("report.md.j2").render(**context(report))
