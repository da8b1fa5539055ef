"""Merges concurrent calls for the same key into one batch: while a batch of a key is decided,
later calls queue, and the next batch takes them all (up to a maximum)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")
R = TypeVar("R")

Decide = Callable[[K, list[T]], Awaitable[list[R]]]


class Coalescer(Generic[K, T, R]):
    def __init__(self, decide: Decide[K, T, R], max_batch: int) -> None:
        self._decide = decide
        self._max_batch = max_batch
        self._queues: dict[K, list[tuple[T, asyncio.Future[R]]]] = {}
        self._drains: set[asyncio.Task[None]] = set()  # held so they are not collected

    async def submit(self, key: K, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        queue = self._queues.get(key)
        if queue is None:
            self._queues[key] = [(item, future)]
            drain = asyncio.create_task(self._drain(key))
            self._drains.add(drain)
            drain.add_done_callback(self._drains.discard)
        else:
            queue.append((item, future))
        return await future

    async def _drain(self, key: K) -> None:
        """Decides batches of the key until its queue is empty, then forgets the key."""
        queue = self._queues[key]
        while queue:
            batch, queue[:] = queue[: self._max_batch], queue[self._max_batch :]
            try:
                results = await self._decide(key, [item for item, _ in batch])
            except BaseException as error:  # every caller of the batch gets the failure
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                if isinstance(error, asyncio.CancelledError):
                    raise
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)
        del self._queues[key]
