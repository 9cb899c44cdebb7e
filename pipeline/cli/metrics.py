"""`stockreport metrics BUNDLE [--json]`: every computed figure of a bundle (`compute_metrics`).

`--json` prints `Metrics.model_dump(mode="json")` (keys documented in docs/metrics.md); without it,
a short table.
Sentiment labels may be passed so the earnings-call and events sub-scores exist without the model step.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from pipeline.cli.app import BundleDir, app, out

if TYPE_CHECKING:
    from pipeline.metrics.types import Figure, Metrics


class SentimentOption(StrEnum):
    Positive = "Positive"
    Neutral = "Neutral"
    Negative = "Negative"


def _show(fig: Figure | None) -> str:
    if fig is None:
        return "-"
    if fig.status != "ok" or fig.value is None:
        return fig.status.replace("_", " ")
    suffix = "%" if fig.unit == "pct" else ""
    return f"{fig.value:,.2f}{suffix}"


def _table(m: Metrics) -> None:
    sc = m.score
    provisional = " provisional" if sc.provisional else ""
    out.print(
        f"[bold]{m.ticker}[/bold] as of {m.as_of}: overall {sc.overall}{provisional} ({sc.label}), "
        f"coverage {sc.coverage_pct:.0f}% of the nominal weight"
    )
    for part in sc.missing_parts:
        out.print(f"  not scored: {part.title}: {part.reason}", markup=False)
    if sc.model_influence:
        mi = sc.model_influence
        out.print(
            f"  model-read sentiment moved it {mi.shift:+d} from {mi.neutral} at Neutral (bound "
            f"±{mi.bound:.1f}); without those parts: {mi.without}",
            markup=False,
        )
    for age in m.ages:
        out.print(f"  age: {age.text}", markup=False)
    if m.fundamentals and m.fundamentals.periods:
        f = m.fundamentals
        t = Table(title=f"Fundamentals ({f.currency}, {f.scale}; ROE on {f.roe_basis.replace('_', ' ')})")
        t.add_column("metric")
        shown = f.periods[:4]
        for p in shown:
            t.add_column(p.label, justify="right")
        for key in shown[0].figures:
            t.add_row(key, *(_show(p.figures.get(key)) for p in shown))
        out.print(t)
    s = Table(title="Scores")
    for col in ("sub-score", "score", "label", "weight"):
        s.add_column(col)
    for sub in m.score.subscores:
        s.add_row(
            sub.title, "-" if sub.score is None else str(sub.score), sub.label or "-", f"{sub.weight:.2f}"
        )
    out.print(s)
    out.print("valuation: " + ", ".join(f"{k} {_show(v)}" for k, v in m.valuation.items()))
    tech = m.technicals
    out.print(f"technicals ({tech.origin}): last price {tech.last_price}, sentiment {tech.sentiment or '-'}")
    pt = m.price_target
    if pt:
        up = "-" if pt.upside_pct is None else f"{pt.upside_pct:.2f}%"
        out.print(f"price target: {pt.currency} {pt.target:.2f} ({pt.rating}), upside {up}")
    if m.missing:
        out.print("missing: " + ", ".join(m.missing))


@app.command()
def metrics(
    bundle_dir: BundleDir,
    as_json: Annotated[bool, typer.Option("--json", help="Print all metrics as JSON.")] = False,
    call_sentiment: Annotated[
        SentimentOption | None,
        typer.Option("--call-sentiment", help="Earnings-call sentiment label for its sub-score."),
    ] = None,
    events_sentiment: Annotated[
        SentimentOption | None,
        typer.Option("--events-sentiment", help="Corporate-events sentiment label for its sub-score."),
    ] = None,
) -> None:
    """Compute fundamentals, technicals, valuation, sub-scores, overall score and price target."""
    from pipeline.inputs import load_bundle
    from pipeline.metrics import compute_metrics
    from pipeline.metrics.types import Sentiments

    sentiments = Sentiments(
        earnings_call=call_sentiment.value if call_sentiment else None,
        corporate_events=events_sentiment.value if events_sentiment else None,
    )
    result = compute_metrics(load_bundle(bundle_dir), sentiments)
    if as_json:
        # Plain print, not rich: the output must be exact JSON for pipes.
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        _table(result)
