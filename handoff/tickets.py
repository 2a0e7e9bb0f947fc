"""Tickets: hand off a worry to a named consultant, and everything that happens after.

Every service takes `session` keyword-only and flushes; the caller owns the transaction.
Logs carry ticket numbers and ids, never a resident's words or channel id.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, delete, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from classifier.domains import BY_ID as DOMAINS_BY_ID
from classifier.domains import CRISIS
from handoff.consultants import LANGUAGE
from handoff.errors import Conflict, InvalidInput, NotFound
from handoff.models import (
    OPEN_STATUSES,
    UNCLAIMED_STATUSES,
    Agency,
    Channel,
    Consultant,
    DeliveryState,
    Direction,
    EventKind,
    Message,
    OutboxItem,
    Resident,
    Status,
    Ticket,
    TicketCounter,
    TicketDomain,
    TicketEvent,
    Urgency,
)
from handoff.outbox import enqueue
from handoff.routing import Route, SiteCalendar, route, timing_for
from handoff.summary import SummaryInput, build_summary, with_waiting_time

log = logging.getLogger(__name__)

_URGENCY_RANK = {Urgency.normal: 0, Urgency.high: 1, Urgency.crisis: 2}


@dataclass(frozen=True, slots=True, kw_only=True)
class Handoff:
    """The answer to a worry: the ticket, the named person, and when they will be in touch."""

    ticket: Ticket
    consultant: Consultant
    agency: Agency | None
    on_shift_now: bool
    contact_from: datetime
    first_response_due: datetime
    needs_interpreter: bool
    routing_reason: str
    joined_open_ticket: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Transfer:
    """Who now has the case, for the consultant and for the resident."""

    ticket: Ticket
    from_consultant: Consultant
    consultant: Consultant
    agency: Agency | None
    contact_from: datetime
    first_response_due: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Erasure:
    """What `delete_resident` removed."""

    messages: int
    outbox: int
    tickets_anonymised: int


# -- residents ------------------------------------------------------------------------------


def resident_for(
    *,
    session: Session,
    channel: Channel | str,
    external_id: str,
    language: str,
    now: datetime,
    consent_at: datetime | None = None,
) -> Resident:
    """The resident with this channel id, created on first contact; locked for this transaction."""
    channel = Channel(channel)
    if not external_id or len(external_id) > 200:
        raise InvalidInput("external id must be 1 to 200 characters")
    query = (
        select(Resident)
        .where(Resident.channel == channel, Resident.external_id == external_id)
        .with_for_update()
    )
    resident = session.scalar(query)
    if resident is None:
        try:
            with session.begin_nested():
                resident = Resident(
                    channel=channel,
                    external_id=external_id,
                    language=language,
                    consent_at=consent_at,
                    created_at=now,
                )
                session.add(resident)
        except IntegrityError:  # another process created them a moment ago
            resident = session.scalars(query).one()
    resident.language = language
    if consent_at is not None and resident.consent_at is None:
        resident.consent_at = consent_at
    return resident


def find_resident(*, session: Session, channel: Channel | str, external_id: str) -> Resident | None:
    """The resident with this channel id, if they ever wrote."""
    return session.scalar(
        select(Resident).where(
            Resident.channel == Channel(channel), Resident.external_id == external_id
        )
    )


# -- hand off -------------------------------------------------------------------------------


def _clean_domains(domains: Sequence[str], *, crisis: bool) -> list[str]:
    cleaned: list[str] = []
    for domain in domains:
        if domain not in DOMAINS_BY_ID:
            raise InvalidInput(f"unknown domain {domain!r}")
        if domain not in cleaned:
            cleaned.append(domain)
    if crisis and CRISIS not in cleaned:
        cleaned.append(CRISIS)
    return cleaned


def _next_number(session: Session, *, now: datetime, timezone: str) -> str:
    year = now.astimezone(ZoneInfo(timezone)).year
    bump = (
        update(TicketCounter)
        .where(TicketCounter.year == year)
        .values(last=TicketCounter.last + 1)
        .returning(TicketCounter.last)
    )
    value = session.scalar(bump)
    if value is None:
        try:
            with session.begin_nested():
                session.add(TicketCounter(year=year, last=1))
            value = 1
        except IntegrityError:  # another process opened the year first
            value = session.scalars(bump).one()
    return f"T-{year}-{value:06d}"


def _event(
    session: Session,
    ticket: Ticket,
    kind: EventKind,
    *,
    now: datetime,
    actor: Consultant | None = None,
    from_consultant: Consultant | None = None,
    to_consultant: Consultant | None = None,
    note: str | None = None,
    detail: dict[str, object] | None = None,
) -> TicketEvent:
    entry = TicketEvent(
        ticket_id=ticket.id,
        kind=kind,
        at=now,
        actor_id=actor.id if actor else None,
        from_consultant_id=from_consultant.id if from_consultant else None,
        to_consultant_id=to_consultant.id if to_consultant else None,
        note=note,
        detail=detail or {},
    )
    session.add(entry)
    return entry


def _open_ticket(session: Session, resident: Resident) -> Ticket | None:
    return session.scalar(
        select(Ticket)
        .where(Ticket.resident_id == resident.id, Ticket.status.in_(OPEN_STATUSES))
        .order_by(Ticket.id.desc())
        .limit(1)
    )


def refresh_summary(*, session: Session, ticket: Ticket) -> str:
    """Rebuild the stored summary from the resident's messages, for the current consultant."""
    session.flush()
    texts = session.scalars(
        select(Message.text)
        .where(Message.ticket_id == ticket.id, Message.direction == Direction.inbound)
        .order_by(Message.id)
    ).all()
    handover = session.scalars(
        select(TicketEvent.note)
        .where(
            TicketEvent.ticket_id == ticket.id,
            TicketEvent.kind == EventKind.transferred,
            TicketEvent.note.is_not(None),
        )
        .order_by(TicketEvent.id)
    ).all()
    calendar = SiteCalendar.load(session)
    ticket.summary = build_summary(
        SummaryInput(
            texts=list(texts),
            domains=ticket.domains,
            language=ticket.language,
            channel=ticket.channel.value,
            urgency=ticket.urgency.value,
            received_at=ticket.created_at,
            source_label=ticket.source_label,
            needs_interpreter=ticket.needs_interpreter,
            handover_notes=[note for note in handover if note],
            timezone=calendar.timezone,
        ),
        reader=ticket.consultant.reads,
    )
    return ticket.summary


def summary_now(ticket: Ticket, *, now: datetime) -> str:
    """The stored summary plus how long the resident has been waiting."""
    if ticket.summary is None:
        return ""
    return with_waiting_time(
        ticket.summary, received_at=ticket.created_at, now=now, reader=ticket.consultant.reads
    )


def _assign(ticket: Ticket, chosen: Route, *, now: datetime) -> None:
    ticket.consultant = chosen.consultant
    ticket.agency = chosen.agency
    ticket.needs_interpreter = chosen.needs_interpreter
    ticket.routing_reason = chosen.reason
    ticket.contact_from = chosen.contact_from
    ticket.first_response_due = chosen.first_response_due
    ticket.updated_at = now


def hand_off(
    *,
    session: Session,
    text: str,
    domains: Sequence[str],
    language: str,
    channel: Channel | str,
    external_id: str,
    now: datetime,
    urgency: Urgency | str = Urgency.normal,
    crisis: bool = False,
    source_link_id: str | None = None,
    source_label: str | None = None,
    channel_message_id: str | None = None,
    consent_at: datetime | None = None,
) -> Handoff:
    """Give a worry to a named consultant; a resident's later messages join their open ticket."""
    if not text.strip():
        raise InvalidInput("a worry needs some text")
    if not LANGUAGE.match(language):
        raise InvalidInput(f"{language!r} is not a language code like ja, en or pt")
    urgency = Urgency.crisis if crisis else Urgency(urgency)
    cleaned = _clean_domains(domains, crisis=urgency == Urgency.crisis)
    if CRISIS in cleaned:
        urgency = Urgency.crisis
    channel = Channel(channel)
    resident = resident_for(
        session=session,
        channel=channel,
        external_id=external_id,
        language=language,
        now=now,
        consent_at=consent_at,
    )
    ticket = _open_ticket(session, resident)
    joined = ticket is not None
    if ticket is None:
        ticket = _new_ticket(
            session,
            resident=resident,
            domains=cleaned,
            language=language,
            channel=channel,
            urgency=urgency,
            source_link_id=source_link_id,
            source_label=source_label,
            now=now,
        )
    session.add(
        Message(
            resident_id=resident.id,
            ticket_id=ticket.id,
            direction=Direction.inbound,
            text=text,
            channel_message_id=channel_message_id,
            delivery_state=DeliveryState.received,
            created_at=now,
        )
    )
    if joined:
        _join(session, ticket, domains=cleaned, urgency=urgency, now=now)
    refresh_summary(session=session, ticket=ticket)
    session.flush()
    calendar = SiteCalendar.load(session)
    timing = timing_for(ticket.consultant, calendar=calendar, urgency=ticket.urgency, now=now)
    contact_from, due = ticket.contact_from, ticket.first_response_due
    if joined:
        # The first promise may have passed: say when the consultant can act from now on.
        contact_from = max(contact_from, timing.contact_from)
        if due <= now:
            due = timing.first_response_due
    log.info(
        "%s %s: consultant %s, urgency %s",
        ticket.number,
        "joined" if joined else "opened",
        ticket.consultant_id,
        ticket.urgency.value,
    )
    return Handoff(
        ticket=ticket,
        consultant=ticket.consultant,
        agency=ticket.agency,
        on_shift_now=timing.on_shift_now,
        contact_from=contact_from,
        first_response_due=due,
        needs_interpreter=ticket.needs_interpreter,
        routing_reason=ticket.routing_reason,
        joined_open_ticket=joined,
    )


def _new_ticket(
    session: Session,
    *,
    resident: Resident,
    domains: list[str],
    language: str,
    channel: Channel,
    urgency: Urgency,
    source_link_id: str | None,
    source_label: str | None,
    now: datetime,
) -> Ticket:
    chosen = route(session=session, domains=domains, language=language, urgency=urgency, now=now)
    calendar = SiteCalendar.load(session)
    ticket = Ticket(
        number=_next_number(session, now=now, timezone=calendar.timezone),
        resident_id=resident.id,
        language=language,
        channel=channel,
        urgency=urgency,
        status=Status.assigned,
        source_link_id=source_link_id,
        source_label=source_label,
        created_at=now,
    )
    _assign(ticket, chosen, now=now)
    ticket.add_domains(domains)
    session.add(ticket)
    session.flush()
    _event(
        session,
        ticket,
        EventKind.created,
        now=now,
        detail={"domains": domains, "urgency": urgency.value, "channel": channel.value},
    )
    _event(
        session,
        ticket,
        EventKind.assigned,
        now=now,
        to_consultant=chosen.consultant,
        note=chosen.reason,
    )
    return ticket


def _join(
    session: Session, ticket: Ticket, *, domains: list[str], urgency: Urgency, now: datetime
) -> None:
    ticket.add_domains(domains)
    ticket.updated_at = now
    _event(session, ticket, EventKind.message, now=now, detail={"direction": "in"})
    if _URGENCY_RANK[urgency] <= _URGENCY_RANK[ticket.urgency]:
        return
    previous = ticket.urgency
    ticket.urgency = urgency
    if urgency != Urgency.crisis or ticket.claimed_by_id is not None:
        # Whoever holds the ticket keeps it; the raised urgency puts it higher in their queue.
        _event(
            session,
            ticket,
            EventKind.escalated,
            now=now,
            detail={"urgency": [previous.value, urgency.value]},
        )
        return
    chosen = route(
        session=session, domains=ticket.domains, language=ticket.language, urgency=urgency, now=now
    )
    from_consultant = ticket.consultant
    _assign(ticket, chosen, now=now)
    _event(
        session,
        ticket,
        EventKind.escalated,
        now=now,
        from_consultant=from_consultant,
        to_consultant=chosen.consultant,
        note=chosen.reason,
        detail={"urgency": [previous.value, urgency.value]},
    )


# -- what a consultant may see --------------------------------------------------------------


def visible_to(viewer: Consultant) -> ColumnElement[bool]:
    """SQL condition: tickets this consultant may see (own, their agency's; supervisors all)."""
    if viewer.is_supervisor:
        return true()
    conditions = [Ticket.consultant_id == viewer.id, Ticket.claimed_by_id == viewer.id]
    if viewer.agency_id is not None:
        conditions.append(Ticket.agency_id == viewer.agency_id)
    return or_(*conditions)


def can_see(viewer: Consultant, ticket: Ticket) -> bool:
    """True when `viewer` may see `ticket`."""
    return (
        viewer.is_supervisor
        or viewer.id in (ticket.consultant_id, ticket.claimed_by_id)
        or (viewer.agency_id is not None and viewer.agency_id == ticket.agency_id)
    )


def list_tickets(
    *,
    session: Session,
    viewer: Consultant,
    status: Status | None = None,
    domain: str | None = None,
    language: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Ticket]:
    """The viewer's queue: crisis first, then whoever has waited longest. Open tickets unless
    a status is given."""
    query = select(Ticket).where(visible_to(viewer))
    if status is None:
        query = query.where(Ticket.status.in_(OPEN_STATUSES))
    else:
        query = query.where(Ticket.status == status)
    if domain is not None:
        query = query.where(
            Ticket.id.in_(select(TicketDomain.ticket_id).where(TicketDomain.domain == domain))
        )
    if language is not None:
        query = query.where(Ticket.language == language)
    query = (
        query.order_by((Ticket.urgency == Urgency.crisis).desc(), Ticket.created_at, Ticket.id)
        .limit(limit)
        .offset(offset)
        .options(
            selectinload(Ticket.consultant),
            selectinload(Ticket.agency),
            selectinload(Ticket.domain_links),
        )
    )
    return list(session.scalars(query))


def get_ticket(
    *, session: Session, ticket_id: int, viewer: Consultant, lock: bool = False
) -> Ticket:
    """The ticket, if the viewer may see it; NotFound otherwise (existence is not disclosed).
    With `lock`, its row is locked (and re-read) until the transaction ends, so that two
    consultants acting at once take turns (SQLite transactions already do: BEGIN IMMEDIATE)."""
    ticket = (
        session.get(Ticket, ticket_id, with_for_update=True, populate_existing=True)
        if lock
        else session.get(Ticket, ticket_id)
    )
    if ticket is None or not can_see(viewer, ticket):
        raise NotFound(f"no ticket {ticket_id}")
    return ticket


def record_view(*, session: Session, ticket: Ticket, viewer: Consultant, now: datetime) -> None:
    """Note in the history that `viewer` opened the ticket."""
    _event(session, ticket, EventKind.viewed, now=now, actor=viewer)
    session.flush()


def transcript(*, session: Session, ticket: Ticket) -> list[Message]:
    """Every message of the ticket, oldest first."""
    return list(
        session.scalars(
            select(Message)
            .where(Message.ticket_id == ticket.id)
            .order_by(Message.id)
            .options(selectinload(Message.consultant))
        )
    )


def history(*, session: Session, ticket: Ticket) -> list[TicketEvent]:
    """The ticket's history, oldest first."""
    return list(
        session.scalars(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket.id)
            .order_by(TicketEvent.id)
            .options(
                selectinload(TicketEvent.actor),
                selectinload(TicketEvent.from_consultant),
                selectinload(TicketEvent.to_consultant),
            )
        )
    )


# -- acting on a ticket ---------------------------------------------------------------------


def _holder_name(ticket: Ticket) -> str:
    holder = ticket.claimed_by
    return f"{holder.display_name} (id {holder.id})" if holder else "someone else"


def claim(*, session: Session, ticket_id: int, consultant: Consultant, now: datetime) -> Ticket:
    """Take the ticket. Of two consultants claiming at once exactly one wins; the other gets
    Conflict. Claiming a ticket one already holds is a no-op."""
    ticket = get_ticket(session=session, ticket_id=ticket_id, viewer=consultant)
    agency_id = consultant.agency_id if consultant.agency_id is not None else ticket.agency_id
    result = session.execute(
        update(Ticket)
        .where(
            Ticket.id == ticket_id,
            Ticket.status.in_(UNCLAIMED_STATUSES),
            Ticket.claimed_by_id.is_(None),
        )
        .values(
            status=Status.claimed,
            claimed_by_id=consultant.id,
            claimed_at=now,
            consultant_id=consultant.id,
            agency_id=agency_id,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(ticket)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        if ticket.claimed_by_id == consultant.id and ticket.status == Status.claimed:
            return ticket
        if ticket.status == Status.closed:
            raise Conflict(f"ticket {ticket.number} is closed")
        raise Conflict(f"ticket {ticket.number} is held by {_holder_name(ticket)}")
    _event(session, ticket, EventKind.claimed, now=now, actor=consultant)
    session.flush()
    log.info("%s claimed by consultant %s", ticket.number, consultant.id)
    return ticket


def _actionable(
    session: Session, ticket_id: int, actor: Consultant, *, holder_only: bool = True
) -> Ticket:
    ticket = get_ticket(session=session, ticket_id=ticket_id, viewer=actor, lock=True)
    if ticket.status == Status.closed:
        raise Conflict(f"ticket {ticket.number} is closed")
    held_by_other = ticket.claimed_by_id is not None and ticket.claimed_by_id != actor.id
    if holder_only and held_by_other and not actor.is_supervisor:
        raise Conflict(f"ticket {ticket.number} is held by {_holder_name(ticket)}")
    return ticket


def reply(
    *, session: Session, ticket_id: int, consultant: Consultant, text: str, now: datetime
) -> Message:
    """Send the resident a message signed with the consultant's name, through the outbox.

    Replying to a ticket nobody holds claims it first.
    """
    if not text.strip():
        raise InvalidInput("a reply needs some text")
    ticket = _actionable(session, ticket_id, consultant)
    if ticket.claimed_by_id is not None and ticket.claimed_by_id != consultant.id:
        raise Conflict(f"ticket {ticket.number} is held by {_holder_name(ticket)}")
    if ticket.claimed_by_id is None:
        ticket = claim(session=session, ticket_id=ticket_id, consultant=consultant, now=now)
    resident = ticket.resident
    if resident is None:
        raise Conflict(f"the resident of ticket {ticket.number} has erased their data")
    message = Message(
        resident_id=resident.id,
        ticket_id=ticket.id,
        direction=Direction.outbound,
        text=text,
        consultant_id=consultant.id,
        delivery_state=DeliveryState.pending,
        created_at=now,
    )
    session.add(message)
    session.flush()
    enqueue(
        session=session,
        resident=resident,
        ticket=ticket,
        message=message,
        now=now,
        payload={
            "kind": "consultant_reply",
            "ticket_number": ticket.number,
            "text": text,
            "consultant": _person(consultant),
        },
    )
    if ticket.first_response_at is None:
        ticket.first_response_at = now
    ticket.updated_at = now
    _event(
        session,
        ticket,
        EventKind.message,
        now=now,
        actor=consultant,
        detail={"direction": "out", "message_id": message.id},
    )
    session.flush()
    return message


def _person(consultant: Consultant) -> dict[str, object]:
    agency = consultant.agency
    return {
        "id": consultant.id,
        "name": consultant.display_name,
        "reading": consultant.reading,
        "agency": (
            {"code": agency.code, "ja": agency.name_ja, "en": agency.name_en, "pt": agency.name_pt}
            if agency
            else None
        ),
    }


def transfer(
    *,
    session: Session,
    ticket_id: int,
    actor: Consultant,
    to_consultant_id: int,
    note: str,
    now: datetime,
) -> Transfer:
    """Hand the case to another consultant (another agency, 多機関協働) with a handover note.

    The new consultant gets the whole history and a summary rebuilt for them; the resident is
    told, through the outbox, who now has their case.
    """
    ticket = _actionable(session, ticket_id, actor)
    target = session.get(Consultant, to_consultant_id)
    if target is None or not target.active:
        raise InvalidInput(f"no active consultant {to_consultant_id}")
    if target.id == ticket.consultant_id and ticket.claimed_by_id in (None, target.id):
        raise Conflict(f"ticket {ticket.number} is already with {target.display_name}")
    previous = ticket.consultant
    calendar = SiteCalendar.load(session)
    timing = timing_for(target, calendar=calendar, urgency=ticket.urgency, now=now)
    speaks = ticket.language in target.languages
    ticket.consultant = target
    ticket.agency = target.agency
    ticket.status = Status.transferred
    ticket.claimed_by_id = None
    ticket.claimed_at = None
    ticket.escalated_at = None
    ticket.needs_interpreter = not speaks
    ticket.contact_from = timing.contact_from
    ticket.first_response_due = timing.first_response_due
    ticket.updated_at = now
    _event(
        session,
        ticket,
        EventKind.transferred,
        now=now,
        actor=actor,
        from_consultant=previous,
        to_consultant=target,
        note=note,
    )
    refresh_summary(session=session, ticket=ticket)
    if ticket.resident is not None:
        enqueue(
            session=session,
            resident=ticket.resident,
            ticket=ticket,
            now=now,
            payload={
                "kind": "transferred",
                "ticket_number": ticket.number,
                "consultant": _person(target),
                "contact_from": timing.contact_from.isoformat(),
                "first_response_due": timing.first_response_due.isoformat(),
            },
        )
    session.flush()
    log.info("%s transferred from consultant %s to %s", ticket.number, previous.id, target.id)
    return Transfer(
        ticket=ticket,
        from_consultant=previous,
        consultant=target,
        agency=target.agency,
        contact_from=timing.contact_from,
        first_response_due=timing.first_response_due,
    )


def add_note(
    *, session: Session, ticket_id: int, actor: Consultant, text: str, now: datetime
) -> TicketEvent:
    """An internal note on the ticket (never sent to the resident)."""
    if not text.strip():
        raise InvalidInput("a note needs some text")
    ticket = get_ticket(session=session, ticket_id=ticket_id, viewer=actor)
    entry = _event(session, ticket, EventKind.note, now=now, actor=actor, note=text)
    ticket.updated_at = now
    session.flush()
    return entry


def close(
    *, session: Session, ticket_id: int, actor: Consultant, outcome: str, now: datetime
) -> Ticket:
    """Close the consultation with its outcome; the resident's next worry opens a new ticket."""
    if not outcome.strip():
        raise InvalidInput("closing needs an outcome")
    ticket = _actionable(session, ticket_id, actor)
    ticket.status = Status.closed
    ticket.outcome = outcome
    ticket.closed_at = now
    ticket.updated_at = now
    _event(session, ticket, EventKind.closed, now=now, actor=actor, note=outcome)
    session.flush()
    log.info("%s closed by consultant %s", ticket.number, actor.id)
    return ticket


def escalate_overdue(*, session: Session, now: datetime) -> list[Ticket]:
    """Give every ticket still unclaimed past its first-response deadline to a supervisor.

    Each ticket is escalated once per holder (a transfer starts the clock again); the history
    records from whom, to whom and why. Safe to run from several processes at once.
    """
    overdue = session.scalars(
        select(Ticket)
        .where(
            Ticket.status.in_(UNCLAIMED_STATUSES),
            Ticket.claimed_by_id.is_(None),
            Ticket.escalated_at.is_(None),
            Ticket.first_response_due < now,
        )
        .order_by(Ticket.first_response_due)
    ).all()
    escalated: list[Ticket] = []
    for ticket in overdue:
        due = ticket.first_response_due
        chosen = route(
            session=session,
            domains=ticket.domains,
            language=ticket.language,
            urgency=Urgency.crisis if ticket.urgency == Urgency.crisis else Urgency.high,
            now=now,
            exclude=(ticket.consultant_id,),
            escalation=True,
        )
        taken = session.execute(
            update(Ticket)
            .where(
                Ticket.id == ticket.id,
                Ticket.escalated_at.is_(None),
                Ticket.claimed_by_id.is_(None),
                Ticket.status.in_(UNCLAIMED_STATUSES),
            )
            .values(escalated_at=now)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            continue  # claimed or escalated by someone else meanwhile
        session.refresh(ticket)
        previous = ticket.consultant
        _assign(ticket, chosen, now=now)
        ticket.status = Status.assigned
        local_due = due.astimezone(ZoneInfo(SiteCalendar.load(session).timezone))
        _event(
            session,
            ticket,
            EventKind.escalated,
            now=now,
            from_consultant=previous,
            to_consultant=chosen.consultant,
            note=f"初回対応期限 {local_due:%m/%d %H:%M} を過ぎても未対応。{chosen.reason}",
        )
        refresh_summary(session=session, ticket=ticket)
        escalated.append(ticket)
        log.info(
            "%s escalated from consultant %s to %s",
            ticket.number,
            previous.id,
            chosen.consultant.id,
        )
    session.flush()
    return escalated


# -- privacy --------------------------------------------------------------------------------


def delete_resident(
    *, session: Session, channel: Channel | str, external_id: str, now: datetime
) -> Erasure:
    """Erase a resident: their messages, queued messages, story and notes about them.

    Tickets stay as anonymous records (domains, urgency, times, consultant) so the
    municipality can still count what was asked; open ones are closed.
    """
    resident = find_resident(session=session, channel=channel, external_id=external_id)
    if resident is None:
        raise NotFound("no such resident")
    tickets = session.scalars(select(Ticket).where(Ticket.resident_id == resident.id)).all()
    ticket_ids = [ticket.id for ticket in tickets]
    outbox = session.execute(
        delete(OutboxItem).where(OutboxItem.resident_id == resident.id)
    ).rowcount  # type: ignore[attr-defined]
    messages = session.execute(delete(Message).where(Message.resident_id == resident.id)).rowcount  # type: ignore[attr-defined]
    if ticket_ids:
        # History is append-only, except that what was said about an erased person goes.
        session.execute(
            update(TicketEvent)
            .where(TicketEvent.ticket_id.in_(ticket_ids))
            .values(note=None)
            .execution_options(synchronize_session=False)
        )
    for ticket in tickets:
        ticket.summary = None
        ticket.source_link_id = None
        ticket.source_label = None
        ticket.outcome = None
        ticket.resident_id = None
        if ticket.status != Status.closed:
            ticket.status = Status.closed
            ticket.closed_at = now
        ticket.updated_at = now
        _event(session, ticket, EventKind.erased, now=now)
    session.flush()
    session.delete(resident)
    session.flush()
    session.expire_all()
    log.info("resident %s erased: %s tickets anonymised", resident.id, len(tickets))
    return Erasure(messages=messages, outbox=outbox, tickets_anonymised=len(tickets))
