"""Pages: Jinja templates in the consultant's language, security headers, errors as pages.

Templates are autoescaped: whatever a resident wrote reaches the page as text. Strings go
through the shared Babel catalogs (`handoff.i18n.translations`, the one loader of locales/);
Japanese is the default, English the option, kept in a cookie.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from classifier import domains as taxonomy
from handoff import i18n
from handoff.errors import Forbidden, NotFound
from handoff.summary import domain_words, language_name, waiting_words
from handoff.workspace.charts import Bar, bar_chart

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
PREFIX = "/workspace"
HOME = f"{PREFIX}/queue"

LANGUAGES = ("ja", "en")
DEFAULT_LANGUAGE = "ja"
LANG_COOKIE = "tsunagu_ws_lang"

# Everything comes from this server: no inline script or style, nothing may frame a page.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}

log = logging.getLogger(__name__)


# -- errors the pages turn into responses ---------------------------------------------------


class SignInRequired(Exception):
    """No valid session: pages redirect to the sign-in page, scripts get 401."""


class PageError(Exception):
    """A refusal shown as a page: 403 (not allowed, bad CSRF token) or 404."""

    def __init__(self, status_code: int, reason: str) -> None:
        super().__init__(reason)
        self.status_code = status_code
        self.reason = reason


class ActionFailed(Exception):
    """An action could not be done; the consultant is sent back to `location`, told why.

    Raised out of the endpoint, so the request's transaction is rolled back first.
    """

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


# -- language and templates -----------------------------------------------------------------


def language_of(request: Request) -> str:
    """The consultant's language: the cookie's, Japanese by default."""
    chosen = request.cookies.get(LANG_COOKIE, DEFAULT_LANGUAGE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def _zone(context: Context) -> ZoneInfo:
    return ZoneInfo(str(context.get("zone") or "Asia/Tokyo"))


@pass_context
def _when(context: Context, moment: datetime | None) -> str:
    """'11月24日(火) 10:00' / 'Tue, Nov 24, 10:00 AM' in the site's timezone."""
    if moment is None:
        return ""
    return i18n.speaker(context["lang"]).weekday_time(moment, _zone(context))


@pass_context
def _iso(context: Context, moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(_zone(context)).isoformat(timespec="minutes")


@pass_context
def _duration(context: Context, span: timedelta | None) -> str:
    """'2時間15分' / '2 h 15 min'."""
    if span is None:
        return "–"
    return waiting_words(span, context["lang"])


@pass_context
def _domains(context: Context, domain_ids: list[str]) -> str:
    return domain_words(domain_ids, context["lang"])


@pass_context
def _language(context: Context, code: str) -> str:
    return language_name(code, context["lang"])


@pass_context
def _agency(context: Context, agency: Any) -> str:
    return str(agency.name(context["lang"])) if agency is not None else ""


def _chart(bars: Sequence[Bar], chart_id: str, title: str, description: str) -> Markup:
    return bar_chart(bars, chart_id=chart_id, title=title, description=description)


@cache
def environment(lang: str) -> Environment:
    """The templates with the catalog of `lang` installed (one environment per language)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    install: Callable[..., None] = env.install_gettext_translations  # type: ignore[attr-defined]
    install(i18n.translations(lang), newstyle=True)
    env.globals.update(
        static=static_url,
        prefix=PREFIX,
        languages=LANGUAGES,
        domain_choices=[domain.id for domain in taxonomy.DOMAINS],
        chart=_chart,
    )
    env.filters.update(
        when=_when,
        iso=_iso,
        duration=_duration,
        domains=_domains,
        language=_language,
        agency=_agency,
        urlquote=lambda text: quote(str(text), safe=""),
    )
    return env


def labels(lang: str) -> Any:
    """Strings Python needs (chart and CSV labels), kept in a template so Babel extracts them."""
    return environment(lang).get_template("_labels.html").module


def render(
    request: Request,
    template: str,
    *,
    lang: str,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page (or a fragment of one) in `lang`."""
    html = (
        environment(lang)
        .get_template(template)
        .render(lang=lang, path=request.url.path, query=str(request.url.query), **context)
    )
    return HTMLResponse(html, status_code=status_code, headers={**PAGE_HEADERS, **(headers or {})})


def static_url(name: str) -> str:
    """The URL of a static file, with its content hash so a browser never keeps a stale copy."""
    return f"{PREFIX}/static/{name}?v={static_version(name)}"


@cache
def static_version(name: str) -> str:
    """A short hash of a static file's content."""
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:10]


def safe_next(target: str | None) -> str:
    """A path inside the workspace to go to after signing in; anything else goes home."""
    if not target or len(target) > 500:
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target or target.startswith("//"):
        return HOME
    if parts.path != PREFIX and not parts.path.startswith(PREFIX + "/"):
        return HOME
    return target


def see_other(location: str) -> RedirectResponse:
    """303 to `location` (after a form is posted, the browser GETs the result)."""
    return RedirectResponse(location, status_code=303, headers=PAGE_HEADERS)


# -- the route class: HTML errors and security headers for every workspace response ---------


def error_page(request: Request, status_code: int, reason: str) -> HTMLResponse:
    """A small page saying what went wrong, in the consultant's language."""
    return render(
        request,
        "error.html",
        lang=language_of(request),
        status_code=status_code,
        reason=reason,
        viewer=None,
    )


def _sign_in(request: Request) -> Response:
    scripted = request.headers.get("x-requested-with") == "fetch"
    if scripted or "text/event-stream" in request.headers.get("accept", ""):
        return Response(status_code=401, headers=PAGE_HEADERS)
    if request.method == "GET":
        path, query = request.url.path, request.url.query
    else:  # back to the page the form was on
        referer = urlsplit(request.headers.get("referer", ""))
        path, query = referer.path, referer.query
    target = safe_next(path + (f"?{query}" if query else ""))
    return see_other(f"{PREFIX}/login?next={quote(target, safe='')}")


class WorkspaceRoute(APIRoute):
    """Turns the workspace's exceptions into pages and redirects, and adds security headers.

    Exceptions leave the endpoint first, so the request's transaction is rolled back.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                response = await handler(request)
            except SignInRequired:
                response = _sign_in(request)
            except ActionFailed as failure:
                response = see_other(failure.location)
            except PageError as error:
                response = error_page(request, error.status_code, error.reason)
            except NotFound:
                response = error_page(request, 404, "not-found")
            except Forbidden:
                response = error_page(request, 403, "forbidden")
            except RequestValidationError:
                response = error_page(request, 400, "invalid")
            for name, value in PAGE_HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return guarded
