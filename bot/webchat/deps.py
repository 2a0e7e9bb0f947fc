"""Dependencies of the web chat routes: its state, the link in the URL, the resident's
session from the cookie, and a guard against cross-site posts."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, HTTPException, Path, Request, status

from bot.deps import SessionDep
from bot.webchat.links import find_link
from bot.webchat.state import WebChat
from bot.webchat.web_sessions import COOKIE, from_token
from handoff.i18n import speaker
from handoff.models import SchoolLink, WebSession

LinkCode = Annotated[str, Path(description="The school link's code.")]


def get_webchat(request: Request) -> WebChat:
    """The web chat's state, set up by install()."""
    return cast(WebChat, request.app.state.webchat)


WebChatDep = Annotated[WebChat, Depends(get_webchat)]


def same_origin(request: Request) -> None:
    """Refuse requests a browser marks as coming from another site (the SameSite=Lax cookie
    already keeps them out; this says so plainly)."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "requests from other sites are refused")


SameOrigin = Depends(same_origin)


def get_link(code: LinkCode, session: SessionDep) -> SchoolLink:
    """The link in the URL. A link that was turned off still serves the chats begun on it."""
    link = find_link(session=session, code=code, active_only=False)
    if link is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such chat link")
    return link


LinkDep = Annotated[SchoolLink, Depends(get_link)]


def get_web_session(request: Request, session: SessionDep, link: LinkDep) -> WebSession:
    """The resident's session from their cookie."""
    web_session = from_token(session=session, token=request.cookies.get(COOKIE))
    if web_session is None:
        message = speaker(link.language)._(
            "This chat has expired on this device. Please reload the page."
        )
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, message)
    return web_session


WebSessionDep = Annotated[WebSession, Depends(get_web_session)]
