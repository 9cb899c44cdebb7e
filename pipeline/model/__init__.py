"""Chat models, whatever the stage: providers and selection (providers.py), one structured answer with retries
and validation (ask.py), run metadata (call_meta.py), the answer cache, the cost table and the spend ledger.

Entry points: `resolve_model(spec)` (providers.py) and `ask(resolved, meta, messages, schema)` (ask.py). Nothing
here knows the stages that use it; the offline and replay models register as providers from outside.
"""

from __future__ import annotations
