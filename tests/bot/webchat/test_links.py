"""School links: random codes, a language, and turning a link off."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from bot.webchat import links
from handoff.errors import InvalidInput, NotFound
from tests.factories import TUESDAY_MORNING


def test_codes_are_random_and_url_safe(session: Session) -> None:
    made = {
        links.create_link(session=session, label="学校", language="ja", now=TUESDAY_MORNING).code
        for _ in range(20)
    }
    assert len(made) == 20
    for code in made:
        assert len(code) == links.CODE_LENGTH and code.isalnum() and code.isascii()


@pytest.mark.parametrize(("tag", "language"), [("pt", "pt"), ("pt-BR", "pt"), ("EN", "en")])
def test_language_tags_are_understood(session: Session, tag: str, language: str) -> None:
    link = links.create_link(session=session, label="x", language=tag, now=TUESDAY_MORNING)
    assert link.language == language


@pytest.mark.parametrize("tag", ["fr", "", "zz-ZZ"])
def test_other_languages_are_refused(session: Session, tag: str) -> None:
    with pytest.raises(InvalidInput):
        links.create_link(session=session, label="x", language=tag, now=TUESDAY_MORNING)


@pytest.mark.parametrize("label", ["", "   ", "x" * 201])
def test_a_label_is_required_and_short(session: Session, label: str) -> None:
    with pytest.raises(InvalidInput):
        links.create_link(session=session, label=label, language="ja", now=TUESDAY_MORNING)


def test_a_turned_off_link_is_only_found_when_asked(session: Session) -> None:
    link = links.create_link(session=session, label=" 学校 ", language="ja", now=TUESDAY_MORNING)
    assert link.label == "学校"
    assert links.find_link(session=session, code=link.code) is link
    links.deactivate_link(session=session, code=link.code)
    assert links.find_link(session=session, code=link.code) is None
    assert links.find_link(session=session, code=link.code, active_only=False) is link
    with pytest.raises(NotFound):
        links.deactivate_link(session=session, code="missing123")


def test_odd_codes_are_not_looked_up(session: Session) -> None:
    for code in ("", "a'b", "x" * 33, "%"):
        assert links.find_link(session=session, code=code) is None


def test_the_url_joins_the_base_and_the_code() -> None:
    assert links.link_url("https://chat.example.jp/", "AbC123xyz0") == (
        "https://chat.example.jp/c/AbC123xyz0"
    )
