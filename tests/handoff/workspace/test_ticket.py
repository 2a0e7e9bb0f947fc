"""A ticket in the workspace: summary, transcript, reply, notes, transfer, close, and who may."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from handoff import outbox, tickets
from handoff.models import (
    Agency,
    DeliveryState,
    Direction,
    EventKind,
    Message,
    OutboxItem,
    Status,
    Ticket,
    TicketEvent,
)
from handoff.workspace.canned import add_canned_reply
from tests.factories import TUESDAY_MORNING, consultant_by_email, worry
from tests.handoff.workspace.conftest import SATO, SUZUKI, TAKAHASHI, YAMAMOTO, Desk

LUCIANA = "luciana.santos@minato.example"  # general desk, like 佐藤
MARKUP = '<script>alert("x")</script><b onclick="steal()">家賃</b>が払えません。'


def views(desk: Desk, ticket: Ticket) -> int:
    return len(
        desk.session.scalars(
            select(TicketEvent).where(
                TicketEvent.ticket_id == ticket.id, TicketEvent.kind == EventKind.viewed
            )
        ).all()
    )


def messages(desk: Desk, ticket: Ticket) -> list[Message]:
    return list(
        desk.session.scalars(
            select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id)
        )
    )


def test_the_summary_comes_first_then_the_conversation(desk: Desk) -> None:
    handed = worry(desk.session, channel="web", source_label="みなと第一小学校 11月号")
    page = desk.signed_in(YAMAMOTO).get(f"/workspace/tickets/{handed.ticket.id}")
    assert page.status_code == 200
    text = page.text
    assert text.index('id="summary-heading"') < text.index('id="transcript-heading"')
    assert "仕事・就労、住まい" in text  # domains in words
    assert "日本語" in text
    assert "みなと第一小学校 11月号" in text
    assert handed.ticket.routing_reason in text
    assert "11月24日(火) 14:00" in text  # due: four working hours after 10:00, site time
    assert "仕事がなくなって、家賃が払えません。どうしたらいいですか。" in text
    assert "11月24日(火) 10:00" in text  # when the resident wrote, in the consultant's locale


def test_what_a_resident_wrote_is_shown_as_text(desk: Desk) -> None:
    handed = worry(desk.session, text=MARKUP)
    page = desk.signed_in(YAMAMOTO).get(f"/workspace/tickets/{handed.ticket.id}")
    assert "<script>alert" not in page.text
    assert "<b onclick" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    assert page.text.count("&lt;script&gt;") >= 2  # the transcript and the summary
    fragment = desk.signed_in(YAMAMOTO).get(f"/workspace/tickets/{handed.ticket.id}/transcript")
    assert "<script>alert" not in fragment.text and "&lt;script&gt;" in fragment.text


def test_opening_a_ticket_is_recorded_but_coming_back_after_an_action_is_not(
    desk: Desk,
) -> None:
    handed = worry(desk.session)
    browser = desk.signed_in(YAMAMOTO)
    browser.get(f"/workspace/tickets/{handed.ticket.id}")
    assert views(desk, handed.ticket) == 1
    browser.get(f"/workspace/tickets/{handed.ticket.id}?done=replied")
    browser.get(f"/workspace/tickets/{handed.ticket.id}/transcript")
    assert views(desk, handed.ticket) == 1
    entry = desk.session.scalars(
        select(TicketEvent).where(TicketEvent.kind == EventKind.viewed)
    ).one()
    assert entry.actor_id == consultant_by_email(desk.session, YAMAMOTO).id


@pytest.mark.parametrize(
    "path", ["", "/transcript", "/events", "?canned=1", "/claim", "/reply", "/notes", "/close"]
)
def test_a_consultant_of_another_agency_cannot_open_or_touch_the_ticket(
    desk: Desk, path: str
) -> None:
    handed = worry(desk.session, text=MARKUP)
    browser = desk.signed_in(SUZUKI)
    url = f"/workspace/tickets/{handed.ticket.id}{path}"
    if path in ("/claim", "/reply", "/notes", "/close"):
        response = browser.act(url, {"text": "やあ", "outcome": "x"})
    else:
        response = browser.get(url)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "家賃" not in response.text and handed.ticket.number not in response.text
    assert views(desk, handed.ticket) == 0
    assert len(messages(desk, handed.ticket)) == 1
    assert handed.ticket.status == Status.assigned


def test_a_ticket_that_does_not_exist_is_not_found_alike(desk: Desk) -> None:
    browser = desk.signed_in(SUZUKI)
    assert browser.get("/workspace/tickets/999999").status_code == 404
    assert browser.get("/workspace/tickets/0").status_code == 400


def test_supervisors_open_every_ticket(desk: Desk) -> None:
    handed = worry(desk.session)
    assert (
        desk.signed_in(TAKAHASHI).get(f"/workspace/tickets/{handed.ticket.id}").status_code == 200
    )


def test_a_reply_goes_out_signed_and_its_delivery_state_shows(desk: Desk) -> None:
    handed = worry(desk.session)
    browser = desk.signed_in(YAMAMOTO)
    response = browser.act(
        f"/workspace/tickets/{handed.ticket.id}/reply", {"text": "山本です。明日お電話します。"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == (
        f"/workspace/tickets/{handed.ticket.id}?done=replied#transcript"
    )
    sent = messages(desk, handed.ticket)[-1]
    assert sent.direction == Direction.outbound
    assert sent.consultant_id == consultant_by_email(desk.session, YAMAMOTO).id
    assert sent.delivery_state == DeliveryState.pending
    item = desk.session.scalars(select(OutboxItem).where(OutboxItem.message_id == sent.id)).one()
    assert item.payload["kind"] == "consultant_reply"
    assert item.payload["consultant"]["name"] == "山本 直樹"
    desk.session.refresh(handed.ticket)
    assert handed.ticket.status == Status.claimed  # replying took it
    assert handed.ticket.first_response_at == TUESDAY_MORNING

    page = browser.get(response.headers["location"])
    assert 'class="notice notice-done"' in page.text
    assert 'class="delivery delivery-pending"' in page.text
    stream = browser.get(f"/workspace/tickets/{handed.ticket.id}/events")
    before = json.loads(stream.text.split("data: ", 1)[1])
    assert before["status"] == "claimed"

    outbox.mark_sent(
        session=desk.session, outbox_id=item.id, now=TUESDAY_MORNING, channel_message_id="1"
    )
    transcript = browser.get(f"/workspace/tickets/{handed.ticket.id}/transcript")
    assert 'class="delivery delivery-sent"' in transcript.text
    after = json.loads(
        browser.get(f"/workspace/tickets/{handed.ticket.id}/events").text.split("data: ", 1)[1]
    )
    assert after["fingerprint"] != before["fingerprint"]


def test_a_ticket_held_by_a_colleague_cannot_be_answered_by_another(desk: Desk) -> None:
    handed = worry(desk.session, text="誰に相談したらいいかわかりません。", domains=[])
    assert handed.consultant.email == SATO
    desk.signed_in(SATO).act(f"/workspace/tickets/{handed.ticket.id}/claim")
    colleague = desk.signed_in(LUCIANA)
    page = colleague.get(f"/workspace/tickets/{handed.ticket.id}")
    assert page.status_code == 200  # same agency: may read
    assert 'id="reply-text"' not in page.text
    refused = colleague.act(f"/workspace/tickets/{handed.ticket.id}/reply", {"text": "こんにちは"})
    assert refused.headers["location"] == f"/workspace/tickets/{handed.ticket.id}?error=held"
    assert len(messages(desk, handed.ticket)) == 1
    assert "notice-error" in colleague.get(refused.headers["location"]).text


def test_claiming_takes_the_ticket(desk: Desk) -> None:
    handed = worry(desk.session)
    browser = desk.signed_in(YAMAMOTO)
    page = browser.get(f"/workspace/tickets/{handed.ticket.id}")
    assert f'action="/workspace/tickets/{handed.ticket.id}/claim"' in page.text
    response = browser.act(f"/workspace/tickets/{handed.ticket.id}/claim")
    assert response.headers["location"].endswith("?done=claimed#reply")
    desk.session.refresh(handed.ticket)
    assert handed.ticket.claimed_by_id == consultant_by_email(desk.session, YAMAMOTO).id
    again = browser.get(f"/workspace/tickets/{handed.ticket.id}")
    assert f'action="/workspace/tickets/{handed.ticket.id}/claim"' not in again.text


def test_internal_notes_stay_inside(desk: Desk) -> None:
    handed = worry(desk.session)
    browser = desk.signed_in(YAMAMOTO)
    response = browser.act(
        f"/workspace/tickets/{handed.ticket.id}/notes", {"text": "<i>家計</i>の状況を次回確認"}
    )
    assert response.headers["location"].endswith("?done=noted#notes")
    page = browser.get(f"/workspace/tickets/{handed.ticket.id}")
    assert "&lt;i&gt;家計&lt;/i&gt;の状況を次回確認" in page.text
    assert desk.session.scalars(select(OutboxItem)).all() == []


def test_a_transfer_to_another_agency_carries_the_note_and_leaves_the_queue(desk: Desk) -> None:
    handed = worry(desk.session)
    suzuki = consultant_by_email(desk.session, SUZUKI)
    browser = desk.signed_in(YAMAMOTO)
    response = browser.act(
        f"/workspace/tickets/{handed.ticket.id}/transfer",
        {"to": f"c:{suzuki.id}", "note": "介護の負担が大きいため、地域包括へ。"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == (
        f"/workspace/queue?done=transferred&number={handed.ticket.number}"
    )
    desk.session.refresh(handed.ticket)
    assert handed.ticket.consultant_id == suzuki.id
    assert handed.ticket.status == Status.transferred
    told = desk.session.scalars(select(OutboxItem)).one()
    assert told.payload["kind"] == "transferred"
    assert told.payload["consultant"]["name"] == "鈴木 和子"
    queue = browser.get(response.headers["location"])
    assert handed.ticket.number in queue.text  # in the notice, no longer in the rows
    assert f'href="/workspace/tickets/{handed.ticket.id}"' not in queue.text
    assert browser.get(f"/workspace/tickets/{handed.ticket.id}").status_code == 404
    received = desk.signed_in(SUZUKI).get(f"/workspace/tickets/{handed.ticket.id}")
    assert received.status_code == 200
    assert "介護の負担が大きいため、地域包括へ。" in received.text  # history and summary


def test_a_transfer_to_an_agency_lets_routing_pick_its_consultant(desk: Desk) -> None:
    handed = worry(desk.session)
    houkatsu = desk.session.scalars(select(Agency).where(Agency.code == "chiiki-houkatsu")).one()
    desk.signed_in(TAKAHASHI).act(
        f"/workspace/tickets/{handed.ticket.id}/transfer",
        {"to": f"a:{houkatsu.id}", "note": "地域包括で対応をお願いします。"},
    )
    desk.session.refresh(handed.ticket)
    assert handed.ticket.consultant.email == SUZUKI
    assert handed.ticket.agency_id == houkatsu.id


@pytest.mark.parametrize(
    ("form", "problem"),
    [
        ({"to": "c:1", "note": "  "}, "empty"),
        ({"to": "x:1", "note": "メモ"}, "invalid"),
        ({"to": "c:999999", "note": "メモ"}, "invalid"),
        ({"to": "a:999999", "note": "メモ"}, "invalid"),
    ],
)
def test_a_transfer_needs_a_note_and_a_real_target(
    desk: Desk, form: dict[str, str], problem: str
) -> None:
    handed = worry(desk.session)
    response = desk.signed_in(YAMAMOTO).act(f"/workspace/tickets/{handed.ticket.id}/transfer", form)
    assert response.status_code == 303
    assert f"error={problem}" in response.headers["location"]
    desk.session.refresh(handed.ticket)
    assert handed.ticket.consultant.email == YAMAMOTO
    assert handed.ticket.status == Status.assigned


def test_closing_records_the_outcome(desk: Desk) -> None:
    handed = worry(desk.session)
    browser = desk.signed_in(YAMAMOTO)
    response = browser.act(
        f"/workspace/tickets/{handed.ticket.id}/close",
        {"outcome": "住居確保給付金を案内し申請済み"},
    )
    assert response.headers["location"] == f"/workspace/tickets/{handed.ticket.id}?done=closed"
    desk.session.refresh(handed.ticket)
    assert handed.ticket.status == Status.closed
    assert handed.ticket.outcome == "住居確保給付金を案内し申請済み"
    page = browser.get(response.headers["location"])
    assert "住居確保給付金を案内し申請済み" in page.text
    assert 'id="reply-text"' not in page.text and 'id="outcome"' not in page.text
    again = browser.act(f"/workspace/tickets/{handed.ticket.id}/reply", {"text": "追伸"})
    assert again.headers["location"].endswith("?error=closed")


def test_an_empty_outcome_does_not_close(desk: Desk) -> None:
    handed = worry(desk.session)
    response = desk.signed_in(YAMAMOTO).act(
        f"/workspace/tickets/{handed.ticket.id}/close", {"outcome": " "}
    )
    assert response.headers["location"].endswith("?error=empty")
    desk.session.refresh(handed.ticket)
    assert handed.ticket.status == Status.assigned


@pytest.mark.parametrize("action", ["claim", "reply", "notes", "transfer", "close"])
@pytest.mark.parametrize("token", [None, "forged"])
def test_every_action_needs_the_form_token(desk: Desk, action: str, token: str | None) -> None:
    handed = worry(desk.session)
    suzuki = consultant_by_email(desk.session, SUZUKI)
    form = {"text": "x", "note": "x", "outcome": "x", "to": f"c:{suzuki.id}"}
    if token is not None:
        form["csrf"] = token
    browser = desk.signed_in(YAMAMOTO)
    response = browser.post(f"/workspace/tickets/{handed.ticket.id}/{action}", form)
    assert response.status_code == 403
    desk.session.refresh(handed.ticket)
    assert handed.ticket.status == Status.assigned
    assert len(messages(desk, handed.ticket)) == 1
    assert desk.session.scalars(select(OutboxItem)).all() == []


def test_a_stranger_posting_is_sent_to_sign_in(desk: Desk) -> None:
    handed = worry(desk.session)
    response = desk.browser().post(
        f"/workspace/tickets/{handed.ticket.id}/reply",
        {"text": "x", "csrf": "x"},
        headers={"Referer": f"http://testserver/workspace/tickets/{handed.ticket.id}"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == (
        f"/workspace/login?next=%2Fworkspace%2Ftickets%2F{handed.ticket.id}"
    )


def test_canned_replies_of_the_residents_language_are_offered(desk: Desk) -> None:
    handed = worry(desk.session)
    supervisor = consultant_by_email(desk.session, TAKAHASHI)
    japanese = add_canned_reply(
        session=desk.session,
        editor=supervisor,
        language="ja",
        title="最初のごあいさつ",
        text="ご相談ありがとうございます。",
        now=TUESDAY_MORNING,
    )
    add_canned_reply(
        session=desk.session,
        editor=supervisor,
        language="pt",
        title="Saudação",
        text="Obrigado por escrever.",
        now=TUESDAY_MORNING,
    )
    browser = desk.signed_in(YAMAMOTO)
    page = browser.get(f"/workspace/tickets/{handed.ticket.id}")
    assert 'data-text="ご相談ありがとうございます。"' in page.text
    assert "Saudação" not in page.text
    filled = browser.get(f"/workspace/tickets/{handed.ticket.id}?canned={japanese.id}")
    assert re.search(r'id="reply-text"[^>]*>ご相談ありがとうございます。</textarea>', filled.text)
    assert views(desk, handed.ticket) == 1


def test_a_reply_to_a_resident_who_erased_their_data_is_not_offered(desk: Desk) -> None:
    handed = worry(desk.session, external_id="Uerased")
    tickets.delete_resident(
        session=desk.session, channel="line", external_id="Uerased", now=TUESDAY_MORNING
    )
    desk.clock.now += timedelta(minutes=1)
    page = desk.signed_in(TAKAHASHI).get(f"/workspace/tickets/{handed.ticket.id}")
    assert page.status_code == 200
    assert 'id="reply-text"' not in page.text
