"""A ticket: the warm-transfer summary, the transcript, and what a consultant does with it.

Every action is a handoff service call (`handoff.tickets`); the page only shows, asks and
redirects. A ticket the consultant may not see is "not found", as in the API.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

import anyio
from fastapi import APIRouter, Form, Path, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff import tickets
from handoff.consultants import list_consultants
from handoff.deps import NowDep, SessionmakerDep
from handoff.errors import Conflict, InvalidInput, NoConsultant, NotFound
from handoff.models import (
    Agency,
    Consultant,
    EventKind,
    Message,
    Status,
    Ticket,
    Urgency,
)
from handoff.routing import SiteCalendar, active_consultants, open_loads, route, timing_for
from handoff.schemas import MAX_ID, MAX_TEXT
from handoff.workspace import queue as queues
from handoff.workspace.canned import canned_replies
from handoff.workspace.deps import CsrfDep, Desk, DeskDep, session_token, viewer_for
from handoff.workspace.live import StreamsDep, stream
from handoff.workspace.web import PREFIX, ActionFailed, SignInRequired, WorkspaceRoute, see_other

router = APIRouter(route_class=WorkspaceRoute)

TicketId = Annotated[int, Path(ge=1, le=MAX_ID)]
Key = Annotated[str | None, Query(max_length=20, pattern=r"^[a-z-]+$")]
Text = Annotated[str, Form(max_length=MAX_TEXT)]
TARGET = re.compile(r"^(?P<kind>[ac]):(?P<id>\d{1,10})$")


def ticket_url(ticket_id: int, anchor: str = "", **params: str) -> str:
    """The ticket page's address (with a notice to show, and where to scroll)."""
    query = f"?{urlencode(params)}" if params else ""
    return f"{PREFIX}/tickets/{ticket_id}{query}{'#' + anchor if anchor else ''}"


# -- what the page shows --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """A consultant one may transfer to, as the transfer form lists them."""

    consultant: Consultant
    on_shift: bool
    load: int


@dataclass(frozen=True, slots=True)
class TargetGroup:
    """The consultants of one agency (or of none)."""

    agency: Agency | None
    targets: list[Target]


def transfer_targets(session: Session, *, now: datetime) -> list[TargetGroup]:
    """Active consultants grouped by agency, with whether they are on shift and their load."""
    calendar = SiteCalendar.load(session)
    loads = open_loads(session)
    groups: dict[int | None, TargetGroup] = {}
    for consultant in list_consultants(session=session):
        timing = timing_for(consultant, calendar=calendar, urgency=Urgency.normal, now=now)
        group = groups.setdefault(
            consultant.agency_id, TargetGroup(agency=consultant.agency, targets=[])
        )
        group.targets.append(
            Target(
                consultant=consultant,
                on_shift=timing.on_shift_now,
                load=loads.get(consultant.id, 0),
            )
        )
    return list(groups.values())


def _may(ticket: Ticket, viewer: Consultant) -> dict[str, bool]:
    open_ = ticket.status != Status.closed
    free_or_mine = ticket.claimed_by_id in (None, viewer.id)
    return {
        "may_claim": open_ and ticket.claimed_by_id is None,
        "may_reply": open_ and free_or_mine and ticket.resident_id is not None,
        "may_manage": open_ and (free_or_mine or viewer.is_supervisor),
    }


def messages_fingerprint(messages: list[Message]) -> str:
    """Changes when a message arrives or a reply's delivery state moves."""
    raw = "|".join(f"{m.id}:{m.delivery_state.value}" for m in messages)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


@router.get("/tickets/{ticket_id}")
def ticket_page(
    ticket_id: TicketId,
    desk: DeskDep,
    done: Key = None,
    error: Key = None,
    canned: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """The ticket. Opening it is recorded in its history (coming back after one's own action
    is not a new opening)."""
    session, viewer = desk.session, desk.viewer
    ticket = tickets.get_ticket(session=session, ticket_id=ticket_id, viewer=viewer)
    if done is None and error is None and canned is None:
        tickets.record_view(session=session, ticket=ticket, viewer=viewer, now=desk.now)
    transcript = tickets.transcript(session=session, ticket=ticket)
    history = tickets.history(session=session, ticket=ticket)
    replies = canned_replies(session=session, language=ticket.language)
    draft = next((reply.text for reply in replies if reply.id == canned), "")
    return desk.page(
        "ticket.html",
        ticket=ticket,
        summary=tickets.summary_now(ticket, now=desk.now),
        overdue=queues.overdue(ticket, desk.now),
        messages=transcript,
        fingerprint=messages_fingerprint(transcript),
        notes=[entry for entry in history if entry.kind == EventKind.note],
        history=history,
        canned=replies,
        draft=draft,
        groups=transfer_targets(session, now=desk.now),
        done=done,
        error=error,
        **_may(ticket, viewer),
    )


@router.get("/tickets/{ticket_id}/transcript")
def transcript_fragment(ticket_id: TicketId, desk: DeskDep) -> Response:
    """The transcript alone, fetched by the page when the event stream says it changed."""
    ticket = tickets.get_ticket(session=desk.session, ticket_id=ticket_id, viewer=desk.viewer)
    transcript = tickets.transcript(session=desk.session, ticket=ticket)
    return desk.page(
        "_transcript.html",
        ticket=ticket,
        messages=transcript,
        fingerprint=messages_fingerprint(transcript),
    )


@router.get("/tickets/{ticket_id}/events")
async def ticket_events(
    ticket_id: TicketId,
    request: Request,
    sessions: SessionmakerDep,
    now: NowDep,
    streams: StreamsDep,
) -> Response:
    """Server-sent events: `ticket` whenever a message arrives, a reply's delivery state
    changes, or someone claims, transfers or closes the ticket."""
    token = session_token(request)

    def look(moment: datetime) -> tuple[str, dict[str, Any]] | None:
        with sessions.begin() as session:
            viewer = viewer_for(session, token, moment)
            if viewer is None:
                return None
            try:
                ticket = tickets.get_ticket(session=session, ticket_id=ticket_id, viewer=viewer)
            except NotFound:
                return None
            messages = list(
                session.scalars(
                    select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id)
                )
            )
            return "ticket", {
                "fingerprint": messages_fingerprint(messages),
                "status": ticket.status.value,
                "holder": ticket.claimed_by_id,
                "consultant": ticket.consultant_id,
            }

    def visible() -> bool:
        with sessions.begin() as session:
            viewer = viewer_for(session, token, now)
            if viewer is None:
                raise SignInRequired
            tickets.get_ticket(session=session, ticket_id=ticket_id, viewer=viewer)
            return True

    await anyio.to_thread.run_sync(visible)
    return stream(request, streams=streams, started=now, look=look)


# -- acting on it ---------------------------------------------------------------------------


@contextmanager
def _acting(ticket: Ticket) -> Iterator[None]:
    """Turn a refusal of the service into a notice on the ticket page."""
    try:
        yield
    except Conflict:
        problem = "closed" if ticket.status == Status.closed else "held"
        raise ActionFailed(ticket_url(ticket.id, error=problem)) from None
    except InvalidInput:
        raise ActionFailed(ticket_url(ticket.id, error="invalid")) from None
    except NoConsultant:
        raise ActionFailed(ticket_url(ticket.id, error="nobody")) from None


def _ticket(desk: Desk, ticket_id: int) -> Ticket:
    return tickets.get_ticket(session=desk.session, ticket_id=ticket_id, viewer=desk.viewer)


def _required(ticket: Ticket, text: str) -> str:
    if not text.strip():
        raise ActionFailed(ticket_url(ticket.id, error="empty"))
    return text


@router.post("/tickets/{ticket_id}/claim")
def claim(ticket_id: TicketId, desk: DeskDep, _: CsrfDep) -> Response:
    """Take the ticket (of two consultants claiming at once, one wins)."""
    ticket = _ticket(desk, ticket_id)
    with _acting(ticket):
        tickets.claim(
            session=desk.session, ticket_id=ticket_id, consultant=desk.viewer, now=desk.now
        )
    return see_other(ticket_url(ticket_id, "reply", done="claimed"))


@router.post("/tickets/{ticket_id}/reply")
def reply(ticket_id: TicketId, desk: DeskDep, _: CsrfDep, text: Text = "") -> Response:
    """Send the resident a message on their channel, signed with the consultant's name."""
    ticket = _ticket(desk, ticket_id)
    with _acting(ticket):
        tickets.reply(
            session=desk.session,
            ticket_id=ticket_id,
            consultant=desk.viewer,
            text=_required(ticket, text),
            now=desk.now,
        )
    return see_other(ticket_url(ticket_id, "transcript", done="replied"))


@router.post("/tickets/{ticket_id}/notes")
def add_note(ticket_id: TicketId, desk: DeskDep, _: CsrfDep, text: Text = "") -> Response:
    """An internal note, never sent to the resident."""
    ticket = _ticket(desk, ticket_id)
    with _acting(ticket):
        tickets.add_note(
            session=desk.session,
            ticket_id=ticket_id,
            actor=desk.viewer,
            text=_required(ticket, text),
            now=desk.now,
        )
    return see_other(ticket_url(ticket_id, "notes", done="noted"))


def best_at_agency(session: Session, *, ticket: Ticket, agency_id: int, now: datetime) -> int:
    """The consultant of `agency_id` routing would choose for this ticket (language, domains,
    shift, load), other than whoever holds it now."""
    everyone = active_consultants(session)
    members = {c.id for c in everyone if c.agency_id == agency_id} - {ticket.consultant_id}
    if not members:
        raise InvalidInput(f"nobody else is active at agency {agency_id}")
    chosen = route(
        session=session,
        domains=ticket.domains,
        language=ticket.language,
        urgency=ticket.urgency,
        now=now,
        exclude=[c.id for c in everyone if c.id not in members],
    )
    return chosen.consultant.id


@router.post("/tickets/{ticket_id}/transfer")
def transfer(
    ticket_id: TicketId,
    desk: DeskDep,
    _: CsrfDep,
    to: Annotated[str, Form(max_length=20)] = "",
    note: Text = "",
) -> Response:
    """Hand the case to a consultant, or to an agency (routing picks its consultant), with a
    handover note; the resident is told who has their case now."""
    ticket = _ticket(desk, ticket_id)
    target = TARGET.match(to)
    if target is None:
        raise ActionFailed(ticket_url(ticket_id, "transfer", error="invalid"))
    with _acting(ticket):
        if target["kind"] == "a":
            to_id = best_at_agency(
                desk.session, ticket=ticket, agency_id=int(target["id"]), now=desk.now
            )
        else:
            to_id = int(target["id"])
        moved = tickets.transfer(
            session=desk.session,
            ticket_id=ticket_id,
            actor=desk.viewer,
            to_consultant_id=to_id,
            note=_required(ticket, note),
            now=desk.now,
        )
    if tickets.can_see(desk.viewer, moved.ticket):
        return see_other(ticket_url(ticket_id, "history", done="transferred"))
    # Passed to another agency: it has left this consultant's sight.
    return see_other(
        f"{PREFIX}/queue?{urlencode({'done': 'transferred', 'number': ticket.number})}"
    )


@router.post("/tickets/{ticket_id}/close")
def close(ticket_id: TicketId, desk: DeskDep, _: CsrfDep, outcome: Text = "") -> Response:
    """Close the consultation with its outcome."""
    ticket = _ticket(desk, ticket_id)
    with _acting(ticket):
        tickets.close(
            session=desk.session,
            ticket_id=ticket_id,
            actor=desk.viewer,
            outcome=_required(ticket, outcome),
            now=desk.now,
        )
    return see_other(ticket_url(ticket_id, done="closed"))
