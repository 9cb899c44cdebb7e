"""Evidence for model-read sentiment (pipeline/checks/evidence.py): the quote check on labelled cases, hostile ones
included, with its precision and recall; and the rules deciding which label the score counts."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from pipeline.checks.evidence import quote_status, resolve_label, stated_label

TRANSCRIPTS = Path(__file__).resolve().parents[2] / "fixtures" / "data" / "transcripts" / "ectsum" / "ects"
SEED = 13


def _spans(text: str, rng: random.Random, n: int) -> list[str]:
    """`n` random word-aligned spans of 20-300 characters."""
    words = text.split()
    out: list[str] = []
    while len(out) < n:
        i = rng.randrange(len(words) - 3)
        j = min(len(words), i + rng.randint(4, 40))
        span = " ".join(words[i:j])
        if 20 <= len(span) <= 300:
            out.append(span)
    return out


def _disguise(span: str, rng: random.Random) -> str:
    """What a model does to a faithful quote: case, spacing, curly quotes, a trailing ellipsis."""
    choice = rng.randrange(4)
    if choice == 0:
        return span.upper()
    if choice == 1:
        return span.replace(" ", "  \n ")
    if choice == 2:
        return f"\u201c{span.replace(chr(39), chr(8217))}\u2026\u201d"
    return span


def _forge(span: str, other: list[str], rng: random.Random) -> str:
    """What a hostile or careless model does: change a number, swap a word, quote another call."""
    digits = [m.start() for m in re.finditer(r"\d", span)]
    choice = rng.randrange(3)
    if choice == 0 and digits:
        k = rng.choice(digits)
        return span[:k] + str((int(span[k]) + 1) % 10) + span[k + 1 :]
    words = span.split()
    if choice <= 1 and len(words) > 4:
        k = rng.randrange(len(words))
        words[k] = rng.choice(["collapsed", "record", "never", "increased", "decreased", "bankrupt"])
        return " ".join(words)
    return rng.choice(other)


def test_quote_check_precision_and_recall_on_labelled_cases() -> None:
    """600 faithful quotes (disguised by case, spacing, curly quotes, ellipses) and 600 forged ones (a digit
    changed, a word swapped, a sentence of another company's call), seeded. The check must accept every faithful
    quote and reject every forgery whose text is not in the source."""
    rng = random.Random(SEED)
    source = (TRANSCRIPTS / "AFL_q4_2020.txt").read_text()
    other = (TRANSCRIPTS / "CRM_q2_2022.txt").read_text()
    foreign = [s for s in _spans(other, rng, 400) if s.casefold() not in source.casefold()]
    faithful = [_disguise(s, rng) for s in _spans(source, rng, 600)]
    forged = [
        f
        for f in (_forge(s, foreign, rng) for s in _spans(source, rng, 900))
        if " ".join(f.casefold().split()) not in " ".join(source.casefold().split())
    ][:600]
    assert len(forged) == 600
    tp = sum(quote_status(q, [source]) == "verified" for q in faithful)
    fp = sum(quote_status(q, [source]) == "verified" for q in forged)
    precision, recall = tp / (tp + fp), tp / len(faithful)
    print(f"\nquote check: precision {precision:.3f}, recall {recall:.3f} (tp {tp}, fp {fp}, seed {SEED})")
    assert precision == 1.0 and recall == 1.0


@pytest.mark.parametrize(
    ("quote", "status"),
    [
        ("Revenue grew 24% to RMB 2.35 billion", "verified"),
        ("  revenue GREW 24%   to rmb 2.35 billion.", "verified"),  # case, spacing, end punctuation
        (
            "\u201cRevenue grew 24% to RMB 2.35 billion\u2026\u201d",
            "verified",
        ),  # curly quotes and an ellipsis
        ("Revenue grew 25% to RMB 2.35 billion", "not_found"),  # one digit off
        ("Revenue fell 24% to RMB 2.35 billion", "not_found"),  # one word off
        ("grew 24%", "too_short"),  # too little to support anything
        ("Revenue grew 24% to RMB 2.35 billion. " * 10, "too_long"),
    ],
)
def test_quote_status(quote: str, status: str) -> None:
    assert quote_status(quote, ["CEO: Revenue grew 24% to RMB 2.35 billion, a record quarter."]) == status


SOURCE = [
    "Revenue grew 24% to a record RMB 2.35 billion.",
    "Gross margin came under pressure from higher costs.",
]
GOOD_POS = ["Revenue grew 24% to a record RMB 2.35 billion"]
GOOD_NEG = ["Gross margin came under pressure from higher costs"]


@pytest.mark.parametrize(
    ("label", "quotes", "has_source", "counted", "flagged"),
    [
        ("Positive", GOOD_POS, True, "Positive", False),
        ("Negative", GOOD_NEG, True, "Negative", False),
        ("Neutral", [], True, "Neutral", False),  # Neutral needs no quote
        ("Insufficient data", [], True, "Neutral", True),  # cannot make the part disappear
        ("Positive", [], True, "Neutral", True),  # no evidence
        ("Negative", ["The company may not survive the year"], True, "Neutral", True),  # invented
        (
            "Negative",
            [*GOOD_NEG, "The company may not survive the year"],
            True,
            "Neutral",
            True,
        ),  # one invented
        ("Positive", GOOD_NEG, True, "Neutral", True),  # real, but reads the other way
        ("Neutral", ["The company may not survive the year"], True, "Neutral", True),  # kept, flagged
        ("Negative", GOOD_NEG, False, None, False),  # no call in the bundle: no part
    ],
)
def test_counted_label(
    label: str, quotes: list[str], has_source: bool, counted: str | None, flagged: bool
) -> None:
    read = resolve_label(label, quotes, SOURCE, has_source=has_source, part="earnings call")
    assert read.counted == counted and read.model_label == label
    assert (read.flag is not None) is flagged


def _cut(span: str, rng: random.Random) -> str | None:
    """The span with 1-3 characters cut from inside its first or last word (a quote cut mid-word)."""
    words = span.split()
    if rng.randrange(2) == 0 and len(words[0]) > 3 and words[0][:2].isalpha():
        return span[rng.randint(1, min(3, len(words[0]) - 2)) :]
    if len(words[-1]) > 3 and words[-1][-2:].isalpha():
        return span[: -rng.randint(1, min(3, len(words[-1]) - 2))]
    return None


def test_cut_and_fenced_quotes_on_labelled_cases() -> None:
    """600 faithful word-aligned quotes against 600 hostile ones that ARE substrings of the source: cut
    mid-word (the review's "ncerns about chip supply ... tensi"), or carrying the prompt's fence markup
    ("strategic direction.\\n</data>"). Seeded; every faithful quote must verify, no hostile one."""
    rng = random.Random(SEED)
    source = (TRANSCRIPTS / "AFL_q4_2020.txt").read_text()
    faithful = _spans(source, rng, 600)
    hostile: list[str] = []
    while len(hostile) < 600:
        span = _spans(source, rng, 1)[0]
        if rng.randrange(4) == 0:
            hostile.append(f"{span}\n</data>" if rng.randrange(2) else f'<data source="call">\n{span}')
        elif (cut := _cut(span, rng)) is not None and len(cut) >= 20:
            hostile.append(cut)
    tp = sum(quote_status(q, [source]) == "verified" for q in faithful)
    fp = sum(quote_status(q, [source]) == "verified" for q in hostile)
    precision, recall = tp / (tp + fp), tp / len(faithful)
    print(f"\ncut/fence check: precision {precision:.3f}, recall {recall:.3f} (fp {fp}, seed {SEED})")
    assert precision == 1.0 and recall == 1.0


@pytest.mark.parametrize(
    ("quote", "status"),
    [
        ("ncerns about chip supply due to geopolitical tensi", "cut_word"),
        ("concerns about chip supply due to geopolitical tensions", "verified"),
        ("strategic direction.\n</data>", "markup"),
        ('<data source="call_notes">\n- Gross Margin Pressure', "markup"),
    ],
)
def test_quote_boundaries_and_markup(quote: str, status: str) -> None:
    source = (
        "Management flagged concerns about chip supply due to geopolitical tensions and strategic direction."
    )
    assert quote_status(quote, [source]) == status


AFL = (
    "For the full year, total earned premium was down 2.8% while totally policies in force declined by a "
    "lesser rate at 1.2%. Adjusted earnings per diluted share increased 10.8% in 2020, a strong result."
)


@pytest.mark.parametrize(
    ("label", "quotes", "prose", "counted", "why"),
    [
        # the review's AFL attack: a negative fragment while the section's own text says Positive
        (
            "Negative",
            ["policies in force declined"],
            "The Q4-2020 earnings call read Positive on balance.",
            "Neutral",
            "the section's own text says the tone is Positive",
        ),
        # the same fragment with a consistent summary: the fragment carries a negative tone, and its sentence
        # ("down 2.8%", "declined") does not read the other way, so a consistent model may count it
        ("Negative", ["policies in force declined"], "The call read Negative on balance.", "Negative", None),
        # a neutral fragment supports no label
        (
            "Positive",
            ["For the full year, total earned premium"],
            "The call read Positive.",
            "Neutral",
            "do not carry a positive tone",
        ),
        # a positive fragment cut from a sentence that reads clearly negative is cherry-picked
        (
            "Positive",
            ["Despite strong demand"],
            "The call read Positive.",
            "Neutral",
            "cut from a sentence that reads the other way",
        ),
        # prose reading clearly the other way, without naming a label
        (
            "Positive",
            ["Adjusted earnings per diluted share increased 10.8% in 2020"],
            "Weak sales, declining policies, pressure and losses dominated; risks remain elevated.",
            "Neutral",
            "reads the other way",
        ),
        (
            "Positive",
            ["Adjusted earnings per diluted share increased 10.8% in 2020"],
            "The call read Positive: earnings per share rose.",
            "Positive",
            None,
        ),
    ],
)
def test_label_must_be_carried_by_its_quotes_and_its_own_text(
    label: str, quotes: list[str], prose: str, counted: str, why: str | None
) -> None:
    sources = [AFL, "Despite strong demand, losses widened, margins declined and risks remain elevated."]
    read = resolve_label(label, quotes, sources, has_source=True, part="earnings call", prose=prose)
    assert read.counted == counted, read.flag
    if why is None:
        assert read.flag is None
    else:
        assert read.flag is not None and why in read.flag


def test_stated_label_is_a_verdict_not_a_list_heading() -> None:
    assert stated_label("The Q4-2020 earnings call read Positive on balance.") == "Positive"
    assert stated_label("Overall the sentiment is negative.") == "Negative"
    assert stated_label("A neutral tone overall.") == "Neutral"
    assert stated_label("Management's tone was confident; negative updates included supply.") is None
    assert stated_label("The call read Positive on balance, and the events read Negative overall.") is None
