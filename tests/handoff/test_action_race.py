"""Two consultants act on one ticket at the same moment (close, transfer, reply): whatever the
order, the history tells one consistent story, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from handoff import tickets
from handoff.errors import Conflict, NotFound
from handoff.models import (
    Consultant,
    Direction,
    EventKind,
    Message,
    Role,
    Status,
    Ticket,
    TicketEvent,
)
from tests.factories import TUESDAY_MORNING, make_agency, make_consultant
from tests.handoff.test_claim_race import contested_tickets, together

Action = Callable[[Session, Consultant, int, Consultant], object]


def _close(session: Session, actor: Consultant, ticket_id: int, _: Consultant) -> object:
    return tickets.close(
        session=session, ticket_id=ticket_id, actor=actor, outcome="相談終了", now=TUESDAY_MORNING
    )


def _transfer(session: Session, actor: Consultant, ticket_id: int, target: Consultant) -> object:
    return tickets.transfer(
        session=session,
        ticket_id=ticket_id,
        actor=actor,
        to_consultant_id=target.id,
        note="法律の相談が中心なのでお願いします",
        now=TUESDAY_MORNING,
    )


def _reply(session: Session, actor: Consultant, ticket_id: int, _: Consultant) -> object:
    return tickets.reply(
        session=session,
        ticket_id=ticket_id,
        consultant=actor,
        text="明日の午前中にお電話します",
        now=TUESDAY_MORNING,
    )


PAIRS = {
    "close vs transfer": (_close, _transfer),
    "close vs reply": (_close, _reply),
    "transfer vs reply": (_transfer, _reply),
}


@pytest.mark.parametrize("pair", list(PAIRS))
def test_two_actions_at_once_leave_one_consistent_history(fresh_url: str, pair: str) -> None:
    first, second = PAIRS[pair]
    with contested_tickets(fresh_url) as (sessions, (holder, _), ticket_ids):
        with sessions.begin() as session:
            agency = make_agency(session, domains=["legal_rights"])
            supervisor = make_consultant(
                session, agency=session.get_one(Consultant, holder.id).agency, role=Role.supervisor
            )
            lawyer = make_consultant(session, agency=agency, domains=["legal_rights"])
            for ticket_id in ticket_ids:
                tickets.claim(
                    session=session,
                    ticket_id=ticket_id,
                    consultant=session.get_one(Consultant, holder.id),
                    now=TUESDAY_MORNING,
                )
        for ticket_id in ticket_ids:
            outcomes = together(
                [
                    _attempt(sessions, first, holder.id, ticket_id, lawyer.id),
                    _attempt(sessions, second, supervisor.id, ticket_id, lawyer.id),
                ]
            )
            assert not [o for o in outcomes if o.startswith("error")], outcomes
            _assert_consistent(sessions, ticket_id)


def _attempt(
    sessions: sessionmaker[Session],
    action: Action,
    actor_id: int,
    ticket_id: int,
    target_id: int,
) -> Callable[[], str]:
    def attempt() -> str:
        try:
            with sessions.begin() as session:
                actor = session.get_one(Consultant, actor_id)
                action(session, actor, ticket_id, session.get_one(Consultant, target_id))
        except (Conflict, NotFound):  # refused: taken by the other, or now out of reach
            return "refused"
        except Exception as error:  # what a consultant would see as a 500
            return f"error: {type(error).__name__}: {error}"
        return "done"

    return attempt


def _assert_consistent(sessions: sessionmaker[Session], ticket_id: int) -> None:
    with sessions() as session:
        ticket = session.get_one(Ticket, ticket_id)
        kinds = list(
            session.scalars(
                select(TicketEvent.kind)
                .where(TicketEvent.ticket_id == ticket_id)
                .order_by(TicketEvent.id)
            )
        )
        replies = session.scalar(
            select(Message.id)
            .where(Message.ticket_id == ticket_id, Message.direction == Direction.outbound)
            .limit(1)
        )
    if EventKind.closed in kinds:
        # Closing is the last word: nothing after it, and the ticket says closed.
        assert kinds[-1] == EventKind.closed, kinds
        assert ticket.status == Status.closed and ticket.closed_at is not None
    if kinds[-1] == EventKind.transferred:
        assert ticket.status == Status.transferred and ticket.closed_at is None
        assert ticket.claimed_by_id is None
    assert (replies is not None) == (EventKind.message in kinds[kinds.index(EventKind.claimed) :])
