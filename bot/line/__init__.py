"""The LINE front door: webhook, event handlers, Messaging API sender."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI

from bot import senders
from bot.line.api import LineApi
from bot.line.door import LineDoor
from bot.line.sender import LineSender
from bot.line.webhook import router
from bot.settings import Settings
from handoff.models import Channel

Job = Callable[[FastAPI], Awaitable[None]]


def install(app: FastAPI, settings: Settings) -> list[Job]:
    """Add the LINE routes to `app`; return the background jobs the lifespan must run."""
    if not (settings.line_channel_secret and settings.line_channel_access_token):
        raise ValueError("LINE needs LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN")
    api = LineApi(
        base_url=settings.line_api_base_url, access_token=settings.line_channel_access_token
    )
    door = LineDoor(channel_secret=settings.line_channel_secret, api=api)
    app.state.line = door
    app.include_router(router)
    senders.register(app, Channel.line.value, LineSender(api))
    return [door.run, *senders.install(app)]
