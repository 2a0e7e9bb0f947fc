"""School-mail links: the codes printed in newsletters, each opening the chat at /c/{code}."""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from classifier.text import canonical_language
from handoff.errors import InvalidInput, NotFound
from handoff.i18n import LOCALES
from handoff.models import SchoolLink

CODE_ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 10  # 62**10 ≈ 8e17: a link cannot be found by trying codes
# What a link code in a URL may look like; anything else is not looked up at all.
CODE_SHAPE = re.compile(r"^[A-Za-z0-9_-]{4,32}$")
MAX_LABEL = 200


def new_code() -> str:
    """A fresh random link code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def link_language(tag: str) -> str:
    """ja, en or pt for a tag such as 'pt-BR'; InvalidInput for anything else."""
    language = canonical_language(tag)
    if language not in LOCALES:
        raise InvalidInput(f"{tag!r} is not a chat language; use one of {', '.join(LOCALES)}")
    return language


def create_link(*, session: Session, label: str, language: str, now: datetime) -> SchoolLink:
    """A new active link with an unused random code."""
    label = label.strip()
    if not label or len(label) > MAX_LABEL:
        raise InvalidInput(f"a link label must be 1 to {MAX_LABEL} characters")
    code = new_code()
    while session.scalar(select(SchoolLink.id).where(SchoolLink.code == code)) is not None:
        code = new_code()
    link = SchoolLink(
        code=code, label=label, language=link_language(language), active=True, created_at=now
    )
    session.add(link)
    session.flush()
    return link


def find_link(*, session: Session, code: str, active_only: bool = True) -> SchoolLink | None:
    """The link with this code (by default only while active), or None."""
    if not CODE_SHAPE.match(code):
        return None
    query = select(SchoolLink).where(SchoolLink.code == code)
    if active_only:
        query = query.where(SchoolLink.active.is_(True))
    return session.scalar(query)


def list_links(*, session: Session) -> Sequence[SchoolLink]:
    """Every link, oldest first."""
    return session.scalars(select(SchoolLink).order_by(SchoolLink.id)).all()


def deactivate_link(*, session: Session, code: str) -> SchoolLink:
    """Stop a link from opening the chat (its page then says it is no longer in use)."""
    link = session.scalar(select(SchoolLink).where(SchoolLink.code == code))
    if link is None:
        raise NotFound(f"no link with code {code!r}")
    link.active = False
    session.flush()
    return link


def link_url(base_url: str, code: str) -> str:
    """The address to print in the newsletter."""
    return f"{base_url.rstrip('/')}/c/{code}"
