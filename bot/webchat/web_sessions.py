"""A resident's web chat on one device: a random cookie token, and a short code to continue
on another device. Only SHA-256 digests of both are stored."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from handoff.models import SchoolLink, WebSession

COOKIE = "tsunagu_chat"
COOKIE_PATH = "/c/"
TOKEN_BYTES = 32
# token_urlsafe(32) is 43 characters; anything else is not a token of ours.
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")
# No 0/O, 1/I/L: easy to read aloud and to copy from one phone to another.
RESUME_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RESUME_LENGTH = 8
_RESUME_SEPARATORS = re.compile(r"[\s\-‐－ー]+")


def digest(secret: str) -> str:
    """The stored form of a token or resume code."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Started:
    """A new web session and the token for its cookie (never stored)."""

    web_session: WebSession
    token: str


def start(
    *,
    session: Session,
    link: SchoolLink | None,
    language: str,
    now: datetime,
    external_id: str | None = None,
) -> Started:
    """A new session on a device; a new resident id unless continuing one (`external_id`)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    web_session = WebSession(
        token_hash=digest(token),
        external_id=external_id or new_external_id(),
        link_id=link.id if link else None,
        language=language,
        created_at=now,
        last_seen_at=now,
    )
    session.add(web_session)
    session.flush()
    return Started(web_session, token)


def new_external_id() -> str:
    """A random resident id for the web channel."""
    return "w" + secrets.token_hex(16)


def from_token(*, session: Session, token: str | None) -> WebSession | None:
    """The session a cookie token belongs to, or None."""
    if not token or not _TOKEN_SHAPE.match(token):
        return None
    return session.scalar(select(WebSession).where(WebSession.token_hash == digest(token)))


def issue_resume_code(*, session: Session, web_session: WebSession) -> str:
    """A new code to continue this conversation elsewhere; it replaces any earlier one."""
    while True:
        code = "".join(secrets.choice(RESUME_ALPHABET) for _ in range(RESUME_LENGTH))
        taken = session.scalar(select(WebSession.id).where(WebSession.resume_hash == digest(code)))
        if taken is None:
            break
    web_session.resume_hash = digest(code)
    session.flush()
    return code


def normalise_resume_code(typed: str) -> str | None:
    """The code as issued, from what a person typed ('abcd-efgh' -> 'ABCDEFGH'), or None."""
    code = _RESUME_SEPARATORS.sub("", typed).upper()
    if len(code) != RESUME_LENGTH or any(ch not in RESUME_ALPHABET for ch in code):
        return None
    return code


def resume(*, session: Session, typed_code: str, link: SchoolLink, now: datetime) -> Started | None:
    """A new session on this device for the conversation the code was issued for, or None.

    A code works once.
    """
    code = normalise_resume_code(typed_code)
    if code is None:
        return None
    original = session.scalar(select(WebSession).where(WebSession.resume_hash == digest(code)))
    if original is None:
        return None
    original.resume_hash = None
    session.flush()
    return start(
        session=session,
        link=link,
        language=original.language,
        now=now,
        external_id=original.external_id,
    )


def forget_resident(*, session: Session, web_session: WebSession) -> None:
    """After the resident deleted their data: every device of theirs gets a new, empty id."""
    fresh = new_external_id()
    session.execute(
        update(WebSession)
        .where(WebSession.external_id == web_session.external_id)
        .values(external_id=fresh, resume_hash=None)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    session.refresh(web_session)


def end(*, session: Session, web_session: WebSession) -> None:
    """Close the chat on this device; the conversation stays for other devices and staff."""
    session.delete(web_session)
    session.flush()
