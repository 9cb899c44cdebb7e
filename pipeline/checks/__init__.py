"""Checks (used by stage 3, narrate): every number of the model's prose against the bundle and metrics;
direction, tone, sentiment evidence, growth bases.

    index = build_fact_index(loaded, metrics)
    checks = check_answer(answer, index)     # [NumberCheck(section, sentence, written, status, source, ...)]

The match rule is documented in match.py and docs/number-checks.md.
"""

from pipeline.checks.answer_checks import (
    LocatedCheck,
    NumberCheck,
    check_answer,
    check_text,
    located_checks,
    silent_neutrals,
)
from pipeline.checks.fact_index import Fact, FactIndex, build_fact_index, build_text_index
from pipeline.checks.match import MatchConfig
from pipeline.checks.tone import ToneCheck, check_tone
from pipeline.checks.written_numbers import WrittenNumber, extract_numbers, scan, split_sentences

__all__ = [
    "Fact",
    "FactIndex",
    "LocatedCheck",
    "MatchConfig",
    "NumberCheck",
    "ToneCheck",
    "WrittenNumber",
    "build_fact_index",
    "build_text_index",
    "check_answer",
    "check_text",
    "check_tone",
    "extract_numbers",
    "located_checks",
    "scan",
    "silent_neutrals",
    "split_sentences",
]
