"""What a resident sees of their conversation: their stored messages, the bot's stored
answers, consultants' replies, and notices that their case changed hands.

Bot answers given before consent are not stored: they are only shown at the time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from handoff import tickets
from handoff.i18n import Speaker
from handoff.models import Channel, Consultant, Direction, Message, OutboxItem

Sender = Literal["bot", "resident", "consultant"]
SHOWN = 200  # the most recent messages on a page
_CURSOR = re.compile(r"^(\d{1,10})(?:\.(\d{1,10}))?$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Bubble:
    """One chat bubble, ready to show as plain text. `id` is unique per conversation."""

    sender: Sender
    text: str
    id: str | None = None
    signature: str | None = None
    when: str | None = None


@dataclass(frozen=True, slots=True)
class Cursor:
    """How far a page has seen: the last message id and the last notice (outbox row) id."""

    message: int = 0
    notice: int = 0

    def __str__(self) -> str:
        return f"{self.message}.{self.notice}"

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        """A cursor from its text ('12.3', or '12'), or None."""
        found = _CURSOR.match(text or "")
        if found is None:
            return None
        return cls(int(found[1]), int(found[2] or 0))

    def __or__(self, other: Cursor) -> Cursor:
        return Cursor(max(self.message, other.message), max(self.notice, other.notice))


def conversation(
    *,
    session: Session,
    external_id: str,
    speaker: Speaker,
    after: Cursor = Cursor(),
    live_only: bool = False,
) -> tuple[list[Bubble], Cursor]:
    """The web resident's conversation after `after` (its last SHOWN messages), oldest first,
    and the cursor past it. `live_only`: only what others wrote (replies and notices), which
    is what the page did not already show."""
    resident = tickets.find_resident(session=session, channel=Channel.web, external_id=external_id)
    if resident is None:
        return [], after
    query = (
        select(Message)
        .where(Message.resident_id == resident.id, Message.id > after.message)
        .options(selectinload(Message.consultant))
        .order_by(Message.id.desc())
        .limit(SHOWN)
    )
    if live_only:
        query = query.where(
            Message.direction == Direction.outbound, Message.consultant_id.is_not(None)
        )
    messages = list(reversed(session.scalars(query).all()))
    notices = session.scalars(
        select(OutboxItem)
        .where(
            OutboxItem.resident_id == resident.id,
            OutboxItem.message_id.is_(None),
            OutboxItem.id > after.notice,
        )
        .order_by(OutboxItem.id)
    ).all()
    timeline: list[tuple[datetime, Bubble]] = [
        (message.created_at, bubble_of(message, speaker)) for message in messages
    ]
    for item in notices:
        notice = notice_of(item.payload, speaker)
        if notice is not None:
            when = speaker.weekday_time(item.created_at)
            timeline.append(
                (item.created_at, Bubble(sender="bot", text=notice, id=f"n{item.id}", when=when))
            )
    timeline.sort(key=lambda entry: entry[0])
    cursor = after | Cursor(
        max((message.id for message in messages), default=0),
        max((item.id for item in notices), default=0),
    )
    return [bubble for _, bubble in timeline], cursor


def person_name(person: Consultant | dict[str, Any], lang: str) -> str:
    """The name residents know: the display name in Japanese, else the romanised reading."""
    if isinstance(person, Consultant):
        name, reading = person.display_name, person.reading
    else:
        name, reading = str(person.get("name") or ""), str(person.get("reading") or "")
    return name if lang == "ja" or not reading else reading


def signature(consultant: Consultant | None, speaker: Speaker) -> str:
    """Who a reply is from."""
    if consultant is None:
        return speaker._("From the city's consultation desk")
    return speaker._("From {name}, your consultant", name=person_name(consultant, speaker.lang))


def bubble_of(message: Message, speaker: Speaker) -> Bubble:
    """A stored message as a bubble for the resident."""
    when = speaker.weekday_time(message.created_at)
    identity = f"m{message.id}"
    if message.direction is Direction.inbound:
        return Bubble(sender="resident", text=message.text, id=identity, when=when)
    if message.consultant_id is None:
        return Bubble(sender="bot", text=message.text, id=identity, when=when)
    return Bubble(
        sender="consultant",
        text=message.text,
        id=identity,
        signature=signature(message.consultant, speaker),
        when=when,
    )


def notice_of(payload: dict[str, Any], speaker: Speaker) -> str | None:
    """The resident's words for an outbox notice without a message of its own, or None."""
    if payload.get("kind") != "transferred":
        return None
    person = payload.get("consultant") or {}
    agency = (person.get("agency") or {}).get(speaker.lang) or (person.get("agency") or {}).get(
        "ja"
    )
    values = {"number": payload.get("ticket_number", ""), "name": person_name(person, speaker.lang)}
    if agency:
        return speaker._(
            "Your consultation {number} has been passed to {name} ({agency}), who will answer "
            "you here.",
            agency=agency,
            **values,
        )
    return speaker._(
        "Your consultation {number} has been passed to {name}, who will answer you here.",
        **values,
    )


def bot_bubbles(texts: tuple[str, ...] | list[str]) -> list[Bubble]:
    """The bot's answer, one bubble per text."""
    return [Bubble(sender="bot", text=text) for text in texts]
