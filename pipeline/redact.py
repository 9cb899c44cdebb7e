"""Keep secrets out of anything shown or stored: error messages, log lines, manifests.

Keys come only from the environment, but a provider (or a proxy in front of one) may echo the key back in
an error body, and libraries log exceptions at debug level. `redact(text)` replaces
- the value of every environment variable whose name looks secret (…_KEY, …_TOKEN, …_SECRET, …PASSWORD)
  and is at least 8 characters long, and
- anything shaped like a provider key or bearer token (sk-…, sk-ant-…, AIza…, "Bearer …"),
with "[redacted]".
"""

from __future__ import annotations

import logging
import os
import re

_SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD)S?$", re.I)
_KEY_SHAPES = re.compile(
    r"\b(?:sk|rk|pk)-[A-Za-z0-9_\-]{12,}|\bAIza[0-9A-Za-z_\-]{30,}|(?<=Bearer )[A-Za-z0-9._\-]{12,}"
)
MASK = "[redacted]"


def _secret_values() -> list[str]:
    values = {v for k, v in os.environ.items() if _SECRET_NAME.search(k) and len(v) >= 8}
    return sorted(values, key=len, reverse=True)  # longest first, so a key inside another is not half-masked


def redact(text: str) -> str:
    for value in _secret_values():
        if value in text:
            text = text.replace(value, MASK)
    return _KEY_SHAPES.sub(MASK, text)


class RedactingFormatter(logging.Formatter):
    """A log formatter whose output (message, arguments and traceback) has secrets masked."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
