"""The registry: each recorded LINE event becomes the right turn of the conversation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.dialogue import Kind
from bot.line.handlers import HANDLERS, received_at, turn_for
from tests.bot.line.platform import recorded

FALLBACK = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def _event(name: str) -> dict[str, Any]:
    event: dict[str, Any] = recorded(name)["events"][0]
    return event


@pytest.mark.parametrize(
    ("name", "kind", "text"),
    [
        ("follow", Kind.follow, ""),
        ("postback", Kind.command, "#consent:yes"),
        ("text", Kind.text, "母の介護で仕事を辞めることになり、お金のことも心配です"),
        ("sticker", Kind.sticker, ""),
        ("image", Kind.image, ""),
    ],
)
def test_one_to_one_events(name: str, kind: Kind, text: str) -> None:
    event = _event(name)
    turn = turn_for(event, FALLBACK)
    assert turn is not None
    assert (turn.kind, turn.text) == (kind, text)
    assert turn.user_id == turn.external_id == event["source"]["userId"]
    assert turn.reply_token == event["replyToken"]
    assert turn.at == datetime.fromtimestamp(event["timestamp"] / 1000, tz=UTC)


@pytest.mark.parametrize("name", ["group_text", "join"])
def test_group_and_room_events_are_group_turns_without_the_words(name: str) -> None:
    turn = turn_for(_event(name), FALLBACK)
    assert turn is not None
    assert (turn.kind, turn.text, turn.user_id) == (Kind.group, "", None)
    assert turn.external_id.startswith("group:")
    assert "Ca56f94637c" not in turn.external_id


def test_a_postback_in_a_group_is_a_group_turn() -> None:
    event = _event("postback")
    event["source"] = {"type": "group", "groupId": "Cgroup", "userId": "Uuser"}
    turn = turn_for(event, FALLBACK)
    assert turn is not None
    assert turn.kind is Kind.group


@pytest.mark.parametrize("name", ["unfollow", "unknown"])
def test_events_with_nothing_to_say(name: str) -> None:
    assert turn_for(_event(name), FALLBACK) is None


def test_standby_malformed_and_unknown_messages_are_set_aside() -> None:
    standby = {**_event("text"), "mode": "standby"}
    malformed = {**_event("text"), "timestamp": "yesterday", "message": None}
    unknown_message = _event("text")
    unknown_message["message"] = {"id": "1", "type": "hologram"}
    for event in (standby, malformed, unknown_message, {"type": 42}, {}):
        assert turn_for(event, FALLBACK) is None


def test_the_registry_covers_the_events_the_door_answers() -> None:
    assert set(HANDLERS) == {"message", "postback", "follow", "join", "unfollow"}


def test_a_missing_or_odd_timestamp_falls_back() -> None:
    assert received_at({}, FALLBACK) == FALLBACK
    assert received_at({"timestamp": True}, FALLBACK) == FALLBACK
    assert received_at({"timestamp": -5}, FALLBACK) == FALLBACK
