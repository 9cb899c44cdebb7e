"""A local SEC EDGAR that tests start: the real companyfacts bodies (fixtures/data/sec) and the constructed
submissions and ticker map (fixtures/data/sec/edgar, see its README) at EDGAR's paths.

It behaves as EDGAR does where the client's manners are tested:
- `ETag` and `Last-Modified` on every 200; `If-None-Match` / `If-Modified-Since` that match get a 304;
- bodies gzip-encoded when the client accepts gzip (as data.sec.gov serves them);
- 403 to a request without a User-Agent holding an email, and 403 to every request beyond 10 in any 1 s
  window (SEC blocks such clients), both recorded as violations;
- faults on demand: `faults[path]` is a list of statuses answered (once each, in order) before the body,
  with `Retry-After: 0` on 429/503.
Every request is logged (monotonic time, path, status, User-Agent, conditional headers).
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEC = REPO / "fixtures" / "data" / "sec"
LAST_MODIFIED = "Fri, 30 Dec 2022 22:00:00 GMT"
LIMIT_PER_SECOND = 10


@dataclass(frozen=True)
class Logged:
    at: float
    path: str
    status: int
    user_agent: str
    if_none_match: str | None
    if_modified_since: str | None


def edgar_files() -> dict[str, Path]:
    """EDGAR path -> fixture file (gzipped JSON)."""
    files = {"/files/company_tickers.json": SEC / "edgar" / "company_tickers.json.gz"}
    for f in sorted((SEC / "edgar" / "submissions").glob("CIK*.json.gz")):
        files[f"/submissions/{f.name.removesuffix('.gz')}"] = f
    for f in sorted(SEC.glob("CIK*.json.gz")):
        files[f"/api/xbrl/companyfacts/{f.name.removesuffix('.gz')}"] = f
    return files


@dataclass
class EdgarServer:
    files: dict[str, Path] = field(default_factory=edgar_files)
    faults: dict[str, list[int]] = field(default_factory=dict)
    overrides: dict[str, bytes] = field(default_factory=dict)  # path -> gzipped body served instead
    log: list[Logged] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._bodies: dict[str, bytes] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802
                server.answer(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> EdgarServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def body(self, path: str) -> bytes | None:
        if path in self.overrides:
            return self.overrides[path]
        if path not in self.files:
            return None
        if path not in self._bodies:
            self._bodies[path] = self.files[path].read_bytes()
        return self._bodies[path]

    def _record(self, handler: BaseHTTPRequestHandler, status: int) -> None:
        h = handler.headers
        self.log.append(
            Logged(
                time.monotonic(),
                handler.path,
                status,
                h.get("User-Agent", ""),
                h.get("If-None-Match"),
                h.get("If-Modified-Since"),
            )
        )

    def _status(self, handler: BaseHTTPRequestHandler) -> int | None:
        """A refusal or an injected fault for this request, else None (and the request is logged)."""
        now = time.monotonic()
        with self._lock:
            recent = [e for e in self.log if e.at > now - 1.0]
            ua = handler.headers.get("User-Agent", "")
            status = None
            if "@" not in ua:
                self.violations.append(f"no contact email in User-Agent {ua!r}")
                status = 403
            elif len(recent) >= LIMIT_PER_SECOND:
                self.violations.append(f"{len(recent) + 1} requests within 1 s at {handler.path}")
                status = 403
            elif self.faults.get(handler.path):
                status = self.faults[handler.path].pop(0)
            self._record(handler, status or 0)
            return status

    def _finish_log(self, status: int) -> None:
        with self._lock:
            last = self.log[-1]
            self.log[-1] = Logged(
                last.at, last.path, status, last.user_agent, last.if_none_match, last.if_modified_since
            )

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        refused = self._status(handler)
        if refused is not None:
            handler.send_response(refused)
            if refused in (429, 503):
                handler.send_header("Retry-After", "0")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        gz = self.body(handler.path)
        if gz is None:
            self._finish_log(404)
            handler.send_response(404)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        etag = '"' + hashlib.sha256(gz).hexdigest()[:32] + '"'
        if handler.headers.get("If-None-Match") == etag or (
            handler.headers.get("If-None-Match") is None
            and handler.headers.get("If-Modified-Since") == LAST_MODIFIED
        ):
            self._finish_log(304)
            handler.send_response(304)
            handler.send_header("ETag", etag)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        accepts_gzip = "gzip" in handler.headers.get("Accept-Encoding", "")
        data = gz if accepts_gzip else gzip.decompress(gz)
        self._finish_log(200)
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        if accepts_gzip:
            handler.send_header("Content-Encoding", "gzip")
        handler.send_header("ETag", etag)
        handler.send_header("Last-Modified", LAST_MODIFIED)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def peak_per_second(self) -> int:
        times = sorted(e.at for e in self.log)
        best, lo = 0, 0
        for hi, t in enumerate(times):
            while times[lo] <= t - 1.0:
                lo += 1
            best = max(best, hi - lo + 1)
        return best

    def count(self, path: str, status: int | None = None) -> int:
        return sum(1 for e in self.log if e.path == path and (status is None or e.status == status))
