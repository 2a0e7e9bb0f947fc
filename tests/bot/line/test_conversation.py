"""A resident on LINE, end to end: signed webhooks in, the real SDK client out to the fake API."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.dialogue import Inbound, Kind, Outbound
from handoff import tickets
from handoff.models import (
    Agency,
    Channel,
    Consultant,
    EmergencyContact,
    OutboxItem,
    Resident,
    Ticket,
    Urgency,
    utcnow,
)
from tests.bot.line.conftest import dialogue_says
from tests.bot.line.platform import LinePlatform
from tests.fakes.line_api import LOADING, PROFILE

WORRY = "母の介護で仕事を辞めることになり、お金のことも心配です"


def _resident(db: sessionmaker[Session], user: str) -> Resident | None:
    with db() as session:
        return tickets.find_resident(session=session, channel=Channel.line, external_id=user)


def _ticket_of(db: sessionmaker[Session], user: str) -> Ticket:
    with db() as session:
        resident = tickets.find_resident(session=session, channel=Channel.line, external_id=user)
        assert resident is not None
        return session.scalars(select(Ticket).where(Ticket.resident_id == resident.id)).one()


def _inbound(user: str, kind: Kind, **fields: Any) -> Inbound:
    return Inbound(
        channel="line", external_id=user, kind=kind, received_at=datetime.now(UTC), **fields
    )


def test_a_japanese_worry_after_consent_names_a_consultant(
    line: LinePlatform, db: sessionmaker[Session]
) -> None:
    user = line.new_user(language="ja")
    line.send(line.event("follow", user=user))
    [welcome] = line.replies(user, 1)
    assert len(welcome) == 3
    consent = line.api.delivered_to(user)[0].messages[-1]["quickReply"]["items"]
    assert consent[0]["action"]["data"] == "#consent:yes"

    line.send(line.event("postback", user=user, data=consent[0]["action"]["data"]))
    line.replies(user, 2)
    line.send(line.event("text", user=user, text=WORRY))
    answer = "\n".join(line.replies(user, 3)[2])

    number = re.search(r"T-\d{4}-\d{6}", answer)
    assert number is not None
    ticket = _ticket_of(db, user)
    assert ticket.number == number.group()
    with db() as session:
        consultant = session.get_one(Consultant, ticket.consultant_id)
        agencies = session.scalars(select(Agency)).all()
    assert consultant.display_name in answer
    assert any(f"■ {agency.name_ja}" in answer for agency in agencies)

    def reserve_dropped() -> bool:
        with db() as session:
            return session.scalar(select(func.count()).select_from(OutboxItem)) == 0

    # Replied for free: the push kept in reserve is dropped once the reply API has answered
    # (just after the fake API recorded the reply, so it is waited for, not read at once).
    line.wait(reserve_dropped, timeout=5.0)
    assert [delivery.via for delivery in line.api.delivered_to(user)] == ["reply"] * 3
    assert all(
        r.headers["authorization"] == "Bearer fake-channel-access-token"
        for r in line.api.requests_to("/")
    )
    assert [r.body["chatId"] for r in line.api.requests_to(LOADING)].count(user) == 3
    assert len(line.api.requests_to(PROFILE + user)) == 2  # only while they were new


@pytest.mark.parametrize("tag", ["pt-BR", "pt"])
def test_the_profile_language_chooses_portuguese(
    tag: str, line: LinePlatform, app: FastAPI, db: sessionmaker[Session]
) -> None:
    user = line.new_user(language=tag)
    line.send(line.event("follow", user=user))
    [welcome] = line.replies(user, 1)
    expected = dialogue_says(app, db, _inbound(user, Kind.follow, language="pt"))
    assert expected.language == "pt"
    assert welcome == list(expected.texts)

    line.send(line.event("postback", user=user, data="#consent:yes"))
    line.replies(user, 2)
    resident = _resident(db, user)
    assert resident is not None
    assert resident.language == "pt"


def test_without_a_profile_language_the_words_decide(
    line: LinePlatform, app: FastAPI, db: sessionmaker[Session]
) -> None:
    user = line.new_user(language=None)
    text = "I lost my job and I cannot pay the rent this month."
    line.send(line.event("text", user=user, text=text))
    [answer] = line.replies(user, 1)
    assert answer == list(dialogue_says(app, db, _inbound(user, Kind.text, text=text)).texts)


def test_a_crisis_puts_the_emergency_numbers_first(
    line: LinePlatform, db: sessionmaker[Session]
) -> None:
    with db() as session:
        first = session.scalars(select(EmergencyContact).order_by(EmergencyContact.position))
        number = first.first()
    assert number is not None

    stranger = line.new_user()
    line.send(line.event("text", user=stranger, text="もう死にたい"))
    [before_consent] = line.replies(stranger, 1)
    assert number.number in before_consent[0]

    user = line.consented()
    line.send(line.event("text", user=user, text="もう死にたい"))
    answer = line.replies(user, 3)[2]
    assert number.number in answer[0]
    assert _ticket_of(db, user).urgency == Urgency.crisis


@pytest.mark.parametrize(("fixture", "kind"), [("sticker", Kind.sticker), ("image", Kind.image)])
def test_stickers_and_photos_get_a_kind_answer(
    fixture: str, kind: Kind, line: LinePlatform, app: FastAPI, db: sessionmaker[Session]
) -> None:
    user = line.new_user(language="en")
    line.send(line.event(fixture, user=user))
    [answer] = line.replies(user, 1)
    assert answer == list(dialogue_says(app, db, _inbound(user, kind, language="en")).texts)
    assert _resident(db, user) is None  # nothing kept from someone who has not agreed


def test_a_group_hears_once_that_consultation_is_one_to_one(
    line: LinePlatform, app: FastAPI, db: sessionmaker[Session]
) -> None:
    member, group, room = line.new_user(), "C" + uuid.uuid4().hex, "R" + uuid.uuid4().hex
    note = dialogue_says(app, db, _inbound(member, Kind.group)).texts
    line.send(line.event("group_text", user=member, group=group))
    [said] = line.replies(group, 1)
    assert said == list(note)

    line.send(line.event("group_text", user=member, group=group, text="母の介護が大変で"))
    line.send(line.event("join", user=member, group=room))
    assert line.replies(room, 1) == [list(note)]
    assert len(line.api.delivered_to(group)) == 1
    assert not line.api.requests_to(PROFILE + member)
    assert _resident(db, member) is None


def test_a_consultants_reply_is_pushed_signed_with_their_name(
    line: LinePlatform, db: sessionmaker[Session]
) -> None:
    user = line.consented()
    line.send(line.event("text", user=user, text=WORRY))
    line.replies(user, 3)
    ticket = _ticket_of(db, user)
    with db.begin() as session:
        consultant = session.get_one(Consultant, ticket.consultant_id)
        tickets.reply(
            session=session,
            ticket_id=ticket.id,
            consultant=consultant,
            text="お話を聞かせてください。明日お電話してもよいですか。",
            now=utcnow(),
        )
    pushed = line.api.wait_for(lambda: [d for d in line.api.delivered_to(user) if d.via == "push"])
    [text] = pushed[0].texts
    assert consultant.display_name in text
    assert "明日お電話してもよいですか" in text
    with db() as session:
        row = session.scalars(select(OutboxItem).where(OutboxItem.ticket_id == ticket.id)).one()
    assert pushed[0].retry_key == row.retry_key


class SevenLongTexts:
    """A conversation that says more than one reply can hold."""

    texts = tuple(f"{index}: " + "あ" * 3000 for index in range(7))

    def __init__(self, real: Any) -> None:
        self.real = real

    def respond(self, inbound: Inbound, *, session: Session) -> Outbound:
        answer: Outbound = self.real.respond(inbound, session=session)
        return replace(answer, texts=self.texts) if inbound.kind is Kind.text else answer


@pytest.fixture
def talkative(app: FastAPI) -> Iterator[None]:
    real = app.state.dialogue
    app.state.dialogue = SevenLongTexts(real)
    try:
        yield
    finally:
        app.state.dialogue = real


def test_more_than_five_messages_go_partly_by_push(
    line: LinePlatform, talkative: None, db: sessionmaker[Session]
) -> None:
    user = line.consented()
    line.send(line.event("text", user=user, text=WORRY))
    line.api.wait_for(lambda: len(line.api.delivered_to(user)) >= 4)
    reply, push = line.api.delivered_to(user)[2:]
    assert (reply.via, push.via) == ("reply", "push")
    assert reply.texts + push.texts == list(SevenLongTexts.texts)
    assert len(reply.messages) == 5
    assert "quickReply" not in reply.messages[-1]
    assert "quickReply" in push.messages[-1]
    assert not line.api.problems
    with db() as session:
        row = session.scalars(
            select(OutboxItem).join(Resident).where(Resident.external_id == user)
        ).one()
    assert push.retry_key == row.retry_key
    assert row.payload["texts"] == list(SevenLongTexts.texts[5:])


def test_loading_and_profile_failures_do_not_stop_the_answer(line: LinePlatform) -> None:
    user = line.new_user()
    line.api.fail(LOADING, status=500)
    line.api.fail(PROFILE, status=500)
    line.send(line.event("follow", user=user))
    [welcome] = line.replies(user, 1)
    assert len(welcome) == 3
    assert [delivery.via for delivery in line.api.delivered_to(user)] == ["reply"]
    assert [r.status for r in line.api.requests_to(PROFILE + user)] == [500]
