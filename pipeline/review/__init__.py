"""Reviewing model output: record answers, replay them offline, diff two reports, evaluate a set of reports.

`record.py` (record_bundle), `replay.py` (ReplayChatModel behind `--model replay:<model>`), `diff.py`
(diff_reports), `evaluate.py` (evaluate_report). See docs/reviewing.md.
"""

from pathlib import Path

# Where `record` writes and `replay:` reads unless told otherwise: the working directory, never the
# installed package or this repository's fixtures (tests point $STOCKREPORT_RECORDED at fixtures/recorded).
DEFAULT_RECORDINGS = Path("recordings")
