from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from handoff import outbox, tickets
from handoff.models import DeliveryState, Message, OutboxItem
from handoff.outbox import ChannelSender, PermanentDeliveryError, ResidentAddress
from tests.factories import TUESDAY_MORNING, worry

pytestmark = pytest.mark.usefixtures("city")


def queued_reply(session: Session, *, external_id: str = "U-outbox") -> OutboxItem:
    handed = worry(session, external_id=external_id)
    message = tickets.reply(
        session=session,
        ticket_id=handed.ticket.id,
        consultant=handed.consultant,
        text="お電話します",
        now=TUESDAY_MORNING,
    )
    return session.scalars(select(OutboxItem).where(OutboxItem.message_id == message.id)).one()


def test_claim_due_takes_each_row_once(session: Session) -> None:
    item = queued_reply(session)
    (delivery,) = outbox.claim_due(session=session, now=TUESDAY_MORNING)
    assert delivery.outbox_id == item.id
    assert delivery.resident == ResidentAddress("line", "U-outbox", "ja")
    assert delivery.messages[0]["kind"] == "consultant_reply"
    assert delivery.attempt == 1
    assert outbox.claim_due(session=session, now=TUESDAY_MORNING) == []
    # A worker that died lets go when its lease runs out.
    (again,) = outbox.claim_due(session=session, now=TUESDAY_MORNING + timedelta(minutes=3))
    assert again.retry_key == delivery.retry_key and again.attempt == 2


def test_not_due_before_next_attempt(session: Session) -> None:
    queued_reply(session)
    assert outbox.claim_due(session=session, now=TUESDAY_MORNING - timedelta(seconds=1)) == []


def test_mark_sent_updates_the_message(session: Session) -> None:
    item = queued_reply(session)
    outbox.claim_due(session=session, now=TUESDAY_MORNING)
    outbox.mark_sent(
        session=session, outbox_id=item.id, now=TUESDAY_MORNING, channel_message_id="line-123"
    )
    message = session.get_one(Message, item.message_id)
    assert (item.state, message.delivery_state, message.channel_message_id) == (
        DeliveryState.sent,
        DeliveryState.sent,
        "line-123",
    )
    assert outbox.claim_due(session=session, now=TUESDAY_MORNING + timedelta(days=1)) == []


def test_failures_back_off_then_give_up(session: Session) -> None:
    item = queued_reply(session)
    now = TUESDAY_MORNING
    waits = []
    for _ in range(outbox.MAX_ATTEMPTS):
        (delivery,) = outbox.claim_due(session=session, now=now)
        outbox.mark_failed(session=session, outbox_id=delivery.outbox_id, now=now, error="503")
        waits.append(item.next_attempt_at - now)
        now = item.next_attempt_at
    assert waits[:3] == [timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2)]
    assert max(waits) <= timedelta(hours=1)
    assert item.state == DeliveryState.dead
    assert session.get_one(Message, item.message_id).delivery_state == DeliveryState.dead
    assert outbox.claim_due(session=session, now=now + timedelta(days=1)) == []


class FakeSender:
    def __init__(self, fail_with: Exception | None = None) -> None:
        self.fail_with = fail_with
        self.sent: list[tuple[ResidentAddress, Sequence[Mapping[str, Any]], str]] = []

    async def send(
        self, resident: ResidentAddress, messages: Sequence[Mapping[str, Any]], retry_key: str
    ) -> str | None:
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append((resident, messages, retry_key))
        return f"channel-{len(self.sent)}"


def clock() -> datetime:
    return TUESDAY_MORNING


async def test_deliver_due_sends_and_records(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        item_id = queued_reply(session).id
    sender = FakeSender()
    checked: ChannelSender = sender
    report = await outbox.deliver_due(sessions=sessions, sender=checked, clock=clock)
    assert (report.sent, report.failed) == (1, 0)
    assert sender.sent[0][0].external_id == "U-outbox"
    with sessions() as session:
        assert session.get_one(OutboxItem, item_id).state == DeliveryState.sent


async def test_deliver_due_retries_later_or_gives_up(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        flaky = queued_reply(session, external_id="U-flaky").id
    report = await outbox.deliver_due(
        sessions=sessions, clock=clock, sender=FakeSender(ConnectionError("timeout"))
    )
    assert (report.sent, report.failed) == (0, 1)
    with sessions() as session:
        row = session.get_one(OutboxItem, flaky)
        assert row.state == DeliveryState.failed and row.last_error == "ConnectionError: timeout"
    later = TUESDAY_MORNING + timedelta(minutes=1)
    await outbox.deliver_due(
        sessions=sessions, clock=lambda: later, sender=FakeSender(PermanentDeliveryError("blocked"))
    )
    with sessions() as session:
        assert session.get_one(OutboxItem, flaky).state == DeliveryState.dead
