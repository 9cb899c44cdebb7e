"""Estimated cost in USD from a small, dated price table (USD per 1M tokens).

    cost = ((input - c) * price.input + c * price.cached_input + output * price.output) / 1e6,
    c = min(cached, input)

`cached` counts tokens served from a cache: the provider's prompt cache (part of `input`, billed at the cached
rate) or this tool's own answer cache (then input = output = 0, so the cost is 0). The built-in table is
`prices.json` beside this file; env `STOCKREPORT_PRICES` names a JSON file of the same shape that replaces it.
A model missing from the table has no estimate (None), except the offline model, which is free. An unknown
cost stays None through every sum (`add_costs`) and is written "not priced", never as $0 (`cost_text`).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.errors import StockreportError

BUILTIN_PRICES = "prices.json"  # beside this module, in the package (importlib.resources)
PRICES_ENV = "STOCKREPORT_PRICES"
MAX_TABLE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class TokenUsage:
    """Tokens of one or more model calls: input (cached ones included), output, and cached input."""

    input: int = 0
    output: int = 0
    cached: int = 0

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(self.input + other.input, self.output + other.output, self.cached + other.cached)


class Price(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    input: float = Field(ge=0)
    cached_input: float = Field(ge=0)
    output: float = Field(ge=0)


class PriceTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    as_of: str
    note: str = ""
    models: dict[str, Price]
    source: str = "builtin"

    @property
    def label(self) -> str:
        return f"{self.source} prices as of {self.as_of}"


def _validated(data: object, where: str, source: str) -> PriceTable:
    try:
        table = PriceTable.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise StockreportError(f"{where}: {'.'.join(map(str, err['loc']))}: {err['msg']}") from None
    return table.model_copy(update={"source": source})


@functools.lru_cache(maxsize=8)
def _load(path: str) -> PriceTable:
    """A table named by STOCKREPORT_PRICES: a user's file, read with the one JSON reader (size cap)."""
    from pipeline.inputs.sources import read_json_file

    if not Path(path).exists():
        raise StockreportError(f"{path}: price table not found (from {PRICES_ENV})")
    return _validated(read_json_file(Path(path), max_bytes=MAX_TABLE_BYTES), path, path)


@functools.lru_cache(maxsize=1)
def _builtin() -> PriceTable:
    text = resources.files("pipeline.model").joinpath(BUILTIN_PRICES).read_text(encoding="utf-8")
    return _validated(json.loads(text), f"pipeline/model/{BUILTIN_PRICES}", "builtin")


def price_table() -> PriceTable:
    override = os.environ.get(PRICES_ENV)
    return _load(override) if override else _builtin()


def estimate_cost(model_id: str, usage: TokenUsage, table: PriceTable | None = None) -> float | None:
    """USD cost of `usage` on `model_id` (formula in the module doc); None when the table lacks the model."""
    table = table or price_table()
    price = table.models.get(model_id)
    if price is None:
        return 0.0 if usage.input == 0 and usage.output == 0 else None
    cached = min(usage.cached, usage.input)
    return (
        (usage.input - cached) * price.input + cached * price.cached_input + usage.output * price.output
    ) / 1e6


def add_costs(costs: Iterable[float | None]) -> float | None:
    """The sum of several costs, None (not priced) when any of them is; rounded to a millionth of a dollar."""
    total = 0.0
    for cost in costs:
        if cost is None:
            return None
        total += cost
    return round(total, 6)


def cost_text(cost: float | None, unpriced: Iterable[str] = ()) -> str:
    """'$0.0123' (four decimals: a cent is too coarse for one report), or 'not priced (no price for X)'."""
    if cost is not None:
        return f"${cost:,.4f}"
    names = ", ".join(dict.fromkeys(unpriced))
    return f"not priced (no price for {names})" if names else "not priced"
