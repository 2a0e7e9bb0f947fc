"""The consultant API's request and response shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from classifier.domains import DOMAIN_IDS
from handoff.models import Channel, EventKind, Role, Status, Urgency

MAX_TEXT = 5000
MAX_ID = 2**31 - 1


def _no_nul(text: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it as bad input instead of failing later.
    if "\x00" in text:
        raise ValueError("text must not contain NUL characters")
    return text


def _has_content(text: str) -> str:
    if not text.strip():
        raise ValueError("text must not be blank")
    return text


CleanStr = Annotated[str, AfterValidator(_no_nul)]
Body = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_TEXT),
    AfterValidator(_no_nul),
    AfterValidator(_has_content),
]


def _known_domain(domain: str) -> str:
    if domain not in DOMAIN_IDS:
        raise ValueError(f"unknown domain {domain!r}; known: {', '.join(DOMAIN_IDS)}")
    return domain


DomainId = Annotated[str, AfterValidator(_known_domain)]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorResponse(BaseModel):
    """Every error: one clear sentence, and for invalid input the fields at fault."""

    detail: str
    errors: list[FieldError] | None = None


class FieldError(BaseModel):
    """One field that failed validation."""

    location: str
    message: str


class LoginRequest(_In):
    """E-mail and password of a consultant."""

    email: Annotated[CleanStr, StringConstraints(min_length=3, max_length=254)]
    password: Annotated[CleanStr, StringConstraints(min_length=1, max_length=1024)]


class AgencyRef(BaseModel):
    """An agency, named in the three languages."""

    id: int
    code: str
    name_ja: str
    name_en: str
    name_pt: str


class ConsultantRef(BaseModel):
    """A consultant as others see them: the name and its reading."""

    id: int
    name: str
    reading: str


class ConsultantPublic(ConsultantRef):
    """A consultant, as listed for transfers."""

    role: Role
    languages: list[str]
    domains: list[str]
    agency: AgencyRef | None
    on_shift_now: bool


class TokenResponse(BaseModel):
    """A bearer token for `Authorization: Bearer ...`."""

    token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the scheme, not a secret
    expires_at: datetime
    consultant: ConsultantRef


class TicketSummary(BaseModel):
    """A ticket in a queue."""

    id: int
    number: str
    status: Status
    urgency: Urgency
    domains: list[str]
    language: str
    channel: Channel
    needs_interpreter: bool
    consultant: ConsultantRef
    agency: AgencyRef | None
    created_at: datetime
    contact_from: datetime
    first_response_due: datetime
    overdue: bool
    waiting_minutes: int
    summary: str


class MessagePublic(BaseModel):
    """One message of the transcript."""

    id: int
    direction: Literal["in", "out"]
    text: str
    created_at: datetime
    delivery_state: str
    consultant: ConsultantRef | None


class EventPublic(BaseModel):
    """One entry of the history."""

    id: int
    kind: EventKind
    at: datetime
    actor: ConsultantRef | None
    from_consultant: ConsultantRef | None
    to_consultant: ConsultantRef | None
    note: str | None


class TicketDetail(TicketSummary):
    """A ticket with everything a consultant needs to act on it."""

    routing_reason: str
    source_link_id: str | None
    source_label: str | None
    claimed_by: ConsultantRef | None
    claimed_at: datetime | None
    first_response_at: datetime | None
    closed_at: datetime | None
    outcome: str | None
    transcript: list[MessagePublic]
    history: list[EventPublic]


class ReplyRequest(_In):
    """A message to the resident."""

    text: Body


class ReplyResponse(BaseModel):
    """The queued reply: the resident sees it with the consultant's name."""

    message_id: int
    delivery_state: str
    consultant: ConsultantRef
    text: str


class TransferRequest(_In):
    """Who takes the case over, and what they should know."""

    consultant_id: Id
    note: Body


class TransferResponse(BaseModel):
    """Who now has the case (this is also what the resident is told)."""

    ticket: TicketDetail
    from_consultant: ConsultantRef
    consultant: ConsultantRef
    agency: AgencyRef | None
    contact_from: datetime
    first_response_due: datetime


class NoteRequest(_In):
    """An internal note (never shown to the resident)."""

    text: Body


class CloseRequest(_In):
    """How the consultation ended."""

    outcome: Body


class EscalationResponse(BaseModel):
    """Tickets handed to a supervisor because nobody claimed them in time."""

    escalated: list[TicketSummary]


ErrorResponse.model_rebuild()
