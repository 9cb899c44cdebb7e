"""Earnings-call transcripts: one normalised model for the formats the importers read.

- la83la JSON: `{header_texts, prepared_remarks: [{speaker, speech}], q_and_a: [...], participants}`;
- ECTSum text: one sentence per line, no speakers;
- the normalised `transcript.json` a bundle stores (this model dumped as JSON).
`load_transcript(path)` reads any of them, so the model step can read a bundle's transcript whatever it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.errors import InputError, problems_from_validation
from pipeline.inputs.sources import decode_text, fail, parse_json, read_bytes

MAX_TRANSCRIPT_BYTES = 5 * 1024 * 1024


class Turn(BaseModel):
    """One speaker's turn (`speaker` is None when the source does not say)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    speaker: str | None = None
    text: str = Field(min_length=1)


class Transcript(BaseModel):
    """A call as prepared remarks and Q&A turns (la83la), or as plain sentences (ECTSum)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    format: Literal["turns", "sentences"]
    source_file: str | None = Field(default=None, description="Name of the file it was imported from.")
    header: list[str] = Field(default_factory=list)
    participants: list[str] = Field(default_factory=list)
    prepared_remarks: list[Turn] = Field(default_factory=list)
    q_and_a: list[Turn] = Field(default_factory=list)
    sentences: list[str] = Field(default_factory=list)

    def full_text(self) -> str:
        """The whole call as text: 'Speaker: text' per turn, or one sentence per line."""
        if self.format == "sentences":
            return "\n".join(self.sentences)
        turns = self.prepared_remarks + self.q_and_a
        return "\n\n".join(f"{t.speaker}: {t.text}" if t.speaker else t.text for t in turns)


def _turns(items: object, path: Path, field: str) -> list[Turn]:
    if not isinstance(items, list):
        raise fail(path, "expected a list of {speaker, speech} objects", field)
    turns = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise fail(path, "expected an object with 'speaker' and 'speech'", f"{field}[{i}]")
        text = item.get("speech", item.get("text"))
        if not isinstance(text, str):
            raise fail(path, "missing 'speech' text", f"{field}[{i}]")
        speaker = item.get("speaker")
        if text.strip():
            turns.append(
                Turn(speaker=speaker if isinstance(speaker, str) and speaker.strip() else None, text=text)
            )
    return turns


def parse_la83la(doc: dict[str, object], path: Path) -> Transcript:
    """la83la layout -> Transcript (turns)."""
    header = doc.get("header_texts", [])
    participants = doc.get("participants", [])
    transcript = Transcript(
        format="turns",
        source_file=path.name,
        header=[h for h in header if isinstance(h, str)] if isinstance(header, list) else [],
        participants=[p for p in participants if isinstance(p, str)]
        if isinstance(participants, list)
        else [],
        prepared_remarks=_turns(doc.get("prepared_remarks", []), path, "prepared_remarks"),
        q_and_a=_turns(doc.get("q_and_a", []), path, "q_and_a"),
    )
    if not transcript.prepared_remarks and not transcript.q_and_a:
        raise fail(path, "transcript has no prepared remarks and no Q&A", "prepared_remarks")
    return transcript


def parse_sentences(text: str, path: Path) -> Transcript:
    """ECTSum layout (one sentence per line) -> Transcript (sentences)."""
    sentences = [line.strip() for line in text.splitlines() if line.strip()]
    if not sentences:
        raise fail(path, "transcript is empty")
    return Transcript(format="sentences", source_file=path.name, sentences=sentences)


def _text_of(path: Path) -> str:
    return decode_text(read_bytes(path, max_bytes=MAX_TRANSCRIPT_BYTES), str(path), what="text transcript")


def load_transcript(path: Path) -> Transcript:
    """Read a transcript in any supported format (normalised JSON, la83la JSON, ECTSum text)."""
    path = Path(path)
    text = _text_of(path)
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")):
        return parse_sentences(text, path)
    doc = parse_json(text, str(path))
    if not isinstance(doc, dict):
        raise fail(path, "expected a JSON object with prepared_remarks/q_and_a (la83la) or a transcript")
    if "format" in doc:
        try:
            return Transcript.model_validate(doc)
        except ValidationError as exc:
            raise InputError(problems_from_validation(str(path), exc)) from None
    if "prepared_remarks" in doc or "q_and_a" in doc:
        return parse_la83la(doc, path)
    raise fail(path, "unknown transcript JSON: expected prepared_remarks/q_and_a (la83la layout)")
