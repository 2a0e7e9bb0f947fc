"""Retention: what residents wrote does not outlive its purpose.

- Message text of tickets closed longer ago than the retention period is deleted, with the
  story summary and the notes about the resident; the ticket stays as an anonymous record
  (domains, urgency, times, consultant, channel, school link) for the city's statistics.
- Words held while the resident had not yet answered the consent question are forgotten
  after a day.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from handoff.models import Message, Resident, Status, Ticket, TicketEvent

log = logging.getLogger(__name__)

HELD_WORDS_KEPT = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Purge:
    """What one run removed."""

    tickets: int
    messages: int
    held: int


def purge_expired(*, session: Session, now: datetime, keep_closed_for: timedelta) -> Purge:
    """Delete the text of tickets closed before `now - keep_closed_for`, and stale held words."""
    cutoff = now - keep_closed_for
    expired = (Ticket.status == Status.closed) & (Ticket.closed_at < cutoff)
    with_text = select(Message.ticket_id).where(Message.ticket_id.is_not(None)).distinct()
    ticket_ids = session.scalars(
        select(Ticket.id).where(
            expired,
            Ticket.id.in_(with_text) | Ticket.summary.is_not(None) | Ticket.outcome.is_not(None),
        )
    ).all()
    messages = 0
    if ticket_ids:
        messages = session.execute(
            delete(Message).where(Message.ticket_id.in_(ticket_ids))
        ).rowcount  # type: ignore[attr-defined]
        # History is append-only, except that what was written about a person goes with it.
        session.execute(
            update(TicketEvent)
            .where(TicketEvent.ticket_id.in_(ticket_ids), TicketEvent.note.is_not(None))
            .values(note=None)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(Ticket)
            .where(Ticket.id.in_(ticket_ids))
            .values(summary=None, outcome=None)
            .execution_options(synchronize_session=False)
        )
    held = session.execute(
        update(Resident)
        .where(Resident.held_at < now - HELD_WORDS_KEPT)
        .values(held_text=None, held_at=None, held_link_id=None, held_label=None)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if ticket_ids or held:
        log.info(
            "retention: purged the text of %d closed tickets (%d messages), %d held worries",
            len(ticket_ids),
            messages,
            held,
        )
    return Purge(tickets=len(ticket_ids), messages=messages, held=held)
