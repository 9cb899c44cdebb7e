"""Stage 4, the report: the typed document (document.py), the page sections built from the bundle and
metrics alone (page_sections.py), and `assemble_report` (assemble.py), which merges the model's checked prose
into them through the section registry.
"""

from pipeline.report.document import PageSections, Report

__all__ = ["PageSections", "Report"]
