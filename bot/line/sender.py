"""The LINE `ChannelSender`: outbox rows pushed with the row's retry key as X-Line-Retry-Key."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.dialogue import Choice
from bot.line.api import LineApi, LineApiError
from bot.line.messages import UnknownPayload, fit_one_request, render, text_messages
from handoff.i18n import language_of
from handoff.outbox import PermanentDeliveryError, ResidentAddress


class LineSender:
    """Renders outbox payloads for the resident and pushes them; one push per row."""

    def __init__(self, api: LineApi) -> None:
        self.api = api

    async def send(
        self, resident: ResidentAddress, messages: Sequence[Mapping[str, Any]], retry_key: str
    ) -> str | None:
        """Push the row; a retry with the same key is shown once (LINE answers 409)."""
        lang = language_of(resident.language)
        texts: list[str] = []
        choices: list[Choice] = []
        for payload in messages:
            try:
                rendered, offered = render(payload, lang)
            except UnknownPayload as error:
                raise PermanentDeliveryError(str(error)) from None
            texts.extend(rendered)
            choices = offered or choices
        parts = fit_one_request(texts)
        if not parts:
            raise PermanentDeliveryError("nothing to send")
        try:
            return await self.api.push(
                to=resident.external_id,
                messages=text_messages(parts, choices),
                retry_key=retry_key,
            )
        except LineApiError as error:
            if error.permanent:
                raise PermanentDeliveryError(str(error)) from None
            raise
