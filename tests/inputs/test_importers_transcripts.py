"""Transcript importer and model: ECTSum sentences, la83la turns, normalised copy, call date rules."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.errors import InputError, StockreportError
from pipeline.inputs import load_bundle
from pipeline.inputs.importers.transcripts import import_transcript, quarter_from_name
from pipeline.inputs.transcripts import load_transcript
from tests.inputs.importer_helpers import DATA, SHARED

ECTSUM = DATA / "transcripts" / "ectsum-AFL_q4_2020.txt"
LA83LA_SAMPLE = DATA / "transcripts" / "la83la-format-sample.json"
LA83LA_REAL = SHARED / "transcripts" / "full_json_la83la" / "AFL_q4_2020.txt"


def test_ectsum_sentences() -> None:
    t = load_transcript(ECTSUM)
    assert t.format == "sentences" and len(t.sentences) == 207
    assert t.sentences[0].startswith("Dan Amos, Chairman and CEO of Aflac")
    assert t.full_text().count("\n") == 206


def test_la83la_turns_from_format_sample() -> None:
    t = load_transcript(LA83LA_SAMPLE)
    assert t.format == "turns"
    assert [x.speaker for x in t.prepared_remarks] == ["Operator", "Jane Doe"]
    assert [x.text for x in t.q_and_a] == ["What is the outlook?", "We expect growth to continue."]
    assert t.participants[0] == "Jane Doe--Chief Executive Officer"
    assert "Jane Doe: We expect growth to continue." in t.full_text()


@pytest.mark.skipif(not LA83LA_REAL.exists(), reason="shared la83la data not present")
def test_la83la_real_file() -> None:
    t = load_transcript(LA83LA_REAL)
    assert (len(t.prepared_remarks), len(t.q_and_a)) == (5, 62)  # one empty Q&A speech dropped of 63
    assert t.prepared_remarks[0].speaker == "Operator"


@pytest.mark.parametrize("source", [ECTSUM, LA83LA_SAMPLE])
def test_import_stores_normalised_copy(tmp_path: Path, source: Path) -> None:
    out = tmp_path / "AFL"
    b = import_transcript(source, out, call_date=dt.date(2021, 2, 3), quarter="Q4-2020", ticker="AFL")
    assert b.earnings_call is not None
    assert (b.earnings_call.date, b.earnings_call.quarter, b.earnings_call.transcript) == (
        dt.date(2021, 2, 3),
        "Q4-2020",
        "transcript.json",
    )
    loaded = load_bundle(out)
    assert loaded.transcript_path == out / "transcript.json"
    assert load_transcript(loaded.transcript_path) == load_transcript(source)
    assert json.loads((out / "transcript.json").read_text())["source_file"] == source.name


def test_call_date_required(tmp_path: Path) -> None:
    with pytest.raises(StockreportError, match="--call-date"):
        import_transcript(ECTSUM, tmp_path / "AFL", ticker="AFL")


def test_existing_call_date_and_highlights_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "AFL"
    import_transcript(ECTSUM, out, call_date=dt.date(2021, 2, 3), ticker="AFL")
    raw = json.loads((out / "bundle.json").read_text())
    raw["earnings_call"]["guidance"] = "kept"
    (out / "bundle.json").write_text(json.dumps(raw))
    b = import_transcript(LA83LA_SAMPLE, out)  # date from the bundle, quarter from nothing
    assert b.earnings_call is not None and b.earnings_call.guidance == "kept"
    assert b.earnings_call.date == dt.date(2021, 2, 3)


def test_call_after_as_of_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StockreportError, match="after the bundle's as-of"):
        import_transcript(
            ECTSUM, tmp_path / "AFL", call_date=dt.date(2021, 2, 3), as_of=dt.date(2021, 1, 1), ticker="AFL"
        )


@pytest.mark.parametrize(
    ("name", "quarter"),
    [("AFL_q4_2020.txt", "Q4-2020"), ("crm_Q2_2022.json", "Q2-2022"), ("notes.txt", None)],
)
def test_quarter_from_name(name: str, quarter: str | None) -> None:
    assert quarter_from_name(Path(name)) == quarter


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "transcript is empty"),
        (b"\x00\x01\x02binary", "binary content"),
        (b"\xff\xfe not utf8", "not UTF-8"),
        (b'{"prepared_remarks": 5}', "expected a list"),
        (b'{"something": []}', "unknown transcript JSON"),
        (b'{"prepared_remarks": [], "q_and_a": []}', "no prepared remarks"),
        (b"{broken", "bad JSON"),
    ],
)
def test_bad_transcripts(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        load_transcript(path)


def test_imported_calls_quarter_checks_the_reports_period_label(tmp_path: Path) -> None:
    """The quarter `import transcript` reads from an ECTSum file name is the fact a report's "Q3 of fiscal
    2021" is checked against (the transcript itself never names the fiscal year)."""
    from pipeline.checks import build_fact_index, check_text

    source = tmp_path / "HD_q3_2021.txt"
    source.write_text("Sales for the third quarter were $36.8 billion.\nComp sales were up 6.1%.\n")
    import_transcript(source, tmp_path / "HD", call_date=dt.date(2021, 11, 16), ticker="HD")
    index = build_fact_index(load_bundle(tmp_path / "HD", with_peers=False))
    statuses = {
        c.written: c.status
        for text in ("The call covered Q3 of fiscal 2021.", "The call covered Q4 of fiscal 2021.")
        for c in check_text(text, index, section="earnings_call")
    }
    assert statuses == {"Q3 of fiscal 2021": "verified", "Q4 of fiscal 2021": "unverified"}
