"""What each LINE event means for the conversation: a registry keyed by event type.

A handler turns one parsed event into a `Turn` (what the resident did, and where to answer),
or None when there is nothing to say (unfollow, leave, read receipts, unknown events).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from linebot.v3.webhooks import Event  # type: ignore[import-untyped]

from bot.dialogue import Kind

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class Turn:
    """One thing a resident did on LINE."""

    kind: Kind
    at: datetime
    text: str = ""
    user_id: str | None = None  # set for one-to-one chats only
    group: str | None = None  # a digest of the group or room id, for group chats
    reply_token: str | None = None
    message_id: str | None = None

    @property
    def external_id(self) -> str:
        """The resident's id for the conversation (a group's digest in a group chat)."""
        return self.user_id or self.group or ""


Handler = Callable[[Any, datetime], Turn | None]

_MESSAGE_KINDS = {
    "text": Kind.text,
    "sticker": Kind.sticker,
    "image": Kind.image,
    "video": Kind.video,
    "audio": Kind.audio,
    "file": Kind.file,
    "location": Kind.location,
}


def _group_of(source: Any) -> str | None:
    """A digest of the group or room (raw ids stay out of memory and logs)."""
    kind = getattr(source, "type", None)
    chat = getattr(source, "group_id", None) or getattr(source, "room_id", None)
    if kind in ("group", "room") and chat:
        return "group:" + hashlib.sha256(str(chat).encode()).hexdigest()[:32]
    return None


def _user_of(source: Any) -> str | None:
    if getattr(source, "type", None) != "user":
        return None
    user_id = getattr(source, "user_id", None)
    return str(user_id) if user_id else None


def _turn(event: Any, at: datetime, kind: Kind, **fields: Any) -> Turn | None:
    source = getattr(event, "source", None)
    group = _group_of(source)
    token = getattr(event, "reply_token", None)
    if group is not None:
        return Turn(kind=Kind.group, at=at, group=group, reply_token=token)
    user_id = _user_of(source)
    if user_id is None:
        return None
    return Turn(kind=kind, at=at, user_id=user_id, reply_token=token, **fields)


def on_message(event: Any, at: datetime) -> Turn | None:
    """Words, stickers, photos, voice, files and places."""
    message = event.message
    kind = _MESSAGE_KINDS.get(getattr(message, "type", ""))
    if kind is None:
        return None
    text = str(getattr(message, "text", "") or "") if kind is Kind.text else ""
    return _turn(event, at, kind, text=text, message_id=str(message.id))


def on_postback(event: Any, at: datetime) -> Turn | None:
    """A tapped choice: its data is the command."""
    return _turn(event, at, Kind.command, text=str(event.postback.data or ""))


def on_follow(event: Any, at: datetime) -> Turn | None:
    """Added as a friend (or unblocked): the welcome."""
    return _turn(event, at, Kind.follow)


def on_join(event: Any, at: datetime) -> Turn | None:
    """Invited into a group or room: say that consultation happens one to one."""
    return _turn(event, at, Kind.group)


def ignore(event: Any, at: datetime) -> Turn | None:
    """Nothing to say (unfollow: the resident left; their data stays until they ask)."""
    return None


HANDLERS: dict[str, Handler] = {
    "message": on_message,
    "postback": on_postback,
    "follow": on_follow,
    "join": on_join,
    "unfollow": ignore,
}


def received_at(event: Mapping[str, Any], fallback: datetime) -> datetime:
    """When LINE says the event happened (milliseconds since the epoch)."""
    stamp = event.get("timestamp")
    if isinstance(stamp, int) and not isinstance(stamp, bool) and 0 < stamp < 10**14:
        return datetime.fromtimestamp(stamp / 1000, tz=UTC)
    return fallback


def turn_for(event: Mapping[str, Any], fallback: datetime) -> Turn | None:
    """Dispatch a stored event to its handler; unknown, malformed or standby events give None."""
    event_type = event.get("type")
    handler = HANDLERS.get(event_type) if isinstance(event_type, str) else None
    if handler is None:
        return None
    if event.get("mode") == "standby":  # another channel answers (module channels)
        return None
    try:
        parsed = Event.from_dict(dict(event))
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        log.warning("LINE %s event not understood (%s)", event_type, type(error).__name__)
        return None
    return handler(parsed, received_at(event, fallback))
