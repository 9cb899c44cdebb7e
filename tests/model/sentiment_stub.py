"""A local OpenAI-compatible stub that gives chosen sentiment labels and quotes, run through `stockreport generate`.

Every section is answered like the offline model (tests/hardening/model_server.py); the earnings-call and events
answers then get the scenario's label and evidence. `python -m tests.model.sentiment_stub` prints the table of
the closing note of issue 13 (HK_3896 and a profitable variant of it).
"""

from __future__ import annotations

import copy
import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.hardening.model_server import ModelServer
from tests.support.cli import run_cli

REPO = Path(__file__).resolve().parents[2]
HK = REPO / "fixtures" / "bundles" / "HK_3896"
# Sentences that are in HK_3896's call notes and event summaries (verbatim), read as negative.
CALL_QUOTE = (
    "Adjusted gross margin was 17% this quarter, affected by higher cost of service, upfront costs for "
    "new customers, and price pressure of scale clusters."
)
EVENTS_QUOTE = (
    "The announcement may impact stakeholders' perception of the company's financial health and "
    "strategic direction."
)
FABRICATED = "Management warned that revenue collapsed and the company may not survive the year."


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str | None  # None: keep the offline writer's own answer
    quotes: str  # "model": keep the answer's quotes; "none"; "fabricated"; "verbatim"


SCENARIOS = (
    Scenario("offline answers", None, "model"),
    Scenario("Insufficient data, no quotes", "Insufficient data", "none"),
    Scenario("Negative, no quotes", "Negative", "none"),
    Scenario("Negative, invented quote", "Negative", "fabricated"),
    Scenario("Negative, verbatim quotes", "Negative", "verbatim"),
    Scenario("Positive, verbatim negative quotes", "Positive", "verbatim"),  # quotes exist: the label counts
)


def transform(scenario: Scenario) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def apply(answer: dict[str, Any]) -> dict[str, Any]:
        if "sentiment" not in answer or scenario.label is None:
            return answer
        out = dict(answer, sentiment=scenario.label)
        is_call = "guidance" in answer
        if scenario.label in ("Positive", "Negative"):
            # a hostile model that is consistent: its own summary states the label it gives, so only the
            # quotes can refuse it (a summary saying another label is refused on its own: evidence.py)
            what = "earnings call" if is_call else "corporate events"
            out["summary"] = f"The {what} read {scenario.label} on balance."
        if scenario.quotes == "none":
            out["evidence"] = []
        elif scenario.quotes == "fabricated":
            out["evidence"] = [FABRICATED]
        elif scenario.quotes == "verbatim":
            out["evidence"] = [CALL_QUOTE if is_call else EVENTS_QUOTE]
        return out

    return apply


def profitable_variant(root: Path) -> Path:
    """HK_3896 with profitable statements and a capex line (the issue's 'variant with profitable statements')."""
    target = root / "HK_PROFIT"
    shutil.copytree(HK, target)
    data = json.loads((target / "bundle.json").read_text())
    for period in data["financials"]["periods"]:
        inc, cf = period["income"], period["cash_flow"]
        inc["gross_profit"] = round(inc["revenue"] * 0.45, 2)
        inc["operating_income"] = round(inc["revenue"] * 0.16, 2)
        inc["net_income"] = round(inc["revenue"] * 0.12, 2)
        cf["operating_cash_flow"] = round(inc["revenue"] * 0.2, 2)
        cf["capital_expenditure"] = round(inc["revenue"] * 0.05, 2)
        cf.pop("free_cash_flow", None)
        period["balance"]["current_assets"] = 9000
        period["balance"]["current_liabilities"] = 5000
    data["market"]["pe_ratio"] = 14.0
    data["market"]["dividend_yield_pct"] = 2.0
    (target / "bundle.json").write_text(json.dumps(data, indent=1))
    return target


def run(
    bundle: Path, scenario: Scenario, out: Path, capsys: pytest.CaptureFixture[str] | None = None
) -> dict[str, Any]:
    """report.json of `stockreport generate BUNDLE` against the stub playing `scenario`."""
    with ModelServer(transform=transform(scenario)) as server:
        args = [
            "generate",
            str(bundle),
            "--model",
            "openai-compatible:stub-sentiment",
            "--base-url",
            server.base_url,
            "--out",
            str(out),
            "--format",
            "json",
            "--format",
            "md",
            "--no-cache",
        ]
        if capsys is not None:
            code, _, err = run_cli(args, capsys)
            assert code == 0, err
        else:
            import subprocess

            proc = subprocess.run(
                [sys.executable, "-m", "pipeline", *args],
                capture_output=True,
                text=True,
                cwd=REPO,
                timeout=120,
            )
            assert proc.returncode == 0, proc.stderr
    folder = next(p for p in out.iterdir() if p.is_dir())
    report: dict[str, Any] = json.loads((folder / "report.json").read_text())
    return report


def row(name: str, report: dict[str, Any]) -> str:
    sc, secs = report["score"], report["sections"]
    mi = sc["model_influence"] or {}
    flags = sum("[sentiment evidence]" in f for f in report["flagged_sentences"])
    return (
        f"| {name} | {secs['earnings_call']['model_sentiment']} / {secs['events']['model_sentiment']} | "
        f"{secs['earnings_call']['sentiment']} / {secs['events']['sentiment']} | {sc['overall']} {sc['label']} | "
        f"{mi.get('neutral')} | {mi.get('shift'):+d} | ±{mi.get('bound_points')} ({mi.get('bound'):.2f}) | "
        f"{mi.get('without')} | "
        f"{'yes' if mi.get('label_changed') else 'no'} | {flags} |"
    )


def main() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for bundle in (HK, profitable_variant(root)):
            print(f"\n{bundle.name}\n")
            print(
                "| stub answers | model labels (call / events) | counted | overall | at Neutral | shift | bound "
                "| without model-read | label model-driven | evidence flags |"
            )
            print("|---|---|---|---|---:|---:|---:|---:|---|---:|")
            for i, scenario in enumerate(SCENARIOS):
                report = run(bundle, scenario, root / f"{bundle.name}-{i}")
                print(row(scenario.name, report))


if __name__ == "__main__":
    main()


__all__ = ["SCENARIOS", "Scenario", "copy", "profitable_variant", "run"]
