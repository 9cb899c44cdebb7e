"""The batch index (OUT/index.html, OUT/index.md), through `stockreport batch` and `stockreport index`, read
back as a reader and a browser would, without a browser (tests/report/test_browser.py sorts and filters it in
Chromium): one row per report with the report's own figures, links that open the report, escaped names, the
one inline script allowed by its own hash, and folders that are not reports listed, not dropped."""

from __future__ import annotations

import base64
import hashlib
import html as html_lib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.batch.conftest import SAMPLES
from tests.support.cli import run_cli

HOSTILE = "<img src=x onerror=alert(1)> | [x](javascript:alert(1)) & Co"


@pytest.fixture(scope="module")
def batch_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The four sample bundles and a hostile-named copy of AAPL, through `stockreport batch`."""
    root = tmp_path_factory.mktemp("index")
    for name in ("HK_3896", "AAPL", "GOOGL", "AFL"):
        shutil.copytree(SAMPLES / name, root / "in" / name)
    evil = root / "in" / "EVIL"
    shutil.copytree(SAMPLES / "AAPL", evil)
    data = json.loads((evil / "bundle.json").read_text())
    data["profile"].update(ticker="EVIL", name=HOSTILE)
    (evil / "bundle.json").write_text(json.dumps(data))

    class _NoCapture:
        def readouterr(self) -> Any:
            return type("Captured", (), {"out": "", "err": ""})()

    out = root / "out"
    code, _, _ = run_cli(["batch", str(root / "in"), "--out", str(out), "--no-progress"], _NoCapture())  # type: ignore[arg-type]
    assert code == 0
    return out


def _reports(out: Path) -> dict[str, dict[str, Any]]:
    return {p.parent.name: json.loads(p.read_text()) for p in out.glob("*/report.json")}


def _folders(page: str) -> list[str]:
    return re.findall(r'<th scope="row" data-v="[^"]*"><a href="([^"/]+)/', page)


def _rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr .*?</tr>", body, re.S)


def test_batch_writes_one_row_per_report_with_its_own_figures(batch_out: Path) -> None:
    page = (batch_out / "index.html").read_text()
    reports = _reports(batch_out)
    rows = _rows(page)
    assert len(rows) == len(reports) == 5
    seen = []
    for row in rows:
        link = re.search(r'<a href="([^"]+)">', row)
        assert link is not None and (batch_out / link.group(1)).is_file()  # the link opens the report
        doc = reports[link.group(1).split("/")[0]]
        score = re.search(r'data-label="Score" data-v="(\d+)"', row)
        assert score is not None and int(score.group(1)) == doc["score"]["overall"]
        assert f'data-rating="{doc["score"]["label"]}"' in row
        for sub in doc["score"]["subscores"]:
            if sub["score"] is not None:
                assert f'data-v="{sub["score"]}"' in row
        seen.append((doc["score"]["provisional"], -doc["score"]["overall"]))
    assert seen == sorted(seen)  # best first, provisional ones (AFL) last


def test_index_markdown_lists_the_same_rows(batch_out: Path) -> None:
    md = (batch_out / "index.md").read_text()
    table = [line for line in md.splitlines() if line.startswith("| [")]
    reports = _reports(batch_out)
    assert len(table) == len(reports)
    for line in table:
        folder = re.match(r"\| \[[^\]]*\]\(([^/)]+)/", line)
        assert folder is not None
        doc = reports[folder.group(1)]
        assert f"| {doc['score']['overall']} | {doc['score']['label']}" in line


def test_index_escapes_names_and_runs_only_its_hashed_script(batch_out: Path) -> None:
    page = (batch_out / "index.html").read_text()
    assert "<img" not in page  # the name is text, not a tag
    assert re.findall(r'href="([^"]*)"', page) == [f"{f}/report.html" for f in _folders(page)]
    assert html_lib.escape(HOSTILE, quote=False).split(" |")[0] in page
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 1 and "<script " not in page
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    csp = re.search(r'Content-Security-Policy" content="([^"]+)"', page)
    assert csp is not None and f"script-src 'sha256-{digest}'" in csp.group(1)
    assert "unsafe-inline" not in csp.group(1).split("script-src", 1)[1]
    md = (batch_out / "index.md").read_text()
    evil = next(line for line in md.splitlines() if "EVIL" in line)
    assert "<img" not in evil and re.search(r"(?<!\\)\]\(javascript:", evil) is None  # no live link
    assert evil.count(" | ") == md.splitlines()[4].count(" | ")  # the name's '|' does not add a column
    cmarkgfm = pytest.importorskip("cmarkgfm")
    rendered = cmarkgfm.github_flavored_markdown_to_html(md)  # as GitHub would show it
    assert "<img" not in rendered and "javascript:" not in "".join(re.findall(r'href="([^"]*)"', rendered))
    assert rendered.count("<tr>") == len(_reports(batch_out)) + 1  # header and one row each: no row split


def test_index_command_lists_what_it_cannot_read(
    batch_out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    shutil.copytree(batch_out, out)
    (out / "AFL" / "report.json").write_text('{"ticker": "AFL"')  # cut short
    (out / "LINK").symlink_to(out / "AAPL", target_is_directory=True)  # not followed
    (out / "notes").mkdir()  # no report: not a report folder, not listed
    code, stdout, stderr = run_cli(["index", str(out)], capsys)
    assert code == 0
    assert "indexed 4 report(s)" in stdout
    assert stderr.count("AFL") == 1 and "not a readable report" in stderr
    page = (out / "index.html").read_text()
    assert len(_rows(page)) == 4 and "LINK" not in page and "notes" not in page
    assert "Not Indexed" in page and "AFL" in page.split("Not Indexed", 1)[1]
    code, _, stderr = run_cli(["index", str(tmp_path / "missing")], capsys)
    assert code != 0 and stderr.count("no such folder") == 1
