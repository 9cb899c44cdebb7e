"""What a ticker spent on the model: every request sent, billed tokens and cost, failed attempts included.

`ask` records each request here as it is made (a timeout, a 500, a reply that does not validate and a
number re-ask all count), into the ledger of the current ticker (`tracking()`, a context variable, so each
thread or worker process keeps its own). The batch manifest takes its counts from this ledger, so a ticker
that fails after five paid calls shows five calls and their tokens, not zero.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from pipeline.model.cost import TokenUsage, estimate_cost


@dataclass
class Spend:
    calls: int = 0
    usage: TokenUsage = field(default_factory=TokenUsage)
    cost_usd: float | None = 0.0  # None once any request's model has no price

    def record(self, model_id: str, usage: TokenUsage, *, free: bool = False) -> None:
        self.calls += 1
        self.usage = self.usage + usage
        cost = 0.0 if free else estimate_cost(model_id, usage)
        self.cost_usd = None if cost is None or self.cost_usd is None else self.cost_usd + cost


_CURRENT: ContextVar[Spend | None] = ContextVar("stockreport_spend", default=None)


@contextmanager
def tracking() -> Iterator[Spend]:
    """A fresh ledger for the requests made inside the block (in this thread or task)."""
    spend = Spend()
    token = _CURRENT.set(spend)
    try:
        yield spend
    finally:
        _CURRENT.reset(token)


def record(model_id: str, usage: TokenUsage, *, free: bool = False) -> None:
    """Count one request sent to `model_id` (with the usage its reply reported, or none; `free`: a model on
    this machine, no bill)."""
    spend = _CURRENT.get()
    if spend is not None:
        spend.record(model_id, usage, free=free)
