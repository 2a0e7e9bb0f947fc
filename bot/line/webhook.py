"""POST /line/webhook: verify LINE's signature, store every event durably, answer 200 at once.

The events are handled in the background (`LineDoor.kick`, and the sweeper after a crash).
Anything wrong with the request is a 4xx JSON error with nothing stored; a database that cannot
take the events is a 503, so that LINE delivers them again.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.deps import SessionmakerDep, SettingsDep
from bot.line import inbox
from bot.line.door import LineDoor
from handoff.models import utcnow

log = logging.getLogger(__name__)

router = APIRouter(prefix="/line", tags=["LINE"])


def get_line_door(request: Request) -> LineDoor:
    """The LINE door `install()` put on the application."""
    return cast(LineDoor, request.app.state.line)


LineDoorDep = Annotated[LineDoor, Depends(get_line_door)]


class WebhookAccepted(BaseModel):
    """The events were stored (or were already known) and will be handled."""

    status: str = "ok"


class WebhookError(BaseModel):
    """Why the request was refused."""

    detail: str


def _bad(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_400_BAD_REQUEST, detail)


def _events(body: Any) -> list[Mapping[str, Any]]:
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        raise _bad("the body must be a JSON object with an 'events' list")
    events = body["events"]
    if not all(isinstance(event, dict) for event in events):
        raise _bad("every event must be a JSON object")
    return cast(list[Mapping[str, Any]], events)


def _store(
    sessions: sessionmaker[Session], events: Sequence[Mapping[str, Any]], door: LineDoor
) -> list[inbox.Claimed]:
    with sessions.begin() as session:
        return inbox.store(
            session=session,
            events=events,
            now=utcnow(),
            lease=door.tuning.lease,
            claim=door.inline,
        )


@router.post(
    "/webhook",
    response_model=WebhookAccepted,
    responses={
        400: {"model": WebhookError, "description": "Bad signature, encoding or JSON."},
        413: {"model": WebhookError, "description": "Body too large."},
        503: {"model": WebhookError, "description": "Not stored; LINE should deliver again."},
    },
)
async def webhook(
    request: Request, door: LineDoorDep, sessions: SessionmakerDep, settings: SettingsDep
) -> WebhookAccepted:
    """Receive LINE's webhook: signed events, stored before this answers."""
    door.note_webhook()
    body = await request.body()
    if len(body) > settings.max_request_bytes:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"request body too large (at most {settings.max_request_bytes} bytes)",
        )
    signature = request.headers.get("x-line-signature", "")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad("the body is not UTF-8") from None
    if not signature or not door.verify(text, signature):
        log.warning("LINE webhook refused: %s signature", "bad" if signature else "missing")
        raise _bad("missing or invalid X-Line-Signature")
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        raise _bad("the body is not valid JSON") from None
    events = _events(parsed)
    if not events:  # LINE's "Verify" button sends none
        return WebhookAccepted()
    try:
        loop = asyncio.get_running_loop()
        claimed = await loop.run_in_executor(
            door.ingest_pool, lambda: _store(sessions, events=events, door=door)
        )
    except SQLAlchemyError as error:
        log.error("LINE events not stored (%s); LINE will deliver again", type(error).__name__)
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "the events could not be stored; please deliver them again",
            headers={"Retry-After": "10"},
        ) from None
    door.kick(claimed)
    return WebhookAccepted()
