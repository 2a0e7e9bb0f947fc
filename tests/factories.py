"""Test data: small agencies and consultants built in code, and worries handed off."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff import tickets
from handoff.auth import hash_password
from handoff.models import Agency, Consultant, Role
from handoff.site import SAMPLE_CITY, SiteReport, SiteSpec, apply_site, read_site_file

# Tuesday 24 November 2026, 10:00 in Tokyo: an ordinary working morning.
TUESDAY_MORNING = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
# Saturday 28 November 2026, 21:00 in Tokyo: every office is closed.
SATURDAY_NIGHT = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
DEMO_PASSWORD = "tsunagu-demo"
OFFICE_HOURS = {
    "mon": ["08:30-17:15"],
    "tue": ["08:30-17:15"],
    "wed": ["08:30-17:15"],
    "thu": ["08:30-17:15"],
    "fri": ["08:30-17:15"],
}

_serial = itertools.count(1)


@functools.cache
def sample_spec() -> SiteSpec:
    """The bundled sample city, parsed once per test run."""
    return read_site_file(SAMPLE_CITY)


@functools.cache
def demo_hash() -> str:
    """The argon2 hash of the demo password, computed once per test run."""
    return hash_password(DEMO_PASSWORD)


def load_sample_city(session: Session, *, now: datetime = TUESDAY_MORNING) -> SiteReport:
    """Load the sample city; every consultant gets the demo password."""
    report = apply_site(session=session, spec=sample_spec(), now=now)
    for consultant in session.scalars(select(Consultant)):
        consultant.password_hash = demo_hash()
    session.flush()
    return report


def consultant_by_email(session: Session, email: str) -> Consultant:
    """A consultant of the sample city (or of a test) by e-mail."""
    return session.scalars(select(Consultant).where(Consultant.email == email)).one()


def make_agency(
    session: Session,
    *,
    code: str | None = None,
    domains: Sequence[str] = (),
    general_desk: bool = False,
    hours: dict[str, list[str]] | None = None,
    closed_days: Sequence[str] = (),
) -> Agency:
    """An agency open on weekdays unless told otherwise."""
    number = next(_serial)
    agency = Agency(
        code=code or f"agency-{number}",
        name_ja=f"機関{number}",
        name_en=f"Agency {number}",
        name_pt=f"Agência {number}",
        domains=list(domains),
        languages=["ja"],
        hours=OFFICE_HOURS if hours is None else hours,
        closed_days=list(closed_days),
        general_desk=general_desk,
        active=True,
        created_at=TUESDAY_MORNING,
        updated_at=TUESDAY_MORNING,
    )
    session.add(agency)
    session.flush()
    return agency


def make_consultant(
    session: Session,
    *,
    agency: Agency | None = None,
    languages: Sequence[str] = ("ja",),
    domains: Sequence[str] = (),
    role: Role = Role.consultant,
    hours: dict[str, list[str]] | None = None,
    max_open_tickets: int = 10,
    active: bool = True,
    name: str | None = None,
) -> Consultant:
    """A consultant; without hours of their own they keep their agency's."""
    number = next(_serial)
    consultant = Consultant(
        email=f"consultant{number}@test.example",
        display_name=name or f"相談員{number}",
        reading=name or f"Soudanin {number}",
        agency=agency,
        languages=list(languages),
        domains=list(domains),
        role=role,
        hours=hours,
        max_open_tickets=max_open_tickets,
        active=active,
        password_hash=demo_hash(),
        created_at=TUESDAY_MORNING,
        updated_at=TUESDAY_MORNING,
    )
    session.add(consultant)
    session.flush()
    return consultant


def worry(session: Session, **overrides: Any) -> tickets.Handoff:
    """Hand off a worry with sensible defaults; a new resident each time unless told."""
    arguments: dict[str, Any] = {
        "text": "仕事がなくなって、家賃が払えません。どうしたらいいですか。",
        "domains": ["work", "housing"],
        "language": "ja",
        "channel": "line",
        "external_id": f"U{next(_serial):032d}",
        "now": TUESDAY_MORNING,
    }
    arguments.update(overrides)
    return tickets.hand_off(session=session, **arguments)
