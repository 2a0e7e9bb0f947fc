"""create_app(settings): the FastAPI application and its lifespan."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from bot.settings import Settings
from classifier.model import load_or_train

log = logging.getLogger("tsunagu")


def create_app(settings: Settings) -> FastAPI:
    """Assemble the application for `settings`."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.tagger = await asyncio.to_thread(load_or_train, settings.model_path)
        log.info("classifier ready (%s)", settings.model_path.name)
        yield

    app = FastAPI(title="tsunagu", version="0.1.0", lifespan=lifespan)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        """Liveness: the process is up and the classifier is loaded."""
        return {"status": "ok"}

    return app
