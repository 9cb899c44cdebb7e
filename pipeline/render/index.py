"""OUT/index.html and OUT/index.md: one line per report in a batch folder, linking to each report.

Read from the reports themselves (OUT/<TICKER>/report.json), so the index is right whichever run wrote which
report; rebuilt at the end of every batch (batch/runner.py) and by `stockreport index OUT`. A report.json that
cannot be read as a report is listed under "not indexed" with the reason, never dropped silently.

The page has the report's CSP plus one inline script, allowed by its sha256 hash (`SCRIPT_HASH`), that sorts
the table by a column and filters it by text, label and flags. Without the script the table is still there,
sorted by score. Tickers, names and every other string from a report are escaped by Jinja (HTML) or `md_inline`
(Markdown); the script reads only `data-*` attributes and `textContent`, and never writes markup.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from pydantic import ValidationError

from pipeline.files import atomic_write_many
from pipeline.inputs.sources import MAX_REPORT_BYTES
from pipeline.metrics.scoring import TITLES
from pipeline.render.env import environment
from pipeline.render.paths import FILE_NAMES
from pipeline.render.text import visible
from pipeline.report.document import Report

INDEX_FILES = {"html": "index.html", "md": "index.md"}
SUB_KEYS = tuple(str(k) for k in TITLES)
SUB_SHORT = {
    "income_statement": "Inc",
    "balance_sheet": "Bal",
    "cash_flow": "Cash",
    "technicals": "Tech",
    "valuation": "Val",
    "earnings_call": "Call",
    "corporate_events": "Evt",
}

# Sorting and filtering for index.html; its sha256 goes into the page's CSP, so this exact text is the only
# script the page may run. Numbers sort numerically (data-v), missing values last whichever the direction.
SCRIPT = """
(function () {
  var table = document.getElementById('reports');
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var text = document.getElementById('filter-text');
  var label = document.getElementById('filter-label');
  var flagged = document.getElementById('filter-flagged');
  var count = document.getElementById('shown');
  document.getElementById('controls').hidden = false;
  function value(row, col) {
    var v = row.cells[col].getAttribute('data-v');
    if (v === null || v === '') { return null; }
    var n = Number(v);
    return isNaN(n) ? v.toLowerCase() : n;
  }
  function sortBy(col, button) {
    var dir = button.getAttribute('data-dir') === 'desc' ? 'asc' : 'desc';
    Array.prototype.forEach.call(table.querySelectorAll('thead button'), function (b) {
      b.removeAttribute('data-dir');
      b.parentNode.removeAttribute('aria-sort');
    });
    button.setAttribute('data-dir', dir);
    button.parentNode.setAttribute('aria-sort', dir === 'asc' ? 'ascending' : 'descending');
    rows.sort(function (a, b) {
      var x = value(a, col), y = value(b, col);
      if (x === y) { return 0; }
      if (x === null) { return 1; }
      if (y === null) { return -1; }
      return (x < y ? -1 : 1) * (dir === 'asc' ? 1 : -1);
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  Array.prototype.forEach.call(table.querySelectorAll('thead button'), function (b) {
    b.addEventListener('click', function () { sortBy(Number(b.getAttribute('data-col')), b); });
  });
  function filter() {
    var q = text.value.trim().toLowerCase(), l = label.value, f = flagged.checked, n = 0;
    rows.forEach(function (r) {
      var show = (!q || r.getAttribute('data-search').indexOf(q) >= 0)
        && (!l || r.getAttribute('data-rating') === l)
        && (!f || r.getAttribute('data-flagged') === '1');
      r.hidden = !show;
      if (show) { n += 1; }
    });
    count.textContent = String(n);
  }
  text.addEventListener('input', filter);
  label.addEventListener('change', filter);
  flagged.addEventListener('change', filter);
})();
""".strip()
SCRIPT_HASH = "sha256-" + base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")


@dataclass(frozen=True)
class IndexRow:
    folder: str  # OUT/<folder>/: the link target's folder, a name `files.ticker_dir_name` made
    link: str  # the report file to open (html, else md, else json), relative to OUT
    ticker: str
    company: str
    score: int
    label: str
    provisional: bool
    subscores: dict[str, int | None]
    upside_pct: float | None
    coverage_pct: float
    flags: list[str]
    models: list[str]
    as_of: dt.date
    stale: list[str]  # parts older than their staleness limit
    generated_at: dt.datetime

    @property
    def search(self) -> str:
        return f"{self.ticker} {self.company}".lower()


@dataclass
class Index:
    out: Path
    rows: list[IndexRow] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (folder, why)
    paths: dict[str, Path] = field(default_factory=dict)


def _flags(r: Report) -> list[str]:
    flags = []
    if r.score.provisional:
        flags.append(f"provisional (coverage {r.score.coverage_pct:.0f}%)")
    if r.header.price_stale:
        flags.append("stale price")
    unverified = sum(c.status != "verified" for c in r.number_checks)
    if unverified:
        flags.append(f"{unverified} number(s) not verified")
    if r.flagged_sentences:
        flags.append(f"{len(r.flagged_sentences)} flagged sentence(s)")
    if len(r.models) > 1 and r.disagreements:
        flags.append(f"models disagree ({len(r.disagreements)})")
    return flags


def _row(folder: Path, r: Report) -> IndexRow:
    name = quote(folder.name)  # a folder someone else made may have any name: the link stays a relative path
    link = next(
        (f"{name}/{FILE_NAMES[f]}" for f in ("html", "md", "json") if (folder / FILE_NAMES[f]).exists()),
        f"{name}/{FILE_NAMES['json']}",
    )
    pt = r.header.price_target
    return IndexRow(
        folder=folder.name,
        link=link,
        ticker=r.ticker,
        company=r.header.company_name,
        score=r.score.overall,
        label=r.score.label,
        provisional=r.score.provisional,
        subscores={str(s.key): s.score for s in r.score.subscores},
        upside_pct=None if pt is None or r.header.price_stale else pt.upside_pct,
        coverage_pct=r.score.coverage_pct,
        flags=_flags(r),
        models=[m.model_display for m in r.models] or [r.header.model_display],
        as_of=r.as_of,
        stale=[a.part for a in r.metrics.ages if a.stale],
        generated_at=r.provenance.generated_at,
    )


def read_index(out: Path) -> Index:
    """Every OUT/<folder>/report.json: rated reports by score, best first, then provisional ones."""
    index = Index(out)
    if not out.is_dir():
        return index
    folders = (p for p in out.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))
    for folder in sorted(folders):
        path = folder / FILE_NAMES["json"]
        if not path.is_file() or path.is_symlink():
            continue
        try:
            if path.stat().st_size > MAX_REPORT_BYTES:
                raise ValueError(f"larger than {MAX_REPORT_BYTES:,} bytes")
            report = Report.model_validate_json(path.read_bytes())
        except (OSError, ValueError, ValidationError) as exc:
            why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            index.skipped.append((folder.name, f"not a readable report ({why[:160]})"))
            continue
        index.rows.append(_row(folder, report))
    index.rows.sort(key=lambda row: (row.provisional, -row.score, row.ticker))  # provisional ones last
    return index


def render_index(index: Index, fmt: str) -> str:
    template = environment(html=fmt == "html").get_template(f"index.{fmt}.j2")
    return template.render(
        index=index,
        rows=index.rows,
        sub_keys=SUB_KEYS,
        sub_short=SUB_SHORT,
        sub_cols=[SUB_SHORT[k] for k in SUB_KEYS],
        sub_titles={str(k): v for k, v in TITLES.items()},
        script=SCRIPT,
        script_hash=SCRIPT_HASH,
        labels=sorted({row.label for row in index.rows}),
    )


def write_index(out: Path) -> Index:
    """Read every report under `out` and write OUT/index.html and OUT/index.md (atomically, together)."""
    index = read_index(out)
    files = {
        out / name: visible(render_index(index, fmt)).encode("utf-8") for fmt, name in INDEX_FILES.items()
    }
    atomic_write_many(files)
    index.paths = {fmt: out / name for fmt, name in INDEX_FILES.items()}
    return index
