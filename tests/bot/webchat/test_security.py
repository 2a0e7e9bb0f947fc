"""One resident can never read another's conversation; sessions cannot be guessed or forged;
markup in any message stays text; the cookie is what it should be."""

from __future__ import annotations

import re
import secrets

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.webchat.web_sessions import COOKIE, digest
from handoff.models import SchoolLink, Ticket, WebSession
from tests.bot.webchat.conftest import WORRY_PT, Chat, Device

SECRET = "Meu segredo: perdi o emprego na fábrica"
MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def resident_with_a_secret(chat: Chat, link: SchoolLink) -> tuple[Device, Ticket]:
    device = chat.device()
    device.get(f"/c/{link.code}")
    device.tap(link.code, "#consent:yes")
    device.say(link.code, SECRET + ". Não sei como pagar o aluguel.")
    ticket = chat.session.scalars(select(Ticket)).one()
    consultant = chat.consultant(ticket.consultant.email)
    chat.client.post(
        f"/api/tickets/{ticket.id}/reply", headers=consultant, json={"text": "Resposta privada"}
    )
    return device, ticket


def test_another_device_sees_nothing_of_the_conversation(chat: Chat, link: SchoolLink) -> None:
    resident_with_a_secret(chat, link)
    other = chat.device()
    page = other.get(f"/c/{link.code}").text
    assert SECRET not in page and "Resposta privada" not in page
    updates = other.get(f"/c/{link.code}/events", params={"after": "0"}).json()
    assert updates["bubbles"] == []
    status, body = other.events_stream(link.code, after="0", last_event_id="0.0")
    assert status == 200 and "Resposta privada" not in body


def test_a_forged_or_stolen_looking_token_opens_nothing(chat: Chat, link: SchoolLink) -> None:
    resident_with_a_secret(chat, link)
    for forged in (
        secrets.token_urlsafe(32),  # the right shape, not issued
        "a" * 43,
        "../../etc/passwd",
        "",
        "x" * 5000,
    ):
        intruder = Device(chat.client, token=forged)
        assert intruder.say(link.code, "oi").status_code == 401
        assert intruder.get(f"/c/{link.code}/events").status_code == 401
        assert intruder.post(f"/c/{link.code}/resume-code").status_code == 401
        page = Device(chat.client, token=forged).get(f"/c/{link.code}")
        assert page.status_code == 200 and SECRET not in page.text  # a fresh, empty chat


def test_the_stored_digest_is_not_a_token(chat: Chat, link: SchoolLink) -> None:
    device, _ = resident_with_a_secret(chat, link)
    assert device.token is not None
    stored = chat.session.scalars(select(WebSession)).one()
    assert stored.token_hash == digest(device.token)
    assert device.token not in stored.token_hash
    thief = Device(chat.client, token=stored.token_hash)  # a leaked database row
    assert thief.say(link.code, "oi").status_code == 401


def test_a_guessed_resident_id_gets_no_one_elses_data(chat: Chat, link: SchoolLink) -> None:
    resident_with_a_secret(chat, link)
    victim = chat.session.scalars(select(WebSession)).one().external_id
    intruder = chat.device()
    intruder.get(f"/c/{link.code}")
    response = intruder.post(f"/c/{link.code}/messages", json={"text": "oi", "external_id": victim})
    assert response.status_code == 422
    page = intruder.get(f"/c/{link.code}", params={"external_id": victim, "after": "0"}).text
    assert SECRET not in page
    updates = intruder.get(
        f"/c/{link.code}/events", params={"after": "0", "external_id": victim}
    ).json()
    assert updates["bubbles"] == []


def test_session_tokens_and_link_codes_are_random(chat: Chat, link: SchoolLink) -> None:
    tokens = set()
    for _ in range(5):
        device = chat.device()
        device.get(f"/c/{link.code}")
        assert device.token is not None and len(device.token) == 43
        tokens.add(device.token)
    assert len(tokens) == 5
    ids = {row.external_id for row in chat.session.scalars(select(WebSession))}
    assert len(ids) == 5


def test_the_cookie_is_http_only_lax_and_scoped_to_the_chat(chat: Chat, link: SchoolLink) -> None:
    response = chat.device().get(f"/c/{link.code}")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/c/" in cookie
    assert "Secure" not in cookie  # plain http here


def test_the_cookie_is_secure_over_https(chat: Chat, link: SchoolLink) -> None:
    with TestClient(chat.app, base_url="https://testserver") as client:
        response = client.get(f"/c/{link.code}")
    assert "Secure" in response.headers["set-cookie"]


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_posts_from_other_sites_are_refused(chat: Chat, link: SchoolLink, site: str) -> None:
    device = chat.device()
    device.get(f"/c/{link.code}")
    response = device.post(
        f"/c/{link.code}/messages", json={"text": "oi"}, headers={"Sec-Fetch-Site": site}
    )
    assert response.status_code == 403


def test_markup_from_residents_and_consultants_is_shown_as_text(
    chat: Chat, link: SchoolLink
) -> None:
    device = chat.device()
    device.get(f"/c/{link.code}")
    device.tap(link.code, "#consent:yes")
    device.say(link.code, WORRY_PT + " " + MARKUP)
    ticket = chat.session.scalars(select(Ticket)).one()
    chat.client.post(
        f"/api/tickets/{ticket.id}/reply",
        headers=chat.consultant(ticket.consultant.email),
        json={"text": "Olá " + MARKUP},
    )
    page = device.get(f"/c/{link.code}").text
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    # The JSON the script reads carries the raw text; the script only ever sets textContent.
    script = chat.client.get(re.findall(r'src="(/static/webchat/chat\.js[^"]*)"', page)[0]).text
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script
    assert "textContent" in script


def test_the_page_is_never_cached_or_framed(chat: Chat, link: SchoolLink) -> None:
    response = chat.device().get(f"/c/{link.code}")
    assert response.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "no-referrer"
