"""One tone lexicon and formula (pipeline/checks/tone.py) for the offline model's labels, the tone check and the
evidence check, so the offline model's own label can never read the other way to the checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.checks.evidence import resolve_label
from pipeline.checks.tone import NEGATIVE, POSITIVE, check_tone, tone_label, tone_words
from pipeline.narrate.offline_sources import write_events

WORDS = sorted(POSITIVE | NEGATIVE) + [
    "revenue",
    "quarter",
    "the",
    "not",
    "board",
    "shares",
    "Limited",
    "Holdings",
]


@pytest.mark.parametrize(
    "text, label",
    [
        ("Revenue increased and margins improved.", "Positive"),  # stems the offline writer used to count
        ("Sales were down and costs were higher; the outlook is lower.", "Negative"),
        ("Revenue grew.", "Neutral"),  # one tone word is no reading of a whole passage
        (
            "Kingsoft Cloud Holdings Limited granted units. Kingsoft Cloud Holdings Limited amended a charter.",
            "Neutral",
        ),  # a legal name is not a negative word
        ("Growth was not strong and not robust.", "Negative"),  # negated words count for the other side
    ],
)
def test_tone_label(text: str, label: str) -> None:
    assert tone_label(text) == label


def test_limited_still_reads_negative_in_prose() -> None:
    assert tone_words("limited pricing power")[1] == ["limited"]
    assert tone_words("Kingsoft Cloud Holdings Limited")[1] == []


@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=30))
def test_offline_events_label_never_reads_the_other_way(words: list[str]) -> None:
    """Whatever the events say, the offline label and its quotes pass the evidence check's tone test."""
    line = " ".join(words)
    data = f"- 2025-01-01 [news] Title: {line}."
    answer = write_events({"events": {"count": 1, "latest": "2025-01-01"}}, data)
    read = resolve_label(answer["sentiment"], answer["evidence"], [data], has_source=True, part="events")
    assert read.counted == answer["sentiment"] or not answer["evidence"], read.flag
    clearly = check_tone(line, answer["sentiment"], min_hits=1)
    assert not clearly.flagged
