"""Numbers read from a source text (a call transcript): a year that frames the sentence, and figures the source
rounded. Each case has a false twin, so neither rule verifies what the source does not say."""

from __future__ import annotations

import pytest

from pipeline.checks import build_text_index, check_text

CALL = (
    "Thank you all for joining. "
    "As we look to 2022, we expect mid-single-digit revenue growth and $10 billion of free cash flow. "
    "Our board approved a dividend increase in 2021. "
    "For free cash flow, we expect to generate $10.5 billion in 2023. "
    "Net sales and revenue were up 16% to $11.3 billion. "
    "Net income for the year was $5.96 billion. "
    "Capital spending was about $2 billion."
)
INDEX = build_text_index([("transcript", CALL)], company=["compname"])


def _status(summary: str, written: str) -> str:
    (check,) = [c for c in check_text(summary, INDEX, section="summary") if c.written == written]
    return check.status


@pytest.mark.parametrize(
    ("summary", "written", "status"),
    [
        # "As we look to 2022, ..." is the time of the whole sentence: its revenue growth and free cash flow
        (
            "Compname expects mid-single digit revenue growth and strong free cash flow in 2022.",
            "2022",
            "verified",
        ),
        ("Compname expects free cash flow of $10.5 billion in 2023.", "2023", "verified"),
        ("Compname expects mid-single digit revenue growth in 2023.", "2023", "unverified"),
        ("Compname raised its dividend in 2022.", "2022", "unverified"),  # 2022 frames growth and FCF only
        ("Compname raised its dividend in 2021.", "2021", "verified"),
    ],
)
def test_a_year_that_opens_a_sentence_frames_all_of_it(summary: str, written: str, status: str) -> None:
    assert _status(summary, written) == status


@pytest.mark.parametrize(
    ("summary", "written", "status"),
    [
        ("Q4 sales rose 16 percent to $11.33 billion.", "$11.33 billion", "verified"),  # rounds to $11.3B
        ("Q4 sales rose 16 percent to $11.26 billion.", "$11.26 billion", "verified"),
        ("Q4 sales rose 16 percent to $11.36 billion.", "$11.36 billion", "unverified"),  # rounds to $11.4B
        ("Q4 sales rose 16 percent to $11.4 billion.", "$11.4 billion", "unverified"),
        ("Net income was $5.963 billion for the year.", "$5.963 billion", "verified"),
        ("Net income was $5.966 billion for the year.", "$5.966 billion", "unverified"),
        # a source figure of one or two significant figures is too coarse to stand for a finer one
        ("Capital spending was $2.4 billion.", "$2.4 billion", "unverified"),
        ("Capital spending was $2.04 billion.", "$2.04 billion", "unverified"),
    ],
)
def test_a_finer_figure_agrees_with_the_source_figure_it_rounds_to(
    summary: str, written: str, status: str
) -> None:
    assert _status(summary, written) == status


def test_source_rounding_is_named_in_the_check() -> None:
    checks = check_text("Q4 sales rose to $11.33 billion.", INDEX, section="summary")
    (check,) = [c for c in checks if c.written == "$11.33 billion"]
    assert check.status == "verified" and check.match == "source rounded"


INSURER = build_text_index(
    [
        (
            "transcript",
            "Turning to our Japan segment, total earned premium for the quarter declined 3.5%. "
            "For the full year, total earned premium was down 2.8%.",
        )
    ],
    company=["compname"],
)


@pytest.mark.parametrize(
    ("summary", "status"),
    [
        # an insurer's "net premium income" is its earned premium; "a year ago" is a comparison base, not an age
        ("Japan's net premium income was 3.5% lower than a year ago for the quarter.", "verified"),
        ("Japan's net premium income was down 3.5% from a year ago.", "verified"),
        ("Japan's net premium income was up 3.5% from a year ago.", "direction_mismatch"),
        ("Japan's net premium income for the full year was down 3.5% from a year ago.", "unverified"),
        ("Japan's net investment income was down 3.5% from a year ago.", "unverified"),
    ],
)
def test_premium_income_and_a_year_ago(summary: str, status: str) -> None:
    (check,) = [c for c in check_text(summary, INSURER, section="summary") if c.written == "3.5%"]
    assert check.status == status, check.note
