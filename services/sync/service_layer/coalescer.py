"""Merges concurrent calls for the same key into one batch: while a batch of a key is decided,
later calls queue, and the next batch takes them all (up to a maximum).

Pipelining: a batch may let the next one start before it ends (`decide` calls `next_may_start`
once the next batch would only wait for it, e.g. for its row locks), so the next batch's first
steps overlap the end of this one. At most one batch of a key is started and not yet handed over.

Group commit: when no batch of the key is running, a batch's callers usually report again right
after their answer, so the next batch waits a moment (at most `linger` of the last batch's
duration, and never more than `max_linger`) until as many callers are queued as the key had in
flight, instead of starting with the first one back and leaving the rest to queue behind it. A
key quiet for longer than its last batch took does not wait, so a lone caller is never delayed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")
R = TypeVar("R")

# decide(key, items, next_may_start) -> one result per item
Decide = Callable[[K, list[T], Callable[[], None]], Awaitable[list[R]]]


@dataclass(frozen=True)
class _Pace:
    """A key's last batch: its size, how long it took, and when it ended (loop time)."""

    size: int
    took: float
    ended: float


class Coalescer(Generic[K, T, R]):
    def __init__(
        self,
        decide: Decide[K, T, R],
        max_batch: int,
        linger: float = 0.25,
        max_linger: float = 0.025,
    ) -> None:
        self._decide = decide
        self._max_batch = max_batch
        self._linger = linger
        self._max_linger = max_linger
        self._queues: dict[K, list[tuple[T, asyncio.Future[R]]]] = {}
        self._paces: dict[K, _Pace] = {}
        self._running: dict[K, int] = {}  # batches of the key not finished
        self._awaited: dict[K, tuple[int, asyncio.Event]] = {}  # a gathering batch: its target
        self._tasks: set[asyncio.Task[None]] = set()  # held so they are not collected

    async def submit(self, key: K, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        queue = self._queues.get(key)
        if queue is None:
            self._queues[key] = [(item, future)]
            self._spawn(self._drain(key))
        else:
            queue.append((item, future))
            awaited = self._awaited.get(key)
            if awaited is not None and len(queue) >= awaited[0]:
                awaited[1].set()
        return await future

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drain(self, key: K) -> None:
        """Starts batches of the key until its queue is empty, then forgets the queue."""
        queue = self._queues[key]
        expected = self._paces[key].size if key in self._paces else 1
        while queue:
            if not self._running.get(key):
                await self._gather(key, queue, min(self._max_batch, expected))
            batch, queue[:] = queue[: self._max_batch], queue[self._max_batch :]
            handed_over = asyncio.Event()
            self._running[key] = self._running.get(key, 0) + 1
            self._spawn(self._run(key, batch, handed_over))
            await handed_over.wait()
            expected = len(batch) + len(queue)
        del self._queues[key]

    async def _run(
        self, key: K, batch: list[tuple[T, asyncio.Future[R]]], handed_over: asyncio.Event
    ) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            results = await self._decide(key, [item for item, _ in batch], handed_over.set)
        except BaseException as error:  # every caller of the batch gets the failure
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            if not isinstance(error, Exception):
                raise
        else:
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)
        finally:
            self._running[key] -= 1
            if not self._running[key]:
                del self._running[key]
            self._forget_idle(loop.time())
            self._paces[key] = _Pace(len(batch), loop.time() - started, loop.time())
            handed_over.set()

    async def _gather(self, key: K, queue: list[object], target: int) -> None:
        pace = self._paces.get(key)
        now = asyncio.get_running_loop().time()
        if pace is None or now - pace.ended > pace.took or len(queue) >= target:
            return
        full = asyncio.Event()
        self._awaited[key] = (target, full)
        try:
            await asyncio.wait_for(full.wait(), min(self._max_linger, pace.took * self._linger))
        except TimeoutError:
            pass
        finally:
            del self._awaited[key]

    def _forget_idle(self, now: float) -> None:
        """Keeps the paces of recently busy keys only (a key quiet for a second has none)."""
        if len(self._paces) >= 1024:
            for key in [k for k, p in self._paces.items() if now - p.ended > 1.0]:
                del self._paces[key]
