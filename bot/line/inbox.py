"""Durable LINE events: written before the webhook answers, handled once, swept up after a crash.

An event is stored already claimed (state `processing` with a lease) by the request that
received it; if that worker dies, the lease runs out and the sweeper claims it again. Each
claim bumps `attempts`, which doubles as the claim's token: only the current holder can finish
or fail the event. Services take `session` keyword-only and never commit.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, null, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handoff.models import Channel, EventState, InboundEvent
from handoff.outbox import backoff

MAX_ATTEMPTS = 8
LEASE = timedelta(seconds=60)
MAX_EVENT_ID = 100

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Claimed:
    """An event this worker holds, with the payload to handle."""

    id: int
    event_id: str
    payload: Mapping[str, Any]
    attempt: int
    received_at: datetime


def event_id_of(event: Mapping[str, Any]) -> str:
    """LINE's webhookEventId; a digest of the event for the rare event without a usable one."""
    value = event.get("webhookEventId")
    if isinstance(value, str) and 0 < len(value) <= MAX_EVENT_ID:
        return value
    canonical = json.dumps(event, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def store(
    *,
    session: Session,
    events: Sequence[Mapping[str, Any]],
    now: datetime,
    lease: timedelta = LEASE,
    claim: bool = True,
) -> list[Claimed]:
    """Write the events not seen before, claimed for the caller (or left waiting for a worker
    process when `claim` is false); redeliveries are skipped."""
    ids = [event_id_of(event) for event in events]
    seen = set(
        session.scalars(
            select(InboundEvent.event_id).where(
                InboundEvent.channel == Channel.line, InboundEvent.event_id.in_(set(ids))
            )
        )
    )
    fresh: list[Claimed] = []
    for event_id, event in zip(ids, events, strict=True):
        if event_id in seen:
            continue
        seen.add(event_id)
        row = InboundEvent(
            channel=Channel.line,
            event_id=event_id,
            payload=dict(event),
            state=EventState.processing if claim else EventState.pending,
            attempts=1 if claim else 0,
            next_attempt_at=now,
            locked_until=now + lease if claim else None,
            received_at=now,
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # the same event, stored by a concurrent redelivery
            continue
        if claim:
            fresh.append(Claimed(row.id, event_id, row.payload or {}, 1, now))
    return fresh


def newest_id(*, session: Session) -> int | None:
    """The id of the newest stored event (ids only grow): its change over time is the rate
    at which events arrive, however many processes store them."""
    newest: int | None = session.scalar(select(func.max(InboundEvent.id)))
    return newest


def _due(now: datetime) -> ColumnElement[bool]:
    return (InboundEvent.channel == Channel.line) & or_(
        InboundEvent.state.in_((EventState.pending, EventState.failed))
        & (InboundEvent.next_attempt_at <= now),
        (InboundEvent.state == EventState.processing) & (InboundEvent.locked_until < now),
    )


def claim_due(
    *, session: Session, now: datetime, limit: int = 20, lease: timedelta = LEASE
) -> list[Claimed]:
    """Take up to `limit` events that are waiting, failed earlier, or whose worker died.

    It only reads until it finds something due, so a worker polling an idle inbox never takes
    the database's write lock (SQLite has one, and the webhook needs it to store)."""
    candidates = session.execute(
        select(InboundEvent.id, InboundEvent.attempts)
        .where(_due(now))
        .order_by(InboundEvent.received_at, InboundEvent.id)
        .limit(limit)
    ).all()
    if not candidates:
        return []
    spent = [row_id for row_id, attempts in candidates if attempts >= MAX_ATTEMPTS]
    if spent:
        session.execute(
            update(InboundEvent)
            .where(InboundEvent.id.in_(spent), _due(now))
            .values(state=EventState.failed, payload=null(), locked_until=None, processed_at=now)
            .execution_options(synchronize_session=False)
        )
    claimed: list[Claimed] = []
    for row_id, attempts in candidates:
        if attempts >= MAX_ATTEMPTS:
            continue
        taken = session.execute(
            update(InboundEvent)
            .where(InboundEvent.id == row_id, _due(now))
            .values(
                state=EventState.processing,
                locked_until=now + lease,
                attempts=InboundEvent.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            continue
        row = session.get_one(InboundEvent, row_id, populate_existing=True)
        if not isinstance(row.payload, dict):
            row.state = EventState.done
            row.locked_until = None
            continue
        claimed.append(Claimed(row.id, row.event_id, row.payload, row.attempts, row.received_at))
    session.flush()
    return claimed


def _held(claimed: Claimed) -> ColumnElement[bool]:
    return (
        (InboundEvent.id == claimed.id)
        & (InboundEvent.state == EventState.processing)
        & (InboundEvent.attempts == claimed.attempt)
    )


def finish(*, session: Session, claimed: Claimed, now: datetime) -> bool:
    """Mark the event handled and forget its payload; False when this worker lost its claim."""
    result = session.execute(
        update(InboundEvent)
        .where(_held(claimed))
        .values(state=EventState.done, payload=null(), locked_until=None, processed_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def fail(*, session: Session, claimed: Claimed, now: datetime) -> None:
    """Try the event again later with backoff; give up (and forget it) after MAX_ATTEMPTS."""
    give_up = claimed.attempt >= MAX_ATTEMPTS
    values: dict[str, Any] = {"state": EventState.failed, "locked_until": None}
    if give_up:
        values.update(payload=null(), processed_at=now)
    else:
        values.update(next_attempt_at=now + backoff(claimed.attempt))
    session.execute(
        update(InboundEvent)
        .where(_held(claimed))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if give_up:
        log.error("LINE event %s given up after %d attempts", claimed.event_id, claimed.attempt)
