"""ECTSum reference summaries against their own transcripts (issues 5 and 12).

Measured (benchmarks/numcheck_ectsum.py prints the table): 88 of 117 summary numbers verified (75.2%). The
117 include eight period labels ("fiscal 2022", "q3 2020") that are now checked as periods where the old
check read them as bare years, and "fy22", which it did not see. Before issue 12 the check verified 96 of
116 by value alone, four of them by coincidence (IBM's "60%" gross margin against "60% of our hires", P&G's
"five percent" against another segment's 5%, Corning's "2022" market-access outlook and Aflac's "first half
of 2021" against unrelated years); now a number verifies only when its sentence names what the transcript
says it is. The rest of the misses are figures the summaries took from press releases (the Refinitiv
estimate "$6.24 billion", Aflac's "¥333.8 billion") or whose subject the transcript gives a few sentences
earlier than the check reads (Corning's Display "$942 million"). A figure finer than the call's ("$11.33
billion" for "$11.3 billion", 3 significant figures or more) verifies as "source rounded", and a year that
opens a call sentence ("As we look to 2022, ...") is the time of all of it. The call's quarter comes from the
input (`EarningsCall.quarter`, read from the pair's file name as `stockreport import transcript` reads it), and a
scope word the summary adds verifies when the call uses it for the same thing ("external sales to Kyndryl"). A
name the call writes ("Optical Communications", "Family Care") narrows the summary's lower-case "optical
communications sales" or "family care segment organic sales" as it would a cased one.

The floor was 0.80 (94 of 117) until issue 12d lowered it to 0.75 (88 of 117): a reader re-reading the 94
found numbers verified against the wrong fact, and the check now refuses them by general rules (pairing.py,
context.modifiers, fact_index._topic_words): P&G's "grooming segment" and "beauty segment" figures against the
company's total and outlook (the words before "segment" name a part; a sentence running through the parts is
no single part's topic), CVS's total revenue "rose 10.1% to $76.6 billion" (twice) against a segment's "20.7
billion increased by 10.1%" (a change paired with another level), CVS's "20 million covid-19 vaccines"
against "22 million OTC COVID-19 tests" (another counted noun), and ServiceNow's Q3 "$1,091 million,
representing 31% growth" against the full-year guide "$4.257 billion ..., representing 31%". Corning's
Display "12%" now cites Display's own sentence ("$942 million, up 12%") instead of the company's "$3.7 billion,
up 12%". The floor fails on any real regression.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
ECTSUM = REPO / "fixtures" / "data" / "transcripts" / "ectsum"
FLOOR = 0.75  # 88/117 after issue 12d refused six wrong matches and found a seventh (see above)


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "numcheck_ectsum", REPO / "benchmarks" / "numcheck_ectsum.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results() -> list:  # type: ignore[type-arg]
    return _bench().run(ECTSUM)


def test_all_pairs_are_checked(results: list) -> None:  # type: ignore[type-arg]
    assert len(results) == 12
    assert all(r.total > 0 for r in results)


def test_total_share_matched_is_above_the_floor(results: list) -> None:  # type: ignore[type-arg]
    matched, total = sum(r.matched for r in results), sum(r.total for r in results)
    assert total >= 100
    assert matched / total >= FLOOR, _bench().table(results)


@pytest.mark.parametrize(
    ("pair", "written", "status"),
    [
        ("DE_q4_2021", "$1.283 billion", "verified"),
        # the call says $5.96 billion and $11.3 billion: the summary's figures round to them ("source rounded")
        ("DE_q4_2021", "$5.963 billion", "verified"),
        ("DE_q4_2021", "$11.33 billion", "verified"),
        (
            "IBM_q4_2021",
            "2022",
            "verified",
        ),  # "As we look to 2022, we expect mid-single-digit revenue growth"
        ("CRM_q2_2022", "$26.2 billion", "unverified"),  # the call's guide is $26.3 billion
        (
            "AFL_q4_2020",
            "3.5%",
            "verified",
        ),  # "net premium income ... 3.5% lower than year ago": earned premium
        ("CRM_q2_2022", "$6.24 billion", "unverified"),  # an analyst estimate, not in the call
        ("UNP_q2_2021", "55.1%", "verified"),
        # the call gives Grooming only as "up mid-singles"; its 4% is the company's total
        ("PG_q1_2022", "four percent", "unverified"),
        ("MSI_q3_2021", "$9.00", "verified"),
        # coincidences the value-only check verified: the transcript's number is about something else
        ("IBM_q4_2021", "60%", "unverified"),  # "60% of our hires", not the gross profit margin
        ("PG_q1_2022", "five percent", "unverified"),  # no Fabric and Home Care 5% in the call
        ("NOW_q3_2020", "q3 2020", "verified"),  # a period label is checked as a period
        # the call's quarter, as `import transcript` reads it from the file name: the call never says "fiscal"
        ("HD_q3_2021", "q3 of fiscal 2021", "verified"),
        # "external sales to Kyndryl" is the call's own name for the new relationship's revenue
        ("IBM_q4_2021", "3.5 points", "verified"),
        # Display's figure, but the transcript lost the Display header: the topic before it is Optical
        ("GLW_q4_2021", "$942 million", "unverified"),
        # the call's 24% is Life Sciences' growth, not Optical Communications'
        ("GLW_q4_2021", "24%", "unverified"),
        # the call's 10.1% is a segment's ("adjusted revenue of 20.7 billion increased by 10.1%"), not the
        # total's "$76.6 billion"
        ("CVS_q4_2021", "10.1%", "unverified"),
        # the call's "22 million OTC COVID-19 tests" are not vaccines
        ("CVS_q4_2021", "20 million", "unverified"),
        # the call's 31% is the full-year guide's growth ("$4.257 billion ..., representing 31%"), not Q3's
        ("NOW_q3_2020", "31%", "unverified"),
        # Display's own sentence: "sales were $942 million, up 12% year over year"
        ("GLW_q4_2021", "12%", "verified"),
    ],
)
def test_known_numbers(results: list, pair: str, written: str, status: str) -> None:  # type: ignore[type-arg]
    (result,) = [r for r in results if r.name == pair]
    hits = [c for c in result.checks if c.written == written]
    assert hits and hits[0].status == status, [(c.written, c.status) for c in result.checks]


def test_a_range_cites_the_source_sentence_of_its_other_end(results: list) -> None:  # type: ignore[type-arg]
    """A range ("sees q1 sales $3.5 billion to $3.7 billion") cites the call's guidance sentence, not "2021
    sales grew 17% to $3.7 billion", which also agrees in value."""
    (glw,) = [r for r in results if r.name == "GLW_q4_2021"]
    (check,) = [c for c in glw.checks if c.written == "$3.7 billion" and "q1" in c.sentence]
    assert check.status == "verified" and "$3.5 billion to $3.7 billion" in (check.label or "")


def test_a_segments_figure_is_not_the_companys_outlook(results: list) -> None:  # type: ignore[type-arg]
    """The summary's "baby, feminine and family care segment organic sales increased two percent": the
    call's 2% is the company's full-year outlook ("organic sales growth in the range of 2% to 4%")."""
    (pg,) = [r for r in results if r.name == "PG_q1_2022"]
    (check,) = [c for c in pg.checks if c.written == "two percent" and "family care" in c.sentence]
    assert check.status == "unverified", check.label


@pytest.mark.parametrize(("part", "written"), [("grooming", "four percent"), ("beauty", "two percent")])
def test_a_parts_figure_is_not_the_companys(results: list, part: str, written: str) -> None:  # type: ignore[type-arg]
    """ "qtrly grooming segment organic sales increased four percent" and "qtrly beauty segment ... two
    percent": the call's 4% is the company's total and its 2% the company's outlook."""
    (pg,) = [r for r in results if r.name == "PG_q1_2022"]
    (check,) = [c for c in pg.checks if c.written == written and part in c.sentence]
    assert check.status == "unverified", check.label


def test_every_cvs_total_revenue_change_is_unverified(results: list) -> None:  # type: ignore[type-arg]
    (cvs,) = [r for r in results if r.name == "CVS_q4_2021"]
    checks = [c for c in cvs.checks if c.written == "10.1%"]
    assert len(checks) == 2 and all(c.status == "unverified" for c in checks)


def test_a_fiscal_year_range_cites_the_full_year_guide(results: list) -> None:  # type: ignore[type-arg]
    """ "sees fy revenue growth of 10% to 10.25%": the call's full-year guide, not International's Q3 "up 10%"."""
    (msi,) = [r for r in results if r.name == "MSI_q3_2021"]
    checks = [c for c in msi.checks if c.written in ("10", "10%")]
    assert len(checks) == 2 and all("full year" in (c.label or "") for c in checks), checks
