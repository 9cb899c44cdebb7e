"""Reusable temporaries for a computation repeated chunk after chunk (the indicators of many tickers).

Fresh memory costs a page fault per 4 KiB page on first touch (about 0.3 us on bare metal, several us on
virtual machines), and a large block freed by NumPy usually goes back to the kernel. An indicator pass over a
chunk of tickers is a few microseconds per page, so allocating its temporaries anew for every chunk would
cost as much as the arithmetic. Inside `scratch()`, `empty` hands out the same buffers again as soon as no
array refers to them any more.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np

# Smaller arrays come from NumPy directly: glibc serves them from memory it keeps.
_MIN_BYTES = 1 << 16


def _refcount_when_unused() -> int:
    """What `sys.getrefcount(items[i])` reads for an array that only the list `items` holds (the count
    includes getrefcount's own argument, and interpreters differ on that)."""
    items = [np.empty(1)]
    return sys.getrefcount(items[0])


_UNUSED = _refcount_when_unused()


class Scratch:
    """Buffers handed out by `empty`, each reused once no array refers to it (views keep it referenced)."""

    def __init__(self) -> None:
        self._buffers: list[np.ndarray] = []

    def empty(self, shape: tuple[int, ...]) -> np.ndarray:
        size = int(np.prod(shape))
        buffers = self._buffers
        free = [
            i
            for i in range(len(buffers))
            if buffers[i].size >= size and sys.getrefcount(buffers[i]) == _UNUSED
        ]
        if free:
            buffer = buffers[min(free, key=lambda i: buffers[i].size)]
        else:
            buffer = np.empty(size)
            buffers.append(buffer)
        return buffer[:size].reshape(shape)

    @property
    def nbytes(self) -> int:
        return sum(b.nbytes for b in self._buffers)


_ACTIVE: ContextVar[Scratch | None] = ContextVar("metrics_scratch", default=None)


@contextmanager
def scratch() -> Iterator[Scratch]:
    """Within this block, `empty` takes its large arrays from one `Scratch`."""
    pool = Scratch()
    token = _ACTIVE.set(pool)
    try:
        yield pool
    finally:
        _ACTIVE.reset(token)


def empty(shape: tuple[int, ...]) -> np.ndarray:
    """np.empty(shape), taken from the active `Scratch` when there is one and the array is large."""
    pool = _ACTIVE.get()
    if pool is None or 8 * int(np.prod(shape)) < _MIN_BYTES:
        return np.empty(shape)
    return pool.empty(shape)
