"""Durable events: stored once, claimed by one worker at a time, forgotten once handled."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.line import inbox
from handoff.models import EventState, InboundEvent

SECOND = timedelta(seconds=1)


def _event(event_id: str | None = "01EVENT", text: str = "こんにちは") -> dict[str, object]:
    event: dict[str, object] = {"type": "message", "message": {"type": "text", "text": text}}
    if event_id is not None:
        event["webhookEventId"] = event_id
    return event


def _row(session: Session, claimed: inbox.Claimed) -> InboundEvent:
    return session.scalars(
        select(InboundEvent)
        .where(InboundEvent.id == claimed.id)
        .execution_options(populate_existing=True)
    ).one()


def test_events_are_stored_once_and_claimed_for_the_caller(session: Session, now: datetime) -> None:
    first = inbox.store(session=session, events=[_event("A"), _event("B"), _event("A")], now=now)
    again = inbox.store(session=session, events=[_event("B"), _event("C")], now=now)

    assert [claimed.event_id for claimed in first] == ["A", "B"]
    assert [claimed.event_id for claimed in again] == ["C"]
    row = _row(session, first[0])
    assert (row.state, row.attempts, row.locked_until) == (
        EventState.processing,
        1,
        now + inbox.LEASE,
    )
    assert first[0].payload == _event("A")


def test_an_event_without_a_usable_id_is_known_by_its_digest(
    session: Session, now: datetime
) -> None:
    for event_id in (None, "", "x" * 101):
        event = _event(event_id, text=f"id {event_id!r}")
        [claimed] = inbox.store(session=session, events=[event], now=now)
        assert claimed.event_id.startswith("sha256:")
        assert inbox.store(session=session, events=[event], now=now) == []


def test_a_claim_is_held_until_its_lease_runs_out(session: Session, now: datetime) -> None:
    [stored] = inbox.store(session=session, events=[_event("lease")], now=now)
    assert inbox.claim_due(session=session, now=now + 30 * SECOND) == []

    [taken] = inbox.claim_due(session=session, now=now + inbox.LEASE + SECOND)
    assert (taken.id, taken.attempt) == (stored.id, 2)
    assert not inbox.finish(session=session, claimed=stored, now=now)  # the old worker lost it
    assert inbox.finish(session=session, claimed=taken, now=now)
    row = _row(session, taken)
    assert (row.state, row.payload, row.processed_at) == (EventState.done, None, now)
    assert inbox.claim_due(session=session, now=now + timedelta(days=1)) == []


def test_a_failed_event_waits_then_is_given_up_and_forgotten(
    session: Session, now: datetime
) -> None:
    [claimed] = inbox.store(session=session, events=[_event("fails")], now=now)
    moment = now
    for _ in range(inbox.MAX_ATTEMPTS - 1):
        inbox.fail(session=session, claimed=claimed, now=moment)
        row = _row(session, claimed)
        assert row.state == EventState.failed
        assert row.payload is not None
        assert inbox.claim_due(session=session, now=moment) == []
        moment = row.next_attempt_at
        [claimed] = inbox.claim_due(session=session, now=moment)
    assert claimed.attempt == inbox.MAX_ATTEMPTS
    inbox.fail(session=session, claimed=claimed, now=moment)
    row = _row(session, claimed)
    assert (row.state, row.payload) == (EventState.failed, None)
    assert inbox.claim_due(session=session, now=moment + timedelta(days=30)) == []


def test_a_worker_that_died_on_its_last_attempt_leaves_nothing_behind(
    session: Session, now: datetime
) -> None:
    [claimed] = inbox.store(session=session, events=[_event("last")], now=now)
    row = _row(session, claimed)
    row.attempts = inbox.MAX_ATTEMPTS
    session.flush()
    assert inbox.claim_due(session=session, now=now + inbox.LEASE + SECOND) == []
    row = _row(session, claimed)
    assert (row.state, row.payload) == (EventState.failed, None)
