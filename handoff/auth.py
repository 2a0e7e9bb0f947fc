"""Consultant credentials: argon2 password hashes, hashed bearer tokens, login rate limiting."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from handoff.errors import InvalidInput, RateLimited, Unauthorized
from handoff.models import ApiToken, Consultant, LoginAttempt

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginPolicy:
    """How long tokens live and how many failed logins an (e-mail, address) pair gets."""

    token_ttl: timedelta = timedelta(hours=12)
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, slots=True, kw_only=True)
class IssuedToken:
    """A new bearer token: shown to the consultant once, stored only as a hash."""

    token: str
    expires_at: datetime
    consultant: Consultant


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher.hash(password)


def check_new_password(password: str) -> str:
    """Refuse passwords too short to be worth hashing."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return password


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; the work is done even without a hash (no timing leak)."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def token_digest(token: str) -> str:
    """What is stored for a token: its SHA-256 (a random 256-bit token needs no slow hash)."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    """E-mail addresses compare case-insensitively, without surrounding spaces."""
    return email.strip().lower()


def login(
    *,
    session: Session,
    email: str,
    password: str,
    client_ip: str,
    now: datetime,
    policy: LoginPolicy = LoginPolicy(),
) -> IssuedToken:
    """A token for the right e-mail and password. Failures are recorded (the caller must commit
    even when this raises Unauthorized) and limited per e-mail and client address."""
    email = normalise_email(email)
    since = now - policy.window
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < since))
    failures = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            LoginAttempt.email == email,
            LoginAttempt.client_ip == client_ip,
            LoginAttempt.at >= since,
        )
    )
    if failures is not None and failures >= policy.max_failures:
        oldest = session.scalar(
            select(func.min(LoginAttempt.at)).where(
                LoginAttempt.email == email, LoginAttempt.client_ip == client_ip
            )
        )
        retry_after = int(((oldest or now) + policy.window - now).total_seconds()) + 1
        raise RateLimited("too many failed logins; try again later", retry_after=retry_after)
    consultant = session.scalar(
        select(Consultant).where(Consultant.email == email, Consultant.active.is_(True))
    )
    password_hash = consultant.password_hash if consultant else None
    if consultant is None or not verify_password(password_hash, password):
        session.add(LoginAttempt(email=email, client_ip=client_ip, at=now))
        session.flush()
        log.info("failed login from %s", client_ip)
        raise Unauthorized("wrong e-mail or password")
    if password_hash and _hasher.check_needs_rehash(password_hash):
        consultant.password_hash = hash_password(password)
    session.execute(
        delete(LoginAttempt).where(LoginAttempt.email == email, LoginAttempt.client_ip == client_ip)
    )
    token = secrets.token_urlsafe(32)
    expires_at = now + policy.token_ttl
    session.add(
        ApiToken(
            token_hash=token_digest(token),
            consultant_id=consultant.id,
            created_at=now,
            expires_at=expires_at,
        )
    )
    session.flush()
    return IssuedToken(token=token, expires_at=expires_at, consultant=consultant)


def authenticate(*, session: Session, token: str, now: datetime) -> Consultant:
    """The active consultant a live token belongs to; Unauthorized otherwise."""
    found = session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == token_digest(token))
        .options(selectinload(ApiToken.consultant).selectinload(Consultant.agency))
    )
    if found is None or found.revoked_at is not None or found.expires_at <= now:
        raise Unauthorized("missing, expired or revoked token; log in again")
    if not found.consultant.active:
        raise Unauthorized("this consultant account is inactive")
    return found.consultant


def revoke(*, session: Session, token: str, now: datetime) -> None:
    """End a token's life (log out)."""
    found = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if found is not None and found.revoked_at is None:
        found.revoked_at = now
        session.flush()
