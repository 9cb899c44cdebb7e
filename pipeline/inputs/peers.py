"""A peer's own bundle, found beside this one: the folder named for its ticker in the same parent folder.

`bundles/AAPL` lists NVDA as a peer; `bundles/NVDA/bundle.json` (ticker NVDA) is its bundle. `HK:0700` is
looked up as `HK_0700` (`files.ticker_dir_name`). A folder that is a link out of the parent, a bundle of
another ticker, or one that does not load is not used, and the row says why. Only peers listed with no
figures of their own are computed; a row given by hand keeps its values (metrics/peers.py).

The report depends on these bundles, so their files are part of its input hash (`peer_hash_inputs`, the same
for `load_bundle` and the batch's resume check).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from pipeline.errors import InputError, StockreportError
from pipeline.files import ticker_dir_name
from pipeline.inputs.input_hash import BUNDLE_FILE, hash_input_files, input_files
from pipeline.inputs.loaded import LoadedBundle, PeerSource

# In a batch every bundle is the peer of several others: one load per content (the files' hash) per process.
CACHE_SIZE = 256
_loaded: OrderedDict[tuple[str, str], LoadedBundle] = OrderedDict()
_lock = threading.Lock()

PEER_FIGURE_FIELDS = (
    "price",
    "change",
    "change_pct",
    "market_cap",
    "pe_ratio",
    "roe_pct",
    "dividend_yield_pct",
    "revenue_growth_pct",
    "eps_growth_pct",
    "overall_score",
)


def has_figures(peer: object) -> bool:
    """Whether a peer entry (model or raw dict) carries figures given by hand."""
    if isinstance(peer, dict):
        return any(peer.get(k) is not None for k in PEER_FIGURE_FIELDS)
    return any(getattr(peer, k, None) is not None for k in PEER_FIGURE_FIELDS)


def peer_names(loaded: LoadedBundle) -> list[str]:
    """Each listed peer's name: as listed, else the name in its own bundle, else its ticker."""
    own = {s.ticker: s.loaded.bundle.profile.name for s in loaded.peers if s.loaded is not None}
    return [p.name or own.get(p.ticker) or p.ticker for p in loaded.bundle.peers]


def peer_dir(bundle_root: Path, ticker: str) -> Path | None:
    """The sibling folder holding `ticker`'s bundle, or None when there is none (or it leaves the parent)."""
    try:
        name = ticker_dir_name(ticker)
    except StockreportError:
        return None
    root = bundle_root.resolve()
    folder = root.parent / name
    if folder.resolve() == root or folder.resolve().parent != root.parent:
        return None  # itself, or a link to a folder elsewhere
    return folder if (folder / BUNDLE_FILE).is_file() else None


def _tickers(peers: object) -> list[str]:
    if not isinstance(peers, list):
        return []
    out = [p.get("ticker") if isinstance(p, dict) else getattr(p, "ticker", None) for p in peers]
    return list(dict.fromkeys(t for t in out if isinstance(t, str)))


def peer_hash_inputs(bundle_root: Path, peers: object) -> list[tuple[str, bytes]]:
    """('peer:TICKER', hash of its bundle.json/prices.csv/benchmark.csv) for each listed peer with a bundle
    beside this one; an unreadable one hashes as 'unreadable' (its row says why)."""
    out = []
    for ticker in _tickers(peers):
        folder = peer_dir(bundle_root, ticker)
        if folder is None:
            continue
        try:
            digest = hash_input_files(input_files(folder, None), None)
        except InputError:
            digest = "unreadable"
        out.append((f"peer:{ticker}", digest.encode()))
    return out


def _load(folder: Path, digest: str | None, load: Callable[[Path], LoadedBundle]) -> LoadedBundle:
    key = (str(folder.resolve()), digest or "")
    with _lock:
        if digest and key in _loaded:
            _loaded.move_to_end(key)
            return _loaded[key]
    loaded = load(folder)
    if digest:
        with _lock:
            _loaded[key] = loaded
            while len(_loaded) > CACHE_SIZE:
                _loaded.popitem(last=False)
    return loaded


def load_peers(
    bundle_root: Path,
    peers: list[object],
    own_ticker: str,
    digests: dict[str, str] | None = None,
    *,
    load: Callable[[Path], LoadedBundle],
) -> tuple[PeerSource, ...]:
    """Load the bundle of every peer listed without figures of its own that has one beside this bundle
    (`load`: the loader, load.py's, which does not load the peers' peers).

    `digests` (ticker -> the hash `peer_hash_inputs` took) lets a bundle already loaded with the same content
    be reused (a loaded bundle whose files changed since is never reused: the key is their hash)."""
    sources = []
    digests = digests or {}
    for ticker in _tickers([p for p in peers if not has_figures(p)]):
        folder = peer_dir(bundle_root, ticker)
        if folder is None or ticker == own_ticker:
            continue
        digest = digests.get(ticker)
        try:
            loaded = _load(folder, digest if digest != "unreadable" else None, load)
        except InputError as exc:
            first = exc.problems[0] if exc.problems else None
            more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
            sources.append(
                PeerSource(ticker, folder, problem=f"its bundle {folder.name}/ does not load: {first}{more}")
            )
            continue
        if loaded.ticker != ticker:
            sources.append(
                PeerSource(ticker, folder, problem=f"{folder.name}/bundle.json is {loaded.ticker}'s")
            )
            continue
        sources.append(PeerSource(ticker, folder, loaded, digest=digest))
    return tuple(sources)
