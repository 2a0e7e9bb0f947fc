"""Signing in and out, and choosing the workspace's language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response

from handoff import auth
from handoff.deps import LoginPolicyDep, NowDep, SessionmakerDep
from handoff.errors import RateLimited, Unauthorized
from handoff.workspace.deps import (
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    AnyCsrfDep,
    CookiesDep,
    LangDep,
    SignInCsrfDep,
    new_sign_in_token,
    session_token,
)
from handoff.workspace.web import (
    HOME,
    LANG_COOKIE,
    LANGUAGES,
    PREFIX,
    WorkspaceRoute,
    render,
    safe_next,
    see_other,
)

router = APIRouter(route_class=WorkspaceRoute)

SIGN_IN_MINUTES = 60
LANGUAGE_DAYS = 400


@router.get("/")
def home() -> Response:
    """The workspace starts at the queue."""
    return see_other(HOME)


def _sign_in_page(
    request: Request,
    *,
    lang: str,
    cookies: CookiesDep,
    target: str,
    email: str = "",
    problem: str | None = None,
    retry_minutes: int = 0,
    status_code: int = 200,
) -> Response:
    token = new_sign_in_token()
    response = render(
        request,
        "login.html",
        lang=lang,
        status_code=status_code,
        csrf=token,
        next=target,
        email=email,
        problem=problem,
        retry_minutes=retry_minutes,
        signed_out=request.query_params.get("signed_out") == "1",
        viewer=None,
    )
    response.set_cookie(
        SIGN_IN_COOKIE,
        token,
        max_age=SIGN_IN_MINUTES * 60,
        path=cookies.path,
        secure=cookies.secure,
        httponly=True,
        samesite="strict",
    )
    return response


@router.get("/login")
def sign_in_page(
    request: Request,
    lang: LangDep,
    cookies: CookiesDep,
    sessions: SessionmakerDep,
    now: NowDep,
    next: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """The sign-in form; someone already signed in goes on."""
    target = safe_next(next)
    token = session_token(request)
    if token is not None:
        with sessions.begin() as session:
            try:
                auth.authenticate(session=session, token=token, now=now)
            except Unauthorized:
                pass
            else:
                return see_other(target)
    return _sign_in_page(request, lang=lang, cookies=cookies, target=target)


@router.post("/login")
def sign_in(
    request: Request,
    _: SignInCsrfDep,
    lang: LangDep,
    cookies: CookiesDep,
    sessions: SessionmakerDep,
    now: NowDep,
    policy: LoginPolicyDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Check the password (argon2; repeated failures lock the address out for a while) and
    start a session: an HttpOnly, SameSite cookie holding a fresh token."""
    target = safe_next(next)
    client_ip = request.client.host if request.client else "unknown"
    failure: Unauthorized | RateLimited | None = None
    with sessions.begin() as session:  # committed even on failure: the attempt must count
        try:
            issued = auth.login(
                session=session,
                email=email,
                password=password,
                client_ip=client_ip,
                now=now,
                policy=policy,
            )
        except (Unauthorized, RateLimited) as error:
            failure = error
    if isinstance(failure, RateLimited):
        minutes = max(1, -(-failure.retry_after // 60))
        return _sign_in_page(
            request,
            lang=lang,
            cookies=cookies,
            target=target,
            email=email,
            problem="locked",
            retry_minutes=minutes,
            status_code=429,
        )
    if failure is not None:
        return _sign_in_page(
            request,
            lang=lang,
            cookies=cookies,
            target=target,
            email=email,
            problem="wrong",
            status_code=401,
        )
    response = see_other(target)
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        max_age=int(policy.token_ttl.total_seconds()),
        path=cookies.path,
        secure=cookies.secure,
        httponly=True,
        samesite="lax",
    )
    response.delete_cookie(SIGN_IN_COOKIE, path=cookies.path)
    return response


@router.post("/logout")
def sign_out(
    request: Request,
    _: AnyCsrfDep,
    cookies: CookiesDep,
    sessions: SessionmakerDep,
    now: NowDep,
) -> Response:
    """End the session: the token is revoked, the cookie removed."""
    token = session_token(request)
    if token is not None:
        with sessions.begin() as session:
            auth.revoke(session=session, token=token, now=now)
    response = see_other(f"{PREFIX}/login?signed_out=1")
    response.delete_cookie(SESSION_COOKIE, path=cookies.path, secure=cookies.secure, httponly=True)
    return response


@router.post("/language")
def choose_language(
    _: AnyCsrfDep,
    cookies: CookiesDep,
    lang: Annotated[str, Form(max_length=8)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Switch the workspace between Japanese and English (kept in a cookie)."""
    response = see_other(safe_next(next))
    if lang in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=LANGUAGE_DAYS * 24 * 3600,
            path=cookies.path,
            secure=cookies.secure,
            httponly=True,
            samesite="lax",
        )
    return response
