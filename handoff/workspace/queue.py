"""The queue a consultant sees: `tickets.list_tickets` narrowed by scope and channel, and a
cheap fingerprint of it so an open page learns within a second that something changed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal
from urllib.parse import urlencode

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classifier.domains import BY_ID as DOMAINS_BY_ID
from handoff import tickets
from handoff.models import UNCLAIMED_STATUSES, Channel, Consultant, Status, Ticket
from handoff.summary import LANGUAGE_NAMES

# More open tickets than this in one view is a crisis of its own; the page says so.
QUEUE_LIMIT = 500
LANGUAGE_CHOICES = tuple(LANGUAGE_NAMES["ja"])

Scope = Literal["mine", "agency", "all"]
SCOPES: tuple[Scope, ...] = ("mine", "agency", "all")


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueFilter:
    """What the consultant asked to see; unknown values are ignored, not refused."""

    scope: Scope = "all"
    domain: str | None = None
    language: str | None = None
    channel: Channel | None = None
    status: Status | None = None  # None: every open ticket

    @classmethod
    def parse(
        cls,
        viewer: Consultant,
        *,
        scope: str | None = None,
        domain: str | None = None,
        language: str | None = None,
        channel: str | None = None,
        status: str | None = None,
    ) -> QueueFilter:
        """The filter from query parameters, within what the viewer may ask for."""
        chosen: Scope = default_scope(viewer)
        for known in scopes_for(viewer):
            if scope == known:
                chosen = known
        return cls(
            scope=chosen,
            domain=domain if domain in DOMAINS_BY_ID else None,
            language=language if language in LANGUAGE_CHOICES else None,
            channel=Channel(channel) if channel and channel in Channel.__members__ else None,
            status=Status(status) if status and status in Status.__members__ else None,
        )

    def query(self, **changes: str | None) -> str:
        """The query string of this filter (with `changes`), for links and the live updates."""
        values = {
            "scope": self.scope,
            "domain": self.domain,
            "language": self.language,
            "channel": self.channel.value if self.channel else None,
            "status": self.status.value if self.status else None,
        }
        values.update(changes)
        return urlencode({key: value for key, value in values.items() if value})

    def without_scope(self) -> QueueFilter:
        """The same filter over everything the viewer may see."""
        return replace(self, scope="all")


def scopes_for(viewer: Consultant) -> tuple[Scope, ...]:
    """Mine and my agency for everyone; all tickets for supervisors."""
    if viewer.is_supervisor:
        return SCOPES
    return ("mine", "agency") if viewer.agency_id is not None else ("mine",)


def default_scope(viewer: Consultant) -> Scope:
    """Supervisors start with everything; consultants with their agency's tickets."""
    return scopes_for(viewer)[-1]


def in_scope(ticket: Ticket, viewer: Consultant, scope: Scope) -> bool:
    """Whether `ticket` (already visible to the viewer) belongs to the chosen scope."""
    if scope == "mine":
        return viewer.id in (ticket.consultant_id, ticket.claimed_by_id)
    if scope == "agency":
        return viewer.id in (ticket.consultant_id, ticket.claimed_by_id) or (
            viewer.agency_id is not None and ticket.agency_id == viewer.agency_id
        )
    return True


def queue(*, session: Session, viewer: Consultant, wanted: QueueFilter) -> list[Ticket]:
    """The viewer's tickets as `tickets.list_tickets` orders them (crisis first, then longest
    waiting), narrowed to the scope and channel asked for."""
    found = tickets.list_tickets(
        session=session,
        viewer=viewer,
        status=wanted.status,
        domain=wanted.domain,
        language=wanted.language,
        limit=QUEUE_LIMIT,
    )
    return [
        ticket
        for ticket in found
        if (wanted.channel is None or ticket.channel == wanted.channel)
        and in_scope(ticket, viewer, wanted.scope)
    ]


def waiting(found: list[Ticket]) -> int:
    """How many of `found` nobody has taken yet."""
    return sum(1 for ticket in found if ticket.status in UNCLAIMED_STATUSES)


def overdue(ticket: Ticket, now: datetime) -> bool:
    """Open, unanswered and past its first-response deadline."""
    return (
        ticket.status != Status.closed
        and ticket.first_response_at is None
        and ticket.first_response_due < now
    )


def fingerprint(*, session: Session, viewer: Consultant, now: datetime) -> str:
    """Changes whenever a ticket the viewer may see is created or changes, and every minute
    (waiting times and deadlines move with the clock). One small query."""
    count, last_id, last_change = session.execute(
        select(func.count(), func.max(Ticket.id), func.max(Ticket.updated_at)).where(
            tickets.visible_to(viewer)
        )
    ).one()
    minute = int(now.timestamp() // 60)
    raw = f"{count}|{last_id}|{last_change}|{minute}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]
