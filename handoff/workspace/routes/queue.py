"""The queue: crisis first, then whoever has waited longest, kept live by server-sent events."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query, Request, Response

from handoff.deps import NowDep, SessionmakerDep
from handoff.models import Consultant, Status
from handoff.workspace import queue as queues
from handoff.workspace.deps import Desk, DeskDep, session_token, viewer_for
from handoff.workspace.live import StreamsDep, stream
from handoff.workspace.web import SignInRequired, WorkspaceRoute

router = APIRouter(route_class=WorkspaceRoute)

Param = Annotated[str | None, Query(max_length=40)]
TICKET_NUMBER = re.compile(r"^T-\d{4}-\d{6}$")


def _filter(
    viewer: Consultant,
    scope: str | None,
    domain: str | None,
    language: str | None,
    channel: str | None,
    status: str | None,
) -> queues.QueueFilter:
    return queues.QueueFilter.parse(
        viewer, scope=scope, domain=domain, language=language, channel=channel, status=status
    )


def _rows(desk: Desk, wanted: queues.QueueFilter) -> dict[str, Any]:
    found = queues.queue(session=desk.session, viewer=desk.viewer, wanted=wanted)
    return {
        "tickets": found,
        "waiting": queues.waiting(found),
        "overdue": {ticket.id for ticket in found if queues.overdue(ticket, desk.now)},
        "fingerprint": queues.fingerprint(session=desk.session, viewer=desk.viewer, now=desk.now),
        "limit_reached": len(found) >= queues.QUEUE_LIMIT,
        "wanted": wanted,
    }


@router.get("/queue")
def queue_page(
    desk: DeskDep,
    scope: Param = None,
    domain: Param = None,
    language: Param = None,
    channel: Param = None,
    status: Param = None,
    done: Param = None,
    number: Param = None,
) -> Response:
    """The queue page, with its filters."""
    wanted = _filter(desk.viewer, scope, domain, language, channel, status)
    return desk.page(
        "queue.html",
        scopes=queues.scopes_for(desk.viewer),
        language_choices=queues.LANGUAGE_CHOICES,
        statuses=list(Status),
        done=done,
        number=number if number and TICKET_NUMBER.match(number) else None,
        **_rows(desk, wanted),
    )


@router.get("/queue/rows")
def queue_rows(
    desk: DeskDep,
    scope: Param = None,
    domain: Param = None,
    language: Param = None,
    channel: Param = None,
    status: Param = None,
) -> Response:
    """The queue's rows alone, fetched by the page when the event stream says they changed."""
    wanted = _filter(desk.viewer, scope, domain, language, channel, status)
    return desk.page("_queue_fragment.html", **_rows(desk, wanted))


@router.get("/queue/events")
async def queue_events(
    request: Request,
    sessions: SessionmakerDep,
    now: NowDep,
    streams: StreamsDep,
    scope: Param = None,
    domain: Param = None,
    language: Param = None,
    channel: Param = None,
    status: Param = None,
) -> Response:
    """Server-sent events: `queue` with the fingerprint and the count waiting, whenever the
    tickets the consultant may see change (checked every second)."""
    token = session_token(request)
    last: dict[str, Any] = {}

    def look(moment: datetime) -> tuple[str, dict[str, Any]] | None:
        with sessions.begin() as session:
            viewer = viewer_for(session, token, moment)
            if viewer is None:
                return None
            mark = queues.fingerprint(session=session, viewer=viewer, now=moment)
            if last.get("fingerprint") != mark:
                wanted = _filter(viewer, scope, domain, language, channel, status)
                found = queues.queue(session=session, viewer=viewer, wanted=wanted)
                last.update(fingerprint=mark, waiting=queues.waiting(found))
            return "queue", dict(last)

    def signed_in() -> bool:
        with sessions.begin() as session:
            return viewer_for(session, token, now) is not None

    if not await anyio.to_thread.run_sync(signed_in):
        raise SignInRequired
    return stream(request, streams=streams, started=now, look=look)
