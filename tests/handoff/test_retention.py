from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handoff import tickets
from handoff.models import Message, Resident, Ticket
from handoff.retention import purge_expired
from handoff.site import SiteReport
from tests.factories import worry


def _messages(session: Session, ticket: Ticket) -> int:
    count = select(func.count()).select_from(Message).where(Message.ticket_id == ticket.id)
    return session.scalar(count) or 0


def test_closed_tickets_lose_their_text_after_the_retention_period_but_stay_countable(
    session: Session, city: SiteReport, now: datetime
) -> None:
    old = worry(session, text="夫の暴力から逃げたい", domains=["violence_abuse"], now=now)
    holder = old.consultant
    tickets.close(session=session, ticket_id=old.ticket.id, actor=holder,
                  outcome="シェルターにつないだ", now=now)  # fmt: skip
    recent = worry(session, text="家賃が払えない", domains=["housing"], external_id="U-other",
                   now=now + timedelta(days=80))  # fmt: skip
    tickets.close(session=session, ticket_id=recent.ticket.id, actor=recent.consultant,
                  outcome="解決", now=now + timedelta(days=80))  # fmt: skip

    purged = purge_expired(session=session, now=now + timedelta(days=91),
                           keep_closed_for=timedelta(days=90))  # fmt: skip

    assert purged.tickets == 1 and purged.messages >= 1
    session.refresh(old.ticket)
    assert _messages(session, old.ticket) == 0
    assert old.ticket.summary is None and old.ticket.outcome is None
    assert old.ticket.domains == ["violence_abuse"]  # still counted in the statistics
    assert _messages(session, recent.ticket) > 0  # not yet past its retention
    again = purge_expired(session=session, now=now + timedelta(days=91),
                          keep_closed_for=timedelta(days=90))  # fmt: skip
    assert again.tickets == 0


def test_open_tickets_are_never_purged(session: Session, city: SiteReport, now: datetime) -> None:
    open_one = worry(session, text="仕事がない", domains=["work"], now=now)
    purge_expired(session=session, now=now + timedelta(days=400), keep_closed_for=timedelta(days=1))
    assert _messages(session, open_one.ticket) > 0


def test_words_held_without_an_answer_to_the_consent_question_are_forgotten_after_a_day(
    session: Session, city: SiteReport, now: datetime
) -> None:
    resident = tickets.resident_for(session=session, channel="line", external_id="U-held",
                                    language="ja", now=now)  # fmt: skip
    resident.held_text, resident.held_at = "借金がある", now
    session.flush()
    purge_expired(
        session=session, now=now + timedelta(hours=23), keep_closed_for=timedelta(days=90)
    )
    session.refresh(resident)
    assert resident.held_text == "借金がある"
    purge_expired(
        session=session, now=now + timedelta(hours=25), keep_closed_for=timedelta(days=90)
    )
    session.refresh(resident)
    assert resident.held_text is None
    assert session.scalar(select(func.count()).select_from(Resident)) == 1
