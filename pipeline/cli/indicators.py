"""`stockreport indicators PRICES.csv`: the daily indicator table as CSV (see pipeline/metrics/technicals.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.app import app

FLOAT_FORMAT = "%.12g"  # 12 significant digits: well inside the 1e-6 the TA-Lib comparison needs


@app.command()
def indicators(
    prices: Annotated[Path, typer.Argument(help="Canonical price file: Date,Open,High,Low,Close,Volume.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the CSV here instead of stdout.")
    ] = None,
) -> None:
    """Write SMA 20/50/100/200, MACD(12,26,9), RSI(14) and slow STOCH(14,3,3) for every day, as CSV."""
    from pipeline.files import atomic_write_text
    from pipeline.inputs.prices import read_price_csv
    from pipeline.metrics.technicals import indicator_table

    table = indicator_table(read_price_csv(prices))
    table.index = table.index.strftime("%Y-%m-%d")
    text = table.to_csv(float_format=FLOAT_FORMAT, lineterminator="\n", na_rep="")
    if out is None:
        sys.stdout.write(text)
    else:
        atomic_write_text(out, text)
