"""The batching of concurrent calls per key."""

from __future__ import annotations

import asyncio

import pytest

from services.sync.service_layer.coalescer import Coalescer


async def test_calls_waiting_behind_a_batch_are_decided_together_in_order() -> None:
    batches: list[list[int]] = []
    release = asyncio.Event()

    async def decide(key: str, items: list[int]) -> list[int]:
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
    async def decide(key: str, items: list[int]) -> list[int]:
        if 1 in items:
            raise ValueError("boom")
        return items

    coalescer: Coalescer[str, int, int] = Coalescer(decide, max_batch=1)
    first = asyncio.create_task(coalescer.submit("k", 1))
    second = asyncio.create_task(coalescer.submit("k", 2))
    with pytest.raises(ValueError):
        await first
    assert await second == 2
