"""Consultants and agencies: adding people, and listing who a case can go to."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from classifier.domains import BY_ID as DOMAINS_BY_ID
from handoff.auth import check_new_password, hash_password, normalise_email
from handoff.errors import Conflict, InvalidInput
from handoff.models import Agency, Consultant, EmergencyContact, Role

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def check_email(email: str) -> str:
    """A normalised e-mail address, or InvalidInput."""
    email = normalise_email(email)
    if len(email) > 254 or not EMAIL.match(email):
        raise InvalidInput(f"{email!r} is not an e-mail address")
    return email


def check_languages(languages: Sequence[str]) -> list[str]:
    """ISO 639 codes ('ja', 'pt'), at least one."""
    cleaned = [language.strip().lower() for language in languages if language.strip()]
    if not cleaned:
        raise InvalidInput("at least one language is needed")
    for language in cleaned:
        if not LANGUAGE.match(language):
            raise InvalidInput(f"{language!r} is not a language code like ja, en or pt")
    return list(dict.fromkeys(cleaned))


def check_domains(domains: Sequence[str]) -> list[str]:
    """Known domain ids, without duplicates."""
    cleaned = [domain.strip() for domain in domains if domain.strip()]
    for domain in cleaned:
        if domain not in DOMAINS_BY_ID:
            raise InvalidInput(
                f"unknown domain {domain!r} (known: {', '.join(sorted(DOMAINS_BY_ID))})"
            )
    return list(dict.fromkeys(cleaned))


def agency_by_code(*, session: Session, code: str) -> Agency:
    """The agency with this code, or InvalidInput."""
    agency = session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        raise InvalidInput(f"no agency with code {code!r}")
    return agency


def add_consultant(
    *,
    session: Session,
    name: str,
    email: str,
    password: str,
    languages: Sequence[str],
    now: datetime,
    reading: str | None = None,
    agency_code: str | None = None,
    domains: Sequence[str] = (),
    role: Role | str = Role.consultant,
    max_open_tickets: int = 20,
) -> Consultant:
    """Create a consultant with an argon2-hashed password."""
    if not name.strip():
        raise InvalidInput("a consultant needs a name")
    email = check_email(email)
    if session.scalar(select(Consultant.id).where(Consultant.email == email)) is not None:
        raise Conflict(f"a consultant with e-mail {email} exists already")
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(f"role must be consultant or supervisor, not {role!r}") from None
    if max_open_tickets < 1:
        raise InvalidInput("max open tickets must be at least 1")
    consultant = Consultant(
        email=email,
        display_name=name.strip(),
        reading=(reading or name).strip(),
        agency=agency_by_code(session=session, code=agency_code) if agency_code else None,
        languages=check_languages(languages),
        domains=check_domains(domains),
        role=role,
        hours=None,
        max_open_tickets=max_open_tickets,
        active=True,
        password_hash=hash_password(check_new_password(password)),
        created_at=now,
        updated_at=now,
    )
    session.add(consultant)
    session.flush()
    return consultant


def list_consultants(*, session: Session, active_only: bool = True) -> list[Consultant]:
    """Consultants a case can be transferred to, by agency then name."""
    query = select(Consultant).options(selectinload(Consultant.agency))
    if active_only:
        query = query.where(Consultant.active.is_(True))
    return list(session.scalars(query.order_by(Consultant.agency_id, Consultant.id)))


def count_agencies(*, session: Session) -> int:
    """How many agencies the database knows (0 before the first site file)."""
    return session.scalar(select(func.count()).select_from(Agency)) or 0


def emergency_contacts(*, session: Session) -> list[EmergencyContact]:
    """The emergency numbers of the site, in the order of the site file."""
    return list(session.scalars(select(EmergencyContact).order_by(EmergencyContact.position)))
