"""Importers: fill a bundle from real source formats (SEC companyfacts, statement CSVs, OHLCV CSVs,
earnings-call transcripts). Each is all-or-nothing and honours `--as-of` (see bundle_io.commit).

One module per format (prices, sec, statements, transcripts) and per part (parts.py); import from those.
Nothing is imported here, so the CLI can read the part registry to list its commands without loading every
importer and pandas (`stockreport --help`).
"""
