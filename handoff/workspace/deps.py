"""The workspace's session: an HttpOnly cookie holding a consultant token, and CSRF checks.

Signing in goes through `handoff.auth.login` (argon2, lockout); the cookie carries the token it
issues, so expiry and sign-out (revocation) are the API's. Every form carries a CSRF token
derived from the session token (an HMAC only the cookie's holder can compute); the sign-in
form, before there is a session, uses a double-submit cookie instead.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Protocol, cast

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from handoff import auth
from handoff.deps import NowDep, SessionDep
from handoff.errors import Unauthorized
from handoff.models import Consultant
from handoff.routing import SiteCalendar
from handoff.workspace.web import PREFIX, PageError, SignInRequired, language_of, render

SESSION_COOKIE = "tsunagu_ws"
SIGN_IN_COOKIE = "tsunagu_ws_signin"
MAX_TOKEN_CHARS = 128
_CSRF_PURPOSE = b"tsunagu workspace form"


class WorkspaceSettings(Protocol):
    """What the workspace reads of the application's settings (`bot.settings.Settings`)."""

    environment: str
    workspace_cookie_secure: bool | None


@dataclass(frozen=True, slots=True)
class Cookies:
    """How the workspace's cookies are set."""

    secure: bool
    path: str = PREFIX


def get_cookies(request: Request) -> Cookies:
    """Secure cookies in production (or as configured); plain HTTP in development and tests."""
    settings = cast(WorkspaceSettings | None, getattr(request.app.state, "settings", None))
    if settings is None:
        return Cookies(secure=True)
    if settings.workspace_cookie_secure is not None:
        return Cookies(secure=settings.workspace_cookie_secure)
    return Cookies(secure=settings.environment == "production")


CookiesDep = Annotated[Cookies, Depends(get_cookies)]


def get_lang(request: Request) -> str:
    """The consultant's language (ja, or en when chosen)."""
    return language_of(request)


LangDep = Annotated[str, Depends(get_lang)]


def session_token(request: Request) -> str | None:
    """The token in the session cookie, if it looks like one."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    return token


def form_token(token: str) -> str:
    """The CSRF token for forms of the session holding `token`."""
    return hmac.new(token.encode(), _CSRF_PURPOSE, hashlib.sha256).hexdigest()


def new_sign_in_token() -> str:
    """A random token for the sign-in form and its cookie."""
    return secrets.token_urlsafe(32)


def get_viewer(request: Request, session: SessionDep, now: NowDep) -> Consultant:
    """The signed-in consultant; anyone else is sent to the sign-in page."""
    token = session_token(request)
    if token is None:
        raise SignInRequired
    try:
        return auth.authenticate(session=session, token=token, now=now)
    except Unauthorized:
        raise SignInRequired from None


ViewerDep = Annotated[Consultant, Depends(get_viewer)]


def viewer_for(session: Session, token: str | None, now: datetime) -> Consultant | None:
    """The consultant of a session token, or None (for event streams, which cannot redirect)."""
    if token is None:
        return None
    try:
        return auth.authenticate(session=session, token=token, now=now)
    except Unauthorized:
        return None


def _same_site(request: Request) -> None:
    # Browsers say where a request comes from; a form posted from another site never counts.
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise PageError(403, "csrf")


def _matches(given: str, expected: str | None) -> bool:
    return expected is not None and hmac.compare_digest(given.encode(), expected.encode())


def check_csrf(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> None:
    """Refuse a posted form without this session's CSRF token."""
    _same_site(request)
    token = session_token(request)
    if token is None:
        raise SignInRequired
    if not _matches(csrf, form_token(token)):
        raise PageError(403, "csrf")


CsrfDep = Annotated[None, Depends(check_csrf)]


def check_sign_in_csrf(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> None:
    """Refuse a posted sign-in form whose token does not match its cookie (login CSRF)."""
    _same_site(request)
    if not _matches(csrf, request.cookies.get(SIGN_IN_COOKIE)):
        raise PageError(403, "csrf")


SignInCsrfDep = Annotated[None, Depends(check_sign_in_csrf)]


def check_any_csrf(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> None:
    """The session's token when signed in, else the sign-in form's (the language switch)."""
    _same_site(request)
    token = session_token(request)
    session_ok = token is not None and _matches(csrf, form_token(token))
    if not session_ok and not _matches(csrf, request.cookies.get(SIGN_IN_COOKIE)):
        raise PageError(403, "csrf")


AnyCsrfDep = Annotated[None, Depends(check_any_csrf)]


@dataclass(slots=True)
class Desk:
    """One request of a signed-in consultant: who, when, in which language, in which
    transaction, and the CSRF token their forms carry."""

    request: Request
    session: Session
    viewer: Consultant
    now: datetime
    lang: str
    csrf: str
    zone: str

    def page(self, template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
        """A page for this consultant."""
        return render(
            self.request,
            template,
            lang=self.lang,
            status_code=status_code,
            viewer=self.viewer,
            csrf=self.csrf,
            zone=self.zone,
            now=self.now,
            **context,
        )


def get_desk(
    request: Request, session: SessionDep, viewer: ViewerDep, now: NowDep, lang: LangDep
) -> Desk:
    """The signed-in consultant's request."""
    token = session_token(request)
    assert token is not None  # get_viewer has checked it
    return Desk(
        request=request,
        session=session,
        viewer=viewer,
        now=now,
        lang=lang,
        csrf=form_token(token),
        zone=SiteCalendar.load(session).timezone,
    )


DeskDep = Annotated[Desk, Depends(get_desk)]
