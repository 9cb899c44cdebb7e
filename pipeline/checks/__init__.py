"""Stage 4, checks: every number of the model's prose against the bundle and metrics; direction and tone.

    index = build_fact_index(loaded, metrics)
    checks = check_answer(answer, index)     # [NumberCheck(section, sentence, written, status, source, ...)]

The match rule is documented in match.py and docs/number-checks.md.
"""

from pipeline.checks.facts import Fact, FactIndex, build_fact_index, build_text_index
from pipeline.checks.match import MatchConfig
from pipeline.checks.numbers import WrittenNumber, extract_numbers, scan, split_sentences
from pipeline.checks.report import (
    LocatedCheck,
    NumberCheck,
    check_answer,
    check_text,
    located_checks,
    silent_neutrals,
)
from pipeline.checks.tone import ToneCheck, check_tone

__all__ = [
    "Fact", "FactIndex", "LocatedCheck", "MatchConfig", "NumberCheck", "ToneCheck", "WrittenNumber",
    "build_fact_index", "build_text_index", "check_answer", "check_text", "check_tone", "extract_numbers",
    "located_checks", "scan", "silent_neutrals", "split_sentences",
]
