"""The sliding-window rate limit."""

from __future__ import annotations

from dataclasses import dataclass

from bot.webchat.limits import RateLimit


@dataclass
class Ticking:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


def test_allows_the_limit_then_says_how_long_to_wait() -> None:
    clock = Ticking()
    limit = RateLimit(limit=3, window=60, clock=clock)
    assert [limit.hit("a") for _ in range(3)] == [0, 0, 0]
    clock.now += 10
    assert limit.hit("a") == 50
    assert limit.hit("b") == 0  # keys are counted apart


def test_the_window_slides() -> None:
    clock = Ticking()
    limit = RateLimit(limit=2, window=60, clock=clock)
    limit.hit("a")
    clock.now += 30
    limit.hit("a")
    clock.now += 31
    assert limit.hit("a") == 0  # the first has left the window
    assert limit.hit("a") > 0


def test_refused_tries_do_not_extend_the_wait() -> None:
    clock = Ticking()
    limit = RateLimit(limit=1, window=60, clock=clock)
    limit.hit("a")
    for _ in range(100):
        limit.hit("a")
    clock.now += 60
    assert limit.hit("a") == 0
