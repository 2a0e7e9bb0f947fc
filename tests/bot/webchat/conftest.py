"""Web chat fixtures: the handoff database fixtures (both backends, rolled back), the real
application bound to the test's transaction, and browsers-as-cookie-jars."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from bot.app import create_app
from bot.settings import Settings
from bot.webchat import links
from bot.webchat.state import WebChat
from bot.webchat.web_sessions import COOKIE
from handoff.deps import get_now, get_sessionmaker
from handoff.models import SchoolLink
from handoff.site import SiteReport
from tests.factories import DEMO_PASSWORD, TUESDAY_MORNING
from tests.handoff import conftest as handoff_fixtures
from tests.handoff.databases import migrated_engine

# The handoff suite's database fixtures: both backends, each test in a rolled-back transaction.
backend = handoff_fixtures.backend
engine = handoff_fixtures.engine
connection = handoff_fixtures.connection
sessions = handoff_fixtures.sessions
session = handoff_fixtures.session
city = handoff_fixtures.city
fresh_url = handoff_fixtures.fresh_url

LABEL = "さくら小学校 学校メール"
WORRY_PT = (
    "Sou brasileira, tenho dois filhos pequenos e perdi o emprego na fábrica. "
    "Não sei como pagar o aluguel."
)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    # Requests use the test's transaction; the app's own (empty) database is only what the
    # background outbox job polls.
    url = f"sqlite:///{tmp_path_factory.mktemp('app') / 'idle.db'}"
    with migrated_engine(url):
        pass
    settings = Settings(
        environment="test",
        database_url=url,
        escalation_interval_seconds=0,
        max_request_bytes=64 * 1024,
    )
    return create_app(settings)


@dataclass
class Clock:
    now: datetime = TUESDAY_MORNING

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Device:
    """One browser: its own cookie, sharing the test's client."""

    client: TestClient
    token: str | None = None

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        self.client.cookies.clear()
        if self.token is not None:
            self.client.cookies.set(COOKIE, self.token)
        response = self.client.request(method, path, **kwargs)
        if COOKIE in response.cookies or "set-cookie" in response.headers:
            self.token = response.cookies.get(COOKIE)
        return response

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def say(self, code: str, text: str) -> httpx.Response:
        return self.post(f"/c/{code}/messages", json={"text": text})

    def tap(self, code: str, command: str) -> httpx.Response:
        return self.post(f"/c/{code}/messages", json={"command": command})

    def events_stream(
        self, code: str, *, after: str, last_event_id: str | None = None
    ) -> tuple[int, str]:
        """Read the event stream until the server ends it (tests keep it short)."""
        self.client.cookies.clear()
        if self.token is not None:
            self.client.cookies.set(COOKIE, self.token)
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        with self.client.stream(
            "GET", f"/c/{code}/events", params={"after": after}, headers=headers
        ) as response:
            return response.status_code, response.read().decode()


@dataclass
class Chat:
    """The application, bound to the test's transaction, with a pinned clock."""

    app: FastAPI
    client: TestClient
    session: Session
    clock: Clock
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def state(self) -> WebChat:
        return self.app.state.webchat  # type: ignore[no-any-return]

    def device(self) -> Device:
        return Device(self.client)

    def consultant(self, email: str) -> dict[str, str]:
        if email not in self.tokens:
            self.client.cookies.clear()
            response = self.client.post(
                "/api/login", json={"email": email, "password": DEMO_PASSWORD}
            )
            assert response.status_code == 200, response.text
            self.tokens[email] = response.json()["token"]
        return {"Authorization": f"Bearer {self.tokens[email]}"}


@pytest.fixture
def chat(
    app: FastAPI, sessions: sessionmaker[Session], session: Session, city: SiteReport
) -> Iterator[Chat]:
    clock = Clock()
    app.dependency_overrides[get_sessionmaker] = lambda: sessions
    app.dependency_overrides[get_now] = clock
    try:
        with TestClient(app) as client:
            app.state.webchat = WebChat(poll_seconds=0.01, stream_seconds=0.2)
            yield Chat(app=app, client=client, session=session, clock=clock)
    finally:
        app.dependency_overrides.clear()


@pytest.fixture
def link(session: Session, city: SiteReport) -> SchoolLink:
    """A Portuguese school link."""
    return links.create_link(session=session, label=LABEL, language="pt", now=TUESDAY_MORNING)
