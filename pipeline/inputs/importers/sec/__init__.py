"""`stockreport import sec`: SEC XBRL companyfacts -> fiscal-year and TTM periods (docs/importing.md).

facts.py reads the companyfacts file into one frame, lines.py builds each statement line from its tags
(components for debt, cash, EBIT and capex), ttm.py adds up the trailing twelve months from 10-Q filings,
importer.py assembles the periods and writes the bundle; submissions.py reads the filer's profile and filing
dates from a submissions file (`fetch sec` downloads both, pipeline/fetch/).
"""

from pipeline.inputs.importers.sec.facts import facts_frame
from pipeline.inputs.importers.sec.importer import SecDocuments, import_sec, periods_from_facts, sec_periods

__all__ = ["SecDocuments", "facts_frame", "import_sec", "periods_from_facts", "sec_periods"]
