"""TSUNAGU_LINE_HANDLING=worker: `serve` only stores LINE events; `tsunagu worker` answers them."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.app import create_app
from handoff.models import EventState, InboundEvent
from tests.bot.line.conftest import line_settings, quick
from tests.bot.line.platform import LinePlatform
from tests.fakes.line_api import FakeLineApi


def _states(db: sessionmaker[Session]) -> list[EventState]:
    with db() as session:
        return list(session.scalars(select(InboundEvent.state).order_by(InboundEvent.id)))


def test_the_web_process_stores_and_the_worker_answers(
    database_url: str, line_api: FakeLineApi, db: sessionmaker[Session]
) -> None:
    web = quick(create_app(line_settings(database_url, line_api.url, line_handling="worker")))
    worker = quick(create_app(line_settings(database_url, line_api.url, process_role="worker")))
    with TestClient(web) as web_client:
        line = LinePlatform(web_client, line_api)
        user = line.new_user()
        assert line.send(line.event("follow", user=user)).status_code == 200
        time.sleep(1.0)  # long enough for an inline door to have answered
        assert line_api.texts_to(user) == []
        assert EventState.pending in _states(db)
        with TestClient(worker):
            [welcome] = line.replies(user, 1)
        assert "110" in "\n".join(welcome)
    assert EventState.pending not in _states(db)
