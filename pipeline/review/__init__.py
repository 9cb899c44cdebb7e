"""Reviewing model output: record answers, replay them offline, diff two reports, evaluate a set of reports.

`record.py` (record_bundle), `replay.py` (ReplayChatModel behind `--model replay:<model>`), `diff.py`
(diff_reports), `evaluate.py` (evaluate_report). See docs/reviewing.md.
"""
