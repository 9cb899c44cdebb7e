"""Importers: fill a bundle from real source formats (SEC companyfacts, statement CSVs, OHLCV CSVs,
earnings-call transcripts). Each is all-or-nothing and honours `--as-of` (see bundle_io.commit)."""

from pipeline.inputs.importers.bundle_io import ProfileOptions
from pipeline.inputs.importers.prices import import_prices, read_ohlcv
from pipeline.inputs.importers.sec import import_sec, sec_periods
from pipeline.inputs.importers.statements import import_statements, statement_periods
from pipeline.inputs.importers.transcripts import import_transcript

__all__ = [
    "ProfileOptions",
    "import_prices",
    "import_sec",
    "import_statements",
    "import_transcript",
    "read_ohlcv",
    "sec_periods",
    "statement_periods",
]
