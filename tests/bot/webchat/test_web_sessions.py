"""Web sessions: only digests are stored; resume codes are short, readable and work once."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.webchat import links, web_sessions
from handoff.models import SchoolLink, WebSession
from tests.factories import TUESDAY_MORNING


@pytest.fixture
def school(session: Session) -> SchoolLink:
    return links.create_link(session=session, label="学校", language="pt", now=TUESDAY_MORNING)


def test_only_the_tokens_digest_is_stored(session: Session, school: SchoolLink) -> None:
    started = web_sessions.start(session=session, link=school, language="pt", now=TUESDAY_MORNING)
    row = session.scalars(select(WebSession)).one()
    assert row.token_hash == web_sessions.digest(started.token) != started.token
    assert row.resume_hash is None
    assert web_sessions.from_token(session=session, token=started.token) is row
    assert web_sessions.from_token(session=session, token=row.token_hash) is None
    assert web_sessions.from_token(session=session, token=None) is None


def test_a_resume_code_continues_the_same_resident_once(
    session: Session, school: SchoolLink
) -> None:
    phone = web_sessions.start(session=session, link=school, language="pt", now=TUESDAY_MORNING)
    code = web_sessions.issue_resume_code(session=session, web_session=phone.web_session)
    assert len(code) == web_sessions.RESUME_LENGTH
    assert set(code) <= set(web_sessions.RESUME_ALPHABET)
    assert phone.web_session.resume_hash == web_sessions.digest(code)
    typed = f" {code[:4].lower()} - {code[4:]} "
    laptop = web_sessions.resume(
        session=session, typed_code=typed, link=school, now=TUESDAY_MORNING
    )
    assert laptop is not None
    assert laptop.web_session.external_id == phone.web_session.external_id
    assert laptop.token != phone.token
    assert (
        web_sessions.resume(session=session, typed_code=code, link=school, now=TUESDAY_MORNING)
        is None
    )


def test_a_new_code_replaces_the_old_one(session: Session, school: SchoolLink) -> None:
    phone = web_sessions.start(session=session, link=school, language="pt", now=TUESDAY_MORNING)
    first = web_sessions.issue_resume_code(session=session, web_session=phone.web_session)
    second = web_sessions.issue_resume_code(session=session, web_session=phone.web_session)
    assert first != second
    assert (
        web_sessions.resume(session=session, typed_code=first, link=school, now=TUESDAY_MORNING)
        is None
    )
    assert (
        web_sessions.resume(session=session, typed_code=second, link=school, now=TUESDAY_MORNING)
        is not None
    )


@pytest.mark.parametrize("typed", ["", "ABCDEFG", "ABCDEFGHJ", "ABCD-EFG0", "IIII-LLLL", "日本語"])
def test_malformed_codes_are_not_looked_up(typed: str) -> None:
    assert web_sessions.normalise_resume_code(typed) is None


def test_forgetting_a_resident_renames_every_device(session: Session, school: SchoolLink) -> None:
    phone = web_sessions.start(session=session, link=school, language="pt", now=TUESDAY_MORNING)
    web_sessions.issue_resume_code(session=session, web_session=phone.web_session)
    laptop = web_sessions.start(
        session=session,
        link=school,
        language="pt",
        now=TUESDAY_MORNING,
        external_id=phone.web_session.external_id,
    )
    old = phone.web_session.external_id
    web_sessions.forget_resident(session=session, web_session=phone.web_session)
    session.refresh(laptop.web_session)
    assert phone.web_session.external_id != old
    assert laptop.web_session.external_id == phone.web_session.external_id
    assert phone.web_session.resume_hash is None
