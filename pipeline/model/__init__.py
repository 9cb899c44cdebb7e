"""The model step's infrastructure: model selection, the offline writer, structured answers, cache and cost.

Entry points: `resolve_model(spec)` (select.py) and `ask(resolved, section, messages, schema)`
(structured.py).
"""

from __future__ import annotations
