"""LINE's side of the webhook for tests: recorded events, signed and posted as LINE does."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
from fastapi.testclient import TestClient
from httpx import Response

from tests.fakes.line_api import FakeLineApi

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "line"
SECRET = "0123456789abcdef0123456789abcdef"  # the test channel secret

_serial = itertools.count(1)
T = TypeVar("T")


def recorded(name: str) -> dict[str, Any]:
    """A recorded webhook body from tests/fixtures/line."""
    body: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return body


def sign(body: bytes, secret: str = SECRET) -> str:
    """X-Line-Signature: base64 of the HMAC-SHA256 of the raw body."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class LinePlatform:
    """Builds events from the recordings for fresh users, signs and posts them."""

    def __init__(
        self, client: TestClient | httpx.Client, api: FakeLineApi, secret: str = SECRET
    ) -> None:
        self.client = client
        self.api = api
        self.secret = secret

    def new_user(self, *, language: str | None = "ja") -> str:
        """A user id LINE would give; their profile has `language` (None: not shared)."""
        user_id = "U" + uuid.uuid4().hex
        self.api.profiles[user_id] = {} if language is None else {"language": language}
        return user_id

    def event(
        self,
        name: str,
        *,
        user: str,
        group: str | None = None,
        text: str | None = None,
        data: str | None = None,
    ) -> dict[str, Any]:
        """The first event of a recording, from `user` (in `group`), with fresh ids and token."""
        event: dict[str, Any] = copy.deepcopy(recorded(name)["events"][0])
        source = event["source"]
        if source["type"] == "user":
            source["userId"] = user
        elif group is not None:
            source["groupId" if source["type"] == "group" else "roomId"] = group
            if "userId" in source:
                source["userId"] = user
        event["webhookEventId"] = f"01TEST{uuid.uuid4().hex[:20].upper()}"
        event["timestamp"] = int(time.time() * 1000) + next(_serial)
        if "replyToken" in event:
            event["replyToken"] = self.api.issue_reply_token(
                user if source["type"] == "user" else (group or "group")
            )
        if text is not None:
            event["message"]["text"] = text
        if data is not None:
            event["postback"]["data"] = data
        return event

    def body(self, *events: dict[str, Any]) -> bytes:
        """A webhook body as LINE sends it."""
        payload = {"destination": "U" + "0" * 32, "events": list(events)}
        return json.dumps(payload, ensure_ascii=False).encode()

    def post(self, body: bytes, *, signature: str | None = None) -> Response:
        """POST a raw body, signed unless a signature is given ('' sends none)."""
        headers = {"Content-Type": "application/json"}
        signature = sign(body, self.secret) if signature is None else signature
        if signature:
            headers["X-Line-Signature"] = signature
        return self.client.post("/line/webhook", content=body, headers=headers)

    def send(self, *events: dict[str, Any]) -> Response:
        """Deliver events; the webhook must take them."""
        response = self.post(self.body(*events))
        assert response.status_code == 200, response.text
        return response

    def replies(self, to: str, count: int = 1, timeout: float = 10.0) -> list[list[str]]:
        """Wait until `to` has at least `count` deliveries; the texts of each."""
        deliveries = self.api.wait_for(
            lambda: (found := self.api.delivered_to(to)) and len(found) >= count and found,
            timeout,
        )
        return [delivery.texts for delivery in deliveries]

    @staticmethod
    def wait(check: Callable[[], T | None], timeout: float = 10.0) -> T:
        """Poll `check` until it gives something truthy."""
        return FakeLineApi.wait_for(check, timeout)

    def consented(self, *, language: str | None = "ja") -> str:
        """A user who followed and agreed to the privacy notice."""
        user = self.new_user(language=language)
        self.send(self.event("follow", user=user))
        self.replies(user, 1)
        self.send(self.event("postback", user=user, data="#consent:yes"))
        self.replies(user, 2)
        return user
