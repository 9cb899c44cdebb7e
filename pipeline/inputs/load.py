"""Load a bundle directory into typed objects, collecting every problem before failing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from pipeline.errors import InputError, Problem, problems_from_validation
from pipeline.inputs.bundle import Bundle
from pipeline.inputs.input_hash import (
    BENCHMARK_FILE,
    BUNDLE_FILE,
    MAX_BUNDLE_BYTES,
    MAX_PRICE_BYTES,
    PRICES_FILE,
    hash_input_files,
    read_bundle_file,
)
from pipeline.inputs.loaded import LoadedBundle, PeerSource
from pipeline.inputs.peers import load_peers, peer_hash_inputs
from pipeline.inputs.sources import decode_text, fail, parse_json, read_bytes
from pipeline.inputs.transcripts import MAX_TRANSCRIPT_BYTES

if TYPE_CHECKING:  # pandas is imported when prices are read: the CLI imports this module to list commands
    import pandas as pd

__all__ = ["LoadedBundle", "load_bundle", "parse_bundle", "read_bundle_json", "transcript_name"]


def read_bundle_json(path: Path, label: str) -> object:
    """bundle.json parsed: the size is checked before anything is read or parsed."""
    return parse_json(
        decode_text(read_bytes(path, max_bytes=MAX_BUNDLE_BYTES, label=label, inside=path.parent), label),
        label,
    )


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
        raise InputError(
            [
                Problem(
                    label,
                    "",
                    f"not a stockreport bundle: {json_shape(data)}{none} (expected an "
                    f"object with {', '.join(required)}; `stockreport schema bundle` prints the "
                    "format)",
                )
            ]
        )
    try:
        return Bundle.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation(label, exc)) from None


def transcript_name(head: object) -> str | None:
    """`earnings_call.transcript` of a raw (unvalidated) bundle dict, when it is a string."""
    call = head.get("earnings_call") if isinstance(head, dict) else None
    name = call.get("transcript") if isinstance(call, dict) else None
    return name if isinstance(name, str) and name else None


def _price_problems(
    root: Path, as_of: dt.date | None, read: dict[str, bytes]
) -> tuple[dict[str, pd.DataFrame | None], list[Problem]]:
    from pipeline.inputs.prices import parse_price_csv

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
    call = bundle.earnings_call
    transcript = call.transcript if call and call.transcript else None
    if transcript is not None:
        transcript_path = root / transcript
        text, data, found = _transcript(root, label, transcript)
        problems += found
        if data is not None:
            read[transcript] = data
    if problems:
        raise InputError(problems)
    peers: tuple[PeerSource, ...] = ()
    peer_hashes: list[tuple[str, bytes]] = []
    if with_peers and bundle.peers:
        peer_hashes = peer_hash_inputs(root, bundle.peers)
        digests = {name.removeprefix("peer:"): data.decode() for name, data in peer_hashes}
        peers = load_peers(root, list(bundle.peers), bundle.profile.ticker, digests, load=_load_peer)
    return LoadedBundle(
        root,
        bundle,
        frames[PRICES_FILE],
        frames[BENCHMARK_FILE],
        transcript_path,
        hash_input_files(read, transcript, peer_hashes),
        text,
        peers,
    )


def _load_peer(folder: Path) -> LoadedBundle:
    """A peer's own bundle: loaded like any, but not its peers in turn."""
    return load_bundle(folder, with_peers=False)
