"""Keep secrets out of anything shown or stored: error messages, log lines, manifests, reports, caches.

Keys come only from the environment, but a provider (or a proxy in front of one) may echo the key back in
an error body, and libraries log exceptions at debug level. `redact(text)` replaces
- the value of every environment variable whose name looks secret (…_KEY, …_TOKEN, …_SECRET, …PASSWORD)
  and is at least 8 characters long, and
- anything shaped like a provider key or bearer token (sk-…, sk-ant-…, AIza…, "Bearer …"),
with "[redacted]".

It is applied where text leaves the process, so nothing needs to remember to call it:
- every line shown: `stockreport`'s entry point (`cli.app.main`) wraps sys.stdout and sys.stderr in
  `RedactingStream`, so rich consoles, log handlers, click's usage errors and Python's own tracebacks all
  pass through it;
- every file written: `files.atomic_write_many` (reports, manifests, bundles, recordings) runs text
  through `redact_bytes`; the answer cache and the OpenAI-batch answer store call `redact` on what they store.
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any, TextIO

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


def redact_bytes(data: bytes) -> bytes:
    """`redact` over UTF-8 text; other bytes (a PDF, say) are returned as they are."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    clean = redact(text)
    return data if clean == text else clean.encode("utf-8")


class RedactingStream:
    """A text stream that masks secrets in everything written through it.

    Text is passed on a line at a time (and on `flush`), so a key written in two pieces is still seen whole.
    The binary `buffer` of the wrapped stream is not exposed: writers that look for it (click) fall back to
    text writes, which pass through here.
    """

    def __init__(self, target: TextIO) -> None:
        self.target = target
        self._pending = ""

    def write(self, text: str) -> int:
        self._pending += text
        if "\n" in self._pending:
            done, _, self._pending = self._pending.rpartition("\n")
            self.target.write(redact(done + "\n"))
        return len(text)

    def flush(self) -> None:
        if self._pending:
            text, self._pending = self._pending, ""
            self.target.write(redact(text))
        self.target.flush()

    def writelines(self, lines: list[str]) -> None:
        for line in lines:
            self.write(line)

    def isatty(self) -> bool:
        return bool(self.target.isatty())

    def __getattr__(self, name: str) -> Any:
        if name == "buffer":
            raise AttributeError(name)
        return getattr(self.target, name)
