"""LINE's limits: 5 messages, 5,000 UTF-16 units a text, 13 buttons of 20 characters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.dialogue import Choice, Command
from bot.line.messages import (
    MAX_MESSAGES,
    MAX_TEXT_UNITS,
    UnknownPayload,
    bot_reply_payload,
    bubbles,
    fit_one_request,
    pack,
    plan,
    quick_reply,
    render,
    split_text,
    text_messages,
    utf16_units,
)
from handoff.i18n import speaker

EMOJI = "😀"  # two UTF-16 units


def test_utf16_units_count_astral_characters_twice() -> None:
    assert utf16_units("あa") == 2
    assert utf16_units(EMOJI) == 2
    assert utf16_units("家族👨‍👩‍👧") == len("家族👨‍👩‍👧".encode("utf-16-le")) // 2


def test_a_long_text_is_split_at_paragraphs_first() -> None:
    paragraphs = ["あ" * 3000, "い" * 3000, "う" * 1000]
    pieces = split_text("\n\n".join(paragraphs))
    assert pieces == [paragraphs[0], paragraphs[1] + "\n\n" + paragraphs[2]]


def test_then_at_lines_then_sentences() -> None:
    lines = "\n".join(["か" * 2000] * 4)
    assert [utf16_units(piece) for piece in split_text(lines)] == [4001, 4001]
    sentences = "。".join(["さ" * 999] * 12) + "。"
    pieces = split_text(sentences)
    assert all(piece.endswith("。") for piece in pieces)
    assert "".join(pieces) == sentences


def test_an_unbroken_text_is_cut_but_never_inside_a_surrogate_pair() -> None:
    text = "a" + EMOJI * 6000
    pieces = split_text(text)
    assert "".join(pieces) == text
    assert all(utf16_units(piece) <= MAX_TEXT_UNITS for piece in pieces)
    assert all(piece.encode("utf-16-le") for piece in pieces)  # encodable: no lone surrogate


@given(st.text(alphabet=st.sampled_from(["あ", "a", " ", "\n", "。", EMOJI]), max_size=400))
def test_splitting_keeps_every_word_within_the_limit(text: str) -> None:
    pieces = split_text(text, limit=37)
    assert all(0 < utf16_units(piece) <= 37 for piece in pieces)
    assert "".join("".join(piece.split()) for piece in pieces) == "".join(text.split())


def test_short_bubbles_are_joined_to_fit_five() -> None:
    texts = [f"{n}" for n in range(8)]
    packed = pack(texts)
    assert len(packed) == MAX_MESSAGES
    assert "\n\n".join(packed).split("\n\n") == texts


def test_what_cannot_fit_one_reply_overflows_to_a_push() -> None:
    texts = ["あ" * 4000] * 7
    fitted = plan(texts)
    assert (len(fitted.reply), len(fitted.overflow)) == (5, 2)
    assert fitted.reply + fitted.overflow == texts


def test_a_single_push_is_shortened_when_it_must() -> None:
    parts = fit_one_request(["あ" * 4000] * 7)
    assert len(parts) == MAX_MESSAGES
    assert parts[-1].endswith("…")
    assert all(utf16_units(part) <= MAX_TEXT_UNITS for part in parts)


def test_empty_texts_make_no_bubbles() -> None:
    assert bubbles(["", "  \n ", "ok"]) == ["ok"]


def test_choices_are_postback_buttons_on_the_last_message() -> None:
    choices = [Choice("はい、同意します", Command.consent_yes), Choice("x" * 40, "#long")]
    messages = [m.to_dict() for m in text_messages(["one", "two"], choices)]
    assert "quickReply" not in messages[0]
    items = messages[1]["quickReply"]["items"]
    assert items[0]["action"] == {
        "type": "postback",
        "label": "はい、同意します",
        "data": "#consent:yes",
        "displayText": "はい、同意します",
    }
    assert len(items[1]["action"]["label"]) == 20
    assert items[1]["action"]["label"].endswith("…")
    assert items[1]["action"]["displayText"] == "x" * 40


def test_at_most_thirteen_buttons() -> None:
    reply = quick_reply([Choice(str(n), f"#{n}") for n in range(20)])
    assert len(reply.items) == 13


CONSULTANT = {
    "id": 7,
    "name": "山本 直樹",
    "reading": "Naoki Yamamoto",
    "agency": {
        "code": "jiritsu",
        "ja": "自立相談支援センター",
        "en": "Self-Reliance Center",
        "pt": "Centro",
    },
}


@pytest.mark.parametrize(
    ("lang", "name", "agency"),
    [("ja", "山本 直樹", "自立相談支援センター"), ("en", "Naoki Yamamoto", "Self-Reliance Center")],
)
def test_a_consultants_reply_is_signed_with_their_name(lang: str, name: str, agency: str) -> None:
    payload = {
        "kind": "consultant_reply",
        "ticket_number": "T-2026-000001",
        "text": "明日お電話します。",
        "consultant": CONSULTANT,
    }
    [text], choices = render(payload, lang)
    header = speaker(lang)._(
        "A message from your consultant, {name} ({agency}):", name=name, agency=agency
    )
    assert text == f"{header}\n\n明日お電話します。"
    assert choices == []


def test_a_consultant_without_an_agency_still_signs() -> None:
    payload = {
        "kind": "consultant_reply",
        "text": "hi",
        "consultant": {**CONSULTANT, "agency": None},
    }
    [text], _ = render(payload, "pt")
    assert "Naoki Yamamoto" in text


def test_a_transfer_names_the_new_consultant() -> None:
    when = datetime(2026, 11, 24, 0, 0, tzinfo=UTC).isoformat()
    payload = {
        "kind": "transferred",
        "ticket_number": "T-2026-000009",
        "consultant": CONSULTANT,
        "contact_from": when,
    }
    [text], _ = render(payload, "ja")
    assert "T-2026-000009" in text
    assert "山本 直樹" in text
    assert speaker("ja").weekday_time(datetime.fromisoformat(when)) in text


def test_a_bot_reply_keeps_its_texts_and_choices() -> None:
    choices = [Choice("Yes", Command.consent_yes)]
    payload = bot_reply_payload(texts=["a", "b"], choices=choices, language="en")
    assert render(payload, "ja") == (["a", "b"], [Choice("Yes", "#consent:yes")])


def test_an_unknown_payload_is_refused() -> None:
    with pytest.raises(UnknownPayload):
        render({"kind": "poem"}, "ja")
    with pytest.raises(UnknownPayload):
        render({"kind": "consultant_reply", "text": "x"}, "ja")
