"""Workspace fixtures: the real application bound to the test's transaction (SQLite and
PostgreSQL, rolled back), a pinned clock, and consultants as browsers with their own cookies."""

from __future__ import annotations

import re
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
from handoff.deps import get_now, get_sessionmaker
from handoff.site import SiteReport
from handoff.workspace.live import Streams, get_streams
from tests.factories import DEMO_PASSWORD, TUESDAY_MORNING
from tests.handoff.databases import migrated_engine

TAKAHASHI = "takahashi.kenichi@minato.example"  # supervisor, general desk
NAKAMURA = "nakamura.saori@minato.example"  # supervisor, こども家庭センター
YAMAMOTO = "yamamoto.naoki@minato.example"  # くらし・しごと自立相談支援センター
SUZUKI = "suzuki.kazuko@minato.example"  # 地域包括支援センター
SATO = "sato.misaki@minato.example"  # general desk
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    # Requests use the test's transaction; the app's own database only feeds background jobs.
    url = f"sqlite:///{tmp_path_factory.mktemp('workspace') / 'idle.db'}"
    with migrated_engine(url):
        pass
    settings = Settings(environment="test", database_url=url, escalation_interval_seconds=0)
    return create_app(settings)


@dataclass
class Clock:
    now: datetime = TUESDAY_MORNING

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Browser:
    """One consultant's browser: its own cookies, on the test's shared client."""

    client: TestClient
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        self.client.cookies.clear()
        for name, value in self.cookies.items():
            self.client.cookies.set(name, value, domain="testserver.local", path="/workspace")
        kwargs.setdefault("follow_redirects", False)
        response = self.client.request(method, path, **kwargs)
        for cookie in response.cookies.jar:
            if cookie.value:
                self.cookies[cookie.name] = cookie.value
            else:
                self.cookies.pop(cookie.name, None)
        for header in response.headers.get_list("set-cookie"):
            if "Max-Age=0" in header:
                self.cookies.pop(header.split("=", 1)[0], None)
        return response

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, data=data or {}, **kwargs)

    def csrf(self, path: str = "/workspace/queue") -> str:
        """The CSRF token of a page's forms."""
        response = self.get(path)
        assert response.status_code == 200, response.text
        found = CSRF.search(response.text)
        assert found is not None
        return found.group(1)

    def act(self, path: str, data: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        """Post a form with this session's CSRF token."""
        return self.post(path, {"csrf": self.csrf(), **(data or {})}, **kwargs)

    def sign_in(self, email: str, password: str = DEMO_PASSWORD) -> httpx.Response:
        page = self.get("/workspace/login")
        found = CSRF.search(page.text)
        assert found is not None
        return self.post(
            "/workspace/login",
            {"email": email, "password": password, "csrf": found.group(1), "next": ""},
        )


@dataclass
class Desk:
    """The application bound to the test's transaction, with a pinned clock."""

    app: FastAPI
    client: TestClient
    session: Session
    clock: Clock
    browsers: dict[str, Browser] = field(default_factory=dict)

    def browser(self) -> Browser:
        return Browser(self.client)

    def signed_in(self, email: str) -> Browser:
        """A browser where `email` has signed in (one per consultant per test)."""
        if email not in self.browsers:
            browser = self.browser()
            response = browser.sign_in(email)
            assert response.status_code == 303, response.text
            self.browsers[email] = browser
        return self.browsers[email]


@pytest.fixture
def desk(
    app: FastAPI, sessions: sessionmaker[Session], session: Session, city: SiteReport
) -> Iterator[Desk]:
    clock = Clock()
    app.dependency_overrides[get_sessionmaker] = lambda: sessions
    app.dependency_overrides[get_now] = clock
    app.dependency_overrides[get_streams] = lambda: Streams(interval=0.0, lifetime=0.0)
    try:
        with TestClient(app) as client:
            yield Desk(app=app, client=client, session=session, clock=clock)
    finally:
        app.dependency_overrides.clear()
