"""Server-sent events: a page keeps one stream open and hears within a second of a change.

Each stream looks at the database once per `interval` (in a worker thread, with a short
transaction of its own), sends an event only when what it watches changed, and ends after
`lifetime` seconds; the browser's EventSource then reconnects by itself. Ending streams keeps a
signed-out or revoked session from listening on, and lets the server stop promptly.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

import anyio
from fastapi import Depends, Request
from fastapi.responses import StreamingResponse

from handoff.workspace.web import PAGE_HEADERS

RECONNECT_MS = 1000


@dataclass(frozen=True, slots=True)
class Streams:
    """How often streams look, and how long one lives (tests shorten both)."""

    interval: float = 1.0
    lifetime: float = 15.0


def get_streams() -> Streams:
    """The stream timings."""
    return Streams()


StreamsDep = Annotated[Streams, Depends(get_streams)]


def event(name: str, data: dict[str, Any]) -> str:
    """One server-sent event."""
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def stream(
    request: Request,
    *,
    streams: Streams,
    started: datetime,
    look: Callable[[datetime], tuple[str, dict[str, Any]] | None],
) -> StreamingResponse:
    """A stream that calls `look(now)` in a thread every interval and sends what it returns,
    ("name", data), whenever the data differs from the last sent. `look` returning None means
    the session is gone: the stream says so and ends."""

    async def events() -> AsyncIterator[str]:
        yield f"retry: {RECONNECT_MS}\n\n"
        began = time.monotonic()
        last: dict[str, Any] | None = None
        while True:
            elapsed = time.monotonic() - began
            seen = await anyio.to_thread.run_sync(look, started + timedelta(seconds=elapsed))
            if seen is None:
                yield event("signed-out", {})
                return
            name, data = seen
            if data != last:
                yield event(name, data)
                last = data
            if elapsed >= streams.lifetime or await request.is_disconnected():
                return
            await anyio.sleep(streams.interval)

    headers = {**PAGE_HEADERS, "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)
