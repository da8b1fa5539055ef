"""Coalescing: requests that arrive while a batch runs become the next batch, in order."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from services.runtime.coalescer import Coalescer


class Recorder:
    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.release = asyncio.Event()

    async def process(self, key: str, batch: Sequence[int]) -> list[int | Exception]:
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
    async def broken(key: str, batch: Sequence[int]) -> list[int | Exception]:
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
