"""The LINE front door: webhook, event handlers, Messaging API sender."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from fastapi import FastAPI

from bot import senders
from bot.line.api import LineApi
from bot.line.door import LineDoor, Tuning
from bot.line.sender import LineSender
from bot.line.webhook import router
from bot.settings import Settings
from handoff.models import Channel

Job = Callable[[FastAPI], Awaitable[None]]
WORKER_SWEEP_SECONDS = 0.05
WORKER_CONCURRENCY = 8


def install(app: FastAPI, settings: Settings) -> list[Job]:
    """Add the LINE routes to `app`; return the background jobs the lifespan must run."""
    if not (settings.line_channel_secret and settings.line_channel_access_token):
        raise ValueError("LINE needs LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN")
    api = LineApi(
        base_url=settings.line_api_base_url, access_token=settings.line_channel_access_token
    )
    worker = settings.process_role == "worker"
    inline = worker or settings.line_handling == "inline"
    # A worker process polls the inbox often; an inline door mostly hears of events directly.
    lease = timedelta(seconds=settings.line_lease_seconds)
    reserve = timedelta(seconds=settings.line_reserve_seconds)
    tuning = (
        Tuning(
            sweep_seconds=WORKER_SWEEP_SECONDS,
            concurrent_events=WORKER_CONCURRENCY,
            lease=lease,
            reserve=reserve,
        )
        if worker
        else Tuning(lease=lease, reserve=reserve)
    )
    door = LineDoor(
        channel_secret=settings.line_channel_secret, api=api, tuning=tuning, inline=inline
    )
    app.state.line = door
    app.include_router(router)
    senders.register(app, Channel.line.value, LineSender(api))
    jobs: list[Job] = [door.run] if inline else []
    return [*jobs, *senders.install(app)]
