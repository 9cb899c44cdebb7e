"""Invented numbers in every disguise the issue lists are flagged, with and without markup around them.

Each form is checked against the real HK_3896 index (bundle, metrics, source texts), in a sentence that names
a real subject, so the only thing between the invented number and "verified" is the check itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.checks import FactIndex, build_fact_index, located_checks
from pipeline.checks.normalise import normalise
from pipeline.inputs.load import load_bundle
from pipeline.metrics import compute_metrics

BUNDLES = Path(__file__).resolve().parents[2] / "fixtures" / "bundles"

# (sentence with {x}, the disguised invented number)
EVASIONS = [
    ("Gross margin expanded by {x} in the TTM period.", "987.6-percent"),
    ("AI revenue rose {x}.", "987-fold"),
    ("Revenue grew{x} in the TTM period.", "987.6%"),
    ("Gross margin:{x} in the TTM period.", "77.7%"),
    ("Free cash flow was {x}.", "$987.6MM"),
    ("Revenue was {x}.", "RMB 123.4Bn"),
    ("Revenue was {x}.", "RMB 123.4BN"),
    ("Revenue reached a {x} run rate.", "RMB 123.4-billion"),
    ("Revenue was {x}.", "1.234e11 yuan"),
    ("Revenue was {x}.", "twelve billion yuan"),
    ("Operating cash flow was {x}.", "RMB (3896) million"),
    ("Revenue grew {x} in the TTM period.", "9\u200b8\u200b7%"),
    ("Gross margin rose to {x}.", "9\u00ad8\u00ad7%"),
    ("The filing lists {x} risk factors.", "9\u200d7"),
    ("Risk factors rose {x} this year.", "98\u066a"),
    ("Revenue grew {x} in the TTM period.", "\uff19\uff18\uff17\uff05"),
    ("Net margin was {x} in the TTM period.", "\u0669\u0668\u0667%"),
    ("Revenue was {x}.", "RMB 123.4 mln"),
    ("Revenue was {x}.", "RMB 1.2\u00d710\u00b9\u00b9"),
    ("Revenue grew {x}.", "&#57;&#56;&#55;%"),
    ("Net margin reached {x}.", "ninety-eight percent"),
    ("Model {x} projects revenue growth.", "1.1.0.19.126429"),
]
MARKUP = ["{x}", "**{x}**", "<b>{x}</b>", "`{x}`", "[{x}](https://example.net)", "_{x}_", "<span>{x}</span>"]


@pytest.fixture(scope="module")
def index() -> FactIndex:
    loaded = load_bundle(BUNDLES / "HK_3896")
    return build_fact_index(loaded, compute_metrics(loaded))


def _flagged(sentence: str, part: str, index: FactIndex) -> tuple[bool, list[tuple[str, str]]]:
    at = sentence.find(part)
    on = [
        lc for lc in located_checks(sentence, index, section="t") if lc.start < at + len(part) and at < lc.end
    ]
    return bool(on) and all(lc.check.status != "verified" for lc in on), [
        (lc.check.written, lc.check.status) for lc in on
    ]


@pytest.mark.parametrize("wrap", MARKUP, ids=["plain", "bold", "html-b", "code", "link", "em", "span"])
@pytest.mark.parametrize(
    ("template", "number"),
    EVASIONS,
    ids=[e[1].encode("ascii", "backslashreplace").decode() for e in EVASIONS],
)
def test_every_disguise_is_flagged(template: str, number: str, wrap: str, index: FactIndex) -> None:
    sentence = template.format(x=wrap.format(x=number))
    flagged, on = _flagged(sentence, number, index)
    assert flagged, (sentence, on)


@pytest.mark.parametrize(
    ("text", "seen"),
    [
        ("9\u200b8\u200b7%", "987%"),  # zero-width spaces
        ("9\u00ad8\u00ad7%", "987%"),  # soft hyphens
        ("98\u066a", "98%"),  # Arabic percent sign
        ("\uff19\uff18\uff17\uff05", "987%"),  # full-width digits and percent
        ("\u0669\u0668\u0667\u066b\u0665", "987.5"),  # Arabic-Indic digits and decimal separator
        ("&#57;&#56;&#55;%", "987%"),  # HTML entities
        ("9<b>8</b>7%", "987%"),  # a tag inside a number
        ("9**8**7%", "987%"),  # Markdown emphasis inside a number
        ("46<i>.</i>2%", "46.2%"),
        ("1.2\u00d710\u00b9\u00b9", "1.2\u00d710^11"),
        ("**16.19%** of sales", "**16.19%** of sales"),  # markup around a number stays (it is not inside it)
    ],
)
def test_normalised_text_is_what_a_reader_sees(text: str, seen: str) -> None:
    assert normalise(text).text == seen


def test_positions_map_back_to_what_the_model_wrote(index: FactIndex) -> None:
    sentence = "Revenue grew 9\u200b8\u200b7% in the TTM period."
    (lc,) = located_checks(sentence, index, section="t")
    assert sentence[lc.start : lc.end] == "9\u200b8\u200b7%" == lc.check.written
    assert lc.check.value == 987.0 and lc.check.status == "unverified"


def test_something_numeric_that_cannot_be_read_is_a_finding(index: FactIndex) -> None:
    (lc,) = located_checks("Model 1.1.0.19.126429 projects revenue growth.", index, section="t")
    assert lc.check.status == "unparsed" and lc.check.written == "1.1.0.19.126429"
    assert lc.check.note and lc.check.note.startswith("unparsed number")
    statuses = {
        c.check.written: c.check.status
        for c in located_checks("Revenue was 987abc and 1,23,456.", index, section="t")
    }
    assert statuses == {"987abc": "unparsed", "1,23,456.": "unparsed"}


@pytest.mark.parametrize(
    "sentence",
    [
        "Gross margin was **16.19%** in the TTM period.",
        "Gross margin was <b>16.19%</b> in the TTM period.",
        "Gross margin was 16\u200b.19% in the TTM period.",
        "Gross margin was \uff11\uff16.\uff11\uff19% in the TTM period.",
        "TTM revenue was RMB 9.02BN.",
        "TTM revenue was RMB 9,020MM.",
        "TTM revenue was 9.02e9 yuan.",
        "TTM revenue was about nine billion yuan.",
    ],
)
def test_the_same_forms_verify_when_the_number_is_right(sentence: str, index: FactIndex) -> None:
    assert [lc.check.status for lc in located_checks(sentence, index, section="t")] == ["verified"]
