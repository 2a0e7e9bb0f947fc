"""POST /line/webhook: LINE's signature, durable storage before 200, each event handled once."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from handoff.db import make_engine, make_sessionmaker
from handoff.deps import get_sessionmaker
from handoff.models import EventState, InboundEvent
from tests.bot.line.platform import FIXTURES, SECRET, LinePlatform, sign
from tests.fakes.line_api import REPLY

# The recorded body and its signature under SECRET, computed once with openssl/hmac by hand.
KNOWN_SIGNATURE = "S0SRQBimmwf9bqX5XrpbzHtrosgrSkTbwq8bv18DAuE="


def _count(db: sessionmaker[Session]) -> int:
    with db() as session:
        return int(session.scalar(select(func.count()).select_from(InboundEvent)) or 0)


def _event_row(db: sessionmaker[Session], event_id: str) -> InboundEvent:
    with db() as session:
        return session.scalars(select(InboundEvent).where(InboundEvent.event_id == event_id)).one()


def _done(db: sessionmaker[Session], event_id: str) -> InboundEvent:
    return LinePlatform.wait(
        lambda: (row := _event_row(db, event_id)).state == EventState.done and row
    )


def test_a_body_signed_as_line_signs_it_is_accepted(
    line: LinePlatform, db: sessionmaker[Session]
) -> None:
    body = (FIXTURES / "known_signature.json").read_bytes()
    digest = hmac.new(SECRET.encode("utf-8"), body, hashlib.sha256).digest()
    assert base64.b64encode(digest).decode("ascii") == KNOWN_SIGNATURE

    response = line.post(body, signature=KNOWN_SIGNATURE)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    row = _done(db, "01HZXSKNOWNSIGNATURE000000")
    assert row.payload is None  # forgotten once handled
    # The recorded reply token is not one the fake issued: the answer is pushed instead.
    user = json.loads(body)["events"][0]["source"]["userId"]
    [pushed] = line.api.wait_for(lambda: line.api.delivered_to(user))
    assert pushed.via == "push"
    assert pushed.retry_key


@pytest.mark.parametrize(
    "signature",
    [
        "",  # none
        KNOWN_SIGNATURE,  # a real signature, of another body
        sign(b"{}", "another-channel-secret"),
        "not base64 at all",
    ],
)
def test_a_wrong_or_missing_signature_is_refused_and_nothing_stored(
    signature: str, line: LinePlatform, db: sessionmaker[Session]
) -> None:
    user = line.new_user()
    before, calls = _count(db), len(line.api.requests)
    body = line.body(line.event("text", user=user, text="たすけて"))

    response = line.post(body, signature=signature)

    assert response.status_code == 400
    assert "signature" in response.json()["detail"].lower()
    time.sleep(0.3)
    assert _count(db) == before
    assert len(line.api.requests) == calls


def test_a_signature_covers_the_exact_bytes(line: LinePlatform, db: sessionmaker[Session]) -> None:
    body = line.body(line.event("follow", user=line.new_user()))
    respaced = json.dumps(json.loads(body), indent=1, ensure_ascii=False).encode()
    response = line.post(respaced, signature=sign(body))
    assert response.status_code == 400


def test_a_redelivered_event_is_handled_once(line: LinePlatform, db: sessionmaker[Session]) -> None:
    user = line.new_user()
    event = line.event("follow", user=user)
    line.send(event, event)  # twice in one body
    line.replies(user, 1)
    again = {**event, "deliveryContext": {"isRedelivery": True}}
    line.send(again)
    line.send(again)
    time.sleep(0.5)
    assert len(line.api.delivered_to(user)) == 1
    with db() as session:
        rows = session.scalars(
            select(InboundEvent).where(InboundEvent.event_id == event["webhookEventId"])
        ).all()
    assert [row.state for row in rows] == [EventState.done]


@pytest.mark.parametrize("fixture", ["unfollow", "unknown"])
def test_events_without_an_answer_are_stored_then_set_aside(
    fixture: str, line: LinePlatform, db: sessionmaker[Session]
) -> None:
    user = line.new_user()
    event = line.event(fixture, user=user)
    line.send(event)
    row = _done(db, event["webhookEventId"])
    assert row.payload is None
    assert not line.api.delivered_to(user)


def test_the_verify_button_gets_200(line: LinePlatform, db: sessionmaker[Session]) -> None:
    before = _count(db)
    assert line.send().json() == {"status": "ok"}
    assert _count(db) == before


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"\xff\xfe not utf-8", 400),
        (b'{"events": [', 400),
        (b'["events"]', 400),
        (b'{"events": {"type": "message"}}', 400),
        (b'{"events": ["message"]}', 400),
        (b"[" * 100_000 + b"]" * 100_000, 400),
    ],
)
def test_bad_bodies_get_a_clear_400(
    body: bytes, status: int, line: LinePlatform, db: sessionmaker[Session]
) -> None:
    before = _count(db)
    signature = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
    response = line.post(body, signature=signature)
    assert response.status_code == status
    assert response.json()["detail"]
    assert _count(db) == before


def test_a_body_over_the_limit_gets_413(line: LinePlatform, db: sessionmaker[Session]) -> None:
    before = _count(db)
    event = line.event("text", user=line.new_user(), text="あ" * 400_000)
    response = line.post(line.body(event))
    assert response.status_code == 413
    assert response.json()["detail"]
    assert _count(db) == before


@pytest.fixture
def database_down(app: FastAPI) -> Iterator[None]:
    engine = make_engine(
        "postgresql+psycopg://nobody@127.0.0.1:9/none", connect_args={"connect_timeout": 2}
    )
    app.dependency_overrides[get_sessionmaker] = lambda: make_sessionmaker(engine)
    try:
        yield
    finally:
        app.dependency_overrides.pop(get_sessionmaker)
        engine.dispose()


def test_without_the_database_the_webhook_asks_line_to_deliver_again(
    line: LinePlatform, database_down: None
) -> None:
    user = line.new_user()
    response = line.post(line.body(line.event("follow", user=user)))
    assert response.status_code == 503
    assert response.json()["detail"]
    assert response.headers["retry-after"]
    time.sleep(0.3)
    assert not line.api.delivered_to(user)


def test_the_webhook_answers_at_once_while_line_is_slow(
    line: LinePlatform, db: sessionmaker[Session]
) -> None:
    user = line.new_user()
    line.api.slow(REPLY, delay=1.5)
    event = line.event("follow", user=user)
    started = time.monotonic()
    line.send(event)
    assert time.monotonic() - started < 1.0
    assert _event_row(db, event["webhookEventId"]).event_id == event["webhookEventId"]
    line.replies(user, 1)
