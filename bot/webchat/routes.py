"""The web chat: the page at /c/{code} and the JSON API and event stream it uses."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Hashable
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Header, HTTPException, Query, Request, Response, status
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.deps import DialogueDep, NowDep, SessionDep, SessionmakerDep
from bot.dialogue import Command, Dialogue, Inbound, Kind, Outbound
from bot.webchat import web_sessions
from bot.webchat.deps import LinkCode, LinkDep, SameOrigin, WebChatDep, WebSessionDep
from bot.webchat.limits import RateLimit
from bot.webchat.links import find_link
from bot.webchat.schemas import (
    MAX_TEXT,
    BubbleOut,
    ChoiceOut,
    ReplyOut,
    ResumeCodeOut,
    ResumedOut,
    ResumeRequest,
    SendRequest,
    UpdatesOut,
)
from bot.webchat.state import PAGE_HEADERS, WebChat
from bot.webchat.transcript import Bubble, Cursor, bot_bubbles, conversation
from handoff import tickets
from handoff.i18n import LOCALES, Speaker, language_of, speaker
from handoff.models import Channel, EmergencyContact, SchoolLink, WebSession

router = APIRouter(tags=["web chat"])

LANGUAGE_NAMES = {"ja": "日本語", "en": "English", "pt": "Português"}
HTML_LANG = {"ja": "ja", "en": "en", "pt": "pt-BR"}
NO_STORE = {"Cache-Control": "no-store"}


# -- the page -------------------------------------------------------------------------------


@router.get("/c/{code}", response_class=HTMLResponse, include_in_schema=False)
def chat_page(
    code: LinkCode,
    request: Request,
    session: SessionDep,
    now: NowDep,
    dialogue: DialogueDep,
    chat: WebChatDep,
) -> Response:
    """The chat page: the conversation so far, or a welcome on the first visit."""
    link = find_link(session=session, code=code, active_only=False)
    web_session = web_sessions.from_token(
        session=session, token=request.cookies.get(web_sessions.COOKIE)
    )
    if link is None or (not link.active and web_session is None):
        return _not_found(chat)
    started = None
    if web_session is None:
        started = web_sessions.start(session=session, link=link, language=link.language, now=now)
        web_session = started.web_session
    web_session.last_seen_at = now
    resident = tickets.find_resident(
        session=session, channel=Channel.web, external_id=web_session.external_id
    )
    lang = language_of(resident.language if resident else web_session.language)
    web_session.language = lang
    talk = speaker(lang)
    bubbles, choices, after = _opening(
        session=session,
        dialogue=dialogue,
        inbound=_inbound(web_session, link, now=now, kind=Kind.follow),
        consented=resident is not None and resident.consent_at is not None,
        talk=talk,
    )
    html = chat.render(
        "chat.html",
        _=talk._,
        lang=lang,
        html_lang=HTML_LANG[lang],
        code=link.code,
        bubbles=bubbles,
        choices=choices,
        after=str(after),
        max_text=MAX_TEXT,
        languages=[(tag, LANGUAGE_NAMES[tag], HTML_LANG[tag]) for tag in LOCALES],
        emergency=_emergency(session, lang),
        left=request.query_params.get("left") == "1",
        strings=_page_strings(talk),
    )
    response = HTMLResponse(html, headers=PAGE_HEADERS)
    if started is not None:
        _set_cookie(response, request, chat, started.token)
    return response


def _opening(
    *,
    session: Session,
    dialogue: Dialogue,
    inbound: Inbound,
    consented: bool,
    talk: Speaker,
) -> tuple[list[Bubble], list[ChoiceOut], Cursor]:
    """What the page starts with: the welcome and consent while there is no consent yet;
    afterwards the stored conversation, and who the consultant is now."""
    bubbles, cursor = conversation(session=session, external_id=inbound.external_id, speaker=talk)
    if not consented:
        welcome = dialogue.respond(inbound, session=session)
        return bot_bubbles(welcome.texts), _choices(welcome), cursor
    who = dialogue.respond(
        Inbound(
            channel=inbound.channel,
            external_id=inbound.external_id,
            kind=Kind.command,
            text=Command.who.value,
            received_at=inbound.received_at,
            language=inbound.language,
        ),
        session=session,
    )
    if who.ticket_number is not None:
        bubbles += bot_bubbles(who.texts)
    elif not bubbles:
        bubbles = bot_bubbles([talk._("Welcome back. Please write whenever you are ready.")])
    return bubbles, [], cursor


def _not_found(chat: WebChat) -> HTMLResponse:
    # No language is known for an unknown link: say it in all three.
    notices = [
        (HTML_LANG[tag], speaker(tag)._("This chat link is not in use."), _link_help(tag))
        for tag in ("ja", "pt", "en")
    ]
    html = chat.render("not_found.html", notices=notices)
    return HTMLResponse(html, status_code=status.HTTP_404_NOT_FOUND, headers=PAGE_HEADERS)


def _link_help(lang: str) -> str:
    return speaker(lang)._(
        "Please check the address in your school mail, or ask the school for the current link."
    )


def _emergency(session: Session, lang: str) -> list[tuple[str, str, str]]:
    """(name, number, note) of each emergency contact, in `lang`."""
    contacts = session.scalars(select(EmergencyContact).order_by(EmergencyContact.position))
    return [
        (
            contact.names.get(lang) or contact.names.get("ja") or contact.key,
            contact.number,
            (contact.notes or {}).get(lang) or "",
        )
        for contact in contacts
    ]


def _page_strings(talk: Speaker) -> dict[str, str]:
    """What the script says, in the page's language."""
    return {
        "you": talk._("You"),
        "bot": talk._("Consultation desk"),
        "sending": talk._("Sending…"),
        "failed": talk._("Your message could not be sent. Please try again."),
        "offline": talk._("The connection was lost. New replies will appear when it is back."),
        "expired": talk._("This chat has expired on this device. Please reload the page."),
        "copied": talk._("Code ready. Write it down or copy it."),
        "resumeFailed": talk._("That code did not work. Please check it and try again."),
    }


# -- the JSON API ---------------------------------------------------------------------------


@router.post(
    "/c/{code}/messages",
    dependencies=[SameOrigin],
    responses={401: {}, 404: {}, 413: {}, 422: {}, 429: {}},
)
def send_message(
    body: SendRequest,
    link: LinkDep,
    web_session: WebSessionDep,
    session: SessionDep,
    now: NowDep,
    dialogue: DialogueDep,
    chat: WebChatDep,
) -> JSONResponse:
    """Send what the resident wrote (or the choice they tapped); get the bot's answer."""
    talk = speaker(web_session.language)
    _limit(
        chat.messages,
        web_session.id,
        talk._("You are sending messages very quickly. Please wait a moment and try again."),
    )
    kind, text = (
        (Kind.command, body.command) if body.command is not None else (Kind.text, body.text)
    )
    inbound = _inbound(web_session, link, now=now, kind=kind, text=text or "")
    outbound = dialogue.respond(inbound, session=session)
    cleared = kind is Kind.command and text == Command.delete_yes.value
    if cleared:
        web_sessions.forget_resident(session=session, web_session=web_session)
    reload = outbound.language != web_session.language
    web_session.language = outbound.language
    web_session.last_seen_at = now
    reply = ReplyOut(
        language=outbound.language,
        bubbles=[_out(bubble) for bubble in bot_bubbles(outbound.texts)],
        choices=_choices(outbound),
        crisis=outbound.crisis,
        reload=reload,
        clear=cleared,
    )
    return JSONResponse(reply.model_dump(), headers=NO_STORE)


@router.get("/c/{code}/events", responses={401: {}, 404: {}, 422: {}})
async def events(
    request: Request,
    link: LinkDep,
    web_session: WebSessionDep,
    sessions: SessionmakerDep,
    chat: WebChatDep,
    after: Annotated[str, Query(max_length=24, pattern=r"^\d{1,10}(\.\d{1,10})?$")] = "0",
    last_event_id: Annotated[str | None, Header(max_length=24)] = None,
) -> Response:
    """Replies and notices for this resident after the cursor `after` (the page has it): a
    server-sent event stream when the browser asks for one (Accept: text/event-stream), else
    the ones waiting now as JSON, for polling."""
    cursor = (Cursor.parse(after) or Cursor()) | (Cursor.parse(last_event_id) or Cursor())
    external_id, lang = web_session.external_id, web_session.language
    if "text/event-stream" not in request.headers.get("accept", ""):
        bubbles, cursor = await asyncio.to_thread(_live, sessions, external_id, cursor, lang)
        updates = UpdatesOut(bubbles=[_out(bubble) for bubble in bubbles], after=str(cursor))
        return JSONResponse(updates.model_dump(), headers=NO_STORE)
    stream = _stream(request, sessions, chat, external_id=external_id, cursor=cursor, lang=lang)
    return StreamingResponse(
        stream,
        media_type="text/event-stream",
        headers={**NO_STORE, "X-Accel-Buffering": "no"},
    )


async def _stream(
    request: Request,
    sessions: sessionmaker[Session],
    chat: WebChat,
    *,
    external_id: str,
    cursor: Cursor,
    lang: str,
) -> AsyncIterator[str]:
    ends = time.monotonic() + chat.stream_seconds
    quiet_since = time.monotonic()
    yield f"retry: {int(chat.poll_seconds * 2000) + 1000}\n\n"
    while time.monotonic() < ends and not await request.is_disconnected():
        bubbles, cursor = await asyncio.to_thread(_live, sessions, external_id, cursor, lang)
        for bubble in bubbles:
            data = json.dumps(_out(bubble).model_dump(), ensure_ascii=False)
            # Each event carries the whole cursor: a reconnecting browser sends it back.
            yield f"id: {cursor}\nevent: reply\ndata: {data}\n\n"
            quiet_since = time.monotonic()
        if time.monotonic() - quiet_since >= chat.heartbeat_seconds:
            yield ": still here\n\n"
            quiet_since = time.monotonic()
        await asyncio.sleep(chat.poll_seconds)


def _live(
    sessions: sessionmaker[Session], external_id: str, cursor: Cursor, lang: str
) -> tuple[list[Bubble], Cursor]:
    """What consultants sent after `cursor`, and the cursor past it."""
    with sessions.begin() as session:
        return conversation(
            session=session,
            external_id=external_id,
            speaker=speaker(lang),
            after=cursor,
            live_only=True,
        )


@router.post(
    "/c/{code}/resume-code", dependencies=[SameOrigin], responses={401: {}, 404: {}, 429: {}}
)
def resume_code(web_session: WebSessionDep, session: SessionDep, chat: WebChatDep) -> JSONResponse:
    """A new code to continue this conversation on another device (shown once)."""
    talk = speaker(web_session.language)
    _limit(
        chat.resume_codes,
        web_session.id,
        talk._("You have asked for many codes. Please use the last one, or try again later."),
    )
    code = web_sessions.issue_resume_code(session=session, web_session=web_session)
    shown = f"{code[:4]}-{code[4:]}"
    return JSONResponse(ResumeCodeOut(code=shown).model_dump(), headers=NO_STORE)


@router.post(
    "/c/{code}/resume", dependencies=[SameOrigin], responses={400: {}, 404: {}, 422: {}, 429: {}}
)
def resume(
    body: ResumeRequest,
    request: Request,
    link: LinkDep,
    session: SessionDep,
    now: NowDep,
    chat: WebChatDep,
) -> JSONResponse:
    """Continue, on this device, a conversation begun on another one."""
    talk = speaker(link.language)
    client = request.client.host if request.client else "unknown"
    _limit(
        chat.resume_attempts,
        client,
        talk._("Too many tries. Please wait a while before trying the code again."),
    )
    started = web_sessions.resume(session=session, typed_code=body.code, link=link, now=now)
    if started is None:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            talk._("That code did not work. Please check it and try again."),
        )
    response = JSONResponse(ResumedOut().model_dump(), headers=NO_STORE)
    _set_cookie(response, request, chat, started.token)
    return response


# -- plain forms (they work without the script) ---------------------------------------------


@router.post("/c/{code}/language", dependencies=[SameOrigin], include_in_schema=False)
def switch_language(
    lang: Annotated[Literal["ja", "en", "pt"], Form()],
    request: Request,
    link: LinkDep,
    session: SessionDep,
    now: NowDep,
    dialogue: DialogueDep,
    chat: WebChatDep,
) -> Response:
    """Change the chat's language, then show the page again."""
    web_session = web_sessions.from_token(
        session=session, token=request.cookies.get(web_sessions.COOKIE)
    )
    started = None
    if web_session is None:
        if not link.active:
            return _not_found(chat)
        started = web_sessions.start(session=session, link=link, language=lang, now=now)
        web_session = started.web_session
    web_session.language = lang
    if tickets.find_resident(
        session=session, channel=Channel.web, external_id=web_session.external_id
    ):
        command = {"ja": Command.ja, "en": Command.en, "pt": Command.pt}[lang]
        dialogue.respond(
            _inbound(web_session, link, now=now, kind=Kind.command, text=command.value),
            session=session,
        )
    response = RedirectResponse(f"/c/{link.code}", status_code=status.HTTP_303_SEE_OTHER)
    if started is not None:
        _set_cookie(response, request, chat, started.token)
    return response


@router.post("/c/{code}/leave", dependencies=[SameOrigin], include_in_schema=False)
def leave(request: Request, link: LinkDep, session: SessionDep) -> Response:
    """Close the chat on this device (a shared phone): the cookie goes, the conversation stays."""
    web_session = web_sessions.from_token(
        session=session, token=request.cookies.get(web_sessions.COOKIE)
    )
    if web_session is not None:
        web_sessions.end(session=session, web_session=web_session)
    response = RedirectResponse(f"/c/{link.code}?left=1", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(web_sessions.COOKIE, path=web_sessions.COOKIE_PATH)
    return response


# -- helpers --------------------------------------------------------------------------------


def _inbound(
    web_session: WebSession,
    link: SchoolLink,
    *,
    now: datetime,
    kind: Kind,
    text: str = "",
) -> Inbound:
    return Inbound(
        channel=Channel.web.value,
        external_id=web_session.external_id,
        kind=kind,
        received_at=now,
        text=text,
        language=web_session.language,
        source_link_id=link.code,
        source_label=link.label,
    )


def _choices(outbound: Outbound) -> list[ChoiceOut]:
    return [ChoiceOut(label=choice.label, command=choice.command) for choice in outbound.choices]


def _out(bubble: Bubble) -> BubbleOut:
    return BubbleOut(**asdict(bubble))


def _limit(limit: RateLimit, key: Hashable, message: str) -> None:
    wait = limit.hit(key)
    if wait:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, message, headers={"Retry-After": str(wait)}
        )


def _set_cookie(response: Response, request: Request, chat: WebChat, token: str) -> None:
    response.set_cookie(
        web_sessions.COOKIE,
        token,
        max_age=int(timedelta(days=chat.cookie_days).total_seconds()),
        path=web_sessions.COOKIE_PATH,
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )
