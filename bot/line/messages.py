"""Message builders: the conversation's texts and choices as LINE messages, within LINE's limits.

LINE takes at most 5 messages per reply or push, each text at most 5,000 UTF-16 code units, and
at most 13 quick-reply buttons whose labels are at most 20 characters.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from linebot.v3.messaging import (  # type: ignore[import-untyped]
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
)

from bot.dialogue import Choice
from handoff.i18n import speaker

MAX_MESSAGES = 5
MAX_TEXT_UNITS = 5000
MAX_QUICK_REPLIES = 13
MAX_LABEL_UNITS = 20
MAX_DISPLAY_TEXT_UNITS = 300
ELLIPSIS = "…"

log = logging.getLogger(__name__)

# Where a long text may be cut, best first: paragraphs, lines, sentences, words.
_BREAKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\n{2,}"), "\n\n"),
    (re.compile(r"\n"), "\n"),
    (re.compile(r"(?<=[。．！？!?])|(?<=[.] )"), ""),
    (re.compile(r"(?<=\s)"), ""),
)


def utf16_units(text: str) -> int:
    """The length LINE counts: UTF-16 code units (characters beyond U+FFFF count twice)."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _cut(text: str, limit: int) -> list[str]:
    """Cut at code points so that no piece exceeds `limit` units (never inside a surrogate pair)."""
    pieces: list[str] = []
    start = used = 0
    for index, char in enumerate(text):
        width = 2 if ord(char) > 0xFFFF else 1
        if used + width > limit and index > start:
            pieces.append(text[start:index])
            start, used = index, 0
        used += width
    pieces.append(text[start:])
    return pieces


def split_text(text: str, *, limit: int = MAX_TEXT_UNITS, level: int = 0) -> list[str]:
    """Split `text` into pieces of at most `limit` UTF-16 units, at the gentlest boundary."""
    text = text.strip()
    if not text:
        return []
    if utf16_units(text) <= limit:
        return [text]
    if level >= len(_BREAKS):
        return [piece for piece in _cut(text, limit) if piece.strip()]
    pattern, glue = _BREAKS[level]
    pieces: list[str] = []
    current = ""
    for part in pattern.split(text):
        if not part.strip():
            continue
        candidate = f"{current}{glue}{part}" if current else part
        if utf16_units(candidate.strip()) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current.strip())
        if utf16_units(part.strip()) <= limit:
            current = part
        else:
            pieces.extend(split_text(part, limit=limit, level=level + 1))
            current = ""
    if current.strip():
        pieces.append(current.strip())
    return pieces


def bubbles(texts: Iterable[str], *, limit: int = MAX_TEXT_UNITS) -> list[str]:
    """Every text as one or more chat bubbles within the length limit; empty texts dropped."""
    return [piece for text in texts for piece in split_text(text, limit=limit)]


def pack(
    parts: Sequence[str], *, count: int = MAX_MESSAGES, limit: int = MAX_TEXT_UNITS
) -> list[str]:
    """Join neighbouring bubbles (the shortest pair first) until at most `count` remain, as far
    as the length limit allows; the order is kept."""
    packed = list(parts)
    while len(packed) > count:
        pairs = [
            (utf16_units(packed[i]) + utf16_units(packed[i + 1]), i) for i in range(len(packed) - 1)
        ]
        size, index = min(pairs)
        if size + 2 > limit:
            break
        packed[index : index + 2] = [packed[index] + "\n\n" + packed[index + 1]]
    return packed


@dataclass(frozen=True, slots=True)
class Plan:
    """What goes in the (free) reply, and what must follow by push."""

    reply: list[str]
    overflow: list[str]


def plan(texts: Sequence[str]) -> Plan:
    """Fit the conversation's texts into one reply, and push whatever still does not fit."""
    packed = pack(bubbles(texts))
    return Plan(reply=packed[:MAX_MESSAGES], overflow=packed[MAX_MESSAGES:])


def fit_one_request(parts: Sequence[str]) -> list[str]:
    """At most 5 bubbles for a single push; a text too long even for that is shortened."""
    packed = pack(bubbles(parts))
    if len(packed) <= MAX_MESSAGES:
        return packed
    log.warning("message of %d bubbles shortened to %d", len(packed), MAX_MESSAGES)
    head = packed[: MAX_MESSAGES - 1]
    last = _cut(packed[MAX_MESSAGES - 1], MAX_TEXT_UNITS - len(ELLIPSIS))[0] + ELLIPSIS
    return [*head, last]


def _shorten(text: str, limit: int) -> str:
    if utf16_units(text) <= limit:
        return text
    return _cut(text, limit - len(ELLIPSIS))[0].rstrip() + ELLIPSIS


def quick_reply(choices: Sequence[Choice]) -> Any:
    """The choices as postback buttons: tapping one sends its command and shows its label."""
    items = [
        QuickReplyItem(
            action=PostbackAction(
                label=_shorten(str(choice.label), MAX_LABEL_UNITS),
                data=str(choice.command),  # the SDK wants a plain str, not a StrEnum
                display_text=_shorten(str(choice.label), MAX_DISPLAY_TEXT_UNITS),
            )
        )
        for choice in choices[:MAX_QUICK_REPLIES]
    ]
    return QuickReply(items=items)


def text_messages(parts: Sequence[str], choices: Sequence[Choice] = ()) -> list[Any]:
    """LINE text messages, with the choices as a quick reply on the last one."""
    messages = [TextMessage(text=str(part)) for part in parts]
    if messages and choices:
        messages[-1] = TextMessage(text=str(parts[-1]), quick_reply=quick_reply(choices))
    return messages


# -- outbox payloads --------------------------------------------------------------------------


def bot_reply_payload(
    *, texts: Sequence[str], choices: Sequence[Choice], language: str
) -> dict[str, Any]:
    """An outbox payload for the conversation's answer, pushed when the reply could not be used."""
    return {
        "kind": "bot_reply",
        "language": language,
        "texts": list(texts),
        "choices": [
            {"label": str(choice.label), "command": str(choice.command)} for choice in choices
        ],
    }


class UnknownPayload(ValueError):
    """An outbox payload this channel cannot render."""


def _person_name(person: Mapping[str, Any], lang: str) -> str:
    name = str(person.get("name") or "")
    reading = str(person.get("reading") or "")
    if lang == "ja":
        return name or reading
    return reading or name


def _agency_name(person: Mapping[str, Any], lang: str) -> str:
    agency = person.get("agency")
    if not isinstance(agency, Mapping):
        return ""
    return str(agency.get(lang) or agency.get("ja") or "")


def _consultant_reply(payload: Mapping[str, Any], lang: str) -> list[str]:
    talk = speaker(lang)
    person = payload.get("consultant")
    if not isinstance(person, Mapping):
        raise UnknownPayload("consultant reply without its consultant")
    name, agency = _person_name(person, lang), _agency_name(person, lang)
    if agency:
        header = talk._(
            "A message from your consultant, {name} ({agency}):", name=name, agency=agency
        )
    else:
        header = talk._("A message from your consultant, {name}:", name=name)
    return [f"{header}\n\n{payload.get('text', '')}"]


def _transferred(payload: Mapping[str, Any], lang: str) -> list[str]:
    talk = speaker(lang)
    person = payload.get("consultant")
    if not isinstance(person, Mapping):
        raise UnknownPayload("transfer notice without its consultant")
    name, agency = _person_name(person, lang), _agency_name(person, lang)
    lines = [
        talk._(
            "Your consultation {number} is now with {name} ({agency}).",
            number=payload.get("ticket_number", ""),
            name=name,
            agency=agency,
        )
        if agency
        else talk._(
            "Your consultation {number} is now with {name}.",
            number=payload.get("ticket_number", ""),
            name=name,
        )
    ]
    contact_from = payload.get("contact_from")
    if isinstance(contact_from, str):
        try:
            when = datetime.fromisoformat(contact_from)
        except ValueError:
            when = None
        if when is not None and when.tzinfo is not None:
            lines.append(
                talk._(
                    "{name} will be in touch from {time}.", name=name, time=talk.weekday_time(when)
                )
            )
    return ["\n".join(lines)]


def render(payload: Mapping[str, Any], language: str) -> tuple[list[str], list[Choice]]:
    """An outbox payload as texts (and choices) for a resident who reads `language`."""
    kind = payload.get("kind")
    if kind == "bot_reply":
        texts = [str(text) for text in payload.get("texts") or []]
        choices = [
            Choice(str(choice["label"]), str(choice["command"]))
            for choice in payload.get("choices") or []
            if isinstance(choice, Mapping) and "label" in choice and "command" in choice
        ]
        return texts, choices
    if kind == "consultant_reply":
        return _consultant_reply(payload, language), []
    if kind == "transferred":
        return _transferred(payload, language), []
    raise UnknownPayload(f"cannot render an outbox payload of kind {kind!r}")
