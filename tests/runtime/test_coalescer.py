"""Coalescing: requests that arrive while a batch runs become the next batch, in order; a
batch may hand over to the next before it ends (pipelining), a key may gather its callers coming
back (group commit) or pause for more."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import pytest

from services.runtime.coalescer import Coalescer, Handover


class Recorder:
    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.release = asyncio.Event()

    async def process(
        self, key: str, batch: Sequence[int], next_may_start: Handover
    ) -> list[int | Exception]:
        self.batches.append(list(batch))
        await self.release.wait()
        return [ValueError(n) if n < 0 else n * 10 for n in batch]


async def test_requests_arriving_during_a_batch_form_the_next_one() -> None:
    recorder = Recorder()
    coalescer: Coalescer[str, int, int] = Coalescer(recorder.process, max_batch=3)
    first = asyncio.create_task(coalescer.submit("sku", 1))
    await asyncio.sleep(0)
    rest = [asyncio.create_task(coalescer.submit("sku", n)) for n in range(2, 7)]
    await asyncio.sleep(0)
    recorder.release.set()
    assert await asyncio.gather(first, *rest) == [10, 20, 30, 40, 50, 60]
    assert recorder.batches == [[1], [2, 3, 4], [5, 6]]


async def test_each_request_gets_its_own_outcome() -> None:
    recorder = Recorder()
    recorder.release.set()
    coalescer: Coalescer[str, int, int] = Coalescer(recorder.process, max_batch=10)
    good, bad = await asyncio.gather(
        coalescer.submit("sku", 1), coalescer.submit("sku", -1), return_exceptions=True
    )
    assert good == 10 and isinstance(bad, ValueError)


async def test_keys_are_independent() -> None:
    recorder = Recorder()
    recorder.release.set()
    coalescer: Coalescer[str, int, int] = Coalescer(recorder.process, max_batch=10)
    await asyncio.gather(coalescer.submit("a", 1), coalescer.submit("b", 2))
    assert sorted(recorder.batches) == [[1], [2]]


async def test_a_caller_giving_up_does_not_cancel_the_batch() -> None:
    recorder = Recorder()
    coalescer: Coalescer[str, int, int] = Coalescer(recorder.process, max_batch=10)
    impatient = asyncio.create_task(coalescer.submit("sku", 1))
    await asyncio.sleep(0)
    patient = asyncio.create_task(coalescer.submit("sku", 2))
    await asyncio.sleep(0)
    impatient.cancel()
    with pytest.raises(asyncio.CancelledError):
        await impatient
    recorder.release.set()
    assert await patient == 20
    assert recorder.batches == [[1], [2]]


async def test_a_failed_batch_fails_each_of_its_callers() -> None:
    async def broken(key: str, batch: Sequence[int], next_may_start: Handover) -> list[int]:
        raise ConnectionError("database down")

    coalescer: Coalescer[str, int, int] = Coalescer(broken, max_batch=10)
    results = await asyncio.gather(
        coalescer.submit("sku", 1), coalescer.submit("sku", 2), return_exceptions=True
    )
    assert all(isinstance(r, ConnectionError) for r in results)


async def test_a_paused_key_gathers_the_requests_arriving_during_its_pause() -> None:
    recorder = Recorder()
    recorder.release.set()
    paused: list[str] = []

    def pause(key: str) -> float:
        paused.append(key)
        return 0.05 if key == "sold-out" else 0.0

    coalescer: Coalescer[str, int, int] = Coalescer(recorder.process, max_batch=10, pause=pause)
    first = asyncio.create_task(coalescer.submit("sold-out", 1))
    await asyncio.sleep(0)  # the worker starts its pause with one request queued
    later = [asyncio.create_task(coalescer.submit("sold-out", n)) for n in (2, 3)]
    assert await asyncio.gather(first, *later) == [10, 20, 30]
    assert recorder.batches == [[1, 2, 3]]
    assert await coalescer.submit("selling", 4) == 40
    assert recorder.batches[-1] == [4] and paused == ["sold-out", "selling"]


async def test_a_full_batch_does_not_pause() -> None:
    recorder = Recorder()
    recorder.release.set()
    coalescer: Coalescer[str, int, int] = Coalescer(
        recorder.process, max_batch=2, pause=lambda key: 3600.0
    )
    first = [asyncio.create_task(coalescer.submit("sku", n)) for n in (1, 2)]
    assert await asyncio.wait_for(asyncio.gather(*first), timeout=5) == [10, 20]


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
