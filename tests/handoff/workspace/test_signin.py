"""Signing in and out: argon2 through handoff.auth, the session cookie, CSRF, lockout."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from handoff.models import ApiToken
from handoff.workspace.deps import SESSION_COOKIE, SIGN_IN_COOKIE, form_token, get_cookies
from handoff.workspace.web import HOME, safe_next
from tests.handoff.workspace.conftest import CSRF, SUZUKI, YAMAMOTO, Desk


def test_pages_send_a_stranger_to_the_sign_in_page(desk: Desk) -> None:
    response = desk.browser().get("/workspace/tickets/1?x=1")
    assert response.status_code == 303
    assert (
        response.headers["location"] == "/workspace/login?next=%2Fworkspace%2Ftickets%2F1%3Fx%3D1"
    )
    home = desk.browser().get("/workspace/")
    assert home.headers["location"] == HOME


def test_the_sign_in_page_speaks_japanese_and_carries_a_form_token(desk: Desk) -> None:
    browser = desk.browser()
    page = browser.get("/workspace/login")
    assert page.status_code == 200
    assert '<html lang="ja">' in page.text
    token = CSRF.search(page.text)
    assert token is not None and browser.cookies[SIGN_IN_COOKIE] == token.group(1)
    header = page.headers["set-cookie"]
    assert "HttpOnly" in header and "SameSite=strict" in header and "Path=/workspace" in header
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"


def test_signing_in_sets_an_httponly_samesite_session_cookie(desk: Desk) -> None:
    browser = desk.browser()
    response = browser.sign_in(YAMAMOTO)
    assert response.status_code == 303
    assert response.headers["location"] == HOME
    cookie = next(
        header
        for header in response.headers.get_list("set-cookie")
        if header.startswith(SESSION_COOKIE + "=")
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/workspace" in cookie
    assert "Secure" not in cookie  # the test environment is plain HTTP
    assert "Max-Age=43200" in cookie
    queue = browser.get("/workspace/queue")
    assert queue.status_code == 200
    assert "山本 直樹" in queue.text
    # The cookie holds a token of the consultant API: only its hash is stored.
    token = browser.cookies[SESSION_COOKIE]
    stored = desk.session.scalars(select(ApiToken.token_hash)).all()
    assert token not in stored and len(stored) == 1


def test_signing_in_goes_back_where_the_consultant_was_going(desk: Desk) -> None:
    browser = desk.browser()
    page = browser.get("/workspace/login?next=%2Fworkspace%2Fstats")
    token = CSRF.search(page.text)
    assert token is not None and 'name="next" value="/workspace/stats"' in page.text
    response = browser.post(
        "/workspace/login",
        {
            "email": YAMAMOTO,
            "password": "tsunagu-demo",
            "csrf": token.group(1),
            "next": "/workspace/stats",
        },
    )
    assert response.headers["location"] == "/workspace/stats"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (None, HOME),
        ("/workspace/tickets/3", "/workspace/tickets/3"),
        ("/workspace", "/workspace"),
        ("https://evil.example/workspace", HOME),
        ("//evil.example/workspace", HOME),
        ("/\\evil.example", HOME),
        ("/api/tickets", HOME),
        ("/workspaces-elsewhere", HOME),
        ("javascript:alert(1)", HOME),
    ],
)
def test_only_workspace_paths_are_followed_after_signing_in(
    target: str | None, expected: str
) -> None:
    assert safe_next(target) == expected


def test_a_wrong_password_is_refused_in_the_page(desk: Desk) -> None:
    response = desk.browser().sign_in(YAMAMOTO, "not-the-password")
    assert response.status_code == 401
    assert 'id="sign-in-problem"' in response.text
    assert f'value="{YAMAMOTO}"' in response.text
    assert f"{SESSION_COOKIE}=" not in response.headers.get("set-cookie", "")


def test_repeated_failures_lock_the_address_out(desk: Desk) -> None:
    browser = desk.browser()
    for _ in range(5):
        assert browser.sign_in(SUZUKI, "wrong-password").status_code == 401
    locked = browser.sign_in(SUZUKI)  # even the right password, for a while
    assert locked.status_code == 429
    assert 'id="sign-in-problem"' in locked.text
    desk.clock.now += timedelta(minutes=16)
    assert browser.sign_in(SUZUKI).status_code == 303


def test_the_sign_in_form_needs_its_token(desk: Desk) -> None:
    browser = desk.browser()
    browser.get("/workspace/login")
    forged = browser.post(
        "/workspace/login", {"email": YAMAMOTO, "password": "tsunagu-demo", "csrf": "forged"}
    )
    assert forged.status_code == 403
    assert SESSION_COOKIE not in browser.cookies
    cross_site = desk.browser()
    page = cross_site.get("/workspace/login")
    token = CSRF.search(page.text)
    assert token is not None
    refused = cross_site.post(
        "/workspace/login",
        {"email": YAMAMOTO, "password": "tsunagu-demo", "csrf": token.group(1)},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert refused.status_code == 403


def test_signing_out_revokes_the_token(desk: Desk) -> None:
    browser = desk.signed_in(YAMAMOTO)
    token = browser.cookies[SESSION_COOKIE]
    response = browser.act("/workspace/logout")
    assert response.status_code == 303
    assert response.headers["location"] == "/workspace/login?signed_out=1"
    assert SESSION_COOKIE not in browser.cookies
    assert desk.session.scalars(select(ApiToken.revoked_at)).one() is not None
    # The old cookie, replayed, is worth nothing.
    browser.cookies[SESSION_COOKIE] = token
    assert browser.get("/workspace/queue").status_code == 303


def test_signing_out_needs_the_form_token(desk: Desk) -> None:
    browser = desk.signed_in(YAMAMOTO)
    assert browser.post("/workspace/logout", {"csrf": "nope"}).status_code == 403
    assert browser.get("/workspace/queue").status_code == 200


def test_form_tokens_belong_to_their_session() -> None:
    assert form_token("a") != form_token("b")
    assert form_token("a") == form_token("a")
    assert len(form_token("a")) == 64


def test_english_is_an_option_kept_in_a_cookie(desk: Desk) -> None:
    browser = desk.signed_in(YAMAMOTO)
    switched = browser.act("/workspace/language", {"lang": "en", "next": "/workspace/queue"})
    assert switched.status_code == 303
    assert switched.headers["location"] == "/workspace/queue"
    assert "HttpOnly" in switched.headers["set-cookie"]
    assert '<html lang="en">' in browser.get("/workspace/queue").text
    browser.act("/workspace/language", {"lang": "xx", "next": "https://evil.example/"})
    assert '<html lang="en">' in browser.get("/workspace/queue").text
    browser.act("/workspace/language", {"lang": "ja"})
    assert '<html lang="ja">' in browser.get("/workspace/queue").text


def test_the_language_can_be_chosen_before_signing_in(desk: Desk) -> None:
    browser = desk.browser()
    page = browser.get("/workspace/login")
    token = CSRF.search(page.text)
    assert token is not None
    response = browser.post(
        "/workspace/language", {"lang": "en", "next": "/workspace/login", "csrf": token.group(1)}
    )
    assert response.status_code == 303
    assert '<html lang="en">' in browser.get("/workspace/login").text


def _settings(**values: Any) -> Any:
    return SimpleNamespace(
        app=SimpleNamespace(state=SimpleNamespace(settings=SimpleNamespace(**values)))
    )


@pytest.mark.parametrize(
    ("environment", "explicit", "secure"),
    [
        ("production", None, True),
        ("development", None, False),
        ("test", None, False),
        ("development", True, True),
        ("production", False, False),
    ],
)
def test_cookies_are_secure_in_production(
    environment: str, explicit: bool | None, secure: bool
) -> None:
    request = _settings(environment=environment, workspace_cookie_secure=explicit)
    assert get_cookies(request).secure is secure
