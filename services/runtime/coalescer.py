"""Coalescing: concurrent requests for one key are answered by one batch at a time.

While a batch for a key is being decided, the requests that arrive for that key queue up and
become the next batch. Under load, batches grow by themselves; alone, a request is a batch of one
and pays no added wait. A batch decided faster than requests arrive stays small; for such keys the
owner may ask for a pause (`pause(key)` seconds) before a batch is taken, so it gathers more.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")
T = TypeVar("T")

# Process answers one outcome per request, in order: a value or the exception to raise.
Process = Callable[[K, Sequence[R]], Awaitable[Sequence[T | Exception]]]
# Seconds to wait for more requests before taking a batch of this key (0: take it now).
Pause = Callable[[K], float]


def _no_pause(_key: object) -> float:
    return 0.0


class Coalescer(Generic[K, R, T]):
    def __init__(
        self, process: Process[K, R, T], max_batch: int, pause: Pause[K] = _no_pause
    ) -> None:
        self._process = process
        self._max_batch = max_batch
        self._pause = pause
        self._queues: dict[K, deque[tuple[R, asyncio.Future[T]]]] = {}
        self._workers: set[asyncio.Task[None]] = set()

    async def submit(self, key: K, request: R) -> T:
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = deque()
            worker = asyncio.create_task(self._drain(key, queue), name=f"coalescer {key}")
            self._workers.add(worker)
            worker.add_done_callback(self._workers.discard)
        queue.append((request, future))
        # A caller that gives up (deadline, cancel) cancels only its own future, not the batch:
        # the request stays queued and is decided and recorded with its batch, so a retry with
        # the same request id finds the answer.
        return await future

    async def _drain(self, key: K, queue: deque[tuple[R, asyncio.Future[T]]]) -> None:
        try:
            while queue:
                if len(queue) < self._max_batch and (pause := self._pause(key)) > 0:
                    await asyncio.sleep(pause)
                count = min(len(queue), self._max_batch)
                batch = [queue.popleft() for _ in range(count)]
                await self._answer(key, batch)
        finally:
            del self._queues[key]

    async def _answer(self, key: K, batch: list[tuple[R, asyncio.Future[T]]]) -> None:
        try:
            outcomes = await self._process(key, [request for request, _ in batch])
        except Exception as failure:  # the whole batch failed (storage down): tell every caller
            outcomes = [failure] * len(batch)
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():
                continue
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)

    async def close(self) -> None:
        for worker in list(self._workers):
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
