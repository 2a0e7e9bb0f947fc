"""The web channel's sender: a reply is delivered once stored, and deliver_due marks it."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.webchat.sender import WebSender
from handoff import tickets
from handoff.models import DeliveryState, Message, OutboxItem
from handoff.outbox import PermanentDeliveryError, ResidentAddress, deliver_due
from handoff.site import SiteReport
from tests.factories import TUESDAY_MORNING, worry


def test_accepts_web_residents_and_refuses_others() -> None:
    sender = WebSender()
    web = ResidentAddress("web", "w" + "0" * 32, "pt")
    assert asyncio.run(sender.send(web, [{"kind": "consultant_reply"}], "key")) is None
    with pytest.raises(PermanentDeliveryError):
        asyncio.run(sender.send(ResidentAddress("line", "U1", "ja"), [], "key"))


def test_deliver_due_marks_a_web_reply_sent(
    sessions: sessionmaker[Session], session: Session, city: SiteReport
) -> None:
    handoff = worry(session, channel="web", external_id="w" + "1" * 32, language="pt")
    message = tickets.reply(
        session=session,
        ticket_id=handoff.ticket.id,
        consultant=handoff.consultant,
        text="Olá",
        now=TUESDAY_MORNING,
    )
    session.commit()
    report = asyncio.run(
        deliver_due(sessions=sessions, sender=WebSender(), clock=lambda: TUESDAY_MORNING)
    )
    assert report.sent == 1 and report.failed == 0
    session.expire_all()
    assert session.get_one(Message, message.id).delivery_state is DeliveryState.sent
    item = session.scalars(select(OutboxItem).where(OutboxItem.message_id == message.id)).one()
    assert item.state is DeliveryState.sent


def test_install_registers_the_sender(app: FastAPI) -> None:
    assert isinstance(app.state.senders["web"], WebSender)
