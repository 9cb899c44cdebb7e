"""`stockreport fetch sec TICKER...`: SEC EDGAR's JSON API -> bundles, through the same import as `import sec`.

For each ticker: the CIK from `company_tickers.json` (fetched once per run), then
`submissions/CIK##########.json` (name, exchange, SIC industry, fiscal year end, filing dates) and
`api/xbrl/companyfacts/CIK##########.json` (the statements), then `import_sec` with both documents.

SEC's fair-access rules (https://www.sec.gov/os/accessing-edgar-data), kept by construction:
- a User-Agent naming the user: SEC_USER_AGENT, required (a name and an email); without it nothing is sent;
- at most 10 requests per second, all threads together (one limiter, pipeline/fetch/http.py; it counts 10
  per 1.1 s, a margin for network jitter);
- retries with backoff, and the on-disk cache, so a batch fetches each file once and a rerun revalidates.

`STOCKREPORT_SEC_BASE_URL` replaces both EDGAR hosts (www.sec.gov and data.sec.gov), for tests and mirrors:
the paths are then `/files/company_tickers.json`, `/submissions/CIK##########.json` and
`/api/xbrl/companyfacts/CIK##########.json` under it.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.batch.ratelimit import SlidingWindowLimiter
from pipeline.errors import InputError, Problem, StockreportError
from pipeline.fetch.http import CachedClient, FetchStats, shown
from pipeline.files import ticker_dir_name
from pipeline.inputs.bundle import TICKER_RE
from pipeline.inputs.importers.bundle_io import ProfileOptions
from pipeline.inputs.input_hash import BUNDLE_FILE
from pipeline.inputs.sources import decode_text, parse_json

USER_AGENT_ENV = "SEC_USER_AGENT"
BASE_URL_ENV = "STOCKREPORT_SEC_BASE_URL"
WWW_SEC = "https://www.sec.gov"
DATA_SEC = "https://data.sec.gov"
MAX_REQUESTS_PER_SECOND = 10
# The limiter counts 10 requests per 1.1 s: the server measures arrivals, which network jitter can bunch up.
LIMIT_WINDOW_S = 1.1
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def user_agent() -> str:
    """SEC_USER_AGENT, checked before any request: SEC asks each client to give a name and an email."""
    value = " ".join(os.environ.get(USER_AGENT_ENV, "").split())
    if not value:
        raise StockreportError(
            f"{USER_AGENT_ENV} is not set: SEC EDGAR asks every client to say who it is; set it to your name "
            f'and email, e.g. export {USER_AGENT_ENV}="Jane Doe jane@example.com" (no request was made)'
        )
    if not _EMAIL.search(value):
        raise StockreportError(
            f'{USER_AGENT_ENV} must include a contact email, e.g. "Jane Doe jane@example.com" (SEC fair-access '
            "policy; no request was made)"
        )
    return value


@dataclass(frozen=True)
class Endpoints:
    tickers: str
    data: str

    @classmethod
    def from_env(cls) -> Endpoints:
        base = os.environ.get(BASE_URL_ENV, "").strip().rstrip("/")
        if base:
            if not base.startswith(("http://", "https://")):
                raise StockreportError(f"{BASE_URL_ENV} must be an http(s) URL, got {base!r}")
            return cls(f"{base}/files/company_tickers.json", base)
        return cls(f"{WWW_SEC}/files/company_tickers.json", DATA_SEC)

    def submissions(self, cik: int) -> str:
        return f"{self.data}/submissions/CIK{cik:010d}.json"

    def companyfacts(self, cik: int) -> str:
        return f"{self.data}/api/xbrl/companyfacts/CIK{cik:010d}.json"


def lookup_keys(ticker: str) -> list[str]:
    """EDGAR's spellings of a ticker: 'BRK.B' is 'BRK-B' there; an exchange prefix ('NYSE:X') is dropped."""
    bare = ticker.split(":")[-1].upper()
    return list(dict.fromkeys([bare, bare.replace(".", "-"), bare.replace("-", ".")]))


def parse_ticker_map(doc: object, label: str) -> dict[str, tuple[int, str]]:
    """company_tickers.json ({"0": {"cik_str": 320193, "ticker": "AAPL", "title": "Apple Inc."}, ...})."""
    if not isinstance(doc, dict):
        raise StockreportError(f"{label}: not SEC's company_tickers.json (expected an object of entries)")
    out: dict[str, tuple[int, str]] = {}
    for entry in doc.values():
        if isinstance(entry, dict) and isinstance(entry.get("ticker"), str):
            try:
                cik = int(entry.get("cik_str"))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                continue
            out.setdefault(entry["ticker"].upper(), (cik, str(entry.get("title") or "")))
    if not out:
        raise StockreportError(f"{label}: no ticker entries in SEC's company_tickers.json")
    return out


@dataclass
class TickerResult:
    ticker: str
    out_dir: Path
    ok: bool = False
    detail: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class FetchRun:
    results: list[TickerResult]
    stats: FetchStats
    seconds: float

    @property
    def failed(self) -> list[TickerResult]:
        return [r for r in self.results if not r.ok]


def bundle_dirs(tickers: list[str], out: Path) -> list[tuple[str, Path]]:
    """Where each ticker's bundle goes: OUT itself for one ticker when OUT is a bundle (or named after the
    ticker), else OUT/<TICKER> (HK:3896 -> HK_3896)."""
    bad = [t for t in tickers if not TICKER_RE.fullmatch(t)]
    if bad:
        raise InputError(
            [Problem("TICKER", "", "not a plain ticker symbol (e.g. AAPL, BRK.B, HK:3896)", t) for t in bad]
        )
    if len(tickers) == 1 and ((out / BUNDLE_FILE).exists() or out.name == ticker_dir_name(tickers[0])):
        return [(tickers[0], out)]
    return [(t, out / ticker_dir_name(t)) for t in tickers]


class SecFetcher:
    """One run: the client, the ticker map (once), and the per-ticker fetch + import."""

    def __init__(self, client: CachedClient, endpoints: Endpoints) -> None:
        self.client, self.endpoints = client, endpoints
        self._map: dict[str, tuple[int, str]] | None = None
        self._map_lock = threading.Lock()

    def _json(self, url: str) -> object:
        body = self.client.get(url)
        label = shown(url)
        return parse_json(decode_text(body, label), label)

    def ticker_map(self) -> dict[str, tuple[int, str]]:
        with self._map_lock:
            if self._map is None:
                self._map = parse_ticker_map(
                    self._json(self.endpoints.tickers), shown(self.endpoints.tickers)
                )
            return self._map

    def cik(self, ticker: str) -> int:
        known = self.ticker_map()
        for key in lookup_keys(ticker):
            if key in known:
                return known[key][0]
        raise StockreportError(
            "not in SEC's company_tickers.json (EDGAR lists US-registered filers by their current ticker)"
        )

    def fetch_one(
        self, ticker: str, out_dir: Path, *, as_of: dt.date | None, years: int | None
    ) -> TickerResult:
        from pipeline.inputs.importers.sec import SecDocuments, import_sec

        result = TickerResult(ticker, out_dir)
        cik = self.cik(ticker)
        submissions_url, facts_url = self.endpoints.submissions(cik), self.endpoints.companyfacts(cik)
        submissions = self._json(submissions_url)
        facts = self._json(facts_url)
        docs = SecDocuments(facts, shown(facts_url), submissions, shown(submissions_url))
        b = import_sec(
            docs,
            out_dir,
            ticker=ticker,
            as_of=as_of,
            profile=ProfileOptions(),
            years=years,
            warn=result.warnings.append,
        )
        fin = b.financials
        periods = ", ".join(p.label for p in fin.periods) if fin else "no statements"
        result.ok = True
        result.detail = f"{b.profile.name} (CIK {cik:010d}), as of {b.as_of}: {periods}"
        return result


def fetch_sec(
    tickers: list[str],
    out: Path,
    *,
    as_of: dt.date | None = None,
    years: int | None = 5,
    cache_dir: Path,
    max_age_s: float = 3600.0,
    workers: int = 4,
    on_done: Callable[[TickerResult], None] | None = None,
    client_factory: Callable[..., CachedClient] = CachedClient,
) -> FetchRun:
    """Fetch and import every ticker; a failing ticker is reported and never stops the others."""
    agent = user_agent()  # before anything else: without it, no request is made
    endpoints = Endpoints.from_env()
    targets = bundle_dirs(list(dict.fromkeys(tickers)), out)
    limiter = SlidingWindowLimiter(rpm=MAX_REQUESTS_PER_SECOND, window_s=LIMIT_WINDOW_S)
    start = time.perf_counter()
    results: list[TickerResult] = []
    with client_factory(
        user_agent=agent, cache_dir=cache_dir, limiter=limiter, max_age_s=max_age_s
    ) as client:
        fetcher = SecFetcher(client, endpoints)

        def one(ticker: str, folder: Path) -> TickerResult:
            try:
                return fetcher.fetch_one(ticker, folder, as_of=as_of, years=years)
            except InputError as exc:
                return TickerResult(ticker, folder, False, "; ".join(str(p) for p in exc.problems))
            except StockreportError as exc:
                return TickerResult(ticker, folder, False, str(exc))

        with cf.ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = [pool.submit(one, t, d) for t, d in targets]
            for fut in cf.as_completed(futures):
                r = fut.result()
                results.append(r)
                if on_done is not None:
                    on_done(r)
        stats = client.stats
    order = {t: i for i, (t, _) in enumerate(targets)}
    results.sort(key=lambda r: order[r.ticker])
    return FetchRun(results, stats, time.perf_counter() - start)
