"""Outbox delivery for every channel: one job runs `handoff.outbox.deliver_due` with a sender that
routes each row to the sender its resident's channel registered.

Front doors register theirs in `install()`: `app.state.senders["web"] = WebSender()`, or
`register(app, "line", sender)`. The job runs `deliver_due` (which opens transactions with the
blocking database driver) in a worker thread with its own event loop, so a slow or unreachable
database never stalls the webhook; the senders themselves still run on the application's loop,
where their HTTP clients live.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from handoff.outbox import ChannelSender, DeliveryReport, ResidentAddress, deliver_due

Job = Callable[[FastAPI], Awaitable[None]]
T = TypeVar("T")

log = logging.getLogger(__name__)


class NoSender(Exception):
    """No sender is registered for the resident's channel (yet); the row is retried later."""


class ChannelSenders:
    """A `ChannelSender` that hands each row to the sender of the resident's channel."""

    def __init__(self, senders: Mapping[str, ChannelSender]) -> None:
        self._senders = senders

    async def send(
        self, resident: ResidentAddress, messages: Sequence[Mapping[str, Any]], retry_key: str
    ) -> str | None:
        """Send through the resident's channel."""
        sender = self._senders.get(resident.channel)
        if sender is None:
            raise NoSender(f"no sender for channel {resident.channel!r}")
        return await sender.send(resident, messages, retry_key)


class _OnLoop:
    """Runs a sender's coroutines on `loop` (the application's) from another thread's loop."""

    def __init__(self, sender: ChannelSender, loop: asyncio.AbstractEventLoop) -> None:
        self._sender = sender
        self._loop = loop

    async def send(
        self, resident: ResidentAddress, messages: Sequence[Mapping[str, Any]], retry_key: str
    ) -> str | None:
        return await _run_on(self._loop, self._sender.send(resident, messages, retry_key))


async def _run_on(loop: asyncio.AbstractEventLoop, coroutine: Coroutine[Any, Any, T]) -> T:
    try:
        future = asyncio.run_coroutine_threadsafe(coroutine, loop)
    except RuntimeError:  # the application is shutting down
        coroutine.close()
        raise
    return await asyncio.wrap_future(future)


@dataclass
class Delivery:
    """The one delivery job: how often it runs, and a way to wake it early."""

    interval_seconds: float = 2.0
    limit: int = 20
    _wake: asyncio.Event | None = field(default=None, repr=False)

    def wake(self) -> None:
        """Deliver now rather than at the next tick (call from the application's loop)."""
        if self._wake is not None:
            self._wake.set()

    async def run(self, app: FastAPI) -> None:
        """Deliver due outbox rows for every channel until cancelled."""
        self._wake = asyncio.Event()
        loop = asyncio.get_running_loop()
        try:
            while True:
                self._wake.clear()
                batch = asyncio.ensure_future(deliver_once(app, loop=loop, limit=self.limit))
                try:
                    report = await asyncio.shield(batch)
                except asyncio.CancelledError:
                    # The batch runs in a thread but sends on this loop: let it end first.
                    with contextlib.suppress(Exception):
                        await batch
                    raise
                except Exception as error:
                    log.error("outbox delivery failed (%s)", type(error).__name__)
                else:
                    if report.sent or report.failed:
                        log.info("outbox: %d sent, %d failed", report.sent, report.failed)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.interval_seconds):
                        await self._wake.wait()
        finally:
            self._wake = None


async def deliver_once(
    app: FastAPI, *, loop: asyncio.AbstractEventLoop | None = None, limit: int = 20
) -> DeliveryReport:
    """One `deliver_due` pass over every channel, its transactions off the application's loop."""
    loop = loop or asyncio.get_running_loop()
    sessions = cast("sessionmaker[Session]", app.state.sessionmaker)
    sender = _OnLoop(ChannelSenders(registry(app)), loop)
    return await asyncio.to_thread(
        lambda: asyncio.run(deliver_due(sessions=sessions, sender=sender, limit=limit))
    )


def registry(app: FastAPI) -> dict[str, ChannelSender]:
    """The senders by channel, created on first use."""
    senders = getattr(app.state, "senders", None)
    if senders is None:
        senders = app.state.senders = {}
    return cast("dict[str, ChannelSender]", senders)


def register(app: FastAPI, channel: str, sender: ChannelSender) -> None:
    """Deliver `channel`'s outbox rows through `sender`."""
    registry(app)[channel] = sender


def delivery(app: FastAPI) -> Delivery:
    """The application's delivery job settings, created on first use."""
    current = getattr(app.state, "delivery", None)
    if not isinstance(current, Delivery):
        current = app.state.delivery = Delivery()
    return current


def install(app: FastAPI) -> list[Job]:
    """The delivery job, the first time it is asked for; afterwards nothing (it runs once)."""
    if getattr(app.state, "delivery_installed", False):
        return []
    app.state.delivery_installed = True
    job = delivery(app)
    return [job.run]
