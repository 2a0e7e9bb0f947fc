"""The school-mail web chat front door: /c/{code}."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI

from bot.settings import Settings

Job = Callable[[FastAPI], Awaitable[None]]


def install(app: FastAPI, settings: Settings) -> list[Job]:
    """Add the web chat routes to `app`; return the background jobs the lifespan must run."""
    return []
