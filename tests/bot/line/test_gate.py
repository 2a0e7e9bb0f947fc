"""The handling gate: many conversations at once while webhooks are quiet, few while a burst
of them is being stored and acknowledged, and waiters let in first come, first served."""

from __future__ import annotations

import asyncio
import time

from bot.line.door import HandlingGate


def gate(window: float = 0.2) -> HandlingGate:
    return HandlingGate(quiet=4, busy=1, busy_rate=50.0, window=window)


def test_a_burst_of_webhooks_narrows_handling_until_it_passes() -> None:
    handling = gate()
    assert handling.limit() == 4
    for _ in range(handling.threshold - 1):
        handling.note_webhook()
    assert handling.limit() == 4
    handling.note_webhook()
    assert handling.limit() == 1
    time.sleep(handling.window + 0.05)
    assert handling.limit() == 4


def test_a_burst_seen_by_another_process_narrows_handling_too() -> None:
    handling = gate()
    handling.observe(10.0)
    assert handling.limit() == 4
    handling.observe(500.0)
    assert handling.limit() == 1
    time.sleep(handling.window + 0.05)
    assert handling.limit() == 4


def test_waiters_go_in_arrival_order_and_never_exceed_the_limit() -> None:
    async def scenario() -> tuple[list[int], int]:
        handling = gate()
        entered: list[int] = []
        most = 0

        async def work(number: int) -> None:
            nonlocal most
            async with handling.slot():
                entered.append(number)
                most = max(most, handling.active)
                await asyncio.sleep(0.02)

        await asyncio.gather(*(work(n) for n in range(12)))
        return entered, most

    entered, most = asyncio.run(scenario())
    assert entered == list(range(12))
    assert most == 4


def test_during_a_burst_only_the_busy_number_run_and_the_rest_go_after() -> None:
    async def scenario() -> int:
        handling = gate(window=0.3)
        most = 0

        async def work() -> None:
            nonlocal most
            async with handling.slot():
                most = max(most, handling.active)
                await asyncio.sleep(0.01)

        for _ in range(handling.threshold):
            handling.note_webhook()
        await asyncio.gather(*(work() for _ in range(6)))
        return most

    assert asyncio.run(scenario()) == 1


def test_a_cancelled_waiter_gives_its_place_back() -> None:
    async def scenario() -> int:
        handling = HandlingGate(quiet=1, busy=1, busy_rate=50.0)
        release = asyncio.Event()

        async def holder() -> None:
            async with handling.slot():
                await release.wait()

        first = asyncio.create_task(holder())
        await asyncio.sleep(0)
        waiting = asyncio.create_task(holder())
        await asyncio.sleep(0.01)
        waiting.cancel()
        release.set()
        await asyncio.gather(first, waiting, return_exceptions=True)
        return handling.active

    assert asyncio.run(scenario()) == 0


def test_a_crisis_goes_before_everyone_waiting_even_in_a_burst() -> None:
    async def scenario() -> list[str]:
        handling = HandlingGate(quiet=2, busy=1, busy_rate=50.0, window=5.0)
        order: list[str] = []
        release = asyncio.Event()

        async def work(name: str, *, urgent: bool = False) -> None:
            async with handling.slot(urgent=urgent):
                order.append(name)
                await release.wait()

        for _ in range(handling.threshold):  # a burst: one slot for ordinary work
            handling.note_webhook()
        tasks = [asyncio.create_task(work(f"worry {n}")) for n in range(3)]
        await asyncio.sleep(0.01)
        tasks.append(asyncio.create_task(work("crisis", urgent=True)))
        await asyncio.sleep(0.01)
        entered_early = list(order)
        release.set()
        await asyncio.gather(*tasks)
        return entered_early

    # The crisis takes the second slot a burst keeps closed to ordinary work, ahead of the
    # two worries that were already waiting.
    assert asyncio.run(scenario()) == ["worry 0", "crisis"]
