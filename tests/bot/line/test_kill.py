"""`tsunagu serve` is killed (SIGKILL) during a stream of webhooks and started again: every
event that got a 200, and every event LINE delivers again because it did not, is handled once.

A real server process, on SQLite and on PostgreSQL, talking to the fake Messaging API. Consented
residents each send one worry while the stream runs; the kill lands while some are stored but
not yet answered. Afterwards each worry is in the transcript once, in one ticket, and each
resident has their answer.

One duplicate is possible by design and bounded here: a reply LINE accepted in the last
milliseconds before the kill, whose reserved push the dead process could not cancel, is pushed
again once the reservation runs out (delivery is at least once; the reply API takes no retry
key). At most the events being answered at the kill can be affected.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.line.door import Tuning
from handoff.db import make_engine, make_sessionmaker
from handoff.models import Direction, EventState, InboundEvent, Message, Resident, Ticket
from tests.bot.line.platform import SECRET, LinePlatform
from tests.fakes.line_api import ACCESS_TOKEN, FakeLineApi
from tests.support import free_port, wait_until_up

pytestmark = pytest.mark.slow

RESIDENTS = 30
SEND_INTERVAL = 0.01  # up to 100 webhooks a second
KILL_AFTER = 10  # acknowledged webhooks: the kill follows the 10th 200 at once
LEASE_SECONDS = 2
RESERVE_SECONDS = 3
WORRIES = [
    "家賃が払えなくて来月には出ていかないといけないかもしれません",
    "母の介護と子どもの保育園のことで毎日いっぱいいっぱいです",
    "仕事をなくしてから借金の督促状がずっと届いています",
]


@contextmanager
def serving(
    url: str, api: FakeLineApi, log_path: Path
) -> Iterator[tuple[LinePlatform, subprocess.Popen[bytes]]]:
    """`tsunagu serve` on a free port, with LINE's side posting to it; its process."""
    port = free_port()
    env = {
        **os.environ,
        "TSUNAGU_DATABASE_URL": url,
        "TSUNAGU_ENVIRONMENT": "development",
        "TSUNAGU_ESCALATION_INTERVAL_SECONDS": "0",
        "TSUNAGU_RETENTION_INTERVAL_SECONDS": "0",
        "TSUNAGU_LINE_LEASE_SECONDS": str(LEASE_SECONDS),
        "TSUNAGU_LINE_RESERVE_SECONDS": str(RESERVE_SECONDS),
        "LINE_CHANNEL_SECRET": SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": ACCESS_TOKEN,
        "LINE_API_BASE_URL": api.url,
    }
    command = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process, log_path)
        with httpx.Client(base_url=base, timeout=10) as client:
            yield LinePlatform(client, api), process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _post(line: LinePlatform, event: dict[str, Any]) -> bool:
    """True when the webhook answered 200 (LINE counts the event delivered)."""
    try:
        return line.post(line.body(event)).status_code == 200
    except httpx.HTTPError:
        return False


def _per_resident(
    session: Session, model: type[Message] | type[Ticket], *conditions: Any
) -> Counter[str]:
    """How many rows of `model` each resident has (the first condition joins it)."""
    joined_on, *where = conditions
    rows = session.execute(
        select(Resident.external_id, func.count(model.id))
        .join(model, joined_on)
        .where(*where)
        .group_by(Resident.external_id)
    ).all()
    return Counter(dict(rows))


def _redelivered(event: dict[str, Any]) -> dict[str, Any]:
    return {**event, "deliveryContext": {"isRedelivery": True}}


def test_after_a_kill_every_acknowledged_event_is_handled_once(
    fresh_url: str, tmp_path: Path
) -> None:
    log_path = tmp_path / "serve.log"
    with FakeLineApi() as api:
        with serving(fresh_url, api, log_path) as (line, process):
            residents = [line.consented() for _ in range(RESIDENTS)]
            worries = {
                user: line.event("text", user=user, text=WORRIES[i % len(WORRIES)])
                for i, user in enumerate(residents)
            }
            acknowledged: list[dict[str, Any]] = []
            refused: list[dict[str, Any]] = []
            enough = threading.Event()

            def stream() -> None:
                for event in worries.values():
                    (acknowledged if _post(line, event) else refused).append(event)
                    if len(acknowledged) >= KILL_AFTER:
                        enough.set()
                    time.sleep(SEND_INTERVAL)

            sender = threading.Thread(target=stream)
            sender.start()
            assert enough.wait(timeout=60), "the server did not take the stream"
            process.send_signal(signal.SIGKILL)
            sender.join()
            process.wait(timeout=10)
        answered_before = {u for u in residents if len(api.delivered_to(u)) >= 3}
        assert acknowledged, "the kill came before any webhook was taken"
        assert refused, "the kill came after the stream: nothing was cut off"
        assert len(answered_before) < len(acknowledged), "every answer went out before the kill"

        with serving(fresh_url, api, log_path) as (line, _):
            for event in refused:  # LINE delivers again what got no 200
                assert _post(line, _redelivered(event))
            for user in residents:
                line.replies(user, 3, timeout=60)
            # Long enough for any reserved push left by the dead process to go out.
            time.sleep(RESERVE_SECONDS + 3 * Tuning().push_retry_seconds + 2)

    answers = Counter({user: len(api.delivered_to(user)) - 2 for user in residents})
    doubled = [user for user, count in answers.items() if count > 1]
    assert all(count >= 1 for count in answers.values())
    assert len(doubled) <= Tuning().concurrent_events, answers

    engine = make_engine(fresh_url)
    try:
        sessions: sessionmaker[Session] = make_sessionmaker(engine)
        with sessions() as session:
            states = dict(
                session.execute(
                    select(InboundEvent.event_id, InboundEvent.state).where(
                        InboundEvent.event_id.in_([e["webhookEventId"] for e in worries.values()])
                    )
                ).all()
            )
            stored = _per_resident(
                session,
                Message,
                Message.resident_id == Resident.id,
                Message.direction == Direction.inbound,
                Message.text.in_(WORRIES),
            )
            tickets = _per_resident(session, Ticket, Ticket.resident_id == Resident.id)
    finally:
        engine.dispose()
    assert set(states.values()) == {EventState.done}
    assert len(states) == RESIDENTS
    assert stored == Counter(dict.fromkeys(residents, 1))
    assert tickets == Counter(dict.fromkeys(residents, 1))
