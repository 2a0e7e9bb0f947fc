"""The LINE front door at work: each stored event becomes a turn of the conversation, answered
with the reply API, or by push through the outbox when the reply cannot be used.

The order for one event: claim (done by the webhook or the sweeper), loading animation and
profile language, then ONE transaction that marks the event done, runs the conversation and
reserves a push of its answer in the outbox (not yet due). Then the reply: when it succeeds the
reservation is dropped; when it fails the reservation becomes due at once. A crash anywhere
leaves either the event to be swept up again or the reserved push to go out by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
import weakref
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar, cast

from fastapi import FastAPI
from linebot.v3 import SignatureValidator  # type: ignore[import-untyped]
from sqlalchemy import delete, update
from sqlalchemy.orm import Session, sessionmaker

from bot import senders
from bot.dialogue import Choice, Dialogue, Inbound, Kind, Outbound
from bot.line import inbox
from bot.line.api import LineApi, LineApiError
from bot.line.handlers import Turn, turn_for
from bot.line.messages import bot_reply_payload, fit_one_request, plan, text_messages
from classifier.crisis import crisis_expression
from handoff.models import Channel, OutboxItem, utcnow
from handoff.outbox import enqueue
from handoff.tickets import find_resident

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")

MAX_NOTED_GROUPS = 10_000


@dataclass(frozen=True, slots=True)
class Tuning:
    """Timings of the LINE door (tests shorten them)."""

    sweep_seconds: float = 5.0
    lease: timedelta = inbox.LEASE
    # How long a reserved push waits for the reply's outcome before going out on its own.
    reserve: timedelta = timedelta(seconds=90)
    loading_seconds: int = 20
    push_attempts: int = 3
    push_retry_seconds: float = 1.0
    # Events handled at once while webhooks are quiet, and while a burst of them is being
    # taken in (over `busy_rate` a second): storing and acknowledging comes first, the events
    # wait durably, so a burst never takes the interpreter and the database write lock the
    # webhook needs.
    concurrent_events: int = 8
    busy_concurrent_events: int = 1
    busy_rate: float = 80.0


class HandlingGate:
    """How many events are handled at once: `quiet` while webhooks are few, `busy` while a
    burst of them is being taken in (more than `busy_rate` a second, over `window` seconds).
    Waiters are let in first come, first served."""

    def __init__(self, *, quiet: int, busy: int, busy_rate: float, window: float = 0.25) -> None:
        self.quiet, self.busy, self.window = quiet, busy, window
        self.busy_rate = busy_rate
        self.threshold = max(1, round(busy_rate * window))
        self.active = 0
        self._busy_until = 0.0
        self._arrivals: deque[float] = deque()
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._pump: asyncio.Task[None] | None = None

    def note_webhook(self) -> None:
        """Count one webhook request, now."""
        now = time.monotonic()
        self._arrivals.append(now)
        self._forget_before(now - self.window)

    def observe(self, rate: float) -> None:
        """Events are arriving at `rate` a second (as another process stores them)."""
        if rate >= self.busy_rate:
            self._busy_until = time.monotonic() + self.window

    def _forget_before(self, moment: float) -> None:
        while self._arrivals and self._arrivals[0] < moment:
            self._arrivals.popleft()

    def limit(self) -> int:
        """The slots open now."""
        now = time.monotonic()
        self._forget_before(now - self.window)
        busy = len(self._arrivals) >= self.threshold or now < self._busy_until
        return self.busy if busy else self.quiet

    def _let_in(self) -> None:
        for queue, limit in ((self._urgent, self.quiet), (self._waiters, self.limit())):
            while queue and self.active < limit:
                waiter = queue.popleft()
                if not waiter.done():
                    self.active += 1
                    waiter.set_result(None)

    async def _watch(self) -> None:
        """While anyone waits, re-open slots as a burst dies down."""
        while self._waiters or self._urgent:
            await asyncio.sleep(self.window / 5)
            self._let_in()
        self._pump = None

    @contextlib.asynccontextmanager
    async def slot(self, *, urgent: bool = False) -> AsyncIterator[None]:
        """Hold one handling slot, waiting for one if need be. Urgent work (a crisis) goes
        before everyone waiting, and a burst of webhooks does not narrow its way."""
        limit = self.quiet if urgent else self.limit()
        ahead = self._urgent if urgent else (self._urgent or self._waiters)
        if self.active < limit and not ahead:
            self.active += 1
        else:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            (self._urgent if urgent else self._waiters).append(waiter)
            if self._pump is None:
                self._pump = asyncio.create_task(self._watch())
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self.active -= 1  # let in, then cancelled before it could start
                    self._let_in()
                raise
        try:
            yield
        finally:
            self.active -= 1
            self._let_in()


@dataclass(frozen=True, slots=True)
class Answer:
    """The conversation's answer to a turn, and its reserved push (when the resident is known)."""

    outbound: Outbound
    reserved_id: int | None


async def _settled(call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`asyncio.to_thread`, except that a cancelled caller (the app shutting down) still waits
    for the call to end, so no transaction is cut loose after the engine is disposed of."""
    work = asyncio.ensure_future(asyncio.to_thread(call, *args, **kwargs))
    try:
        return await asyncio.shield(work)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await work
        raise


def _brief(error: BaseException) -> str:
    """An error for the log: its type, and LINE's status; never data."""
    return str(error) if isinstance(error, LineApiError) else type(error).__name__


class LineDoor:
    """Webhook events in, conversation turns, answers out."""

    def __init__(
        self,
        *,
        channel_secret: str,
        api: LineApi,
        tuning: Tuning = Tuning(),
        inline: bool = True,
    ) -> None:
        self.api = api
        self.tuning = tuning
        # False when a `tsunagu worker` process handles the events: this one only stores them.
        self.inline = inline
        self._validator = SignatureValidator(channel_secret)
        self._app: FastAPI | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._noted_groups: OrderedDict[str, None] = OrderedDict()
        self._seen: tuple[int, float] | None = None  # the newest stored event id, and when
        self._gate = HandlingGate(
            quiet=tuning.concurrent_events,
            busy=tuning.busy_concurrent_events,
            busy_rate=tuning.busy_rate,
        )
        # The webhook stores events on threads of its own, never queued behind handling.
        self.ingest_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="line-ingest")

    # -- the edge -----------------------------------------------------------------------------

    def verify(self, body: str, signature: str) -> bool:
        """True when `signature` is the channel secret's HMAC-SHA256 of `body` (LINE signed it)."""
        return bool(self._validator.validate(body, signature))

    def note_webhook(self) -> None:
        """A webhook request arrived (handling makes way for a burst of them)."""
        self._gate.note_webhook()

    def kick(self, claimed: Sequence[inbox.Claimed]) -> None:
        """Handle freshly stored events in the background (the webhook has answered by then)."""
        if not claimed or self._app is None or not self.inline:
            return  # not started, or handled by a worker: the sweeper takes them
        self._spawn(self._handle_all(list(claimed)))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def run(self, app: FastAPI) -> None:
        """The background job: sweep up due events every few seconds, until cancelled."""
        self._app = app
        self.api.open()
        try:
            while True:
                try:
                    await self.sweep()
                except Exception as error:
                    log.error("LINE sweep failed (%s)", _brief(error))
                await asyncio.sleep(self.tuning.sweep_seconds)
        finally:
            self._app = None
            tasks = list(self._tasks)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.api.close()

    async def sweep(self) -> int:
        """Take events that are waiting, failed earlier, or whose worker died, and start
        handling them; how many. Only as many as the handling slots can soon take are claimed,
        so the next sweep need not wait for the slowest of these.

        They are handled side by side; one resident's events still go in order, since each
        waits for that resident's lock in arrival order.
        """
        room = max(0, 2 * self._gate.limit() - len(self._tasks))
        claimed, newest = await _settled(self._claim_due, room)
        now = time.monotonic()
        if self._seen is not None and newest is not None and now > self._seen[1]:
            self._gate.observe((newest - self._seen[0]) / (now - self._seen[1]))
        if newest is not None:
            self._seen = (newest, now)
        for event in claimed:
            self._spawn(self.handle(event))
        return len(claimed)

    # -- state --------------------------------------------------------------------------------

    @property
    def _sessions(self) -> sessionmaker[Session]:
        assert self._app is not None, "the LINE door is not running"
        return cast("sessionmaker[Session]", self._app.state.sessionmaker)

    @property
    def _dialogue(self) -> Dialogue:
        assert self._app is not None, "the LINE door is not running"
        return cast(Dialogue, self._app.state.dialogue)

    def _claim_due(self, limit: int) -> tuple[list[inbox.Claimed], int | None]:
        """Up to `limit` due events, and the newest stored event's id (one transaction)."""
        with self._sessions.begin() as session:
            newest = inbox.newest_id(session=session)
            if limit <= 0:
                return [], newest
            claimed = inbox.claim_due(
                session=session, now=utcnow(), limit=limit, lease=self.tuning.lease
            )
            return claimed, newest

    def _fail(self, claimed: inbox.Claimed) -> None:
        with self._sessions.begin() as session:
            inbox.fail(session=session, claimed=claimed, now=utcnow())

    def _finish(self, claimed: inbox.Claimed) -> None:
        with self._sessions.begin() as session:
            inbox.finish(session=session, claimed=claimed, now=utcnow())

    def _known(self, user_id: str) -> bool:
        with self._sessions.begin() as session:
            resident = find_resident(session=session, channel=Channel.line, external_id=user_id)
            return resident is not None

    def _first_note_in(self, group: str) -> bool:
        """True the first time a group is seen (per process): groups hear the note once."""
        if group in self._noted_groups:
            self._noted_groups.move_to_end(group)
            return False
        self._noted_groups[group] = None
        while len(self._noted_groups) > MAX_NOTED_GROUPS:
            self._noted_groups.popitem(last=False)
        return True

    # -- one event ----------------------------------------------------------------------------

    async def _handle_all(self, claimed: Sequence[inbox.Claimed]) -> None:
        for event in claimed:  # in order: a resident's events arrive in one request
            await self.handle(event)

    async def handle(self, claimed: inbox.Claimed) -> None:
        """Handle one claimed event; failures are retried later by the sweeper."""
        try:
            turn = turn_for(claimed.payload, claimed.received_at)
            if turn is None or (
                turn.kind is Kind.group and not self._first_note_in(turn.external_id)
            ):
                await _settled(self._finish, claimed)
                return
            lock = self._locks.setdefault(turn.external_id, asyncio.Lock())
            urgent = bool(turn.text) and crisis_expression(turn.text) is not None
            async with lock, self._gate.slot(urgent=urgent):
                await self._converse(claimed, turn)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning("LINE event %s failed (%s); will retry", claimed.event_id, _brief(error))
            with contextlib.suppress(Exception):
                await _settled(self._fail, claimed)

    async def _converse(self, claimed: inbox.Claimed, turn: Turn) -> None:
        user_id = turn.user_id
        loading = asyncio.create_task(self._show_loading(user_id)) if user_id else None
        try:
            language = None
            if user_id is not None and not await _settled(self._known, user_id):
                language = await self.api.profile_language(user_id)
            inbound = Inbound(
                channel=Channel.line.value,
                external_id=turn.external_id,
                kind=turn.kind,
                received_at=turn.at,
                text=turn.text,
                language=language,
                channel_message_id=turn.message_id,
            )
            answer = await _settled(lambda: self._respond(claimed, turn=turn, inbound=inbound))
        finally:
            if loading is not None:  # shown before the answer, never after it
                await loading
        if answer is None:
            log.info("LINE event %s was taken over by another worker", claimed.event_id)
            return
        try:
            await self._answer(turn, answer)
        except Exception as error:  # the turn is stored; a reserved push still goes out
            log.error("LINE answer to event %s failed (%s)", claimed.event_id, _brief(error))

    async def _show_loading(self, user_id: str) -> None:
        with contextlib.suppress(LineApiError):
            await self.api.show_loading(user_id, self.tuning.loading_seconds)

    def _respond(self, claimed: inbox.Claimed, *, turn: Turn, inbound: Inbound) -> Answer | None:
        with self._sessions.begin() as session:
            now = utcnow()
            if not inbox.finish(session=session, claimed=claimed, now=now):
                return None
            outbound = self._dialogue.respond(inbound, session=session)
            reserved_id = None
            if turn.user_id is not None and outbound.texts:
                resident = find_resident(
                    session=session, channel=Channel.line, external_id=turn.user_id
                )
                if resident is not None:
                    item = enqueue(
                        session=session,
                        resident=resident,
                        payload=bot_reply_payload(
                            texts=outbound.texts,
                            choices=outbound.choices,
                            language=outbound.language,
                        ),
                        now=now,
                    )
                    item.next_attempt_at = now + self.tuning.reserve
                    reserved_id = item.id
            return Answer(outbound, reserved_id)

    # -- the answer ---------------------------------------------------------------------------

    async def _answer(self, turn: Turn, answer: Answer) -> None:
        outbound = answer.outbound
        if not outbound.texts:
            return
        fitted = plan(outbound.texts)
        if turn.reply_token and fitted.reply:
            choices = () if fitted.overflow else outbound.choices
            try:
                await self.api.reply(
                    reply_token=turn.reply_token, messages=text_messages(fitted.reply, choices)
                )
            except LineApiError as error:
                log.warning("LINE reply failed (%s); pushing instead", _brief(error))
            else:
                if fitted.overflow:
                    await self._push_later(
                        turn, answer, texts=fitted.overflow, choices=outbound.choices
                    )
                elif answer.reserved_id is not None:
                    await _settled(self._drop, answer.reserved_id)
                return
        await self._push_later(turn, answer, texts=outbound.texts, choices=outbound.choices)

    async def _push_later(
        self, turn: Turn, answer: Answer, *, texts: Sequence[str], choices: Sequence[Choice]
    ) -> None:
        """Through the outbox when the resident is known; else pushed from here, with retries."""
        if answer.reserved_id is not None:
            payload = bot_reply_payload(
                texts=texts, choices=choices, language=answer.outbound.language
            )
            await _settled(self._make_due, answer.reserved_id, payload)
            if self._app is not None:
                senders.delivery(self._app).wake()
            return
        if turn.user_id is None:
            log.info("LINE answer to a group could not be delivered")
            return
        await self._push_now(turn.user_id, texts=texts, choices=choices)

    async def _push_now(
        self, user_id: str, *, texts: Sequence[str], choices: Sequence[Choice]
    ) -> None:
        messages = text_messages(fit_one_request(texts), choices)
        retry_key = str(uuid.uuid4())
        for attempt in range(1, self.tuning.push_attempts + 1):
            try:
                await self.api.push(to=user_id, messages=messages, retry_key=retry_key)
                return
            except LineApiError as error:
                if error.permanent or attempt == self.tuning.push_attempts:
                    log.warning("LINE push failed (%s); not retried", _brief(error))
                    return
                await asyncio.sleep(self.tuning.push_retry_seconds * attempt)

    def _drop(self, outbox_id: int) -> None:
        with self._sessions.begin() as session:
            session.execute(
                delete(OutboxItem).where(OutboxItem.id == outbox_id, OutboxItem.attempts == 0)
            )

    def _make_due(self, outbox_id: int, payload: dict[str, Any]) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(OutboxItem)
                .where(OutboxItem.id == outbox_id, OutboxItem.attempts == 0)
                .values(payload=payload, next_attempt_at=utcnow())
                .execution_options(synchronize_session=False)
            )
