"""Keep secrets out of anything shown or stored: error messages, log lines, manifests, reports, caches.

Keys come only from the environment, but a provider (or a proxy in front of one) may echo the key back in
an error body, and libraries log exceptions at debug level. `redact(text)` replaces
- the value of every environment variable whose name looks secret (…_KEY, …_TOKEN, …_SECRET, …PASSWORD)
  and is at least 8 characters long, and
- anything shaped like a provider key or bearer token (sk-…, sk-ant-…, AIza…, "Bearer …"),
- the credentials of a URL (`http://alice:PASS@host/v1`): the userinfo of any URL in the text, and the
  password and `user:password` of every URL the run was given (`--base-url`, registered by
  `add_url_credentials`) or finds in the environment (`OPENAI_BASE_URL`, proxies), wherever they appear
  (a proxy may echo them back without the URL around them),
with "[redacted]", in the forms the writers spell them too: a JSON string, HTML, the Markdown escaper's
(`sk-proj-a_b` is `sk-proj-a\\_b` in report.md) and percent-encoding. Any other spelling (a repr, JSON
`\\u` escapes, entities, a second escaping, a secret split in two or cut into a fragment) still carries the
secret's runs of letters and digits, which no escaping touches: every 8-character stretch of such a run that
looks random (letters and digits mixed, or a lower-upper case change; so neither a dictionary word inside a
password nor a bare number is masked in a report) is masked wherever it appears, case-insensitively, with
the overlapping stretches merged; also in the text as a reader sees it (invisible characters removed) and
in its NFKC form (full-width letters). Not covered: a secret re-encoded (base64, hex), in look-alike letters
NFKC does not map (Cyrillic), short and word-like, or made of digits alone (a figure to the reader; masking it
inside a JSON number would break the file).
`without_userinfo` gives the URL to keep where a URL must be stored (the cache key).

It is applied where text leaves the process, so nothing needs to remember to call it:
- every line shown: `stockreport`'s entry point (`cli.app.main`) wraps sys.stdout and sys.stderr in
  `RedactingStream`, so rich consoles, log handlers, click's usage errors and Python's own tracebacks all
  pass through it;
- every file written: `files.atomic_write_many` (reports, manifests, bundles, recordings) runs text
  through `redact_bytes`; the answer cache and the OpenAI-batch answer store call `redact` on what they store.
"""

from __future__ import annotations

import dataclasses
import functools
import html
import json
import logging
import os
import re
import unicodedata
from typing import Any, TextIO
from urllib.parse import quote, quote_plus, unquote, urlsplit

from pipeline.render.markdown_escape import md_inline
from pipeline.render.text import visible

_SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD)S?$", re.I)
# A key's characters, each possibly backslash-escaped (the Markdown writer escapes '_' and some '.').
_KEY_SHAPES = re.compile(
    r"\b(?:sk|rk|pk)-(?:\\?[A-Za-z0-9_\-]){12,}|\bAIza(?:\\?[0-9A-Za-z_\-]){30,}"
    r"|(?<=Bearer )(?:\\?[A-Za-z0-9._\-]){12,}"
)
# 'scheme://USERINFO@': the userinfo of any URL written out (no '/', '?', '#', '@' or space inside it)
# (A scheme is at most 32 characters: unbounded, a long run of 'a-a-a-...' took quadratic time.)
_URL_USERINFO = re.compile(r"(?i)(\b[a-z][a-z0-9+.\-]{0,31}://)[^\s/?#@\[\]<>\"']+@")
_KEY_MARKERS = ("sk-", "rk-", "pk-", "AIza", "Bearer ")
MASK = "[redacted]"
MIN_PASSWORD_CHARS = 6  # a shorter password is masked only inside its URL (masking it alone would eat words)
_REGISTERED: set[str] = set()


def url_credentials(url: str | None) -> set[str]:
    """The secrets in a URL's userinfo: the password (as written and percent-decoded) and 'user:password'."""
    if not url or "@" not in url:
        return set()
    try:
        netloc = urlsplit(url.strip()).netloc
    except ValueError:
        netloc = url.split("://", 1)[-1].split("/", 1)[0]
    userinfo = netloc.rpartition("@")[0]
    if not userinfo:
        return set()
    user, _, password = userinfo.partition(":")
    found = {v for v in (password, unquote(password)) if len(v) >= MIN_PASSWORD_CHARS}
    if password and len(userinfo) >= MIN_PASSWORD_CHARS:
        found |= {userinfo, unquote(userinfo)}
    return found


def add_url_credentials(url: str | None) -> None:
    """From now on, mask the credentials of `url` (a --base-url) in everything shown or written."""
    _REGISTERED.update(url_credentials(url))


def add_secret(value: str) -> None:
    """From now on, mask `value` (a key made for this run, say) in everything shown or written."""
    if len(value) >= MIN_PASSWORD_CHARS:
        _REGISTERED.add(value)


def without_userinfo(url: str) -> str:
    """`url` without its credentials ('http://alice:PASS@host/v1' -> 'http://host/v1')."""
    return _URL_USERINFO.sub(r"\1", url)


@functools.lru_cache(maxsize=256)
def written_forms(value: str) -> frozenset[str]:
    """`value` as the writers may spell it: itself, inside a JSON string (ASCII-only or not), in HTML (the
    report page), through the Markdown escaper (report.md) and percent-encoded (a URL)."""
    forms = {
        value,
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        html.escape(value),
        html.escape(value, quote=False),
        html.escape(value).replace("&quot;", "&#34;").replace("&#x27;", "&#39;"),  # Jinja's (MarkupSafe)
        md_inline(value),
        quote(value, safe=""),
        quote_plus(value),
    }
    return frozenset(f for f in forms if f)


def _secret_values() -> list[str]:
    # Not a secret made of digits alone: it cannot be told from a figure, and masking it inside a JSON number
    # would break the file.
    values = {
        v for k, v in os.environ.items() if _SECRET_NAME.search(k) and len(v) >= 8 and not v.strip().isdigit()
    }
    for value in os.environ.values():
        if "://" in value and "@" in value:
            values |= url_credentials(value)
    values |= _REGISTERED
    forms = {form for value in values for form in written_forms(value)}
    return sorted(forms, key=len, reverse=True)  # longest first, so a key inside another is not half-masked


# A fragment this long of a secret's run of letters and digits is masked (shorter ones are too common).
FRAGMENT_CHARS = 8
_RUNS = re.compile(r"[A-Za-z0-9]+")


def _random_looking(piece: str) -> bool:
    """Letters and digits mixed, or a lower-upper case change: not a word, and not a bare number (masking
    digits alone could cut into a figure, or into a number inside a JSON file)."""
    mixed = any(c.isdigit() for c in piece) and any(c.isalpha() for c in piece)
    return mixed or re.search(r"[a-z][A-Z]", piece) is not None


@dataclasses.dataclass(frozen=True)
class _Fragments:
    lowered: tuple[str, ...]  # the stretches, lower-case: `in` finds them ~10x faster than the pattern
    pattern: re.Pattern[str]


@functools.lru_cache(maxsize=64)
def _fragments(secrets: tuple[str, ...]) -> _Fragments | None:
    """Every random-looking FRAGMENT_CHARS-long stretch of the secrets' letter-digit runs, and one pattern
    that finds them all."""
    pieces = {
        run[i : i + FRAGMENT_CHARS]
        for secret in secrets
        for run in _RUNS.findall(secret)
        for i in range(len(run) - FRAGMENT_CHARS + 1)
        if _random_looking(run[i : i + FRAGMENT_CHARS])
    }
    if not pieces:
        return None
    # A lookahead finds every start, overlapping ones included, so the stretches can be merged.
    pattern = re.compile("(?=(" + "|".join(map(re.escape, sorted(pieces))) + "))", re.IGNORECASE)
    return _Fragments(tuple(p.lower() for p in pieces), pattern)


def _mask_fragments(text: str, fragments: _Fragments) -> str:
    lowered = text.lower()
    if not any(piece in lowered for piece in fragments.lowered):  # the usual case, and the pattern's cost
        return text
    spans: list[list[int]] = []
    for m in fragments.pattern.finditer(text):
        start, end = m.start(), m.start() + len(m.group(1))
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    for start, end in reversed(spans):
        text = text[:start] + MASK + text[end:]
    return text


def redact(text: str) -> str:
    return _redact(text, _secret_values())


def _redact(text: str, secrets: list[str]) -> str:
    """Masked; and if invisible characters or compatibility look-alikes hide a secret (a zero-width space
    every few characters, full-width letters), the text as a reader sees it (`visible`, what every report
    format shows; then NFKC, as the number check reads it), masked."""
    shown = visible(text)
    normal = unicodedata.normalize("NFKC", shown)  # full-width 'ｓｋ－ｐｒｏｊ' reads as 'sk-proj'
    for seen in (shown, normal):
        if seen != text and (unhidden := _redact_as_written(seen, secrets)) != seen:
            return unhidden
    return _redact_as_written(text, secrets)


def _redact_as_written(text: str, secrets: list[str]) -> str:
    if "://" in text:  # the regex scans are the cost of a large file: only where they can match
        text = _URL_USERINFO.sub(rf"\1{MASK}@", text)
    for value in secrets:
        if value in text:
            text = text.replace(value, MASK)
    if (fragments := _fragments(tuple(secrets))) is not None:
        text = _mask_fragments(text, fragments)
    return _KEY_SHAPES.sub(MASK, text) if any(m in text for m in _KEY_MARKERS) else text


def redact_strings(obj: Any) -> Any:
    """`redact` on every string inside JSON-like data (dicts, lists), keys included: a model's answer, masked
    before anything reads it, so no part of a secret it echoes (a number's written form in the appendix, a
    cut excerpt) can reach a report, which masking whole values on the way out would miss."""
    secrets = _secret_values()

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return _redact(value, secrets)
        if isinstance(value, dict):
            return {walk(k): walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return walk(obj)


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
