"""The LINE Messaging API through line-bot-sdk's async client, with a timeout on every call.

Errors come out as `LineApiError`, which carries the operation and HTTP status only: never the
request, the user id or the response body, so it is safe to log and to store.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from linebot.v3.messaging import (  # type: ignore[import-untyped]
    ApiException,
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    PushMessageRequest,
    ReplyMessageRequest,
    ShowLoadingAnimationRequest,
)

T = TypeVar("T")

# Retrying cannot help with these: the request itself is wrong (a bad user id, a bad message).
_PERMANENT = frozenset({400, 403, 404, 422})


class LineApiError(Exception):
    """A Messaging API call failed."""

    def __init__(self, operation: str, status: int | None, reason: str) -> None:
        super().__init__(f"LINE {operation}: {status if status is not None else reason}")
        self.operation = operation
        self.status = status

    @property
    def permanent(self) -> bool:
        """True when sending the same request again cannot succeed."""
        return self.status in _PERMANENT


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds to wait for each call before giving up on it."""

    reply: float = 10.0
    push: float = 10.0
    profile: float = 3.0
    loading: float = 2.0


class LineApi:
    """One channel's Messaging API client, created inside the running event loop on first use."""

    def __init__(
        self, *, base_url: str, access_token: str, timeouts: Timeouts = Timeouts()
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeouts = timeouts
        self._access_token = access_token
        self._client: Any = None
        self._api: Any = None
        self._open = False

    def open(self) -> None:
        """Allow calls (the application has started)."""
        self._open = True

    def _messaging(self) -> Any:
        if not self._open:
            raise RuntimeError("the LINE client is closed")
        if self._api is None:
            configuration = Configuration(host=self.base_url, access_token=self._access_token)
            self._client = AsyncApiClient(configuration)
            self._api = AsyncMessagingApi(self._client)
        return self._api

    async def close(self) -> None:
        """Close the HTTP connections; calls fail until `open()`."""
        self._open = False
        client, self._client, self._api = self._client, None, None
        if client is not None:
            await client.close()

    async def _call(self, operation: str, timeout: float, call: Callable[[Any], Awaitable[T]]) -> T:
        try:
            async with asyncio.timeout(timeout + 1):
                return await call(self._messaging())
        except ApiException as error:
            raise LineApiError(operation, error.status, str(error.reason)) from None
        except Exception as error:  # timeouts, aiohttp's errors, the SDK's validation
            raise LineApiError(operation, None, type(error).__name__) from None

    async def reply(self, *, reply_token: str, messages: Sequence[Any]) -> None:
        """Answer an event with its reply token (free; each token works once, for a short time)."""
        timeout = self.timeouts.reply
        await self._call(
            "reply",
            timeout,
            lambda api: api.reply_message(
                ReplyMessageRequest(reply_token=reply_token, messages=list(messages)),
                _request_timeout=timeout,
            ),
        )

    async def push(self, *, to: str, messages: Sequence[Any], retry_key: str) -> str | None:
        """Push messages; LINE shows a retry of an accepted `retry_key` once (409: already sent).

        Returns the id of the first message sent, when LINE says it.
        """
        timeout = self.timeouts.push
        try:
            response = await self._call(
                "push",
                timeout,
                lambda api: api.push_message(
                    PushMessageRequest(to=to, messages=list(messages)),
                    x_line_retry_key=retry_key,
                    _request_timeout=timeout,
                ),
            )
        except LineApiError as error:
            if error.status == 409:  # this retry key was accepted before: it is delivered
                return None
            raise
        sent = getattr(response, "sent_messages", None) or []
        return str(sent[0].id) if sent and getattr(sent[0], "id", None) else None

    async def profile_language(self, user_id: str) -> str | None:
        """The language the user set in LINE ('ja', 'en', 'pt-BR', ...), when LINE tells it."""
        timeout = self.timeouts.profile
        try:
            profile = await self._call(
                "profile", timeout, lambda api: api.get_profile(user_id, _request_timeout=timeout)
            )
        except LineApiError:
            return None
        language = getattr(profile, "language", None)
        return language if isinstance(language, str) and language else None

    async def show_loading(self, chat_id: str, seconds: int = 20) -> None:
        """Show the loading animation in a one-to-one chat until the answer arrives."""
        timeout = self.timeouts.loading
        await self._call(
            "loading",
            timeout,
            lambda api: api.show_loading_animation(
                ShowLoadingAnimationRequest(chat_id=chat_id, loading_seconds=seconds),
                _request_timeout=timeout,
            ),
        )
