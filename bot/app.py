"""create_app(settings): the FastAPI application and its lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot import senders, webchat
from bot.dialogue import Dialogue
from bot.settings import Settings
from classifier.model import load_or_train
from handoff import api as consultant_api
from handoff import workspace
from handoff.auth import LoginPolicy
from handoff.db import make_engine, make_sessionmaker
from handoff.models import utcnow
from handoff.retention import purge_expired
from handoff.tickets import escalate_overdue

log = logging.getLogger("tsunagu")


def create_app(settings: Settings) -> FastAPI:
    """Assemble the application for `settings`."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        sessions = make_sessionmaker(engine)
        app.state.settings = settings
        app.state.engine = engine
        app.state.sessionmaker = sessions
        app.state.login_policy = LoginPolicy(
            token_ttl=timedelta(hours=settings.api_token_ttl_hours)
        )
        app.state.tagger = await asyncio.to_thread(load_or_train, settings.model_path)
        app.state.dialogue = Dialogue(app.state.tagger)
        log.info("classifier ready (%s)", settings.model_path.name)
        jobs: list[asyncio.Task[None]] = [
            asyncio.create_task(run(app)) for run in app.state.front_door_jobs
        ]
        if settings.retention_interval_seconds > 0:
            keep = timedelta(days=settings.retention_days)
            jobs.append(
                asyncio.create_task(
                    _every(settings.retention_interval_seconds, lambda: _purge(sessions, keep))
                )
            )
        if settings.escalation_interval_seconds > 0:
            jobs.append(
                asyncio.create_task(
                    _every(settings.escalation_interval_seconds, lambda: _escalate(sessions))
                )
            )
        try:
            yield
        finally:
            for job in jobs:
                job.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await job
            engine.dispose()

    app = FastAPI(title="tsunagu", version="0.1.0", lifespan=lifespan)
    consultant_api.install_error_handling(app, max_body_bytes=settings.max_request_bytes)
    app.include_router(consultant_api.router)
    app.include_router(workspace.router)
    # Front doors: each install() adds its routes and returns the background jobs it needs
    # (coroutine functions taking the app) that the lifespan runs.
    app.state.front_door_jobs = []
    app.state.front_door_jobs += webchat.install(app, settings)
    if settings.line_enabled:
        from bot import line  # the LINE SDK takes about a second to import: only when used

        app.state.front_door_jobs += line.install(app, settings)
    else:
        log.info("LINE is not configured (LINE_CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN)")
    # One outbox delivery job for every channel, whichever doors are open.
    app.state.front_door_jobs += senders.install(app)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        """Liveness: the process is up and the classifier is loaded."""
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["operations"],
        responses={503: {"description": "The database cannot be reached."}},
    )
    async def readyz() -> JSONResponse:
        """Readiness: the database answers (a load balancer sends nothing here until then)."""
        try:
            await asyncio.to_thread(_ping, app.state.sessionmaker)
        except SQLAlchemyError as error:
            log.warning("not ready: database unreachable (%s)", type(error).__name__)
            return JSONResponse({"status": "database unreachable"}, status_code=503)
        return JSONResponse({"status": "ready"})

    return app


def _ping(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        session.execute(text("SELECT 1"))


def _purge(sessions: sessionmaker[Session], keep: timedelta) -> None:
    with sessions.begin() as session:
        purge_expired(session=session, now=utcnow(), keep_closed_for=keep)


def _escalate(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        escalated = escalate_overdue(session=session, now=utcnow())
    if escalated:
        log.info("escalated %d overdue tickets to supervisors", len(escalated))


async def _every(seconds: float, job: Callable[[], None]) -> None:
    """Run a blocking job in a thread every `seconds`, logging (not dying on) failures."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await asyncio.to_thread(job)
        except Exception:
            log.exception("periodic job failed")
