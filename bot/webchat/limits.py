"""Sliding-window rate limits kept in memory (one process; enough for a municipality's chat)."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable

SWEEP_AT = 10_000  # keys kept before idle ones are swept out


class RateLimit:
    """At most `limit` events per `window` seconds for each key."""

    def __init__(
        self, *, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._events: dict[Hashable, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: Hashable) -> int:
        """Count one event for `key`: 0 when allowed, else the seconds to wait."""
        now = self.clock()
        cutoff = now - self.window
        with self._lock:
            if len(self._events) > SWEEP_AT:
                self._forget_before(cutoff)
            events = self._events.setdefault(key, deque())
            while events and events[0] <= cutoff:
                events.popleft()
            if len(events) >= self.limit:
                return max(1, math.ceil(events[0] + self.window - now))
            events.append(now)
            return 0

    def _forget_before(self, cutoff: float) -> None:
        for key in list(self._events):
            events = self._events[key]
            while events and events[0] <= cutoff:
                events.popleft()
            if not events:
                del self._events[key]
