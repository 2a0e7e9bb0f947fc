"""bot/senders.py: one delivery job for every channel, each row to its channel's sender."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import senders
from handoff import tickets
from handoff.models import DeliveryState, OutboxItem, utcnow
from handoff.outbox import ResidentAddress, enqueue


class Recording:
    """A sender that remembers what it was given."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(
        self, resident: ResidentAddress, messages: Sequence[Mapping[str, Any]], retry_key: str
    ) -> str | None:
        self.sent.append((resident.channel, retry_key))
        return "message-1"


async def test_each_row_goes_to_its_channels_sender() -> None:
    line, web = Recording(), Recording()
    router = senders.ChannelSenders({"line": line, "web": web})
    assert await router.send(ResidentAddress("web", "w1", "pt"), [], "k1") == "message-1"
    await router.send(ResidentAddress("line", "U1", "ja"), [], "k2")
    assert (line.sent, web.sent) == ([("line", "k2")], [("web", "k1")])
    with pytest.raises(senders.NoSender):
        await router.send(ResidentAddress("sms", "x", "ja"), [], "k3")


def test_the_delivery_job_is_installed_once_and_senders_registered() -> None:
    app = FastAPI()
    assert len(senders.install(app)) == 1
    assert senders.install(app) == []
    recording = Recording()
    senders.register(app, "line", recording)
    app.state.senders["web"] = Recording()  # as the web chat registers itself
    assert set(senders.registry(app)) == {"line", "web"}
    assert senders.registry(app)["line"] is recording


async def test_one_pass_delivers_every_channel_off_the_loop(
    sessions: sessionmaker[Session], session: Session
) -> None:
    now = utcnow()
    for channel in ("line", "web"):
        resident = tickets.resident_for(
            session=session,
            channel=channel,
            external_id=f"{channel}-resident",
            language="ja",
            now=now,
        )
        enqueue(session=session, resident=resident, payload={"kind": "bot_reply"}, now=now)
    session.commit()
    app = FastAPI()
    app.state.sessionmaker = sessions
    line, web = Recording(), Recording()
    senders.register(app, "line", line)
    senders.register(app, "web", web)

    report = await senders.deliver_once(app)

    assert (report.sent, report.failed) == (2, 0)
    assert [channel for channel, _ in line.sent + web.sent] == ["line", "web"]
    with sessions() as check:
        states = check.scalars(select(OutboxItem.state)).all()
    assert set(states) == {DeliveryState.sent}


async def test_the_job_wakes_early_and_stops_cleanly(sessions: sessionmaker[Session]) -> None:
    app = FastAPI()
    app.state.sessionmaker = sessions
    job = senders.delivery(app)
    job.interval_seconds = 60
    task = asyncio.create_task(job.run(app))
    await asyncio.sleep(0.2)
    job.wake()
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
