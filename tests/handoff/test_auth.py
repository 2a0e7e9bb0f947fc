from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff import auth
from handoff.errors import InvalidInput, RateLimited, Unauthorized
from handoff.models import ApiToken
from tests.factories import DEMO_PASSWORD, TUESDAY_MORNING, make_consultant

POLICY = auth.LoginPolicy(max_failures=3, window=timedelta(minutes=10))


def test_password_hashes_are_argon2_and_verify() -> None:
    digest = auth.hash_password("correct horse battery")
    assert digest.startswith("$argon2id$")
    assert auth.verify_password(digest, "correct horse battery")
    assert not auth.verify_password(digest, "wrong")
    assert not auth.verify_password(None, "anything")
    assert not auth.verify_password("not-a-hash", "anything")


def test_short_passwords_are_refused() -> None:
    with pytest.raises(InvalidInput):
        auth.check_new_password("short")


def test_login_issues_a_token_stored_as_a_hash(session: Session) -> None:
    consultant = make_consultant(session)
    issued = auth.login(
        session=session,
        email=consultant.email.upper(),
        password=DEMO_PASSWORD,
        client_ip="10.0.0.1",
        now=TUESDAY_MORNING,
    )
    assert issued.consultant == consultant
    assert issued.expires_at == TUESDAY_MORNING + timedelta(hours=12)
    stored = session.scalars(select(ApiToken)).one()
    assert stored.token_hash == auth.token_digest(issued.token) != issued.token
    found = auth.authenticate(session=session, token=issued.token, now=TUESDAY_MORNING)
    assert found == consultant


def test_tokens_expire_and_can_be_revoked(session: Session) -> None:
    consultant = make_consultant(session)
    issued = auth.login(
        session=session,
        email=consultant.email,
        password=DEMO_PASSWORD,
        client_ip="10.0.0.1",
        now=TUESDAY_MORNING,
    )
    with pytest.raises(Unauthorized):
        auth.authenticate(
            session=session, token=issued.token, now=TUESDAY_MORNING + timedelta(hours=12)
        )
    auth.revoke(session=session, token=issued.token, now=TUESDAY_MORNING)
    with pytest.raises(Unauthorized):
        auth.authenticate(session=session, token=issued.token, now=TUESDAY_MORNING)


def test_inactive_consultants_cannot_log_in_or_use_tokens(session: Session) -> None:
    consultant = make_consultant(session)
    issued = auth.login(
        session=session,
        email=consultant.email,
        password=DEMO_PASSWORD,
        client_ip="10.0.0.1",
        now=TUESDAY_MORNING,
    )
    consultant.active = False
    with pytest.raises(Unauthorized):
        auth.authenticate(session=session, token=issued.token, now=TUESDAY_MORNING)
    with pytest.raises(Unauthorized):
        auth.login(
            session=session,
            email=consultant.email,
            password=DEMO_PASSWORD,
            client_ip="10.0.0.1",
            now=TUESDAY_MORNING,
        )


def test_failed_logins_are_limited_per_email_and_address(session: Session) -> None:
    consultant = make_consultant(session)

    def attempt(password: str, ip: str = "10.0.0.1", minutes: int = 0) -> auth.IssuedToken:
        return auth.login(
            session=session,
            email=consultant.email,
            password=password,
            client_ip=ip,
            now=TUESDAY_MORNING + timedelta(minutes=minutes),
            policy=POLICY,
        )

    for _ in range(3):
        with pytest.raises(Unauthorized):
            attempt("wrong")
    with pytest.raises(RateLimited) as limited:
        attempt(DEMO_PASSWORD)
    assert 0 < limited.value.retry_after <= 601
    assert attempt(DEMO_PASSWORD, ip="10.0.0.2")  # another address is not blocked
    assert attempt(DEMO_PASSWORD, minutes=11)  # the window has passed
