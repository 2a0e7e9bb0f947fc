"""Canned replies: everyone reads them; supervisors add, rewrite and remove them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Response

from handoff.errors import InvalidInput
from handoff.schemas import MAX_ID, MAX_TEXT
from handoff.workspace import canned
from handoff.workspace.deps import CsrfDep, DeskDep
from handoff.workspace.web import PREFIX, ActionFailed, WorkspaceRoute, see_other

router = APIRouter(route_class=WorkspaceRoute)

CannedId = Annotated[int, Path(ge=1, le=MAX_ID)]
Language = Annotated[str, Form(max_length=8)]
Title = Annotated[str, Form(max_length=canned.MAX_TITLE)]
Text = Annotated[str, Form(max_length=MAX_TEXT)]
Key = Annotated[str | None, Query(max_length=20, pattern=r"^[a-z-]+$")]
HERE = f"{PREFIX}/canned"


def _refused() -> ActionFailed:
    return ActionFailed(f"{HERE}?error=invalid")


@router.get("/canned")
def canned_page(desk: DeskDep, done: Key = None, error: Key = None) -> Response:
    """The canned replies of every resident language."""
    replies = canned.canned_replies(session=desk.session)
    return desk.page(
        "canned.html",
        replies=replies,
        canned_languages=canned.LANGUAGES,
        done=done,
        error=error,
    )


@router.post("/canned")
def add(
    desk: DeskDep, _: CsrfDep, language: Language = "", title: Title = "", text: Text = ""
) -> Response:
    """A new canned reply (supervisors)."""
    try:
        added = canned.add_canned_reply(
            session=desk.session,
            editor=desk.viewer,
            language=language,
            title=title,
            text=text,
            now=desk.now,
        )
    except InvalidInput:
        raise _refused() from None
    return see_other(f"{HERE}?done=saved#canned-{added.id}")


@router.post("/canned/starters")
def add_starters(desk: DeskDep, _: CsrfDep) -> Response:
    """Add the starter set in each language without canned replies (supervisors)."""
    canned.add_starter_replies(session=desk.session, editor=desk.viewer, now=desk.now)
    return see_other(f"{HERE}?done=saved")


@router.post("/canned/{canned_id}")
def update(
    canned_id: CannedId,
    desk: DeskDep,
    _: CsrfDep,
    language: Language = "",
    title: Title = "",
    text: Text = "",
) -> Response:
    """Rewrite a canned reply (supervisors)."""
    try:
        canned.update_canned_reply(
            session=desk.session,
            editor=desk.viewer,
            canned_id=canned_id,
            language=language,
            title=title,
            text=text,
            now=desk.now,
        )
    except InvalidInput:
        raise _refused() from None
    return see_other(f"{HERE}?done=saved#canned-{canned_id}")


@router.post("/canned/{canned_id}/delete")
def delete(canned_id: CannedId, desk: DeskDep, _: CsrfDep) -> Response:
    """Remove a canned reply (supervisors)."""
    canned.delete_canned_reply(session=desk.session, editor=desk.viewer, canned_id=canned_id)
    return see_other(f"{HERE}?done=deleted")
