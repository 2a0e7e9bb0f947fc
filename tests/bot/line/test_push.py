"""When the free reply cannot be used, the answer is pushed through the outbox, with LINE's
X-Line-Retry-Key, so that a retry never shows the resident the same message twice."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.line.api import Timeouts
from handoff.models import DeliveryState, OutboxItem, Resident, utcnow
from tests.bot.line.conftest import door
from tests.bot.line.platform import LinePlatform
from tests.fakes.line_api import PUSH, REPLY

WORRY = "母の介護で仕事を辞めることになり、お金のことも心配です"


def _row(db: sessionmaker[Session], user: str) -> OutboxItem:
    with db() as session:
        return session.scalars(
            select(OutboxItem).join(Resident).where(Resident.external_id == user)
        ).one()


def _state(db: sessionmaker[Session], user: str) -> DeliveryState | None:
    with db() as session:
        return session.scalar(
            select(OutboxItem.state).join(Resident).where(Resident.external_id == user)
        )


def _pushes(line: LinePlatform, user: str) -> list[dict[str, str]]:
    return [
        r.headers | {"status": str(r.status)}
        for r in line.api.requests_to(PUSH)
        if isinstance(r.body, dict) and r.body.get("to") == user
    ]


def _due_now(db: sessionmaker[Session], user: str) -> None:
    """Let the retry's backoff pass."""
    with db.begin() as session:
        session.execute(
            update(OutboxItem)
            .where(OutboxItem.id == _row(db, user).id)
            .values(next_attempt_at=utcnow())
            .execution_options(synchronize_session=False)
        )


@pytest.mark.parametrize("refusal", ["invalid token", "server error", "expired"])
def test_when_the_reply_fails_the_answer_is_pushed_with_the_rows_retry_key(
    refusal: str, line: LinePlatform, db: sessionmaker[Session]
) -> None:
    user = line.consented()
    event = line.event("text", user=user, text=WORRY)
    if refusal == "invalid token":
        line.api.fail(REPLY, status=400, message="Invalid reply token")
    elif refusal == "server error":
        line.api.fail(REPLY, status=500)
    else:
        line.api.expire(event["replyToken"])
    line.send(event)

    pushed = line.api.wait_for(lambda: [d for d in line.api.delivered_to(user) if d.via == "push"])
    row = _row(db, user)
    assert pushed[0].retry_key == row.retry_key
    assert any(row.payload["texts"][-1] in text for text in pushed[0].texts)
    assert "T-" in "".join(pushed[0].texts)
    LinePlatform.wait(lambda: _state(db, user) == DeliveryState.sent)


def test_a_push_that_fails_is_retried_with_the_same_key_and_shown_once(
    line: LinePlatform, db: sessionmaker[Session]
) -> None:
    user = line.consented()
    line.api.fail(REPLY, status=400, message="Invalid reply token")
    line.api.fail(PUSH, status=500)
    line.send(line.event("text", user=user, text=WORRY))
    LinePlatform.wait(lambda: _state(db, user) == DeliveryState.failed)
    assert _row(db, user).last_error == "LineApiError: LINE push: 500"

    _due_now(db, user)
    LinePlatform.wait(lambda: _state(db, user) == DeliveryState.sent)

    attempts = _pushes(line, user)
    assert [a["status"] for a in attempts] == ["500", "200"]
    assert len({a["x-line-retry-key"] for a in attempts}) == 1
    assert attempts[0]["x-line-retry-key"] == _row(db, user).retry_key
    assert [d.via for d in line.api.delivered_to(user)].count("push") == 1


def test_a_push_accepted_whose_answer_was_lost_is_not_shown_twice(
    line: LinePlatform, db: sessionmaker[Session]
) -> None:
    user = line.consented()
    line.api.fail(REPLY, status=400, message="Invalid reply token")
    line.api.fail(PUSH, status=500, accept=True)
    line.send(line.event("text", user=user, text=WORRY))
    LinePlatform.wait(lambda: _state(db, user) == DeliveryState.failed)

    _due_now(db, user)
    LinePlatform.wait(lambda: _state(db, user) == DeliveryState.sent)

    assert [a["status"] for a in _pushes(line, user)] == ["500", "409"]
    assert [d.via for d in line.api.delivered_to(user)].count("push") == 1


def test_a_refused_push_is_not_retried(line: LinePlatform, db: sessionmaker[Session]) -> None:
    user = line.consented()
    line.api.fail(REPLY, status=400, message="Invalid reply token")
    line.api.fail(PUSH, status=400, message="The property, 'to', in the request body is invalid")
    line.send(line.event("text", user=user, text=WORRY))
    LinePlatform.wait(lambda: _state(db, user) == DeliveryState.dead)
    assert len(_pushes(line, user)) == 1


@pytest.fixture
def impatient(app: FastAPI) -> Iterator[None]:
    api = door(app).api
    api.timeouts = Timeouts(reply=0.5, push=0.5, profile=0.5, loading=0.5)
    try:
        yield
    finally:
        api.timeouts = Timeouts()


def test_a_reply_that_times_out_is_pushed(
    line: LinePlatform, db: sessionmaker[Session], impatient: None
) -> None:
    user = line.consented()
    line.api.fail(REPLY, status=500, delay=3.0)
    started = time.monotonic()
    line.send(line.event("text", user=user, text=WORRY))
    assert time.monotonic() - started < 1.0
    pushed = line.api.wait_for(lambda: [d for d in line.api.delivered_to(user) if d.via == "push"])
    assert pushed[0].retry_key == _row(db, user).retry_key


def test_someone_not_yet_known_is_pushed_directly_with_retries(
    line: LinePlatform, db: sessionmaker[Session]
) -> None:
    user = line.new_user()
    line.api.fail(REPLY, status=400, message="Invalid reply token")
    line.api.fail(PUSH, status=500)
    line.send(line.event("follow", user=user))
    [pushed] = line.api.wait_for(lambda: line.api.delivered_to(user))
    attempts = _pushes(line, user)
    assert [a["status"] for a in attempts] == ["500", "200"]
    assert attempts[0]["x-line-retry-key"] == attempts[1]["x-line-retry-key"]
    assert len(pushed.texts) == 3
    assert "quickReply" in pushed.messages[-1]
