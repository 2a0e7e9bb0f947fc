"""Events survive: whatever was stored is handled, after a crash or a restart, exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.app import create_app
from bot.dialogue import Inbound, Outbound
from bot.line import inbox
from bot.line.door import LineDoor
from handoff.models import DeliveryState, EventState, InboundEvent, OutboxItem, Resident, utcnow
from tests.bot.line.conftest import FAST, door, line_settings, quick
from tests.bot.line.platform import LinePlatform
from tests.fakes.line_api import FakeLineApi

WORRY = "母の介護で仕事を辞めることになり、お金のことも心配です"


def _state(db: sessionmaker[Session], event_id: str) -> EventState | None:
    with db() as session:
        return session.scalar(select(InboundEvent.state).where(InboundEvent.event_id == event_id))


def _store(db: sessionmaker[Session], event: dict[str, Any], *, lease: timedelta) -> None:
    with db.begin() as session:
        inbox.store(session=session, events=[event], now=utcnow(), lease=lease)


@pytest.fixture
def short_leases(app: FastAPI) -> Iterator[LineDoor]:
    line_door = door(app)
    line_door.tuning = replace(FAST, lease=timedelta(seconds=0.5), reserve=timedelta(seconds=0.5))
    try:
        yield line_door
    finally:
        line_door.tuning = FAST


def test_an_event_stored_by_a_worker_that_died_is_swept_up(
    line: LinePlatform, db: sessionmaker[Session]
) -> None:
    user = line.new_user()
    event = line.event("follow", user=user)
    _store(db, event, lease=timedelta(seconds=-1))  # stored, claimed, then the process died

    [welcome] = line.replies(user, 1)
    assert len(welcome) == 3
    LinePlatform.wait(lambda: _state(db, event["webhookEventId"]) == EventState.done)


def test_an_event_the_webhook_stored_but_never_handed_on_is_swept_up(
    line: LinePlatform,
    db: sessionmaker[Session],
    short_leases: LineDoor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(short_leases, "kick", lambda claimed: None)
    user = line.new_user()
    event = line.event("follow", user=user)
    line.send(event)
    assert _state(db, event["webhookEventId"]) == EventState.processing

    line.replies(user, 1)
    with db() as session:
        row = session.scalars(
            select(InboundEvent).where(InboundEvent.event_id == event["webhookEventId"])
        ).one()
    assert (row.state, row.attempts, row.payload) == (EventState.done, 2, None)


class FailsOnce:
    """A conversation that breaks the first time (a bug, a lost connection)."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.broken = True

    def respond(self, inbound: Inbound, *, session: Session) -> Outbound:
        if self.broken:
            self.broken = False
            raise ConnectionError("the database went away")
        answer: Outbound = self.real.respond(inbound, session=session)
        return answer


def test_an_event_that_fails_is_retried_later_and_nothing_half_stored(
    line: LinePlatform, app: FastAPI, db: sessionmaker[Session]
) -> None:
    user = line.consented()
    real = app.state.dialogue
    app.state.dialogue = FailsOnce(real)
    try:
        event = line.event("text", user=user, text=WORRY)
        line.send(event)
        LinePlatform.wait(lambda: _state(db, event["webhookEventId"]) == EventState.failed)
        with db.begin() as session:
            session.execute(
                update(InboundEvent)
                .where(InboundEvent.event_id == event["webhookEventId"])
                .values(next_attempt_at=utcnow())
            )
        answer = line.replies(user, 3)[2]
    finally:
        app.state.dialogue = real
    assert "T-" in "\n".join(answer)
    assert _state(db, event["webhookEventId"]) == EventState.done


def test_an_answer_lost_in_a_crash_after_the_conversation_is_still_pushed(
    line: LinePlatform,
    db: sessionmaker[Session],
    short_leases: LineDoor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = line.consented()

    async def crash(*_: object) -> None:
        raise SystemError("the process died before replying")

    monkeypatch.setattr(short_leases, "_answer", crash)
    line.send(line.event("text", user=user, text=WORRY))
    [pushed] = line.api.wait_for(
        lambda: [d for d in line.api.delivered_to(user) if d.via == "push"]
    )
    assert "T-" in "\n".join(pushed.texts)

    def sent_row() -> OutboxItem | None:
        with db() as session:
            row = session.scalars(
                select(OutboxItem).join(Resident).where(Resident.external_id == user)
            ).one()
            return row if row.state == DeliveryState.sent else None

    # The row is marked sent once the push API has answered, just after the fake API recorded
    # the push: wait for it rather than read at once.
    row = LinePlatform.wait(sent_row, timeout=5.0)
    assert pushed.retry_key == row.retry_key


def test_a_restarted_service_handles_what_was_left(
    database_url: str, db: sessionmaker[Session], line_api: FakeLineApi, client: TestClient
) -> None:
    app = quick(create_app(line_settings(database_url, line_api.url)))
    platform = LinePlatform(client, line_api)  # only builds events here
    user = platform.new_user()
    event = platform.event("follow", user=user)
    with db.begin() as session:
        session.add(
            InboundEvent(
                channel="line",
                event_id=event["webhookEventId"],
                payload=event,
                state=EventState.pending,
                attempts=0,
                next_attempt_at=utcnow(),
                received_at=utcnow(),
            )
        )
    with TestClient(app):
        platform.replies(user, 1)
        LinePlatform.wait(lambda: _state(db, event["webhookEventId"]) == EventState.done)
