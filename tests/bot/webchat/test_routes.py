"""The web chat through the real application, on SQLite and PostgreSQL: a Portuguese school
link from first visit to a consultant's reply, resuming elsewhere, language, deletion."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.webchat.web_sessions import COOKIE, digest
from handoff.models import Message, Resident, SchoolLink, Ticket, WebSession
from tests.bot.webchat.conftest import LABEL, WORRY_PT, Chat, Device

CARLOS = "carlos.oliveira@minato.example"  # speaks Portuguese; work and living costs
SUPERVISOR = "takahashi.kenichi@minato.example"


def consented(chat: Chat, link: SchoolLink) -> Device:
    """A resident who opened the link and agreed to the privacy notice."""
    device = chat.device()
    assert device.get(f"/c/{link.code}").status_code == 200
    assert device.tap(link.code, "#consent:yes").status_code == 200
    return device


def worried(chat: Chat, link: SchoolLink) -> tuple[Device, Ticket]:
    """A resident whose Portuguese worry was handed to a consultant."""
    device = consented(chat, link)
    response = device.say(link.code, WORRY_PT)
    assert response.status_code == 200, response.text
    ticket = chat.session.scalars(select(Ticket).order_by(Ticket.id.desc())).first()
    assert ticket is not None
    return device, ticket


def web_session_of(chat: Chat, device: Device) -> WebSession:
    assert device.token is not None
    chat.session.expire_all()
    return chat.session.scalars(
        select(WebSession).where(WebSession.token_hash == digest(device.token))
    ).one()


def test_first_visit_welcomes_in_the_links_language_and_asks_consent(
    chat: Chat, link: SchoolLink
) -> None:
    device = chat.device()
    response = device.get(f"/c/{link.code}")
    assert response.status_code == 200
    assert '<html lang="pt-BR">' in response.text
    assert 'data-command="#consent:yes"' in response.text
    assert "Sim, concordo" in response.text  # the lead's catalog: the welcome is in Portuguese
    stored = web_session_of(chat, device)
    assert stored.language == "pt"
    assert stored.link_id == link.id
    assert re.fullmatch(r"w[0-9a-f]{32}", stored.external_id)
    # Opening the page stores nothing about the resident.
    assert chat.session.scalar(select(Resident).where(Resident.channel == "web")) is None


def test_the_same_device_keeps_its_session(chat: Chat, link: SchoolLink) -> None:
    device = chat.device()
    device.get(f"/c/{link.code}")
    token = device.token
    device.get(f"/c/{link.code}")
    assert device.token == token
    assert len(chat.session.scalars(select(WebSession)).all()) == 1


def test_a_worry_gets_reflection_local_information_and_a_named_consultant(
    chat: Chat, link: SchoolLink
) -> None:
    device = consented(chat, link)
    response = device.say(link.code, WORRY_PT)
    assert response.status_code == 200
    reply = response.json()
    assert reply["language"] == "pt"
    texts = [bubble["text"] for bubble in reply["bubbles"]]
    assert all(bubble["sender"] == "bot" for bubble in reply["bubbles"])
    ticket = chat.session.scalars(select(Ticket)).one()
    assert ticket.channel.value == "web"
    assert ticket.number in texts[-1]
    assert ticket.consultant.reading in texts[-1]  # the reading, for a Portuguese resident
    assert any("000-100-" in text for text in texts)  # an agency's phone number
    assert reply["choices"] == [{"label": reply["choices"][0]["label"], "command": "#who"}]


def test_tickets_record_the_school_link(chat: Chat, link: SchoolLink) -> None:
    _, ticket = worried(chat, link)
    assert ticket.source_link_id == link.code
    assert ticket.source_label == LABEL


def test_a_worry_before_consent_waits_for_it(chat: Chat, link: SchoolLink) -> None:
    device = chat.device()
    device.get(f"/c/{link.code}")
    held = device.say(link.code, WORRY_PT).json()
    assert [choice["command"] for choice in held["choices"]] == ["#consent:yes", "#consent:no"]
    assert chat.session.scalars(select(Ticket)).all() == []
    answer = device.tap(link.code, "#consent:yes").json()
    ticket = chat.session.scalars(select(Ticket)).one()
    assert ticket.source_link_id == link.code
    assert any(ticket.number in bubble["text"] for bubble in answer["bubbles"])


def test_returning_shows_the_stored_conversation_and_the_consultant(
    chat: Chat, link: SchoolLink
) -> None:
    device, ticket = worried(chat, link)
    page = device.get(f"/c/{link.code}").text
    assert "perdi o emprego na f" in page
    assert ticket.number in page
    assert ticket.consultant.reading in page
    assert 'data-command="#consent:yes"' not in page


def test_a_consultants_reply_reaches_the_page_signed_with_their_name(
    chat: Chat, link: SchoolLink
) -> None:
    device, ticket = worried(chat, link)
    cursor = re.search(r'data-after="([0-9.]+)"', device.get(f"/c/{link.code}").text)
    assert cursor is not None
    consultant = chat.consultant(ticket.consultant.email)
    sent = chat.client.post(
        f"/api/tickets/{ticket.id}/reply",
        headers=consultant,
        json={"text": "Olá! Posso ligar para você amanhã às 10h?"},
    )
    assert sent.status_code == 202, sent.text
    updates = device.get(f"/c/{link.code}/events", params={"after": cursor[1]}).json()
    [reply] = updates["bubbles"]
    assert reply["sender"] == "consultant"
    assert reply["text"] == "Olá! Posso ligar para você amanhã às 10h?"
    assert ticket.consultant.reading in reply["signature"]
    # Asking again from the new cursor: nothing new.
    again = device.get(f"/c/{link.code}/events", params={"after": updates["after"]}).json()
    assert again["bubbles"] == []
    # And the page shows it after a reload.
    assert "Posso ligar para você amanhã" in device.get(f"/c/{link.code}").text


def test_the_event_stream_pushes_new_replies(chat: Chat, link: SchoolLink) -> None:
    device, ticket = worried(chat, link)
    consultant = chat.consultant(CARLOS if ticket.consultant.email == CARLOS else SUPERVISOR)
    chat.client.post(
        f"/api/tickets/{ticket.id}/reply", headers=consultant, json={"text": "Estou aqui."}
    )
    status, body = device.events_stream(link.code, after="0")
    assert status == 200
    assert "event: reply" in body
    assert "Estou aqui." in body
    # The bot's stored answers were already shown: the stream brings only what people sent.
    assert body.count("event: reply") == 1
    ids = re.findall(r"^id: ([0-9.]+)$", body, flags=re.MULTILINE)
    status, body = device.events_stream(link.code, after="0", last_event_id=ids[-1])
    assert "event: reply" not in body


def test_a_transfer_is_told_to_the_resident(chat: Chat, link: SchoolLink) -> None:
    device, ticket = worried(chat, link)
    others = chat.client.get("/api/consultants", headers=chat.consultant(SUPERVISOR)).json()
    target = next(c for c in others if c["id"] != ticket.consultant_id and "pt" in c["languages"])
    moved = chat.client.post(
        f"/api/tickets/{ticket.id}/transfer",
        headers=chat.consultant(SUPERVISOR),
        json={"consultant_id": target["id"], "note": "多文化センターへ"},
    )
    assert moved.status_code == 200, moved.text
    updates = device.get(f"/c/{link.code}/events").json()
    [notice] = updates["bubbles"]
    assert notice["sender"] == "bot"
    assert target["reading"] in notice["text"]
    assert ticket.number in notice["text"]


def test_a_resume_code_continues_the_conversation_on_another_device(
    chat: Chat, link: SchoolLink
) -> None:
    phone, _ = worried(chat, link)
    issued = phone.post(f"/c/{link.code}/resume-code")
    assert issued.status_code == 200
    code = issued.json()["code"]
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}", code)
    assert web_session_of(chat, phone).resume_hash == digest(code.replace("-", ""))
    laptop = chat.device()
    resumed = laptop.post(f"/c/{link.code}/resume", json={"code": code.lower()})
    assert resumed.status_code == 200, resumed.text
    assert laptop.token is not None and laptop.token != phone.token
    assert "perdi o emprego na f" in laptop.get(f"/c/{link.code}").text
    assert web_session_of(chat, laptop).external_id == web_session_of(chat, phone).external_id
    # A code works once.
    third = chat.device()
    assert third.post(f"/c/{link.code}/resume", json={"code": code}).status_code == 400


def test_wrong_resume_codes_are_refused_alike_and_limited(chat: Chat, link: SchoolLink) -> None:
    stranger = chat.device()
    answers = {
        stranger.post(f"/c/{link.code}/resume", json={"code": typed}).json()["detail"]
        for typed in ("ABCD-EFGH", "not a code", "2345-6789")
    }
    assert len(answers) == 1  # no hint of which codes exist or what shape they have
    for _ in range(7):
        stranger.post(f"/c/{link.code}/resume", json={"code": "ABCD-EFGH"})
    limited = stranger.post(f"/c/{link.code}/resume", json={"code": "ABCD-EFGH"})
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0


def test_switching_language_changes_the_page_and_the_resident(chat: Chat, link: SchoolLink) -> None:
    device, _ = worried(chat, link)
    response = device.post(f"/c/{link.code}/language", data={"lang": "en"})
    assert response.status_code == 200  # after the 303 back to the page
    assert '<html lang="en">' in response.text
    chat.session.expire_all()
    resident = chat.session.scalars(select(Resident)).one()
    assert resident.language == "en"
    assert web_session_of(chat, device).language == "en"


def test_a_language_choice_in_the_chat_asks_the_page_to_reload(
    chat: Chat, link: SchoolLink
) -> None:
    device, _ = worried(chat, link)
    reply = device.tap(link.code, "#lang:ja").json()
    assert reply["language"] == "ja"
    assert reply["reload"] is True
    assert '<html lang="ja">' in device.get(f"/c/{link.code}").text


def test_deleting_data_clears_the_chat_and_gives_a_new_identity(
    chat: Chat, link: SchoolLink
) -> None:
    device, _ = worried(chat, link)
    before = web_session_of(chat, device).external_id
    assert device.tap(link.code, "#delete").json()["choices"]
    done = device.tap(link.code, "#delete:yes").json()
    assert done["clear"] is True
    assert web_session_of(chat, device).external_id != before
    page = device.get(f"/c/{link.code}").text
    assert "perdi o emprego" not in page
    assert 'data-command="#consent:yes"' in page
    assert chat.session.scalars(select(Message)).all() == []


def test_closing_the_chat_on_a_device_forgets_the_device_only(chat: Chat, link: SchoolLink) -> None:
    device, _ = worried(chat, link)
    response = device.post(f"/c/{link.code}/leave", follow_redirects=False)
    assert response.status_code == 303
    assert f"{COOKIE}=" in response.headers["set-cookie"]
    assert "Max-Age=0" in response.headers["set-cookie"]
    assert chat.session.scalars(select(WebSession)).all() == []
    assert chat.session.scalars(select(Ticket)).one().resident_id is not None


def test_messages_are_rate_limited_per_session_with_a_kind_word(
    chat: Chat, link: SchoolLink
) -> None:
    device = consented(chat, link)  # the consent was message 1 of 20
    for _ in range(19):
        assert device.say(link.code, "oi").status_code == 200
    limited = device.say(link.code, "oi")
    assert limited.status_code == 429
    assert limited.json()["detail"]
    assert int(limited.headers["retry-after"]) > 0
    # Another resident is not slowed down.
    assert consented(chat, link).say(link.code, "oi").status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": ""},
        {"text": "   \n "},
        {"text": "a" * 10_001},
        {"text": "oi\x00"},
        {"text": "oi", "command": "#who"},
        {"command": "#drop-tables"},
        {"text": 42},
        {"text": "oi", "external_id": "w" + "0" * 32},
    ],
    ids=[
        "nothing",
        "empty",
        "blank",
        "too-long",
        "nul",
        "both",
        "unknown-command",
        "not-text",
        "extra-field",
    ],
)
def test_bad_messages_get_a_clear_422_and_store_nothing(
    chat: Chat, link: SchoolLink, body: object
) -> None:
    device = consented(chat, link)
    response = device.post(f"/c/{link.code}/messages", json=body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("invalid request")
    assert chat.session.scalars(select(Message)).all() == []


def test_a_body_over_the_limit_is_413(chat: Chat, link: SchoolLink) -> None:
    device = consented(chat, link)
    response = device.post(
        f"/c/{link.code}/messages",
        content=b'{"text": "' + b"a" * 70_000 + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413


def test_ten_thousand_characters_are_accepted(chat: Chat, link: SchoolLink) -> None:
    device = consented(chat, link)
    story = ("Perdi o emprego e não sei como pagar o aluguel. " * 250)[:10_000]
    assert device.say(link.code, story).status_code == 200


def test_not_json_is_422(chat: Chat, link: SchoolLink) -> None:
    device = consented(chat, link)
    response = device.post(
        f"/c/{link.code}/messages", content=b"text=oi", headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 422


def test_api_on_an_unknown_link_is_a_json_404(chat: Chat, link: SchoolLink) -> None:
    device = consented(chat, link)
    response = device.say("Nope123456", "oi")
    assert response.status_code == 404
    assert response.json() == {"detail": "no such chat link"}


def test_a_turned_off_link_keeps_serving_chats_begun_on_it(chat: Chat, link: SchoolLink) -> None:
    device, _ = worried(chat, link)
    link.active = False
    chat.session.flush()
    assert device.get(f"/c/{link.code}").status_code == 200
    assert device.say(link.code, "Obrigada").status_code == 200
    assert chat.device().get(f"/c/{link.code}").status_code == 404
