"""The batching of concurrent calls per key."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from services.sync.service_layer.coalescer import Coalescer


async def started(batches: list[list[int]]) -> None:
    """Returns once a batch is being decided (within a few loop turns)."""
    for _ in range(10):
        if batches:
            return
        await asyncio.sleep(0)
    raise AssertionError("no batch started")


async def test_calls_waiting_behind_a_batch_are_decided_together_in_order() -> None:
    batches: list[list[int]] = []
    release = asyncio.Event()

    async def decide(key: str, items: list[int], next_may_start: object) -> list[int]:
        batches.append(items)
        await release.wait()
        return [item * 10 for item in items]

    coalescer: Coalescer[str, int, int] = Coalescer(decide, max_batch=3)
    calls = [asyncio.create_task(coalescer.submit("k", 0))]
    for _ in range(10):  # bounded: the first batch starts within a few loop turns
        if batches:
            break
        await asyncio.sleep(0)
    calls += [asyncio.create_task(coalescer.submit("k", n)) for n in range(1, 5)]
    await asyncio.sleep(0)
    release.set()
    assert await asyncio.gather(*calls) == [0, 10, 20, 30, 40]
    assert batches == [[0], [1, 2, 3], [4]]


async def test_a_failing_batch_fails_its_callers_only() -> None:
    async def decide(key: str, items: list[int], next_may_start: object) -> list[int]:
        if 1 in items:
            raise ValueError("boom")
        return items

    coalescer: Coalescer[str, int, int] = Coalescer(decide, max_batch=1)
    first = asyncio.create_task(coalescer.submit("k", 1))
    second = asyncio.create_task(coalescer.submit("k", 2))
    with pytest.raises(ValueError):
        await first
    assert await second == 2


async def test_the_next_batch_waits_for_the_callers_just_answered_to_report_again() -> None:
    """Group commit: after a batch of one, three callers are queued; the caller just answered
    reports again at once and joins them instead of forming a batch of its own."""
    batches: list[list[int]] = []

    async def decide(key: str, items: list[int], next_may_start: object) -> list[int]:
        batches.append(items)
        await asyncio.sleep(0.02)  # the work of a batch: its duration bounds the wait
        return items

    coalescer: Coalescer[str, int, int] = Coalescer(decide, max_batch=8, linger=10, max_linger=1)

    async def caller(first: int, again: int | None) -> None:
        await coalescer.submit("k", first)
        if again is not None:
            await coalescer.submit("k", again)

    calls = [asyncio.create_task(caller(0, 10))]
    await started(batches)
    calls += [asyncio.create_task(caller(n, None)) for n in (1, 2, 3)]
    await asyncio.wait_for(asyncio.gather(*calls), 5)
    assert batches == [[0], [1, 2, 3, 10]]


async def test_a_lone_caller_never_waits_and_a_caller_not_coming_back_delays_a_batch_boundedly() -> (
    None
):
    batches: list[list[int]] = []

    async def decide(key: str, items: list[int], next_may_start: object) -> list[int]:
        batches.append(items)
        await asyncio.sleep(0.01)
        return items

    coalescer: Coalescer[str, int, int] = Coalescer(decide, max_batch=8, linger=1, max_linger=30)
    for n in range(3):  # each report waits for its answer: a wait would take a batch's duration
        assert await asyncio.wait_for(coalescer.submit("lone", n), 0.5) == n
    assert batches == [[0], [1], [2]]
    batches.clear()
    first = asyncio.create_task(coalescer.submit("k", 1))
    await started(batches)
    second = asyncio.create_task(coalescer.submit("k", 2))
    assert await asyncio.wait_for(asyncio.gather(first, second), 5) == [1, 2]
    assert batches == [[1], [2]]


async def test_a_batch_handing_over_lets_the_next_start_before_it_ends() -> None:
    """Pipelining: once a batch calls next_may_start, the queued calls form the next batch while
    it still runs; a batch that never calls it is followed only when it ends."""
    events: list[str] = []
    finish = {"pipelined": asyncio.Event(), "plain": asyncio.Event()}

    async def decide(key: str, items: list[int], next_may_start: Callable[[], None]) -> list[int]:
        events.append(f"start {key} {items}")
        if items[0] == 0:
            if key == "pipelined":
                next_may_start()
            await finish[key].wait()
        events.append(f"end {key} {items}")
        return items

    coalescer: Coalescer[str, int, int] = Coalescer(decide, max_batch=8)
    for key in ("pipelined", "plain"):
        first = asyncio.create_task(coalescer.submit(key, 0))
        for _ in range(10):  # bounded: the first batch starts within a few loop turns
            if f"start {key} [0]" in events:
                break
            await asyncio.sleep(0)
        second = asyncio.create_task(coalescer.submit(key, 1))
        for _ in range(10):
            await asyncio.sleep(0)
        finish[key].set()
        assert await asyncio.wait_for(asyncio.gather(first, second), 5) == [0, 1]
    assert events == [
        "start pipelined [0]",
        "start pipelined [1]",
        "end pipelined [1]",
        "end pipelined [0]",
        "start plain [0]",
        "end plain [0]",
        "start plain [1]",
        "end plain [1]",
    ]
