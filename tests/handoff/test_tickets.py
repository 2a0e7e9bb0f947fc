from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handoff import tickets
from handoff.errors import Conflict, InvalidInput, NotFound
from handoff.models import (
    DeliveryState,
    EventKind,
    Message,
    OutboxItem,
    Resident,
    Role,
    Status,
    Ticket,
    TicketEvent,
    Urgency,
)
from tests.factories import (
    SATURDAY_NIGHT,
    TUESDAY_MORNING,
    consultant_by_email,
    make_consultant,
    worry,
)

pytestmark = pytest.mark.usefixtures("city")

TAKAHASHI = "takahashi.kenichi@minato.example"  # supervisor, general desk
SATO = "sato.misaki@minato.example"  # general desk
YAMAMOTO = "yamamoto.naoki@minato.example"  # くらし・しごと自立相談支援センター
YOSHIDA = "yoshida.osamu@minato.example"  # 市民相談室 (law, debt)
SUZUKI = "suzuki.kazuko@minato.example"  # 地域包括支援センター


def kinds(session: Session, ticket: Ticket) -> list[EventKind]:
    return [entry.kind for entry in tickets.history(session=session, ticket=ticket)]


def test_hand_off_names_a_person_with_a_time_and_a_reason(session: Session) -> None:
    handed = worry(session)
    ticket = handed.ticket
    assert re.fullmatch(r"T-2026-\d{6}", ticket.number)
    assert handed.consultant.email == YAMAMOTO
    assert handed.agency is not None and handed.agency.code == "jiritsu-shien"
    assert handed.on_shift_now
    assert handed.contact_from == TUESDAY_MORNING
    assert handed.first_response_due == TUESDAY_MORNING + timedelta(hours=4)
    assert not handed.needs_interpreter
    assert ticket.routing_reason == handed.routing_reason
    assert "分野「仕事・就労、住まい」を担当" in ticket.routing_reason
    assert ticket.status == Status.assigned
    assert ticket.summary is not None and "家賃が払えません" in ticket.summary
    assert kinds(session, ticket) == [EventKind.created, EventKind.assigned]


def test_ticket_numbers_count_up_per_year(session: Session) -> None:
    first = worry(session).ticket.number
    second = worry(session).ticket.number
    assert int(second[-6:]) == int(first[-6:]) + 1
    new_year_tokyo = TUESDAY_MORNING.replace(year=2027, month=1, day=5)
    assert worry(session, now=new_year_tokyo).ticket.number == "T-2027-000001"


def test_later_messages_join_the_open_ticket(session: Session) -> None:
    first = worry(session, external_id="U1")
    later = worry(
        session,
        external_id="U1",
        text="借金もあります。",
        domains=["debt"],
        now=TUESDAY_MORNING + timedelta(hours=1),
    )
    assert later.joined_open_ticket and later.ticket.id == first.ticket.id
    assert later.ticket.domains == ["work", "housing", "debt"]
    assert "借金もあります" in (later.ticket.summary or "")
    assert session.scalar(select(func.count()).select_from(Resident)) == 1
    assert kinds(session, first.ticket)[-1] == EventKind.message


def test_a_new_worry_after_closing_opens_a_new_ticket(session: Session) -> None:
    first = worry(session, external_id="U1")
    tickets.close(
        session=session,
        ticket_id=first.ticket.id,
        actor=first.consultant,
        outcome="家計相談につなぎました",
        now=TUESDAY_MORNING,
    )
    again = worry(session, external_id="U1")
    assert not again.joined_open_ticket
    assert again.ticket.id != first.ticket.id


def test_same_external_id_on_another_channel_is_another_resident(session: Session) -> None:
    line = worry(session, external_id="same", channel="line")
    web = worry(session, external_id="same", channel="web")
    assert line.ticket.id != web.ticket.id


def test_crisis_goes_to_a_supervisor_at_the_top_of_the_queue(session: Session) -> None:
    ordinary = worry(session, domains=[])
    crisis = worry(
        session,
        text="もう消えたい",
        domains=["mental_health"],
        crisis=True,
        now=TUESDAY_MORNING + timedelta(hours=1),
    )
    assert crisis.ticket.urgency == Urgency.crisis
    assert "crisis" in crisis.ticket.domains
    assert crisis.consultant.role == Role.supervisor
    supervisor = consultant_by_email(session, TAKAHASHI)
    queue = tickets.list_tickets(session=session, viewer=supervisor)
    assert [t.id for t in queue][:2] == [crisis.ticket.id, ordinary.ticket.id]


def test_a_crisis_message_on_an_open_ticket_brings_in_a_supervisor(session: Session) -> None:
    first = worry(session, external_id="U1")
    later = worry(session, external_id="U1", text="もう死にたい", domains=[], crisis=True)
    assert later.ticket.id == first.ticket.id
    assert later.ticket.urgency == Urgency.crisis
    assert later.consultant.email == TAKAHASHI
    assert kinds(session, later.ticket)[-1] == EventKind.escalated


def test_unknown_domains_and_empty_text_are_refused(session: Session) -> None:
    with pytest.raises(InvalidInput, match="unknown domain"):
        worry(session, domains=["astrology"])
    with pytest.raises(InvalidInput):
        worry(session, text="   ")


def test_interpreter_when_nobody_speaks_the_language(session: Session) -> None:
    handed = worry(session, language="vi", text="Tôi mất việc.", domains=["work"])
    assert handed.needs_interpreter
    assert handed.ticket.needs_interpreter
    assert "（通訳が必要）" in (handed.ticket.summary or "")


def test_the_honest_time_at_night(session: Session) -> None:
    handed = worry(session, now=SATURDAY_NIGHT)
    assert not handed.on_shift_now
    assert handed.contact_from > SATURDAY_NIGHT
    assert "勤務時間外" in handed.routing_reason


# -- visibility -----------------------------------------------------------------------------


def test_consultants_see_their_own_and_their_agencys_tickets(session: Session) -> None:
    handed = worry(session)  # to 山本, くらし・しごと
    colleague = make_consultant(session, agency=handed.agency)
    outsider = consultant_by_email(session, SUZUKI)
    supervisor = consultant_by_email(session, TAKAHASHI)
    for viewer in (handed.consultant, colleague, supervisor):
        assert tickets.get_ticket(session=session, ticket_id=handed.ticket.id, viewer=viewer)
        assert handed.ticket in tickets.list_tickets(session=session, viewer=viewer)
    with pytest.raises(NotFound):
        tickets.get_ticket(session=session, ticket_id=handed.ticket.id, viewer=outsider)
    assert handed.ticket not in tickets.list_tickets(session=session, viewer=outsider)


def test_queue_filters(session: Session) -> None:
    pt = worry(session, language="pt", text="Preciso de ajuda com dívidas.", domains=["debt"])
    ja = worry(session, domains=["debt"])
    boss = consultant_by_email(session, TAKAHASHI)
    assert tickets.list_tickets(session=session, viewer=boss, language="pt") == [pt.ticket]
    assert {t.id for t in tickets.list_tickets(session=session, viewer=boss, domain="debt")} == {
        pt.ticket.id,
        ja.ticket.id,
    }
    tickets.close(
        session=session, ticket_id=ja.ticket.id, actor=boss, outcome="ok", now=TUESDAY_MORNING
    )
    assert tickets.list_tickets(session=session, viewer=boss, status=Status.closed) == [ja.ticket]
    assert ja.ticket not in tickets.list_tickets(session=session, viewer=boss)


def test_views_are_recorded(session: Session) -> None:
    handed = worry(session)
    tickets.record_view(
        session=session, ticket=handed.ticket, viewer=handed.consultant, now=TUESDAY_MORNING
    )
    last = tickets.history(session=session, ticket=handed.ticket)[-1]
    assert (last.kind, last.actor_id) == (EventKind.viewed, handed.consultant.id)


# -- claim ----------------------------------------------------------------------------------


def test_claim_then_someone_else_gets_conflict(session: Session) -> None:
    handed = worry(session)
    colleague = make_consultant(session, agency=handed.agency)
    ticket = tickets.claim(
        session=session, ticket_id=handed.ticket.id, consultant=colleague, now=TUESDAY_MORNING
    )
    assert ticket.status == Status.claimed
    assert ticket.claimed_by_id == ticket.consultant_id == colleague.id
    with pytest.raises(Conflict, match="held by"):
        tickets.claim(
            session=session,
            ticket_id=handed.ticket.id,
            consultant=handed.consultant,
            now=TUESDAY_MORNING,
        )
    again = tickets.claim(
        session=session, ticket_id=handed.ticket.id, consultant=colleague, now=TUESDAY_MORNING
    )
    assert again.claimed_by_id == colleague.id
    assert kinds(session, ticket).count(EventKind.claimed) == 1


def test_a_closed_ticket_cannot_be_claimed(session: Session) -> None:
    handed = worry(session)
    tickets.close(
        session=session,
        ticket_id=handed.ticket.id,
        actor=handed.consultant,
        outcome="done",
        now=TUESDAY_MORNING,
    )
    with pytest.raises(Conflict, match="closed"):
        tickets.claim(
            session=session,
            ticket_id=handed.ticket.id,
            consultant=handed.consultant,
            now=TUESDAY_MORNING,
        )


# -- reply, notes, transfer, close -----------------------------------------------------------


def test_reply_goes_to_the_outbox_with_the_consultants_name(session: Session) -> None:
    handed = worry(session)
    message = tickets.reply(
        session=session,
        ticket_id=handed.ticket.id,
        consultant=handed.consultant,
        text="山本です。明日お電話します。",
        now=TUESDAY_MORNING,
    )
    assert message.delivery_state == DeliveryState.pending
    item = session.scalars(select(OutboxItem).where(OutboxItem.message_id == message.id)).one()
    assert item.payload["kind"] == "consultant_reply"
    assert item.payload["consultant"]["name"] == "山本 直樹"
    assert item.payload["consultant"]["reading"] == "Yamamoto Naoki"
    assert item.state == DeliveryState.pending
    session.refresh(handed.ticket)
    assert handed.ticket.status == Status.claimed  # replying took the ticket
    assert handed.ticket.first_response_at == TUESDAY_MORNING


def test_reply_to_a_ticket_held_by_someone_else_conflicts(session: Session) -> None:
    handed = worry(session)
    colleague = make_consultant(session, agency=handed.agency)
    tickets.claim(
        session=session, ticket_id=handed.ticket.id, consultant=colleague, now=TUESDAY_MORNING
    )
    with pytest.raises(Conflict):
        tickets.reply(
            session=session,
            ticket_id=handed.ticket.id,
            consultant=handed.consultant,
            text="hello",
            now=TUESDAY_MORNING,
        )


def test_transfer_to_another_agency_keeps_history_and_tells_the_resident(
    session: Session,
) -> None:
    handed = worry(session, text="借金の督促が来て怖いです。", domains=["debt", "work"])
    lawyer = consultant_by_email(session, YOSHIDA)
    later = TUESDAY_MORNING + timedelta(minutes=30)
    moved = tickets.transfer(
        session=session,
        ticket_id=handed.ticket.id,
        actor=handed.consultant,
        to_consultant_id=lawyer.id,
        note="債務整理の相談を希望。就労は当方で継続。",
        now=later,
    )
    ticket = moved.ticket
    assert moved.consultant == lawyer and moved.from_consultant == handed.consultant
    assert moved.agency is not None and moved.agency.code == "shimin-sodan"
    assert (ticket.status, ticket.consultant_id, ticket.claimed_by_id) == (
        Status.transferred,
        lawyer.id,
        None,
    )
    assert "引き継ぎメモ: 債務整理の相談を希望" in (ticket.summary or "")
    assert "借金の督促が来て怖いです" in (ticket.summary or "")
    last = tickets.history(session=session, ticket=ticket)[-1]
    assert (last.kind, last.from_consultant_id, last.to_consultant_id) == (
        EventKind.transferred,
        handed.consultant.id,
        lawyer.id,
    )
    notice = session.scalars(select(OutboxItem).where(OutboxItem.ticket_id == ticket.id)).one()
    assert notice.payload["kind"] == "transferred"
    assert notice.payload["consultant"]["name"] == "吉田 修"
    assert notice.payload["consultant"]["agency"]["ja"] == "みなと市 市民相談室（法律相談）"
    assert tickets.get_ticket(session=session, ticket_id=ticket.id, viewer=lawyer)


def test_transfer_to_an_unknown_or_same_consultant(session: Session) -> None:
    handed = worry(session)
    with pytest.raises(InvalidInput):
        tickets.transfer(
            session=session,
            ticket_id=handed.ticket.id,
            actor=handed.consultant,
            to_consultant_id=999_999,
            note="x",
            now=TUESDAY_MORNING,
        )
    with pytest.raises(Conflict):
        tickets.transfer(
            session=session,
            ticket_id=handed.ticket.id,
            actor=handed.consultant,
            to_consultant_id=handed.consultant.id,
            note="x",
            now=TUESDAY_MORNING,
        )


def test_notes_and_close(session: Session) -> None:
    handed = worry(session)
    note = tickets.add_note(
        session=session,
        ticket_id=handed.ticket.id,
        actor=handed.consultant,
        text="母子家庭。",
        now=TUESDAY_MORNING,
    )
    assert note.kind == EventKind.note
    closed = tickets.close(
        session=session,
        ticket_id=handed.ticket.id,
        actor=handed.consultant,
        outcome="生活福祉資金の申請へ",
        now=TUESDAY_MORNING,
    )
    assert closed.status == Status.closed and closed.outcome == "生活福祉資金の申請へ"
    with pytest.raises(Conflict):
        tickets.close(
            session=session,
            ticket_id=handed.ticket.id,
            actor=handed.consultant,
            outcome="again",
            now=TUESDAY_MORNING,
        )


# -- escalation -----------------------------------------------------------------------------


def test_unclaimed_past_due_goes_to_a_supervisor_once(session: Session) -> None:
    handed = worry(session)
    claimed = worry(session, domains=["school"])
    tickets.claim(
        session=session,
        ticket_id=claimed.ticket.id,
        consultant=claimed.consultant,
        now=TUESDAY_MORNING,
    )
    assert tickets.escalate_overdue(session=session, now=TUESDAY_MORNING + timedelta(hours=1)) == []
    late = TUESDAY_MORNING + timedelta(hours=5)
    escalated = tickets.escalate_overdue(session=session, now=late)
    assert escalated == [handed.ticket]
    ticket = escalated[0]
    assert ticket.consultant.role == Role.supervisor
    assert ticket.escalated_at == late
    entry = tickets.history(session=session, ticket=ticket)[-1]
    assert entry.kind == EventKind.escalated
    assert (entry.from_consultant_id, entry.to_consultant_id) == (
        handed.consultant.id,
        ticket.consultant_id,
    )
    assert entry.note is not None and "初回対応期限" in entry.note
    assert tickets.escalate_overdue(session=session, now=late + timedelta(days=1)) == []


# -- privacy --------------------------------------------------------------------------------


def test_delete_resident_erases_words_and_keeps_anonymous_counts(session: Session) -> None:
    handed = worry(
        session, external_id="U-erase", text="夫の暴力がこわい", domains=["violence_abuse"]
    )
    tickets.add_note(
        session=session,
        ticket_id=handed.ticket.id,
        actor=handed.consultant,
        text="加害者は同居",
        now=TUESDAY_MORNING,
    )
    tickets.reply(
        session=session,
        ticket_id=handed.ticket.id,
        consultant=handed.consultant,
        text="安全な場所はありますか",
        now=TUESDAY_MORNING,
    )
    erased = tickets.delete_resident(
        session=session, channel="line", external_id="U-erase", now=TUESDAY_MORNING
    )
    assert (erased.messages, erased.outbox, erased.tickets_anonymised) == (2, 1, 1)
    assert session.scalar(select(func.count()).select_from(Message)) == 0
    assert tickets.find_resident(session=session, channel="line", external_id="U-erase") is None
    ticket = session.get_one(Ticket, handed.ticket.id)
    assert ticket.domains == ["violence_abuse"]
    assert ticket.summary is None and ticket.resident_id is None
    assert ticket.status == Status.closed
    notes = session.scalars(select(TicketEvent.note).where(TicketEvent.ticket_id == ticket.id))
    assert all(note is None for note in notes)
    with pytest.raises(NotFound):
        tickets.delete_resident(
            session=session, channel="line", external_id="U-erase", now=TUESDAY_MORNING
        )


def test_logs_never_carry_words_or_channel_ids(
    session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="handoff")
    handed = worry(session, external_id="U-private-id", text="とても個人的な話")
    tickets.reply(
        session=session,
        ticket_id=handed.ticket.id,
        consultant=handed.consultant,
        text="返事の中身",
        now=TUESDAY_MORNING,
    )
    tickets.delete_resident(
        session=session, channel="line", external_id="U-private-id", now=TUESDAY_MORNING
    )
    assert caplog.records
    for secret in ("U-private-id", "個人的", "返事の中身"):
        assert secret not in caplog.text


def test_a_later_message_gets_an_honest_fresh_promise(session: Session) -> None:
    worry(session, external_id="U1")
    evening = TUESDAY_MORNING + timedelta(hours=10)  # 20:00 in Tokyo
    later = worry(session, external_id="U1", text="まだ連絡がありません", now=evening)
    wednesday_morning = TUESDAY_MORNING + timedelta(hours=22, minutes=30)  # 08:30 in Tokyo
    assert later.joined_open_ticket and not later.on_shift_now
    assert later.contact_from == wednesday_morning
    assert later.first_response_due == wednesday_morning + timedelta(hours=4)


def test_language_codes_are_checked(session: Session) -> None:
    with pytest.raises(InvalidInput, match="language code"):
        worry(session, language="portuguese")
