"""The section registry is the one list of model-written sections, and section and ticker travel as run metadata.

- A new section is one registry entry plus two templates: a toy section reaches report.json, report.md and
  report.html, its numbers are checked, its provenance is kept, and `generate --section` can re-ask it.
- A custom template (STOCKREPORT_PROMPTS) without the shipped `<task section=...>` / `<facts>` markup breaks
  none of the offline model, the recorder and replay: nothing reads the prompt text back.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from pipeline.narrate.answers import AnswerSchema, Prose
from pipeline.narrate.prompt_context import DataBlock, PromptContext
from pipeline.narrate.prompts import PACKAGE_TEMPLATES
from pipeline.narrate.registry import extra_section, prose_section, section_names, written_sections
from tests.support.cli import run_cli

REPO = Path(__file__).resolve().parents[2]
HK = REPO / "fixtures" / "bundles" / "HK_3896"
TEMPLATES = REPO.joinpath(*PACKAGE_TEMPLATES[0].split("."), PACKAGE_TEMPLATES[1])


class OutlookAnswer(AnswerSchema):
    """A toy section: one paragraph on the outlook."""

    text: Prose


def outlook_facts(loaded, metrics, opts) -> PromptContext:  # noqa: ANN001 - the FactsBuilder signature
    return PromptContext(
        {"ticker": loaded.ticker, "overall": metrics.score.overall},
        {"description": DataBlock.of(loaded.bundle.profile.description or "", "description")},
    )


def outlook_offline(ctx: PromptContext) -> dict[str, str]:
    return {
        "text": f"The outlook rests on an overall score of {ctx.facts['overall']} for {ctx.facts['ticker']}."
    }


OUTLOOK = prose_section(
    name="outlook",
    title="Outlook",
    answer=OutlookAnswer,
    version="1",
    purpose="A toy section added by a test.",
    facts=outlook_facts,
    offline=outlook_offline,
)


@pytest.fixture
def toy_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The toy section's two templates, in a STOCKREPORT_PROMPTS folder (the shipped ones still apply)."""
    folder = tmp_path / "prompts"
    folder.mkdir()
    (folder / "outlook.system.j2").write_text(
        "You write a one-paragraph outlook for {{ facts.ticker }}. Use only the numbers in the facts.\n"
    )
    (folder / "outlook.user.j2").write_text("Facts: {{ facts_json }}\n{{ data.description }}\n")
    monkeypatch.setenv("STOCKREPORT_PROMPTS", str(folder))
    return folder


def test_a_new_section_is_one_entry_and_two_templates(
    toy_templates: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    with extra_section(OUTLOOK):
        assert section_names()[-1] == "outlook"
        code, _, err = run_cli(["generate", str(HK), "--out", str(out), "--no-cache"], capsys)
        assert code == 0, err
        report = json.loads((out / "HK_3896" / "report.json").read_text())
        md = (out / "HK_3896" / "report.md").read_text()
        html = (out / "HK_3896" / "report.html").read_text()
        overall = report["score"]["overall"]
        text = f"The outlook rests on an overall score of {overall} for HK:3896."
        assert report["sections"]["additional"] == [
            {
                "missing": None,
                "key": "outlook",
                "title": "Outlook",
                "paragraphs": [{"field": "text", "title": None, "text": text}],
            }
        ]
        assert "## Outlook" in md and text in md
        assert "<h2>Outlook</h2>" in html and text in html
        assert re.fullmatch(r"1\+[0-9a-f]{8}", report["provenance"]["prompt_versions"]["outlook"])
        checks = [c for c in report["number_checks"] if c["section"] == "outlook.text"]  # checked like any
        assert [(c["written"], c["status"], c["source"]) for c in checks] == [
            (str(overall), "verified", "metrics.score.overall")
        ]
        assert [p["section"] for p in report["provenance"]["sections"]][-1] == "outlook"

        # ... and back out of the report: `generate --section outlook` re-asks it alone, keeping the others
        code, stdout, err = run_cli(["generate", str(HK), "--out", str(out), "--section", "outlook"], capsys)
        assert code == 0, err
        again = json.loads((out / "HK_3896" / "report.json").read_text())
        assert again["sections"]["additional"] == report["sections"]["additional"]
        assert again["factors"] == report["factors"]
    assert "outlook" not in section_names()


def test_without_the_entry_there_is_no_such_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(["generate", str(HK), "--out", str(tmp_path), "--section", "outlook"], capsys)
    assert code == 1
    assert (
        "unknown section 'outlook'; choose from earnings_call, events, factors, financials, technicals, summary"
        in err
    )


def _markupless_templates(folder: Path) -> None:
    """Every shipped template, with the user message rewritten in another markup: no <task>, no <facts>."""
    shutil.copytree(TEMPLATES, folder)
    for spec in written_sections():
        (folder / spec.user_template).write_text(
            "Write the {{ section | replace('_', ' ') }} part.\nNUMBERS (JSON): {{ facts_json }}\n"
            "{% for name, block in data.items() %}{{ block }}\n{% endfor %}"
        )
        assert "<task" not in (folder / spec.user_template).read_text()


def test_custom_templates_without_the_markup_break_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The offline model, `record` and replay (`record --check`, `--model replay:offline`) under templates that
    carry no `<task section=...>` tag and no `<facts>` block: same prose as under the shipped templates."""
    shipped = tmp_path / "shipped"
    code, _, err = run_cli(
        ["generate", str(HK), "--out", str(shipped), "--no-cache", "--format", "json"], capsys
    )
    assert code == 0, err
    prompts = tmp_path / "prompts"
    _markupless_templates(prompts)
    monkeypatch.setenv("STOCKREPORT_PROMPTS", str(prompts))

    custom = tmp_path / "custom"
    code, _, err = run_cli(
        ["generate", str(HK), "--out", str(custom), "--no-cache", "--format", "json"], capsys
    )
    assert code == 0, err
    before = json.loads((shipped / "HK_3896" / "report.json").read_text())
    after = json.loads((custom / "HK_3896" / "report.json").read_text())
    assert (
        after["factors"] == before["factors"]
        and after["sections"]["summary"] == before["sections"]["summary"]
    )
    assert (
        after["provenance"]["prompt_versions"] != before["provenance"]["prompt_versions"]
    )  # other templates

    recorded = tmp_path / "recorded"
    code, stdout, err = run_cli(["record", str(HK), "--model", "offline", "--out", str(recorded)], capsys)
    assert code == 0, err
    files = sorted(p.stem for p in (recorded / "offline" / "HK_3896").glob("*.json"))
    assert files == sorted(section_names())
    factors = json.loads((recorded / "offline" / "HK_3896" / "factors.json").read_text())
    assert factors["section"] == "factors" and len(factors["calls"]) == 1

    code, stdout, err = run_cli(
        ["record", str(HK), "--model", "offline", "--out", str(recorded), "--check"], capsys
    )
    assert code == 0, stdout + err
    assert stdout.count(": fresh") == len(section_names())

    monkeypatch.setenv("STOCKREPORT_RECORDED", str(recorded))
    replayed = tmp_path / "replayed"
    code, _, err = run_cli(
        ["generate", str(HK), "--model", "replay:offline", "--out", str(replayed), "--format", "json"], capsys
    )
    assert code == 0, err
    assert json.loads((replayed / "HK_3896" / "report.json").read_text())["factors"] == before["factors"]
