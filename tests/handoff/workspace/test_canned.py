"""Canned replies: read by everyone, written by supervisors only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from handoff.errors import Forbidden, InvalidInput
from handoff.models import CannedReply
from handoff.workspace import canned
from tests.factories import TUESDAY_MORNING, consultant_by_email
from tests.handoff.workspace.conftest import TAKAHASHI, YAMAMOTO, Desk


def test_supervisors_add_rewrite_and_remove(desk: Desk) -> None:
    browser = desk.signed_in(TAKAHASHI)
    added = browser.act(
        "/workspace/canned",
        {"language": "pt", "title": "Saudação", "text": "Obrigado por escrever. <b>Oi</b>"},
    )
    assert added.status_code == 303
    reply = desk.session.scalars(select(CannedReply)).one()
    assert added.headers["location"] == f"/workspace/canned?done=saved#canned-{reply.id}"
    assert reply.updated_by_id == consultant_by_email(desk.session, TAKAHASHI).id
    page = browser.get("/workspace/canned")
    assert "Obrigado por escrever. &lt;b&gt;Oi&lt;/b&gt;" in page.text
    assert "高橋 健一" in page.text  # who edited last

    desk.clock.now += timedelta(hours=1)
    browser.act(
        f"/workspace/canned/{reply.id}",
        {"language": "pt", "title": "Primeiro contato", "text": "Olá!"},
    )
    desk.session.refresh(reply)
    assert (reply.title, reply.text) == ("Primeiro contato", "Olá!")
    assert reply.updated_at == TUESDAY_MORNING + timedelta(hours=1)

    removed = browser.act(f"/workspace/canned/{reply.id}/delete")
    assert removed.headers["location"] == "/workspace/canned?done=deleted"
    assert desk.session.scalars(select(CannedReply)).all() == []


def test_consultants_read_but_cannot_write(desk: Desk) -> None:
    canned.add_canned_reply(
        session=desk.session,
        editor=consultant_by_email(desk.session, TAKAHASHI),
        language="ja",
        title="ごあいさつ",
        text="ご相談ありがとうございます。",
        now=TUESDAY_MORNING,
    )
    browser = desk.signed_in(YAMAMOTO)
    page = browser.get("/workspace/canned")
    assert "ご相談ありがとうございます。" in page.text
    assert 'action="/workspace/canned"' not in page.text
    refused = browser.act(
        "/workspace/canned", {"language": "ja", "title": "x", "text": "勝手な定型文"}
    )
    assert refused.status_code == 403
    reply = desk.session.scalars(select(CannedReply)).one()
    assert browser.act(f"/workspace/canned/{reply.id}/delete").status_code == 403
    assert browser.act("/workspace/canned/starters").status_code == 403
    assert len(desk.session.scalars(select(CannedReply)).all()) == 1


@pytest.mark.parametrize(
    "form",
    [
        {"language": "xx", "title": "t", "text": "x"},
        {"language": "ja", "title": " ", "text": "x"},
        {"language": "ja", "title": "t", "text": "  "},
    ],
)
def test_a_canned_reply_needs_a_language_a_title_and_a_text(
    desk: Desk, form: dict[str, str]
) -> None:
    response = desk.signed_in(TAKAHASHI).act("/workspace/canned", form)
    assert response.headers["location"] == "/workspace/canned?error=invalid"
    assert desk.session.scalars(select(CannedReply)).all() == []


def test_an_unknown_canned_reply_is_not_found(desk: Desk) -> None:
    response = desk.signed_in(TAKAHASHI).act(
        "/workspace/canned/424242", {"language": "ja", "title": "t", "text": "x"}
    )
    assert response.status_code == 404


def test_starters_fill_only_languages_without_canned_replies(desk: Desk) -> None:
    supervisor = consultant_by_email(desk.session, TAKAHASHI)
    canned.add_canned_reply(
        session=desk.session,
        editor=supervisor,
        language="en",
        title="Ours",
        text="Our own greeting.",
        now=TUESDAY_MORNING,
    )
    added = canned.add_starter_replies(session=desk.session, editor=supervisor, now=TUESDAY_MORNING)
    assert added == len(canned.STARTERS["ja"]) + len(canned.STARTERS["pt"])
    english = canned.canned_replies(session=desk.session, language="en")
    assert [reply.title for reply in english] == ["Ours"]
    assert (
        canned.add_starter_replies(session=desk.session, editor=supervisor, now=TUESDAY_MORNING)
        == 0
    )


def test_the_services_refuse_what_the_pages_refuse(desk: Desk) -> None:
    consultant = consultant_by_email(desk.session, YAMAMOTO)
    with pytest.raises(Forbidden):
        canned.add_canned_reply(
            session=desk.session,
            editor=consultant,
            language="ja",
            title="t",
            text="x",
            now=TUESDAY_MORNING,
        )
    supervisor = consultant_by_email(desk.session, TAKAHASHI)
    with pytest.raises(InvalidInput):
        canned.add_canned_reply(
            session=desk.session,
            editor=supervisor,
            language="ja",
            title="t" * (canned.MAX_TITLE + 1),
            text="x",
            now=TUESDAY_MORNING,
        )
