"""The school-mail web chat front door: /c/{code}."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from bot import senders
from bot.settings import Settings
from bot.webchat.routes import router
from bot.webchat.sender import WebSender
from bot.webchat.state import STATIC, STATIC_URL, WebChat
from handoff.models import Channel

Job = Callable[[FastAPI], Awaitable[None]]


def install(app: FastAPI, settings: Settings) -> list[Job]:
    """Add the web chat routes to `app`; return the background jobs the lifespan must run."""
    app.state.webchat = WebChat()
    senders.register(app, Channel.web.value, WebSender())
    app.mount(STATIC_URL, StaticFiles(directory=STATIC), name="webchat-static")
    app.include_router(router)
    # Consultants' replies are marked delivered by the one outbox job, LINE or not.
    return senders.install(app)
