"""A loaded bundle: the validated bundle, its price series, its transcript text, its input hash, and the own
bundles of its listed peers (inputs/peers.py). Defined here, apart from the loader, because a peer's source
holds a loaded bundle itself."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.inputs.bundle import Bundle

if TYPE_CHECKING:  # named in annotations only (the loader imports pandas when it reads prices)
    import pandas as pd


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


@dataclass(frozen=True)
class PeerSource:
    """A listed peer's own bundle: loaded, or the reason it could not be used."""

    ticker: str
    folder: Path
    loaded: LoadedBundle | None = None
    problem: str | None = None
    digest: str | None = None  # hash of its bundle.json, prices.csv and benchmark.csv
