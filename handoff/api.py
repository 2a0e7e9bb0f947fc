"""The consultant JSON API: log in, see the queue, claim, reply, transfer, note, close.

`bot.app.create_app` includes `router` and calls `install_error_handling(app)`, which makes
every error a JSON `{"detail": ...}` and refuses oversized bodies before they are read.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Path, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from handoff import auth, tickets
from handoff.consultants import list_consultants
from handoff.deps import (
    BearerDep,
    ConsultantDep,
    LoginPolicyDep,
    NowDep,
    SessionDep,
    SessionmakerDep,
    SupervisorDep,
)
from handoff.errors import (
    Conflict,
    Forbidden,
    HandoffError,
    InvalidInput,
    NoConsultant,
    NotFound,
    RateLimited,
    Unauthorized,
)
from handoff.models import Agency, Consultant, Status, Ticket, TicketEvent, Urgency
from handoff.models import Message as TicketMessage
from handoff.routing import SiteCalendar, timing_for
from handoff.schemas import (
    MAX_ID,
    AgencyRef,
    CloseRequest,
    ConsultantPublic,
    ConsultantRef,
    DomainId,
    ErrorResponse,
    EscalationResponse,
    EventPublic,
    FieldError,
    Language,
    LoginRequest,
    MessagePublic,
    NoteRequest,
    ReplyRequest,
    ReplyResponse,
    TicketDetail,
    TicketSummary,
    TokenResponse,
    TransferRequest,
    TransferResponse,
)

DEFAULT_MAX_BODY_BYTES = 64 * 1024

log = logging.getLogger(__name__)


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorResponse} for code in codes}


router = APIRouter(prefix="/api", tags=["consultant API"], responses=_errors(422))
TicketId = Annotated[int, Path(ge=1, le=MAX_ID, description="The ticket's id.")]


# -- shapes ---------------------------------------------------------------------------------


def _person(consultant: Consultant | None) -> ConsultantRef | None:
    if consultant is None:
        return None
    return ConsultantRef(id=consultant.id, name=consultant.display_name, reading=consultant.reading)


def _agency(agency: Agency | None) -> AgencyRef | None:
    if agency is None:
        return None
    return AgencyRef(
        id=agency.id,
        code=agency.code,
        name_ja=agency.name_ja,
        name_en=agency.name_en,
        name_pt=agency.name_pt,
    )


def _summary(ticket: Ticket, now: datetime) -> TicketSummary:
    waiting = now - ticket.created_at
    return TicketSummary(
        id=ticket.id,
        number=ticket.number,
        status=ticket.status,
        urgency=ticket.urgency,
        domains=ticket.domains,
        language=ticket.language,
        channel=ticket.channel,
        needs_interpreter=ticket.needs_interpreter,
        consultant=ConsultantRef(
            id=ticket.consultant.id,
            name=ticket.consultant.display_name,
            reading=ticket.consultant.reading,
        ),
        agency=_agency(ticket.agency),
        created_at=ticket.created_at,
        contact_from=ticket.contact_from,
        first_response_due=ticket.first_response_due,
        overdue=ticket.status != Status.closed
        and ticket.first_response_at is None
        and ticket.first_response_due < now,
        waiting_minutes=max(0, int(waiting.total_seconds() // 60)),
        summary=tickets.summary_now(ticket, now=now),
    )


def _message(message: TicketMessage) -> MessagePublic:
    return MessagePublic(
        id=message.id,
        direction="in" if message.direction.value == "in" else "out",
        text=message.text,
        created_at=message.created_at,
        delivery_state=message.delivery_state.value,
        consultant=_person(message.consultant),
    )


def _event(entry: TicketEvent) -> EventPublic:
    return EventPublic(
        id=entry.id,
        kind=entry.kind,
        at=entry.at,
        actor=_person(entry.actor),
        from_consultant=_person(entry.from_consultant),
        to_consultant=_person(entry.to_consultant),
        note=entry.note,
    )


def _detail(session: Session, ticket: Ticket, now: datetime) -> TicketDetail:
    session.flush()
    session.refresh(ticket)
    return TicketDetail(
        **_summary(ticket, now).model_dump(),
        routing_reason=ticket.routing_reason,
        source_link_id=ticket.source_link_id,
        source_label=ticket.source_label,
        claimed_by=_person(ticket.claimed_by),
        claimed_at=ticket.claimed_at,
        first_response_at=ticket.first_response_at,
        closed_at=ticket.closed_at,
        outcome=ticket.outcome,
        transcript=[_message(m) for m in tickets.transcript(session=session, ticket=ticket)],
        history=[_event(e) for e in tickets.history(session=session, ticket=ticket)],
    )


# -- endpoints ------------------------------------------------------------------------------


@router.post("/login", responses=_errors(401, 429))
def login(
    body: LoginRequest,
    request: Request,
    sessions: SessionmakerDep,
    now: NowDep,
    policy: LoginPolicyDep,
) -> TokenResponse:
    """Exchange e-mail and password for a bearer token. Repeated failures from one address
    for one e-mail are refused for a while (429)."""
    client_ip = request.client.host if request.client else "unknown"
    failure: HandoffError | None = None
    with sessions.begin() as session:  # committed even on failure: the attempt must count
        try:
            issued = auth.login(
                session=session,
                email=body.email,
                password=body.password,
                client_ip=client_ip,
                now=now,
                policy=policy,
            )
            response = TokenResponse(
                token=issued.token,
                expires_at=issued.expires_at,
                consultant=ConsultantRef(
                    id=issued.consultant.id,
                    name=issued.consultant.display_name,
                    reading=issued.consultant.reading,
                ),
            )
        except (Unauthorized, RateLimited) as error:
            failure = error
    if failure is not None:
        raise failure
    return response


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=_errors(401))
def logout(
    consultant: ConsultantDep, session: SessionDep, now: NowDep, credentials: BearerDep
) -> Response:
    """Revoke the token used for this request."""
    if credentials is not None:
        auth.revoke(session=session, token=credentials.credentials, now=now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _public(consultant: Consultant, calendar: SiteCalendar, now: datetime) -> ConsultantPublic:
    timing = timing_for(consultant, calendar=calendar, urgency=Urgency.normal, now=now)
    return ConsultantPublic(
        id=consultant.id,
        name=consultant.display_name,
        reading=consultant.reading,
        role=consultant.role,
        languages=consultant.languages,
        domains=consultant.domains,
        agency=_agency(consultant.agency),
        on_shift_now=timing.on_shift_now,
    )


@router.get("/me", responses=_errors(401))
def me(consultant: ConsultantDep, session: SessionDep, now: NowDep) -> ConsultantPublic:
    """The consultant the token belongs to."""
    return _public(consultant, SiteCalendar.load(session), now)


@router.get("/consultants", responses=_errors(401))
def consultants(
    consultant: ConsultantDep, session: SessionDep, now: NowDep
) -> list[ConsultantPublic]:
    """Active consultants, to whom a case can be transferred."""
    calendar = SiteCalendar.load(session)
    return [_public(c, calendar, now) for c in list_consultants(session=session)]


@router.get("/tickets", responses=_errors(401))
def list_tickets(
    consultant: ConsultantDep,
    session: SessionDep,
    now: NowDep,
    status: Annotated[
        Status | None, Query(description="Only this status; open tickets when omitted.")
    ] = None,
    domain: Annotated[DomainId | None, Query(description="Only tickets tagged so.")] = None,
    language: Annotated[Language | None, Query(description="Resident's language.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> list[TicketSummary]:
    """The tickets the caller may see (own and agency's; supervisors all), crisis first, then
    whoever has waited longest."""
    found = tickets.list_tickets(
        session=session,
        viewer=consultant,
        status=status,
        domain=domain,
        language=language,
        limit=limit,
        offset=offset,
    )
    return [_summary(ticket, now) for ticket in found]


@router.get("/tickets/{ticket_id}", responses=_errors(401, 404))
def get_ticket(
    ticket_id: TicketId, consultant: ConsultantDep, session: SessionDep, now: NowDep
) -> TicketDetail:
    """The ticket with its transcript and history. The view is recorded in the history."""
    ticket = tickets.get_ticket(session=session, ticket_id=ticket_id, viewer=consultant)
    tickets.record_view(session=session, ticket=ticket, viewer=consultant, now=now)
    return _detail(session, ticket, now)


@router.post("/tickets/{ticket_id}/claim", responses=_errors(401, 404, 409))
def claim(
    ticket_id: TicketId, consultant: ConsultantDep, session: SessionDep, now: NowDep
) -> TicketDetail:
    """Take the ticket: 200, or 409 when someone else holds it (or it is closed)."""
    ticket = tickets.claim(session=session, ticket_id=ticket_id, consultant=consultant, now=now)
    return _detail(session, ticket, now)


@router.post(
    "/tickets/{ticket_id}/reply",
    status_code=status.HTTP_202_ACCEPTED,
    responses=_errors(400, 401, 404, 409),
)
def reply(
    ticket_id: TicketId,
    body: ReplyRequest,
    consultant: ConsultantDep,
    session: SessionDep,
    now: NowDep,
) -> ReplyResponse:
    """Queue a message to the resident on their channel, shown with the consultant's name.
    Replying to a ticket nobody holds claims it."""
    message = tickets.reply(
        session=session, ticket_id=ticket_id, consultant=consultant, text=body.text, now=now
    )
    return ReplyResponse(
        message_id=message.id,
        delivery_state=message.delivery_state.value,
        consultant=ConsultantRef(
            id=consultant.id, name=consultant.display_name, reading=consultant.reading
        ),
        text=message.text,
    )


@router.post("/tickets/{ticket_id}/transfer", responses=_errors(400, 401, 404, 409))
def transfer(
    ticket_id: TicketId,
    body: TransferRequest,
    consultant: ConsultantDep,
    session: SessionDep,
    now: NowDep,
) -> TransferResponse:
    """Hand the case to another consultant, possibly of another agency, with a note. The
    resident is told who now has their case."""
    moved = tickets.transfer(
        session=session,
        ticket_id=ticket_id,
        actor=consultant,
        to_consultant_id=body.consultant_id,
        note=body.note,
        now=now,
    )
    from_consultant = _person(moved.from_consultant)
    to_consultant = _person(moved.consultant)
    assert from_consultant is not None and to_consultant is not None
    return TransferResponse(
        ticket=_detail(session, moved.ticket, now),
        from_consultant=from_consultant,
        consultant=to_consultant,
        agency=_agency(moved.agency),
        contact_from=moved.contact_from,
        first_response_due=moved.first_response_due,
    )


@router.post(
    "/tickets/{ticket_id}/notes",
    status_code=status.HTTP_201_CREATED,
    responses=_errors(400, 401, 404),
)
def add_note(
    ticket_id: TicketId,
    body: NoteRequest,
    consultant: ConsultantDep,
    session: SessionDep,
    now: NowDep,
) -> EventPublic:
    """Add an internal note to the history."""
    entry = tickets.add_note(
        session=session, ticket_id=ticket_id, actor=consultant, text=body.text, now=now
    )
    session.refresh(entry)
    return _event(entry)


@router.post("/tickets/{ticket_id}/close", responses=_errors(400, 401, 404, 409))
def close(
    ticket_id: TicketId,
    body: CloseRequest,
    consultant: ConsultantDep,
    session: SessionDep,
    now: NowDep,
) -> TicketDetail:
    """Close the consultation with its outcome."""
    ticket = tickets.close(
        session=session, ticket_id=ticket_id, actor=consultant, outcome=body.outcome, now=now
    )
    return _detail(session, ticket, now)


@router.post("/escalations", responses=_errors(401, 403))
def escalate(supervisor: SupervisorDep, session: SessionDep, now: NowDep) -> EscalationResponse:
    """Run the first-response deadline job now (it also runs periodically): tickets unclaimed
    past their due time go to a supervisor, and the history says so."""
    escalated = tickets.escalate_overdue(session=session, now=now)
    return EscalationResponse(escalated=[_summary(ticket, now) for ticket in escalated])


# -- errors ---------------------------------------------------------------------------------

_STATUS: dict[type[HandoffError], int] = {
    InvalidInput: status.HTTP_400_BAD_REQUEST,
    Unauthorized: status.HTTP_401_UNAUTHORIZED,
    Forbidden: status.HTTP_403_FORBIDDEN,
    NotFound: status.HTTP_404_NOT_FOUND,
    Conflict: status.HTTP_409_CONFLICT,
    RateLimited: status.HTTP_429_TOO_MANY_REQUESTS,
    NoConsultant: status.HTTP_503_SERVICE_UNAVAILABLE,
}


def _json_error(
    status_code: int,
    detail: str,
    *,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorResponse(detail=detail, errors=errors).model_dump(exclude_none=True)
    return JSONResponse(body, status_code=status_code, headers=headers)


async def _handoff_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HandoffError)
    code = next(
        (code for kind, code in _STATUS.items() if isinstance(error, kind)),
        status.HTTP_400_BAD_REQUEST,
    )
    headers: dict[str, str] = {}
    if isinstance(error, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, RateLimited):
        headers["Retry-After"] = str(error.retry_after)
    return _json_error(code, str(error), headers=headers)


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    fields = [
        FieldError(location=_location(tuple(item.get("loc", ()))), message=str(item.get("msg")))
        for item in error.errors()
    ]
    first = fields[0] if fields else None
    detail = f"invalid request: {first.location}: {first.message}" if first else "invalid request"
    return _json_error(422, detail, errors=fields)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    return _json_error(error.status_code, str(error.detail), headers=dict(error.headers or {}))


async def _unexpected_error(request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return _json_error(500, "internal error; it has been logged")


class BodySizeLimit:
    """Refuse request bodies over `max_bytes` with 413, whether declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await self._refuse(send, 400, "invalid Content-Length header")
                return
            if int(declared) > self.max_bytes:
                await self._refuse(send, 413, self._too_large())
                return
            await self.app(scope, receive, send)  # the server holds the body to its length
            return
        # No declared length (chunked): read up to the limit here, then replay it.
        parts: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            parts.append(message.get("body", b""))
            received += len(parts[-1])
            if received > self.max_bytes:
                await self._refuse(send, 413, self._too_large())
                return
            if not message.get("more_body", False):
                break
        whole: Message = {"type": "http.request", "body": b"".join(parts), "more_body": False}
        await self.app(scope, _replay([whole], receive), send)

    def _too_large(self) -> str:
        return f"request body too large (at most {self.max_bytes} bytes)"

    @staticmethod
    async def _refuse(send: Send, status_code: int, detail: str) -> None:
        body = json.dumps({"detail": detail}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status_code,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replaying_receive() -> Message:
        return pending.pop(0) if pending else await receive()

    return replaying_receive


def install_error_handling(app: FastAPI, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
    """JSON errors for everything, and a cap on request bodies."""
    app.add_exception_handler(HandoffError, _handoff_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
