"""The sliding-window limiter never lets more than rpm requests / tpm tokens start in any 60 s window."""

from __future__ import annotations

import random

import pytest

from pipeline.batch.ratelimit import WINDOW_S, SlidingWindowLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.now += s


def max_in_any_window(events: list[tuple[float, int]]) -> tuple[int, int]:
    """Most requests and tokens in any half-open window (t - 60, t]; windows ending at an event suffice."""
    worst_n, worst_tok = 0, 0
    for t, _ in events:
        inside = [tok for (s, tok) in events if t - WINDOW_S < s <= t]
        worst_n, worst_tok = max(worst_n, len(inside)), max(worst_tok, sum(inside))
    return worst_n, worst_tok


@pytest.mark.parametrize(
    ("rpm", "tpm", "sizes", "smooth"),
    [
        (10, None, [0] * 50, 1.0),  # requests only, smoothed
        (10, None, [0] * 50, 0.0),  # requests only, bursts allowed
        (None, 1000, [300] * 40, 1.0),  # tokens only
        (30, 2000, "random", 0.0),  # both, random sizes, bursts
        (600, 50_000, "random", 1.0),  # benchmark-like
    ],
)
def test_never_over_the_limit_in_any_window(
    rpm: int | None, tpm: int | None, sizes: object, smooth: float
) -> None:
    clock = FakeClock()
    lim = SlidingWindowLimiter(rpm, tpm, smooth=smooth, clock=clock, sleep=clock.sleep)
    rng = random.Random(7)
    tokens = [rng.randint(1, 900) for _ in range(300)] if sizes == "random" else list(sizes)  # type: ignore[arg-type]
    events = []
    for tok in tokens:
        slot = lim.acquire(tok)
        assert slot.at == pytest.approx(clock.now)  # the caller starts exactly when told
        events.append((clock.now, tok))
        clock.now += rng.random() * 0.5  # callers arrive at random moments
    n, t = max_in_any_window(events)
    assert rpm is None or n <= rpm
    assert tpm is None or t <= tpm
    # and not needlessly slow: the limit binds, so the busiest window reaches it (within one request)
    if rpm is not None and tpm is None:
        assert n >= rpm - 1
    if tpm is not None and rpm is None:
        assert t >= tpm - max(tokens)


def test_smoothing_spaces_requests_evenly() -> None:
    clock = FakeClock()
    lim = SlidingWindowLimiter(rpm=600, clock=clock, sleep=clock.sleep)
    starts = [lim.acquire().at for _ in range(5)]
    assert [round(b - a, 6) for a, b in zip(starts, starts[1:], strict=False)] == [0.1] * 4


def test_settle_replaces_the_estimate() -> None:
    clock = FakeClock()
    lim = SlidingWindowLimiter(None, 1000, clock=clock, sleep=clock.sleep)
    slot = lim.acquire(900)
    lim.settle(slot, 100)  # the reply used far fewer tokens than estimated
    _, wait = lim.reserve(800)
    assert wait == 0  # 100 + 800 fits; with the estimate it would have waited 60 s
    _, wait = lim.reserve(200)
    assert wait == pytest.approx(60, abs=1e-3)


def test_oversized_request_is_capped_not_blocked_forever() -> None:
    clock = FakeClock()
    lim = SlidingWindowLimiter(None, 100, clock=clock, sleep=clock.sleep)
    assert lim.reserve(5000)[1] == 0
    assert lim.reserve(1)[1] == pytest.approx(60, abs=1e-3)
