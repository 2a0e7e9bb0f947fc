"""A fake LINE Messaging API on loopback, for the real line-bot-sdk client to talk to.

It records every request (path, headers, JSON body), answers like LINE (reply tokens work once;
a push whose X-Line-Retry-Key was accepted before gets 409; at most 5 messages of at most 5,000
UTF-16 units), keeps what each user would see, and injects failures on demand: an HTTP error,
a slow answer, "Invalid reply token", or a push accepted whose answer is lost.

    with FakeLineApi() as line:
        settings = Settings(..., LINE_API_BASE_URL=line.url)
        token = line.issue_reply_token("U1")
        line.fail("/v2/bot/message/push", status=500)
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ACCESS_TOKEN = "fake-channel-access-token"
REPLY = "/v2/bot/message/reply"
PUSH = "/v2/bot/message/push"
LOADING = "/v2/bot/chat/loading/start"
PROFILE = "/v2/bot/profile/"

T = TypeVar("T")


@dataclass(frozen=True)
class Recorded:
    """One request as the fake received it, and the status it answered."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    status: int
    at: float = 0.0  # time.monotonic() when it arrived


@dataclass(frozen=True)
class Delivered:
    """Messages a user would see: by reply or by push."""

    to: str
    via: str
    messages: list[dict[str, Any]]
    retry_key: str | None = None

    @property
    def texts(self) -> list[str]:
        """The text of each message, in order."""
        return [str(message.get("text", "")) for message in self.messages]


@dataclass
class Fault:
    """Answer the next `times` requests to `path` (a prefix) like this instead."""

    path: str
    status: int = 500
    message: str = "An error occurred in the server"
    delay: float = 0.0
    times: int = 1
    accept: bool = False  # deliver first, then answer with the error (the answer got lost)


def utf16_units(text: str) -> int:
    """LINE's text length."""
    return len(text.encode("utf-16-le")) // 2


def _problems(messages: Any) -> list[str]:
    """What LINE would refuse in a messages array."""
    if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
        return ["messages: must be 1 to 5 messages"]
    problems: list[str] = []
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("type") != "text":
            problems.append(f"messages[{index}]: only text messages are expected")
            continue
        text = message.get("text")
        if not isinstance(text, str) or not text or utf16_units(text) > 5000:
            problems.append(f"messages[{index}].text: 1 to 5000 UTF-16 units")
        items = (message.get("quickReply") or {}).get("items", [])
        if len(items) > 13:
            problems.append(f"messages[{index}].quickReply.items: at most 13")
        for item in items:
            action = item.get("action", {})
            label = action.get("label", "")
            if not label or utf16_units(label) > 20:
                problems.append(f"messages[{index}].quickReply: label of 1 to 20 characters")
            if action.get("type") != "postback" or not action.get("data"):
                problems.append(f"messages[{index}].quickReply: postback with data expected")
    return problems


@dataclass
class FakeLineApi:
    """The fake, served by uvicorn in a thread on 127.0.0.1 and a free port."""

    access_token: str = ACCESS_TOKEN
    requests: list[Recorded] = field(default_factory=list)
    delivered: list[Delivered] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    _tokens: dict[str, str] = field(default_factory=dict)  # reply token -> user
    _used_tokens: set[str] = field(default_factory=set)
    _retry_keys: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(100_000_001))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None
    _socket: socket.socket | None = None

    # -- serving ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL to give the SDK (LINE_API_BASE_URL)."""
        assert self._socket is not None, "start the fake first"
        host, port = self._socket.getsockname()[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeLineApi:
        """Serve until `stop()`."""
        app = Starlette(
            routes=[
                Route(REPLY, self._reply, methods=["POST"]),
                Route(PUSH, self._push, methods=["POST"]),
                Route(LOADING, self._loading, methods=["POST"]),
                Route(PROFILE + "{user_id}", self._profile, methods=["GET"]),
            ]
        )
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        config = uvicorn.Config(
            app, log_level="warning", lifespan="off", ws="none", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake LINE API did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()

    def __enter__(self) -> FakeLineApi:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- arranging ---------------------------------------------------------------------------

    def issue_reply_token(self, user_id: str) -> str:
        """A fresh reply token for an event from `user_id` (or a group's id)."""
        token = f"rt{next(self._ids)}"
        with self._lock:
            self._tokens[token] = user_id
        return token

    def expire(self, reply_token: str) -> None:
        """Make a reply token unusable, as when it is too old."""
        with self._lock:
            self._used_tokens.add(reply_token)

    def fail(
        self,
        path: str,
        *,
        status: int = 500,
        message: str = "An error occurred in the server",
        times: int = 1,
        delay: float = 0.0,
        accept: bool = False,
    ) -> None:
        """Answer the next `times` requests to `path` with `status` (after `delay` seconds)."""
        with self._lock:
            self.faults.append(Fault(path, status, message, delay, times, accept))

    def slow(self, path: str, *, delay: float, times: int = 1) -> None:
        """Answer the next `times` requests to `path` normally, but only after `delay` seconds."""
        with self._lock:
            self.faults.append(Fault(path, 0, "", delay, times))

    # -- looking -----------------------------------------------------------------------------

    def requests_to(self, path: str) -> list[Recorded]:
        """Requests whose path starts with `path`, in order."""
        with self._lock:
            return [request for request in self.requests if request.path.startswith(path)]

    def delivered_to(self, to: str) -> list[Delivered]:
        """What `to` would see, in order."""
        with self._lock:
            return [delivery for delivery in self.delivered if delivery.to == to]

    def texts_to(self, to: str) -> list[str]:
        """Every text `to` would see, in order."""
        return [text for delivery in self.delivered_to(to) for text in delivery.texts]

    @staticmethod
    def wait_for(check: Callable[[], T | None], timeout: float = 10.0) -> T:
        """Poll `check` until it gives something truthy; fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            value = check()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing after {timeout} s")
            time.sleep(0.02)

    # -- endpoints -----------------------------------------------------------------------------

    async def _record(self, request: Request) -> tuple[Any, Fault | None]:
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        with self._lock:
            request.state.index = len(self.requests)
            self.requests.append(
                Recorded(
                    request.method,
                    request.url.path,
                    {name.lower(): value for name, value in request.headers.items()},
                    body,
                    0,
                    time.monotonic(),
                )
            )
            fault = next((f for f in self.faults if request.url.path.startswith(f.path)), None)
            if fault is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        return body, fault if fault is not None and fault.status else None

    def _answer(
        self,
        request: Request,
        status: int,
        content: Any,
        headers: dict[str, str] | None = None,
    ) -> Response:
        with self._lock:
            index = request.state.index
            seen = self.requests[index]
            self.requests[index] = Recorded(
                seen.method, seen.path, seen.headers, seen.body, status, seen.at
            )
        return JSONResponse(content, status_code=status, headers=headers)

    def _unauthorised(self, request: Request) -> Response | None:
        if request.headers.get("authorization") != f"Bearer {self.access_token}":
            return self._answer(request, 401, {"message": "Authentication failed"})
        return None

    def _refuse(self, request: Request, fault: Fault) -> Response:
        return self._answer(request, fault.status, {"message": fault.message})

    def _invalid(self, request: Request, problems: list[str]) -> Response:
        with self._lock:
            self.problems.extend(problems)
        return self._answer(
            request,
            400,
            {
                "message": "The request body has 1 error(s)",
                "details": [{"message": p, "property": "messages"} for p in problems],
            },
        )

    async def _reply(self, request: Request) -> Response:
        body, fault = await self._record(request)
        if (refused := self._unauthorised(request)) is not None:
            return refused
        if fault is not None and not fault.accept:
            return self._refuse(request, fault)
        body = body if isinstance(body, dict) else {}
        token = body.get("replyToken")
        problems = _problems(body.get("messages"))
        if problems:
            return self._invalid(request, problems)
        with self._lock:
            to = self._tokens.get(str(token))
            if to is None or token in self._used_tokens:
                to = None
            else:
                self._used_tokens.add(str(token))
                sent = [self._sent_id() for _ in body["messages"]]
                self.delivered.append(Delivered(to, "reply", body["messages"]))
        if to is None:
            return self._answer(request, 400, {"message": "Invalid reply token"})
        if fault is not None:
            return self._refuse(request, fault)
        return self._answer(request, 200, {"sentMessages": sent})

    async def _push(self, request: Request) -> Response:
        body, fault = await self._record(request)
        if (refused := self._unauthorised(request)) is not None:
            return refused
        if fault is not None and not fault.accept:
            return self._refuse(request, fault)
        body = body if isinstance(body, dict) else {}
        retry_key = request.headers.get("x-line-retry-key")
        problems = _problems(body.get("messages"))
        if not isinstance(body.get("to"), str) or not body["to"]:
            problems.append("to: required")
        if problems:
            return self._invalid(request, problems)
        with self._lock:
            accepted = self._retry_keys.get(retry_key) if retry_key else None
            if accepted is None:
                sent = [self._sent_id() for _ in body["messages"]]
                if retry_key:
                    self._retry_keys[retry_key] = sent
                self.delivered.append(Delivered(body["to"], "push", body["messages"], retry_key))
        if accepted is not None:
            return self._answer(
                request,
                409,
                {"message": "The retry key is already accepted", "sentMessages": accepted},
                headers={"x-line-accepted-request-id": "fake-accepted"},
            )
        if fault is not None:
            return self._refuse(request, fault)
        return self._answer(request, 200, {"sentMessages": sent})

    async def _loading(self, request: Request) -> Response:
        _, fault = await self._record(request)
        if (refused := self._unauthorised(request)) is not None:
            return refused
        if fault is not None:
            return self._refuse(request, fault)
        return self._answer(request, 202, {})

    async def _profile(self, request: Request) -> Response:
        _, fault = await self._record(request)
        if (refused := self._unauthorised(request)) is not None:
            return refused
        if fault is not None:
            return self._refuse(request, fault)
        user_id = request.path_params["user_id"]
        with self._lock:
            profile = self.profiles.get(user_id)
        if profile is None:
            return self._answer(request, 404, {"message": "Not found"})
        return self._answer(request, 200, {"userId": user_id, "displayName": "テスト", **profile})

    def _sent_id(self) -> dict[str, str]:
        number = next(self._ids)
        return {"id": str(number), "quoteToken": f"q{number}"}
