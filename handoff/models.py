"""The handoff tables: agencies, consultants, residents, messages, tickets, history, outbox."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC; naive values are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass a timezone-aware value")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        # SQLite hands back naive values; they were written in UTC.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


IntPk = Annotated[int, mapped_column(Integer, primary_key=True)]
Timestamp = Annotated[datetime, mapped_column(UTCDateTime())]
Name = Annotated[str, mapped_column(String(200))]
StrList = Annotated[list[str], mapped_column(JSON, default=list)]


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations name constraints alike."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[str]: JSON}


class Channel(enum.StrEnum):
    """Where a resident writes from."""

    line = "line"
    web = "web"


class Role(enum.StrEnum):
    """A consultant's role; supervisors see every ticket and take crises and escalations."""

    consultant = "consultant"
    supervisor = "supervisor"


class Urgency(enum.StrEnum):
    """How soon a ticket needs a human."""

    crisis = "crisis"
    high = "high"
    normal = "normal"


class Status(enum.StrEnum):
    """Where a ticket is in its life."""

    new = "new"
    assigned = "assigned"
    claimed = "claimed"
    transferred = "transferred"
    closed = "closed"


OPEN_STATUSES = (Status.new, Status.assigned, Status.claimed, Status.transferred)
UNCLAIMED_STATUSES = (Status.new, Status.assigned, Status.transferred)


class Direction(enum.StrEnum):
    """Whether a message came from the resident or went to them."""

    inbound = "in"
    outbound = "out"


class DeliveryState(enum.StrEnum):
    """Delivery of a message or outbox row."""

    received = "received"
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"
    dead = "dead"


class EventKind(enum.StrEnum):
    """The entries of a ticket's append-only history."""

    created = "created"
    assigned = "assigned"
    claimed = "claimed"
    message = "message"
    note = "note"
    transferred = "transferred"
    escalated = "escalated"
    closed = "closed"
    viewed = "viewed"
    erased = "erased"


def _enum(kind: type[enum.StrEnum], name: str) -> Enum:
    # Stored as plain strings with a CHECK-free VARCHAR so adding a value needs no migration
    # dance on PostgreSQL; the ORM still refuses unknown values.
    return Enum(
        kind,
        name=name,
        native_enum=False,
        create_constraint=False,
        length=20,
        values_callable=lambda members: [member.value for member in members],
    )


class Site(Base):
    """The municipality: one row, its timezone and the closed days of every agency."""

    __tablename__ = "site"

    id: Mapped[IntPk]
    name: Mapped[Name]
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Tokyo")
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"Site(id={self.id!r}, name={self.name!r}, timezone={self.timezone!r})"


class Agency(Base):
    """A support agency (支援関係機関) of the municipality."""

    __tablename__ = "agencies"

    id: Mapped[IntPk]
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_ja: Mapped[Name]
    name_en: Mapped[Name]
    name_pt: Mapped[Name]
    domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(500))
    hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    closed_days: Mapped[list[str]] = mapped_column(JSON, default=list)
    general_desk: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow)

    consultants: Mapped[list[Consultant]] = relationship(back_populates="agency")

    def name(self, lang: str) -> str:
        """The agency's name in `lang` (Japanese when unknown)."""
        return {"en": self.name_en, "pt": self.name_pt}.get(lang, self.name_ja)

    def __repr__(self) -> str:
        return f"Agency(id={self.id!r}, code={self.code!r})"


class Consultant(Base):
    """A named human who takes tickets."""

    __tablename__ = "consultants"

    id: Mapped[IntPk]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[Name]
    reading: Mapped[Name]
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="SET NULL"))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), default=Role.consultant)
    hours: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    max_open_tickets: Mapped[int] = mapped_column(Integer, default=20)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow)

    agency: Mapped[Agency | None] = relationship(back_populates="consultants")

    @property
    def is_supervisor(self) -> bool:
        """True for supervisors."""
        return self.role == Role.supervisor

    @property
    def reads(self) -> str:
        """The language a summary is written in for this consultant: Japanese by default."""
        if "ja" in self.languages or not self.languages:
            return "ja"
        return self.languages[0]

    def __repr__(self) -> str:
        return f"Consultant(id={self.id!r}, role={self.role.value!r}, agency_id={self.agency_id!r})"


class Resident(Base):
    """A resident as the channel knows them: an opaque id, never a name."""

    __tablename__ = "residents"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[IntPk]
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel"))
    external_id: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8), default="ja")
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A first worry written before consent waits here (never in a ticket) until the resident
    # agrees or the hold lapses; `bot` clears it either way.
    held_text: Mapped[str | None] = mapped_column(Text)
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    held_link_id: Mapped[str | None] = mapped_column(String(100))
    held_label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        # The external id is personal data: never in logs or reprs.
        return f"Resident(id={self.id!r}, channel={self.channel.value!r})"


class Ticket(Base):
    """One consultation, held by one named consultant at a time."""

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_resident_status", "resident_id", "status"),
        Index("ix_tickets_status_due", "status", "first_response_due"),
    )

    id: Mapped[IntPk]
    number: Mapped[str] = mapped_column(String(20), unique=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    language: Mapped[str] = mapped_column(String(8))
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel"))
    urgency: Mapped[Urgency] = mapped_column(_enum(Urgency, "urgency"))
    status: Mapped[Status] = mapped_column(_enum(Status, "status"), default=Status.new)
    consultant_id: Mapped[int] = mapped_column(ForeignKey("consultants.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("consultants.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    summary: Mapped[str | None] = mapped_column(Text)
    source_link_id: Mapped[str | None] = mapped_column(String(100))
    source_label: Mapped[str | None] = mapped_column(String(200))
    needs_interpreter: Mapped[bool] = mapped_column(Boolean, default=False)
    routing_reason: Mapped[str] = mapped_column(Text)
    contact_from: Mapped[Timestamp]
    first_response_due: Mapped[Timestamp]
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp]
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    consultant: Mapped[Consultant] = relationship(foreign_keys=[consultant_id])
    claimed_by: Mapped[Consultant | None] = relationship(foreign_keys=[claimed_by_id])
    agency: Mapped[Agency | None] = relationship()
    resident: Mapped[Resident | None] = relationship()
    domain_links: Mapped[list[TicketDomain]] = relationship(
        cascade="all, delete-orphan", order_by="TicketDomain.position"
    )

    @property
    def domains(self) -> list[str]:
        """The ticket's domain ids, in the order they were first tagged."""
        return [link.domain for link in self.domain_links]

    def add_domains(self, domains: list[str]) -> None:
        """Tag the ticket with any of `domains` it does not carry yet."""
        known = set(self.domains)
        for domain in domains:
            if domain not in known:
                known.add(domain)
                self.domain_links.append(TicketDomain(domain=domain, position=len(known)))

    def __repr__(self) -> str:
        return f"Ticket(id={self.id!r}, number={self.number!r}, status={self.status.value!r})"


class TicketDomain(Base):
    """A life-issue domain a ticket is tagged with (a table, so queues can filter in SQL)."""

    __tablename__ = "ticket_domains"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    domain: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"TicketDomain(ticket_id={self.ticket_id!r}, domain={self.domain!r})"


class TicketCounter(Base):
    """The last ticket number issued in a year (numbers restart every year)."""

    __tablename__ = "ticket_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"TicketCounter(year={self.year!r}, last={self.last!r})"


class TicketEvent(Base):
    """One entry of a ticket's history; rows are only ever added."""

    __tablename__ = "ticket_events"

    id: Mapped[IntPk]
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind, "event_kind"))
    at: Mapped[Timestamp]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("consultants.id"))
    from_consultant_id: Mapped[int | None] = mapped_column(ForeignKey("consultants.id"))
    to_consultant_id: Mapped[int | None] = mapped_column(ForeignKey("consultants.id"))
    note: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[Consultant | None] = relationship(foreign_keys=[actor_id])
    from_consultant: Mapped[Consultant | None] = relationship(foreign_keys=[from_consultant_id])
    to_consultant: Mapped[Consultant | None] = relationship(foreign_keys=[to_consultant_id])

    def __repr__(self) -> str:
        return (
            f"TicketEvent(id={self.id!r}, ticket_id={self.ticket_id!r}, kind={self.kind.value!r})"
        )


@event.listens_for(TicketEvent, "before_update")
def _history_is_append_only(*_: object) -> None:
    raise RuntimeError("ticket history is append-only")


class Message(Base):
    """A message from or to a resident."""

    __tablename__ = "messages"

    id: Mapped[IntPk]
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), index=True
    )
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), index=True
    )
    direction: Mapped[Direction] = mapped_column(_enum(Direction, "direction"))
    text: Mapped[str] = mapped_column(Text)
    channel_message_id: Mapped[str | None] = mapped_column(String(200))
    consultant_id: Mapped[int | None] = mapped_column(ForeignKey("consultants.id"))
    delivery_state: Mapped[DeliveryState] = mapped_column(_enum(DeliveryState, "delivery_state"))
    created_at: Mapped[Timestamp]

    consultant: Mapped[Consultant | None] = relationship()

    def __repr__(self) -> str:
        # Message text is personal data: never in logs or reprs.
        return (
            f"Message(id={self.id!r}, ticket_id={self.ticket_id!r}, "
            f"direction={self.direction.value!r}, state={self.delivery_state.value!r})"
        )


class OutboxItem(Base):
    """A message waiting to reach a resident, retried until the channel takes it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_next", "state", "next_attempt_at"),)

    id: Mapped[IntPk]
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), index=True
    )
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    retry_key: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[DeliveryState] = mapped_column(
        _enum(DeliveryState, "delivery_state"), default=DeliveryState.pending
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[Timestamp]
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[Timestamp]
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    resident: Mapped[Resident] = relationship()

    def __repr__(self) -> str:
        return f"OutboxItem(id={self.id!r}, state={self.state.value!r}, attempts={self.attempts!r})"


class EmergencyContact(Base):
    """A number to call when life or safety is at risk, shown whatever the hour."""

    __tablename__ = "emergency_contacts"

    id: Mapped[IntPk]
    key: Mapped[str] = mapped_column(String(64), unique=True)
    number: Mapped[str] = mapped_column(String(40))
    names: Mapped[dict[str, Any]] = mapped_column(JSON)
    notes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"EmergencyContact(key={self.key!r}, number={self.number!r})"


class ApiToken(Base):
    """A consultant's bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[IntPk]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    consultant_id: Mapped[int] = mapped_column(
        ForeignKey("consultants.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[Timestamp]
    expires_at: Mapped[Timestamp]
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    consultant: Mapped[Consultant] = relationship()

    def __repr__(self) -> str:
        return f"ApiToken(id={self.id!r}, consultant_id={self.consultant_id!r})"


class LoginAttempt(Base):
    """A failed login, counted per e-mail address and client address for rate limiting."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_key", "email", "client_ip", "at"),)

    id: Mapped[IntPk]
    email: Mapped[str] = mapped_column(String(254))
    client_ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[Timestamp]

    def __repr__(self) -> str:
        return f"LoginAttempt(id={self.id!r}, at={self.at!r})"


class EventState(enum.StrEnum):
    """Processing of a durably stored inbound event."""

    pending = "pending"
    processing = "processing"
    done = "done"
    failed = "failed"


class InboundEvent(Base):
    """An event from a channel (a LINE webhook event), written before it is acknowledged and
    handled once: the (channel, event_id) pair is unique, so a redelivery is recognised.
    The payload is cleared once handled; the id stays to recognise late redeliveries."""

    __tablename__ = "inbound_events"
    __table_args__ = (
        UniqueConstraint("channel", "event_id"),
        Index("ix_inbound_events_due", "state", "next_attempt_at"),
    )

    id: Mapped[IntPk]
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel"))
    event_id: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    state: Mapped[EventState] = mapped_column(
        _enum(EventState, "event_state"), default=EventState.pending
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[Timestamp]
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_at: Mapped[Timestamp]
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"InboundEvent(id={self.id!r}, state={self.state.value!r})"


class SchoolLink(Base):
    """A web-chat link printed in a school mail newsletter: /c/{code}."""

    __tablename__ = "school_links"

    id: Mapped[IntPk]
    code: Mapped[str] = mapped_column(String(32), unique=True)
    label: Mapped[Name]
    language: Mapped[str] = mapped_column(String(8), default="ja")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[Timestamp]

    def __repr__(self) -> str:
        return f"SchoolLink(code={self.code!r}, language={self.language!r})"


class WebSession(Base):
    """A resident's web chat on one device. Only hashes of the cookie token and of the resume
    code are stored; `external_id` is the resident's opaque id on the web channel."""

    __tablename__ = "web_sessions"

    id: Mapped[IntPk]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    resume_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    external_id: Mapped[str] = mapped_column(String(64), index=True)
    link_id: Mapped[int | None] = mapped_column(
        ForeignKey("school_links.id", ondelete="SET NULL"), index=True
    )
    language: Mapped[str] = mapped_column(String(8), default="ja")
    created_at: Mapped[Timestamp]
    last_seen_at: Mapped[Timestamp]

    link: Mapped[SchoolLink | None] = relationship()

    def __repr__(self) -> str:
        return f"WebSession(id={self.id!r}, language={self.language!r})"


class CannedReply(Base):
    """A reply consultants can start from, written per resident language; supervisors edit."""

    __tablename__ = "canned_replies"

    id: Mapped[IntPk]
    language: Mapped[str] = mapped_column(String(8), index=True)
    title: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultants.id", ondelete="SET NULL")
    )
    updated_at: Mapped[Timestamp]

    updated_by: Mapped[Consultant | None] = relationship()

    def __repr__(self) -> str:
        return f"CannedReply(id={self.id!r}, language={self.language!r})"
