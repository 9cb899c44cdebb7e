"""Load a bundle directory into typed objects, collecting every problem before failing."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from pipeline.errors import InputError, Problem, problems_from_validation
from pipeline.inputs.bundle import Bundle
from pipeline.inputs.peers import PeerSource, load_peers, peer_hash_inputs
from pipeline.inputs.prices import MAX_PRICE_BYTES, parse_price_csv
from pipeline.inputs.sources import decode_text, fail, parse_json, read_bytes
from pipeline.inputs.transcripts import MAX_TRANSCRIPT_BYTES

BUNDLE_FILE = "bundle.json"
PRICES_FILE = "prices.csv"
BENCHMARK_FILE = "benchmark.csv"
MAX_BUNDLE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class LoadedBundle:
    """A validated bundle and its price series (indexed by date; Open, High, Low, Close, Volume).

    `transcript_text` is the transcript as read (once, with the input-file rules of `sources.read_bytes`);
    later stages use it instead of reading `transcript_path` again. `peers` holds the own bundles of listed
    peers found beside this one (inputs/peers.py); their files are part of `input_hash`.
    """

    root: Path
    bundle: Bundle
    prices: pd.DataFrame | None
    benchmark: pd.DataFrame | None
    transcript_path: Path | None
    input_hash: str
    transcript_text: str | None = None
    peers: tuple[PeerSource, ...] = ()

    @property
    def ticker(self) -> str:
        return self.bundle.profile.ticker


def read_bundle_file(root: Path, name: str, max_bytes: int) -> bytes:
    """A bundle's file: regular, inside `root`, at most `max_bytes` (see `sources.read_bytes`)."""
    return read_bytes(root / name, max_bytes=max_bytes, label=str(root / name), inside=root)


def read_bundle_json(path: Path, label: str) -> object:
    """bundle.json parsed: the size is checked before anything is read or parsed."""
    return parse_json(decode_text(read_bytes(path, max_bytes=MAX_BUNDLE_BYTES, label=label,
                                             inside=path.parent), label), label)


def json_shape(value: object) -> str:
    """'a JSON object with 3 keys' / 'a JSON list of 2 items': how a file that is not ours is described
    (never its content)."""
    if isinstance(value, dict):
        return f"a JSON object with {len(value)} key{'' if len(value) == 1 else 's'}"
    if isinstance(value, list):
        return f"a JSON list of {len(value)} item{'' if len(value) == 1 else 's'}"
    return f"a JSON {'null' if value is None else type(value).__name__.replace('str', 'string')}"


def parse_bundle(data: object, label: str = BUNDLE_FILE) -> Bundle:
    if not isinstance(data, dict) or not set(data) & set(Bundle.model_fields):
        required = [k for k, f in Bundle.model_fields.items() if f.is_required()]
        none = ", none of them a bundle field" if isinstance(data, dict) and data else ""
        raise InputError([Problem(label, "", f"not a stockreport bundle: {json_shape(data)}{none} (expected an "
                                  f"object with {', '.join(required)}; `stockreport schema bundle` prints the "
                                  "format)")])
    try:
        return Bundle.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation(label, exc)) from None


def hash_inputs(files: list[tuple[str, bytes]]) -> str:
    """The input hash of a report: sha256 over (file name, bytes) of every input file, in order."""
    digest = hashlib.sha256()
    for name, data in files:
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(data)
        digest.update(b"\0")
    return "sha256:" + digest.hexdigest()


def transcript_name(head: object) -> str | None:
    """`earnings_call.transcript` of a raw (unvalidated) bundle dict, when it is a string."""
    call = head.get("earnings_call") if isinstance(head, dict) else None
    name = call.get("transcript") if isinstance(call, dict) else None
    return name if isinstance(name, str) and name else None


def input_files(root: Path, transcript: str | None) -> list[tuple[str, bytes]]:
    """(name, bytes) of every input file of the bundle at `root`, read with the caps `load_bundle` uses.

    The resume check hashes these without validating the bundle, so each read is as careful as in
    `load_bundle`: a transcript named '/dev/zero' or '../../secret' is refused here too.
    """
    files = [(BUNDLE_FILE, read_bundle_file(root, BUNDLE_FILE, MAX_BUNDLE_BYTES))]
    for name in (PRICES_FILE, BENCHMARK_FILE):
        if (root / name).exists() or (root / name).is_symlink():
            files.append((name, read_bundle_file(root, name, MAX_PRICE_BYTES)))
    if transcript is not None:
        files.append((transcript, read_bundle_file(root, transcript, MAX_TRANSCRIPT_BYTES)))
    return files


def _price_problems(root: Path, as_of: dt.date | None,
                    read: dict[str, bytes]) -> tuple[dict[str, pd.DataFrame | None], list[Problem]]:
    frames: dict[str, pd.DataFrame | None] = {}
    problems: list[Problem] = []
    for name in (PRICES_FILE, BENCHMARK_FILE):
        path = root / name
        frames[name] = None
        if path.exists() or path.is_symlink():
            try:
                read[name] = read_bundle_file(root, name, MAX_PRICE_BYTES)
                frames[name] = parse_price_csv(read[name], str(path), as_of=as_of)
            except InputError as exc:
                problems += exc.problems
    return frames, problems


def _transcript(root: Path, label: str, name: str) -> tuple[str | None, bytes | None, list[Problem]]:
    """The transcript's text and bytes, or the problems (as `earnings_call.transcript` of bundle.json)."""
    try:
        data = read_bundle_file(root, name, MAX_TRANSCRIPT_BYTES)
        if b"\x00" in data:
            raise fail(root / name, "not a text transcript (binary content)")
    except InputError as exc:
        why = exc.problems[0].message
        if why == "file not found":
            why = "file not found in the bundle directory"
        return None, None, [Problem(label, "earnings_call.transcript", why, name)]
    # A stray non-UTF-8 byte in a long call is not worth failing the report: it shows as U+FFFD.
    return data.decode("utf-8-sig", errors="replace"), data, []


def load_bundle(root: Path, *, with_peers: bool = True) -> LoadedBundle:
    """Validate everything under `root`; raise InputError listing all problems found.

    Every file is read once, and the input hash is taken from the bytes that were validated (and, with
    `with_peers`, the files of the peers' own bundles beside it, which are loaded too).
    """
    root = Path(root)
    if not root.is_dir():
        raise InputError([Problem(str(root), "", "bundle directory not found")])
    label = str(root / BUNDLE_FILE)
    read: dict[str, bytes] = {}
    try:
        read[BUNDLE_FILE] = read_bundle_file(root, BUNDLE_FILE, MAX_BUNDLE_BYTES)
        bundle = parse_bundle(parse_json(decode_text(read[BUNDLE_FILE], label), label), label)
    except InputError as exc:
        # Report the price files' own problems too, so one run lists everything (as_of unknown here).
        raise InputError(exc.problems + _price_problems(root, None, {})[1]) from None

    frames, problems = _price_problems(root, bundle.as_of, read)
    if frames[BENCHMARK_FILE] is not None and frames[PRICES_FILE] is None:
        problems.append(Problem(str(root / BENCHMARK_FILE), "", f"a benchmark needs {PRICES_FILE} beside it"))

    transcript_path = text = None
    hashed = [(BUNDLE_FILE, read[BUNDLE_FILE])] + [(n, read[n]) for n, f in frames.items() if f is not None]
    call = bundle.earnings_call
    if call and call.transcript:
        transcript_path = root / call.transcript
        text, data, found = _transcript(root, label, call.transcript)
        problems += found
        if data is not None:
            hashed.append((call.transcript, data))
    if problems:
        raise InputError(problems)
    peers: tuple[PeerSource, ...] = ()
    if with_peers and bundle.peers:
        peer_hashes = peer_hash_inputs(root, bundle.peers)
        hashed += peer_hashes
        digests = {name.removeprefix("peer:"): data.decode() for name, data in peer_hashes}
        peers = load_peers(root, list(bundle.peers), bundle.profile.ticker, digests)
    return LoadedBundle(root, bundle, frames[PRICES_FILE], frames[BENCHMARK_FILE], transcript_path,
                        hash_inputs(hashed), text, peers)
