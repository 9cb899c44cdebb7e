"""Client-side limit on requests AND tokens per minute, over a sliding 60 s window.

A request may start at time t only if, counting it,

    #{starts in (t - 60, t]} <= rpm   and   sum{tokens of starts in (t - 60, t]} <= tpm

and t >= previous start + 60 / rpm * burst_fraction (smoothing, so a full minute's quota is not fired in
the first second and the server's own finer-grained limiter never sees a burst). Starts are reserved in
increasing time order, so checking the window that ends at the new start covers every 60 s window.

Tokens are reserved from an estimate before the call (prompt chars / 4 + expected output) and corrected to
the provider's count afterwards (`settle`); the limit is exact for requests and estimate-based for tokens.
The clock and the sleep are injectable so tests check windows without waiting real minutes.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import BaseMessage
from langchain_core.outputs import LLMResult
from langchain_core.rate_limiters import BaseRateLimiter

from pipeline.tokens import tokens_for_chars

WINDOW_S = 60.0
_EPS = 1e-6


@dataclass
class Slot:
    at: float  # reserved start time (clock seconds)
    tokens: int


class SlidingWindowLimiter:
    """Thread-safe reservation of request slots under rpm / tpm limits (None = unlimited)."""

    def __init__(
        self,
        rpm: int | None = None,
        tpm: int | None = None,
        *,
        smooth: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        window_s: float = WINDOW_S,
    ) -> None:
        """`rpm` / `tpm` count per `window_s` seconds (a minute unless given: `fetch sec` uses 10 per 1 s)."""
        if rpm is not None and rpm <= 0 or tpm is not None and tpm <= 0:
            raise ValueError("rpm and tpm must be positive")
        self.rpm, self.tpm, self.clock, self.sleep = rpm, tpm, clock, sleep
        self.window = window_s
        self.spacing = (window_s / rpm) * smooth if rpm else 0.0
        self._slots: deque[Slot] = deque()
        self._lock = threading.Lock()
        self._last = -float("inf")

    def _earliest(self, now: float, tokens: int) -> float:
        t = max(now, self._last + self.spacing, self._last)
        slots = self._slots
        if self.rpm is not None and len(slots) >= self.rpm:
            t = max(t, slots[len(slots) - self.rpm].at + self.window + _EPS)
        if self.tpm is not None:
            budget = self.tpm - tokens
            total = sum(s.tokens for s in slots if s.at > t - self.window)
            if total > budget:  # drop the oldest slots until the rest fit; start just after the last dropped
                for s in slots:
                    if s.at <= t - self.window:
                        continue
                    total -= s.tokens
                    t = max(t, s.at + self.window + _EPS)
                    if total <= budget:
                        break
        return t

    def reserve(self, tokens: int = 0) -> tuple[Slot, float]:
        """Book the earliest allowed start; returns the slot and how long to wait before using it."""
        if self.tpm is not None:
            tokens = min(tokens, self.tpm)  # one request larger than the limit would never pass
        with self._lock:
            now = self.clock()
            while self._slots and self._slots[0].at <= now - self.window:
                self._slots.popleft()
            at = self._earliest(now, tokens)
            slot = Slot(at, tokens)
            self._slots.append(slot)
            self._last = at
        return slot, max(0.0, at - now)

    def acquire(self, tokens: int = 0) -> Slot:
        slot, wait = self.reserve(tokens)
        if wait > 0:
            self.sleep(wait)
        return slot

    async def aacquire(self, tokens: int = 0) -> Slot:
        slot, wait = self.reserve(tokens)
        if wait > 0:
            await asyncio.sleep(wait)
        return slot

    def settle(self, slot: Slot, actual_tokens: int) -> None:
        """Replace the estimate with the provider's count (later reservations see the true usage)."""
        with self._lock:
            slot.tokens = actual_tokens

    def history(self) -> list[tuple[float, int]]:
        with self._lock:
            return [(s.at, s.tokens) for s in self._slots]


class LangChainLimiter(BaseRateLimiter, BaseCallbackHandler):
    """Plugs the limiter into a LangChain chat model: `rate_limiter=` and `callbacks=[...]` on the model.

    LangChain calls `on_chat_model_start` (we see the messages and estimate tokens) and then, in the same
    thread, `rate_limiter.acquire`; `on_llm_end` settles the slot with the real usage.
    """

    def __init__(self, limiter: SlidingWindowLimiter, expected_output_tokens: int = 800) -> None:
        self.limiter = limiter
        self.expected_output = expected_output_tokens
        self._local = threading.local()
        self._by_run: dict[UUID, Slot] = {}
        self._lock = threading.Lock()
        self.calls = 0

    def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[BaseMessage]], *, run_id: UUID, **kwargs: Any
    ) -> None:
        chars = sum(
            len(m.content) if isinstance(m.content, str) else len(str(m.content))
            for batch in messages
            for m in batch
        )
        self._local.pending = (run_id, tokens_for_chars(chars) + self.expected_output)

    def acquire(self, *, blocking: bool = True) -> bool:
        run_id, tokens = getattr(self._local, "pending", (None, self.expected_output))
        self._local.pending = (None, self.expected_output)
        slot = self.limiter.acquire(tokens)
        with self._lock:
            self.calls += 1
            if run_id is not None:
                self._by_run[run_id] = slot
        return True

    async def aacquire(self, *, blocking: bool = True) -> bool:
        run_id, tokens = getattr(self._local, "pending", (None, self.expected_output))
        slot = await self.limiter.aacquire(tokens)
        with self._lock:
            self.calls += 1
            if run_id is not None:
                self._by_run[run_id] = slot
        return True

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        with self._lock:
            slot = self._by_run.pop(run_id, None)
        if slot is None:
            return
        used = 0
        for gens in response.generations:
            for g in gens:
                meta = getattr(getattr(g, "message", None), "usage_metadata", None) or {}
                used += int(meta.get("input_tokens", 0)) + int(meta.get("output_tokens", 0))
        if used:
            self.limiter.settle(slot, used)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        with self._lock:
            self._by_run.pop(run_id, None)  # a refused request still counts against the window
