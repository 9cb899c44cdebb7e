"""The input hash of a report: which files of a bundle it covers, in which order, how they are read and hashed.

    sha256 over (name, NUL, bytes, NUL) of: bundle.json, prices.csv, benchmark.csv (each when present), the
    transcript file bundle.json names (when it names one), then ("peer:TICKER", the input hash of that peer's
    own bundle) for each listed peer with a bundle beside this one (inputs/peers.py)

`load_bundle` hashes the bytes it validated; the resume check (batch/resume.py) reads the same files with the
same rules (`input_files`) without validating. Both call `hash_input_files`, the one formula.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from pipeline.inputs.sources import read_bytes
from pipeline.inputs.transcripts import MAX_TRANSCRIPT_BYTES

BUNDLE_FILE = "bundle.json"
PRICES_FILE = "prices.csv"
BENCHMARK_FILE = "benchmark.csv"
FIXED_FILES = (BUNDLE_FILE, PRICES_FILE, BENCHMARK_FILE)
MAX_BUNDLE_BYTES = 20 * 1024 * 1024
MAX_PRICE_BYTES = 64 * 1024 * 1024  # ~1.3M daily rows; the 200k-row test file is 10 MB


def hash_input_files(
    files: Mapping[str, bytes], transcript: str | None, peers: Sequence[tuple[str, bytes]] = ()
) -> str:
    """'sha256:<hex>' over the bundle's input files that are present in `files`, in the order above, then the
    peers' entries as given."""
    names = [n for n in FIXED_FILES if n in files]
    if transcript is not None and transcript in files and transcript not in names:
        names.append(transcript)
    digest = hashlib.sha256()
    for name, data in [*((n, files[n]) for n in names), *peers]:
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(data)
        digest.update(b"\0")
    return "sha256:" + digest.hexdigest()


def read_bundle_file(root: Path, name: str, max_bytes: int) -> bytes:
    """A bundle's file: regular, inside `root`, at most `max_bytes` (see `sources.read_bytes`)."""
    return read_bytes(root / name, max_bytes=max_bytes, label=str(root / name), inside=root)


def input_files(root: Path, transcript: str | None) -> dict[str, bytes]:
    """name -> bytes of every input file of the bundle at `root`, read with the caps `load_bundle` uses.

    The resume check hashes these without validating the bundle, so each read is as careful as in
    `load_bundle`: a transcript named '/dev/zero' or '../../secret' is refused here too.
    """
    files = {BUNDLE_FILE: read_bundle_file(root, BUNDLE_FILE, MAX_BUNDLE_BYTES)}
    for name in (PRICES_FILE, BENCHMARK_FILE):
        if (root / name).exists() or (root / name).is_symlink():
            files[name] = read_bundle_file(root, name, MAX_PRICE_BYTES)
    if transcript is not None:
        files[transcript] = read_bundle_file(root, transcript, MAX_TRANSCRIPT_BYTES)
    return files


def input_hash_of(root: Path, transcript: str | None, peers: Sequence[tuple[str, bytes]] = ()) -> str:
    """The hash `load_bundle` gives the bundle at `root`, from its files alone (nothing validated)."""
    return hash_input_files(input_files(root, transcript), transcript, peers)
