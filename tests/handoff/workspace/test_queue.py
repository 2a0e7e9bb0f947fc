"""The queue page: order, filters, badges, least privilege, and the live event stream."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from handoff import tickets
from handoff.workspace import queue as queues
from tests.factories import TUESDAY_MORNING, consultant_by_email, worry
from tests.handoff.workspace.conftest import SUZUKI, TAKAHASHI, YAMAMOTO, Desk

EVENT = re.compile(r"event: (?P<name>[a-z-]+)\ndata: (?P<data>.*)\n\n")


def numbers(html: str) -> list[str]:
    """Ticket numbers in the order the page lists them."""
    return re.findall(r'class="ticket-link">(T-\d{4}-\d{6})<', html)


def three_tickets(desk: Desk) -> tuple[str, str, str]:
    """Housing (山本, 2 h ago), elderly care (鈴木, 1 h ago), a crisis (a supervisor, now)."""
    housing = worry(desk.session, now=TUESDAY_MORNING - timedelta(hours=2))
    care = worry(
        desk.session,
        text="母の介護のことで相談したいです。",
        domains=["elderly_care"],
        now=TUESDAY_MORNING - timedelta(hours=1),
    )
    crisis = worry(desk.session, text="もう限界です。", domains=[], crisis=True)
    assert housing.consultant.email == YAMAMOTO
    assert care.consultant.email == SUZUKI
    assert crisis.consultant.is_supervisor
    return housing.ticket.number, care.ticket.number, crisis.ticket.number


def test_crisis_first_then_longest_waiting_for_a_supervisor(desk: Desk) -> None:
    housing, care, crisis = three_tickets(desk)
    page = desk.signed_in(TAKAHASHI).get("/workspace/queue")
    assert page.status_code == 200
    assert numbers(page.text) == [crisis, housing, care]
    assert "<title>(3) " in page.text
    assert 'id="waiting-count" class="waiting-count">3<' in page.text
    assert page.text.count("badge-crisis") == 1


def test_a_consultant_sees_only_their_agencys_tickets(desk: Desk) -> None:
    housing, care, _ = three_tickets(desk)
    assert numbers(desk.signed_in(YAMAMOTO).get("/workspace/queue").text) == [housing]
    assert numbers(desk.signed_in(SUZUKI).get("/workspace/queue").text) == [care]
    # Asking for everything is not a way round it.
    everything = desk.signed_in(YAMAMOTO).get("/workspace/queue?scope=all")
    assert numbers(everything.text) == [housing]
    assert 'value="all"' not in everything.text


def test_filters_by_scope_domain_language_channel_and_status(desk: Desk) -> None:
    housing, care, crisis = three_tickets(desk)
    web = worry(
        desk.session,
        text="Preciso de ajuda com o aluguel.",
        language="pt",
        channel="web",
        source_label="みなと小学校 11月号",
    ).ticket.number
    supervisor = desk.signed_in(TAKAHASHI)

    def listed(query: str) -> list[str]:
        response = supervisor.get(f"/workspace/queue?{query}")
        assert response.status_code == 200
        return numbers(response.text)

    assert listed("scope=mine") == [crisis]
    assert listed("domain=elderly_care") == [care]
    assert listed("language=pt") == [web]
    assert listed("channel=web") == [web]
    assert listed("channel=line&domain=housing") == [housing]
    assert listed("domain=nonsense&channel=fax") == [crisis, housing, care, web]  # ignored
    assert listed("status=closed") == []
    with desk.session.begin_nested():
        tickets.close(
            session=desk.session,
            ticket_id=worry(desk.session).ticket.id,
            actor=consultant_by_email(desk.session, TAKAHASHI),
            outcome="情報提供で終了",
            now=TUESDAY_MORNING,
        )
    assert len(listed("status=closed")) == 1
    assert len(listed("")) == 4


def test_badges_say_overdue_language_and_interpreter(desk: Desk) -> None:
    thai = worry(desk.session, text="ช่วยด้วย ไม่มีเงินจ่ายค่าเช่า", language="th")
    assert thai.needs_interpreter  # nobody in the sample city speaks Thai
    worry(desk.session, text="Não consigo pagar o aluguel.", language="pt")
    desk.clock.now = thai.first_response_due + timedelta(minutes=1)
    page = desk.signed_in(TAKAHASHI).get("/workspace/queue")
    assert page.text.count('<span class="badge badge-overdue">') == 2
    assert page.text.count("row-overdue") == 2
    assert page.text.count('<span class="badge badge-interpreter">') == 1
    assert "ポルトガル語" in page.text  # the language named in the consultant's language


def test_a_school_link_label_is_shown_as_text(desk: Desk) -> None:
    worry(desk.session, channel="web", source_label='<img src=x onerror="alert(1)">')
    page = desk.signed_in(TAKAHASHI).get("/workspace/queue")
    assert "<img src=x" not in page.text
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page.text


def test_the_rows_alone_for_live_updates(desk: Desk) -> None:
    housing, _, _ = three_tickets(desk)
    rows = desk.signed_in(YAMAMOTO).get("/workspace/queue/rows")
    assert rows.status_code == 200
    assert '<table>\n<tbody id="queue-rows" data-waiting="1"' in rows.text
    assert numbers(rows.text) == [housing]
    assert (
        desk.browser()
        .get("/workspace/queue/rows", headers={"X-Requested-With": "fetch"})
        .status_code
        == 401
    )


def test_the_event_stream_says_how_many_wait_and_when_anything_changed(desk: Desk) -> None:
    three_tickets(desk)
    supervisor = desk.signed_in(TAKAHASHI)
    page = supervisor.get("/workspace/queue")
    fingerprint = re.search(r'data-fingerprint="([0-9a-f]+)"', page.text)
    assert fingerprint is not None
    stream = supervisor.get("/workspace/queue/events", headers={"Accept": "text/event-stream"})
    assert stream.status_code == 200
    assert stream.headers["content-type"].startswith("text/event-stream")
    assert stream.text.startswith("retry: ")
    [event] = [match.groupdict() for match in EVENT.finditer(stream.text)]
    assert event["name"] == "queue"
    data = json.loads(event["data"])
    assert data == {"fingerprint": fingerprint.group(1), "waiting": 3}
    filtered = supervisor.get("/workspace/queue/events?domain=elderly_care")
    assert '"waiting":1' in filtered.text


def test_the_event_stream_is_for_signed_in_consultants_only(desk: Desk) -> None:
    response = desk.browser().get(
        "/workspace/queue/events", headers={"Accept": "text/event-stream"}
    )
    assert response.status_code == 401


def test_the_fingerprint_moves_with_new_and_changed_tickets_and_the_clock(desk: Desk) -> None:
    viewer = consultant_by_email(desk.session, TAKAHASHI)

    def mark(minutes: int = 0) -> str:
        return queues.fingerprint(
            session=desk.session, viewer=viewer, now=TUESDAY_MORNING + timedelta(minutes=minutes)
        )

    empty = mark()
    assert mark() == empty
    handed = worry(desk.session)
    opened = mark()
    assert opened != empty
    tickets.claim(
        session=desk.session,
        ticket_id=handed.ticket.id,
        consultant=viewer,
        now=TUESDAY_MORNING + timedelta(seconds=5),
    )
    assert mark() != opened
    assert mark(minutes=1) != mark()


def test_the_fingerprint_ignores_tickets_the_viewer_cannot_see(desk: Desk) -> None:
    viewer = consultant_by_email(desk.session, SUZUKI)
    before = queues.fingerprint(session=desk.session, viewer=viewer, now=TUESDAY_MORNING)
    worry(desk.session)  # goes to 山本's agency
    after = queues.fingerprint(session=desk.session, viewer=viewer, now=TUESDAY_MORNING)
    assert before == after
