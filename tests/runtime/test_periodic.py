"""The shared background-job helpers: a repeated job outlives its failures and stops with the
service even when the job swallows the cancellation; batched deletions run until a batch is short."""

from __future__ import annotations

import asyncio

import pytest

from services.runtime.periodic import in_batches, repeated


async def test_a_repeated_job_runs_again_after_it_fails() -> None:
    runs: list[int] = []
    third = asyncio.Event()

    async def work() -> None:
        runs.append(len(runs))
        if len(runs) == 3:
            third.set()
        if len(runs) < 3:
            raise RuntimeError("storage down")

    task = asyncio.create_task(repeated("flaky", work, 0.001)())
    await asyncio.wait_for(third.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert runs[:3] == [0, 1, 2]


async def test_a_repeated_job_stops_even_if_the_job_swallows_the_cancellation() -> None:
    started = asyncio.Event()

    async def swallowing() -> None:
        started.set()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            # what some client libraries do: turn the cancellation into their own error
            raise ConnectionError("connection closed") from None

    task = asyncio.create_task(repeated("swallowing", swallowing, 10)())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 2)


async def test_in_batches_deletes_until_a_batch_comes_back_short() -> None:
    backlog = [12]
    calls: list[int] = []

    async def delete(limit: int) -> int:
        calls.append(limit)
        deleted = min(limit, backlog[0])
        backlog[0] -= deleted
        return deleted

    assert await in_batches(delete, 5) == 12
    assert calls == [5, 5, 5]
    assert backlog == [0]


async def test_in_batches_on_an_exact_multiple_makes_one_empty_call() -> None:
    backlog = [10]

    async def delete(limit: int) -> int:
        deleted = min(limit, backlog[0])
        backlog[0] -= deleted
        return deleted

    assert await in_batches(delete, 5) == 10
