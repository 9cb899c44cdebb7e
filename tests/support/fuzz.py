"""Fuzzing knobs shared by the randomised tests: a fixed seed in CI, more examples on demand.

- STOCKREPORT_FUZZ_SEED: the seed every Hypothesis test runs with (default 0, so CI is repeatable). A
  failure report names it; `STOCKREPORT_FUZZ_SEED=random` draws a fresh one (printed in the header).
- STOCKREPORT_FUZZ_EXAMPLES: how many bundles the hardening fuzz runs end to end (default 1,070); every
  other Hypothesis test scales its example count by the same factor (`scaled`), and a count above the
  default selects the `stockreport-deep` profile. E.g. STOCKREPORT_FUZZ_EXAMPLES=10700 (10x) for a deeper
  run before a release, STOCKREPORT_FUZZ_SEED=random to draw new cases.

CI runs the default: a fixed seed, no example database, so two runs of one commit test the same cases.
"""

from __future__ import annotations

import os
import random

SEED_ENV = "STOCKREPORT_FUZZ_SEED"
EXAMPLES_ENV = "STOCKREPORT_FUZZ_EXAMPLES"
DEFAULT_SEED = 0
DEFAULT_EXAMPLES = 1070  # the hardening fuzz: 400 JSON + 140 number + 200 byte + 330 price-file mutations


def fuzz_seed() -> int:
    raw = os.environ.get(SEED_ENV, "").strip()
    if raw == "random":
        return random.SystemRandom().randrange(2**32)
    return int(raw) if raw else DEFAULT_SEED


def fuzz_examples() -> int:
    raw = os.environ.get(EXAMPLES_ENV, "").strip()
    return max(1, int(raw)) if raw else DEFAULT_EXAMPLES


def scaled(n: int) -> int:
    """`n` examples at the default depth, scaled to STOCKREPORT_FUZZ_EXAMPLES."""
    return max(1, round(n * fuzz_examples() / DEFAULT_EXAMPLES))


def fuzz_profile() -> str:
    """The Hypothesis profile tests/conftest.py loads: deep when more examples than the default are asked."""
    return "stockreport-deep" if fuzz_examples() > DEFAULT_EXAMPLES else "stockreport-ci"
