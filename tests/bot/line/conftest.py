"""The LINE door's fixtures: a fake Messaging API on loopback, a fresh database with the sample
city per test module and backend, and the real application pointed at both."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from bot import senders
from bot.app import create_app
from bot.dialogue import Dialogue, Inbound, Outbound
from bot.line.door import LineDoor, Tuning
from bot.settings import Settings
from handoff.db import make_engine, make_sessionmaker
from tests.bot.line.platform import SECRET, LinePlatform
from tests.factories import load_sample_city
from tests.fakes.line_api import ACCESS_TOKEN, FakeLineApi
from tests.handoff.databases import empty_database, migrated_engine

FAST = Tuning(sweep_seconds=0.2, push_retry_seconds=0.05)


def line_settings(database_url: str, api_url: str, **overrides: Any) -> Settings:
    """Settings for a test app: LINE pointed at the fake, background jobs quiet."""
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "escalation_interval_seconds": 0,
        "retention_interval_seconds": 0,
        "LINE_CHANNEL_SECRET": SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": ACCESS_TOKEN,
        "LINE_API_BASE_URL": api_url,
        **overrides,
    }
    return Settings(**values)


def quick(app: FastAPI) -> FastAPI:
    """Shorten the door's and the delivery job's timings for tests."""
    door(app).tuning = FAST
    senders.delivery(app).interval_seconds = 0.2
    return app


def door(app: FastAPI) -> LineDoor:
    """The app's LINE door."""
    found: LineDoor = app.state.line
    return found


@pytest.fixture(scope="module")
def line_api(backend: str) -> Iterator[FakeLineApi]:
    """The fake Messaging API, shared by the module's tests on one backend."""
    with FakeLineApi() as fake:
        yield fake


@pytest.fixture(scope="module")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh migrated database with the sample city, for this module and backend."""
    with (
        empty_database(backend, tmp_path_factory.mktemp("line")) as url,
        migrated_engine(url) as engine,
    ):
        with make_sessionmaker(engine).begin() as session:
            load_sample_city(session)
        yield url


@pytest.fixture(scope="module")
def app(database_url: str, line_api: FakeLineApi) -> FastAPI:
    """The real application, its LINE door talking to the fake."""
    return quick(create_app(line_settings(database_url, line_api.url)))


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    """The running application."""
    with TestClient(app) as client:
        yield client


@pytest.fixture
def line(client: TestClient, line_api: FakeLineApi) -> Iterator[LinePlatform]:
    """LINE's side: signed webhooks in, the fake API out; faults cleared after each test."""
    yield LinePlatform(client, line_api)
    line_api.faults.clear()


@pytest.fixture
def db(database_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on the module's database, to look at what was stored."""
    engine = make_engine(database_url)
    try:
        yield make_sessionmaker(engine)
    finally:
        engine.dispose()


def dialogue_says(app: FastAPI, sessions: sessionmaker[Session], inbound: Inbound) -> Outbound:
    """What the app's conversation answers to `inbound`, with nothing kept (rolled back)."""
    dialogue: Dialogue = app.state.dialogue
    with sessions() as session:
        try:
            return dialogue.respond(inbound, session=session)
        finally:
            session.rollback()
