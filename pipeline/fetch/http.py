"""GET for public data APIs, politely: one shared rate limit, retries with backoff, an on-disk cache that
revalidates.

- Rate: every request (retries included) first takes a slot from one `SlidingWindowLimiter` shared by all
  threads (for SEC EDGAR: 10 requests in any 1 s window). Answers served from the cache take none.
- Retries (tenacity): connection errors, timeouts, 429 and 5xx, up to `attempts` tries with exponential
  backoff and jitter; a `Retry-After` header is honoured (capped at RETRY_AFTER_CAP_S). Other 4xx are not
  retried: they say what is wrong (403 from SEC means an undeclared User-Agent or too many requests).
- Cache: one entry per URL under `cache_dir` (`<sha256>.json` metadata + `<sha256>.body.gz`). An entry younger
  than `max_age_s` is served without a request; an older one is revalidated with `If-None-Match` (ETag) and
  `If-Modified-Since` (Last-Modified), and a 304 serves it again. Concurrent requests for one URL wait for
  the first, so a batch downloads each file once. Entries are written atomically, body first; a body that
  does not match its metadata's sha256 is treated as absent.
- Bodies are capped (before and after decompression) at `max_bytes`.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from pipeline.batch.ratelimit import SlidingWindowLimiter
from pipeline.errors import StockreportError
from pipeline.files import atomic_write_bytes, make_folder
from pipeline.redact import without_userinfo

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_AFTER_CAP_S = 60.0
DEFAULT_MAX_BYTES = 200 * 1024 * 1024  # the largest companyfacts files are ~50 MB


def shown(url: str) -> str:
    """A URL fit to print or store: any user:password@ part removed (`redact.without_userinfo`)."""
    return without_userinfo(url)


class FetchError(StockreportError):
    """A request that failed for good (after the retries a transient failure gets)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class _Transient(Exception):
    """A failure worth another try; `retry_after` from the server when it said."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class FetchStats:
    """Counts of one client's work (thread-safe)."""

    requests: int = 0  # requests sent, every attempt
    downloads: int = 0  # 200 answers
    not_modified: int = 0  # 304 answers (cache revalidated)
    cache_hits: int = 0  # served from the cache without a request
    retries: int = 0
    bytes: int = 0
    started: list[float] = field(default_factory=list)  # monotonic start time of each request
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: int) -> None:
        with self._lock:
            for name, n in counts.items():
                setattr(self, name, getattr(self, name) + n)

    def peak_per_window(self, window_s: float = 1.0) -> int:
        """The most requests started within any `window_s`-second window."""
        times = sorted(self.started)
        best, lo = 0, 0
        for hi, t in enumerate(times):
            while times[lo] <= t - window_s:
                lo += 1
            best = max(best, hi - lo + 1)
        return best

    def summary(self) -> str:
        return (
            f"{self.requests} requests ({self.downloads} downloads, {self.not_modified} not modified, "
            f"{self.retries} retries), {self.cache_hits} served from the cache, "
            f"peak {self.peak_per_window()} requests in any 1 s"
        )


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        when = email.utils.parsedate_to_datetime(value) if value else None
        seconds = when.timestamp() - time.time() if when is not None else 0.0
    return min(max(seconds, 0.0), RETRY_AFTER_CAP_S)


@dataclass(frozen=True)
class _Entry:
    body: bytes
    etag: str | None
    last_modified: str | None
    stored_at: float


class HttpCache:
    """The on-disk cache (see the module doc)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode()).hexdigest()[:40]
        return self.folder / f"{key}.json", self.folder / f"{key}.body.gz"

    def get(self, url: str) -> _Entry | None:
        meta_path, body_path = self._paths(url)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            body = gzip.decompress(body_path.read_bytes())
        except (OSError, ValueError, EOFError, gzip.BadGzipFile):
            return None
        if not isinstance(meta, dict) or meta.get("sha256") != hashlib.sha256(body).hexdigest():
            return None  # torn or foreign entry
        return _Entry(body, meta.get("etag"), meta.get("last_modified"), float(meta.get("stored_at", 0)))

    def put(self, url: str, body: bytes, etag: str | None, last_modified: str | None) -> None:
        meta_path, body_path = self._paths(url)
        make_folder(self.folder, "the download cache folder")
        atomic_write_bytes(body_path, gzip.compress(body, compresslevel=6, mtime=0))
        self.touch(url, body, etag, last_modified)

    def touch(self, url: str, body: bytes, etag: str | None, last_modified: str | None) -> None:
        meta_path, _ = self._paths(url)
        meta = {
            "url": shown(url),
            "etag": etag,
            "last_modified": last_modified,
            "stored_at": time.time(),
            "sha256": hashlib.sha256(body).hexdigest(),
            "size": len(body),
        }
        atomic_write_bytes(meta_path, json.dumps(meta, indent=1).encode())


class CachedClient:
    """Thread-safe GET with the shared limiter, retries and the cache. Close it (or use `with`)."""

    def __init__(
        self,
        *,
        user_agent: str,
        cache_dir: Path,
        limiter: SlidingWindowLimiter,
        max_age_s: float = 3600.0,
        timeout_s: float = 30.0,
        attempts: int = 5,
        backoff_s: float = 0.5,
        max_bytes: int = DEFAULT_MAX_BYTES,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.cache = HttpCache(cache_dir)
        self.limiter = limiter
        self.max_age_s, self.attempts, self.backoff_s, self.max_bytes = (
            max_age_s,
            attempts,
            backoff_s,
            max_bytes,
        )
        self.sleep = sleep
        self.stats = FetchStats()
        self._client = httpx.Client(
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=timeout_s,
            follow_redirects=True,
            transport=transport,
        )
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    def __enter__(self) -> CachedClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def _lock_for(self, url: str) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(url, threading.Lock())

    def get(self, url: str) -> bytes:
        """The body of `url`: from the cache when fresh, else revalidated or downloaded."""
        with self._lock_for(url):
            entry = self.cache.get(url)
            if entry is not None and time.time() - entry.stored_at < self.max_age_s:
                self.stats.add(cache_hits=1)
                return entry.body
            return self._fetch(url, entry)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Transient) and exc.retry_after is not None:
            return exc.retry_after
        return float(wait_exponential_jitter(initial=self.backoff_s, max=30.0)(state))

    def _fetch(self, url: str, entry: _Entry | None) -> bytes:
        headers = {}
        if entry is not None and entry.etag:
            headers["If-None-Match"] = entry.etag
        if entry is not None and entry.last_modified:
            headers["If-Modified-Since"] = entry.last_modified
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=self._wait,
            sleep=self.sleep,
            retry=retry_if_exception(lambda e: isinstance(e, _Transient)),
            reraise=True,
            before_sleep=lambda _: self.stats.add(retries=1),
        )
        try:
            status, body, etag, modified = retrying(self._attempt, url, headers)
        except _Transient as exc:
            raise FetchError(f"{shown(url)}: {exc} (gave up after {self.attempts} attempts)") from None
        if status == 304:
            assert entry is not None
            self.stats.add(not_modified=1)
            self.cache.touch(url, entry.body, etag or entry.etag, modified or entry.last_modified)
            return entry.body
        self.stats.add(downloads=1, bytes=len(body))
        self.cache.put(url, body, etag, modified)
        return body

    def _attempt(self, url: str, headers: dict[str, str]) -> tuple[int, bytes, str | None, str | None]:
        self.limiter.acquire()
        with self.stats._lock:
            self.stats.requests += 1
            self.stats.started.append(time.monotonic())
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status in RETRY_STATUSES:
                    raise _Transient(f"HTTP {status} {response.reason_phrase}", _retry_after(response))
                if status == 304:
                    return status, b"", response.headers.get("ETag"), response.headers.get("Last-Modified")
                if status != 200:
                    raise FetchError(self._refusal(url, status, response.reason_phrase), status)
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > self.max_bytes:
                    raise FetchError(
                        f"{shown(url)}: answer of {declared} bytes is larger than the "
                        f"{self.max_bytes}-byte limit (refused)"
                    )
                chunks, size = [], 0
                for chunk in response.iter_bytes():  # decompressed: the cap holds after gzip too
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise FetchError(
                            f"{shown(url)}: answer is larger than {self.max_bytes} bytes (refused)"
                        )
                    chunks.append(chunk)
                return (
                    status,
                    b"".join(chunks),
                    response.headers.get("ETag"),
                    response.headers.get("Last-Modified"),
                )
        except httpx.TransportError as exc:  # connect/read errors and timeouts
            raise _Transient(
                f"{type(exc).__name__}: {' '.join(str(exc).split())[:200] or 'no answer'}"
            ) from None

    @staticmethod
    def _refusal(url: str, status: int, reason: str) -> str:
        text = f"{shown(url)}: HTTP {status} {reason}".rstrip()
        if status == 403:
            text += (
                " (SEC answers 403 to a User-Agent that does not name the user with an email, and blocks "
                "clients above 10 requests per second for 10 minutes)"
            )
        elif status == 404:
            text += " (no such document)"
        return text
