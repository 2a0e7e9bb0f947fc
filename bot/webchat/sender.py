"""The web channel's ChannelSender for the outbox delivery job."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from handoff.models import Channel
from handoff.outbox import PermanentDeliveryError, ResidentAddress


class WebSender:
    """A web resident's browser shows every stored reply (the chat page reads Message rows and
    pushes new ones live), so a reply is delivered as soon as it is queued. This renders
    nothing and marks nothing: `deliver_due` marks the row sent."""

    async def send(
        self, resident: ResidentAddress, messages: Sequence[Mapping[str, Any]], retry_key: str
    ) -> None:
        """Accept a web resident's messages; refuse any other channel's."""
        if resident.channel != Channel.web.value:
            raise PermanentDeliveryError(f"WebSender cannot reach {resident.channel} residents")
