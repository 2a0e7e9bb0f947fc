"""The outbox: messages to residents, kept until their channel takes them.

Handoff writes rows; `bot` delivers them through a `ChannelSender` (LINE, web), by calling
`deliver_due` periodically, or `claim_due` / `mark_sent` / `mark_failed` itself.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from handoff.errors import NotFound
from handoff.models import DeliveryState, Message, OutboxItem, Resident, Ticket, utcnow

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
DEFAULT_LEASE = timedelta(minutes=2)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ResidentAddress:
    """Where a resident is reached: the channel and its opaque id, and their language."""

    channel: str
    external_id: str
    language: str


@dataclass(frozen=True, slots=True)
class Delivery:
    """An outbox row claimed for sending."""

    outbox_id: int
    resident: ResidentAddress
    messages: Sequence[Mapping[str, Any]]
    retry_key: str
    attempt: int


class ChannelSender(Protocol):
    """What `bot` implements per channel. Returns the channel's message id, if it has one.

    `retry_key` is stable across attempts of one row (a UUID), so a channel that supports
    idempotent retries (LINE's X-Line-Retry-Key) never shows a message twice. Raise
    `PermanentDeliveryError` when retrying cannot help (the resident blocked the account).
    """

    async def send(
        self, resident: ResidentAddress, messages: Sequence[Mapping[str, Any]], retry_key: str
    ) -> str | None: ...


class PermanentDeliveryError(Exception):
    """The channel refused for good; the row goes straight to `dead`."""


def enqueue(
    *,
    session: Session,
    resident: Resident,
    payload: Mapping[str, Any],
    now: datetime,
    ticket: Ticket | None = None,
    message: Message | None = None,
) -> OutboxItem:
    """Queue one structured message (bot renders it) for a resident."""
    item = OutboxItem(
        resident_id=resident.id,
        ticket_id=ticket.id if ticket else None,
        message_id=message.id if message else None,
        payload=dict(payload),
        retry_key=str(uuid.uuid4()),
        state=DeliveryState.pending,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(item)
    session.flush()
    return item


def backoff(attempts: int) -> timedelta:
    """The wait before the next try: 30 s, 1 min, 2 min, ... at most an hour."""
    wait: timedelta = FIRST_RETRY * (2 ** max(0, attempts - 1))
    return min(LONGEST_RETRY, wait)


def _due(now: datetime) -> Any:
    return or_(
        (OutboxItem.state.in_((DeliveryState.pending, DeliveryState.failed)))
        & (OutboxItem.next_attempt_at <= now),
        (OutboxItem.state == DeliveryState.sending) & (OutboxItem.locked_until < now),
    )


def claim_due(
    *, session: Session, now: datetime, limit: int = 20, lease: timedelta = DEFAULT_LEASE
) -> list[Delivery]:
    """Take up to `limit` due rows for sending; each row is taken by one worker only.

    A row whose worker died is due again once its lease has run out.
    """
    candidate_ids = session.scalars(
        select(OutboxItem.id).where(_due(now)).order_by(OutboxItem.next_attempt_at).limit(limit)
    ).all()
    deliveries: list[Delivery] = []
    for outbox_id in candidate_ids:
        taken = session.execute(
            update(OutboxItem)
            .where(OutboxItem.id == outbox_id, _due(now))
            .values(
                state=DeliveryState.sending,
                locked_until=now + lease,
                attempts=OutboxItem.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            continue
        item = session.get_one(OutboxItem, outbox_id, populate_existing=True)
        resident = item.resident
        deliveries.append(
            Delivery(
                outbox_id=item.id,
                resident=ResidentAddress(
                    resident.channel.value, resident.external_id, resident.language
                ),
                messages=[item.payload],
                retry_key=item.retry_key,
                attempt=item.attempts,
            )
        )
    session.flush()
    return deliveries


def _item(session: Session, outbox_id: int) -> OutboxItem:
    item = session.get(OutboxItem, outbox_id)
    if item is None:
        raise NotFound(f"no outbox row {outbox_id}")
    return item


def mark_sent(
    *, session: Session, outbox_id: int, now: datetime, channel_message_id: str | None = None
) -> OutboxItem:
    """The channel took the message."""
    item = _item(session, outbox_id)
    item.state = DeliveryState.sent
    item.sent_at = now
    item.locked_until = None
    item.last_error = None
    if item.message_id is not None:
        message = session.get_one(Message, item.message_id)
        message.delivery_state = DeliveryState.sent
        message.channel_message_id = channel_message_id
    session.flush()
    return item


def mark_failed(
    *, session: Session, outbox_id: int, now: datetime, error: str, permanent: bool = False
) -> OutboxItem:
    """The channel failed; try again later with backoff, or give up after MAX_ATTEMPTS.

    `error` is kept for operators: pass the channel's error, never the message text.
    """
    item = _item(session, outbox_id)
    dead = permanent or item.attempts >= MAX_ATTEMPTS
    item.state = DeliveryState.dead if dead else DeliveryState.failed
    item.next_attempt_at = now + backoff(item.attempts)
    item.locked_until = None
    item.last_error = error[:500]
    if item.message_id is not None:
        message = session.get_one(Message, item.message_id)
        message.delivery_state = item.state
    session.flush()
    log.warning(
        "outbox %s delivery failed (attempt %s, %s)",
        item.id,
        item.attempts,
        "giving up" if dead else "will retry",
    )
    return item


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What one `deliver_due` run did."""

    sent: int
    failed: int


async def deliver_due(
    *,
    sessions: sessionmaker[Session],
    sender: ChannelSender,
    clock: Callable[[], datetime] = utcnow,
    limit: int = 20,
) -> DeliveryReport:
    """Claim due rows, send each outside any transaction, record the outcome.

    The one function here that opens transactions: it is meant to be driven by `bot` on a timer.
    """
    with sessions.begin() as session:
        deliveries = claim_due(session=session, now=clock(), limit=limit)
    sent = failed = 0
    for delivery in deliveries:
        try:
            channel_message_id = await sender.send(
                delivery.resident, delivery.messages, delivery.retry_key
            )
        except PermanentDeliveryError as error:
            with sessions.begin() as session:
                mark_failed(
                    session=session,
                    outbox_id=delivery.outbox_id,
                    now=clock(),
                    error=type(error).__name__ + ": " + str(error),
                    permanent=True,
                )
            failed += 1
        except Exception as error:
            with sessions.begin() as session:
                mark_failed(
                    session=session,
                    outbox_id=delivery.outbox_id,
                    now=clock(),
                    error=type(error).__name__ + ": " + str(error),
                )
            failed += 1
        else:
            with sessions.begin() as session:
                mark_sent(
                    session=session,
                    outbox_id=delivery.outbox_id,
                    now=clock(),
                    channel_message_id=channel_message_id,
                )
            sent += 1
    return DeliveryReport(sent=sent, failed=failed)
