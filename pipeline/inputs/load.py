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
from pipeline.inputs.prices import read_price_csv
from pipeline.inputs.sources import decode_text, parse_json, read_bytes

BUNDLE_FILE = "bundle.json"
PRICES_FILE = "prices.csv"
BENCHMARK_FILE = "benchmark.csv"
MAX_BUNDLE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class LoadedBundle:
    """A validated bundle and its price series (indexed by date; Open, High, Low, Close, Volume)."""

    root: Path
    bundle: Bundle
    prices: pd.DataFrame | None
    benchmark: pd.DataFrame | None
    transcript_path: Path | None
    input_hash: str

    @property
    def ticker(self) -> str:
        return self.bundle.profile.ticker


def read_bundle_json(path: Path, label: str) -> object:
    return parse_json(decode_text(read_bytes(path, max_bytes=MAX_BUNDLE_BYTES, label=label), label), label)


def parse_bundle(data: object, label: str = BUNDLE_FILE) -> Bundle:
    try:
        return Bundle.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation(label, exc)) from None


def _hash_inputs(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.name.encode())
        digest.update(b"\0")
        digest.update(f.read_bytes())
        digest.update(b"\0")
    return "sha256:" + digest.hexdigest()


def _price_problems(root: Path, as_of: dt.date | None) -> tuple[dict[str, pd.DataFrame | None], list[Problem]]:
    frames: dict[str, pd.DataFrame | None] = {}
    problems: list[Problem] = []
    for name in (PRICES_FILE, BENCHMARK_FILE):
        path = root / name
        frames[name] = None
        if path.exists():
            try:
                frames[name] = read_price_csv(path, as_of=as_of, label=str(path))
            except InputError as exc:
                problems += exc.problems
    return frames, problems


def load_bundle(root: Path) -> LoadedBundle:
    """Validate everything under `root`; raise InputError listing all problems found."""
    root = Path(root)
    if not root.is_dir():
        raise InputError([Problem(str(root), "", "bundle directory not found")])
    label = str(root / BUNDLE_FILE)
    try:
        bundle = parse_bundle(read_bundle_json(root / BUNDLE_FILE, label), label)
    except InputError as exc:
        # Report the price files' own problems too, so one run lists everything (as_of unknown here).
        raise InputError(exc.problems + _price_problems(root, None)[1]) from None

    frames, problems = _price_problems(root, bundle.as_of)
    if frames[BENCHMARK_FILE] is not None and frames[PRICES_FILE] is None:
        problems.append(Problem(str(root / BENCHMARK_FILE), "", f"a benchmark needs {PRICES_FILE} beside it"))

    transcript_path = None
    call = bundle.earnings_call
    if call and call.transcript:
        transcript_path = root / call.transcript
        if not transcript_path.is_file():
            problems.append(Problem(label, "earnings_call.transcript", "file not found in the bundle directory",
                                    call.transcript))
    if problems:
        raise InputError(problems)

    hashed = [root / BUNDLE_FILE] + [root / n for n, f in frames.items() if f is not None]
    if transcript_path:
        hashed.append(transcript_path)
    return LoadedBundle(root, bundle, frames[PRICES_FILE], frames[BENCHMARK_FILE], transcript_path,
                        _hash_inputs(hashed))
