"""Coalescing: concurrent calls for one key are decided a batch at a time.

While a batch of a key is being decided, the calls that arrive for that key queue up and become
its next batch (up to a maximum). Under load, batches grow by themselves; alone, a call is a batch
of one and pays no added wait. Each call gets its own outcome: a value, or the exception it raises.
A caller that gives up (deadline, cancel) cancels only its own wait, not the batch: its call stays
queued and is decided with its batch, so a retry with the same request id finds the answer.

Three ways for a key's owner to shape its batches, each off unless asked for:

- Pipelining: a batch may let the next one start before it ends (`decide` calls `next_may_start`
  once the next batch would only wait for it, e.g. for its row locks), so the next batch's first
  steps overlap the end of this one. At most one batch of a key is started and not handed over.
- Group commit (`linger`, `max_linger`): when no batch of the key is running, a batch's callers
  usually call again right after their answer, so the next batch waits a moment (at most `linger`
  of the last batch's duration, and never more than `max_linger` seconds) until as many calls are
  queued as the key had in flight, instead of starting with the first one back and leaving the
  rest to queue behind it. A key quiet for longer than its last batch took does not wait.
- Pause (`pause(key)` seconds): a key whose batches are decided faster than calls arrive stays at
  small batches; its owner may have each batch not yet full wait that long for more before it
  starts. A plain sleep, as inventory's sold-out refusals had it: a wait that also ended when the
  batch filled cost them more CPU per refusal in A/B runs (figures in the commit restoring it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")
R = TypeVar("R")

# Called by a batch to let the next one start (pipelining); a batch that never calls it is
# followed when it ends.
Handover = Callable[[], None]
# decide(key, items, next_may_start) -> one outcome per item, in order: a value or the exception
# its caller raises.
Decide = Callable[[K, list[T], Handover], Awaitable[Sequence[R | Exception]]]
# Seconds the key's next batch waits for more calls (0: it starts at once).
Pause = Callable[[K], float]


def _no_pause(_key: object) -> float:
    return 0.0


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
        *,
        linger: float = 0.0,
        max_linger: float = 0.0,
        pause: Pause[K] = _no_pause,
    ) -> None:
        self._decide = decide
        self._max_batch = max_batch
        self._linger = linger
        self._max_linger = max_linger
        self._pause = pause
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

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drain(self, key: K) -> None:
        """Starts batches of the key until its queue is empty, then forgets the queue."""
        queue = self._queues[key]
        expected = self._paces[key].size if key in self._paces else 1
        try:
            while queue:
                if not self._running.get(key):
                    await self._gather(key, queue, min(self._max_batch, expected))
                if len(queue) < self._max_batch and (pause := self._pause(key)) > 0:
                    await asyncio.sleep(pause)
                batch, queue[:] = queue[: self._max_batch], queue[self._max_batch :]
                handed_over = asyncio.Event()
                self._running[key] = self._running.get(key, 0) + 1
                self._spawn(self._run(key, batch, handed_over))
                await handed_over.wait()
                expected = len(batch) + len(queue)
        finally:
            del self._queues[key]

    async def _run(
        self, key: K, batch: list[tuple[T, asyncio.Future[R]]], handed_over: asyncio.Event
    ) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            outcomes = await self._decide(key, [item for item, _ in batch], handed_over.set)
        except BaseException as error:  # every caller of the batch gets the failure
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            if not isinstance(error, Exception):
                raise
        else:
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if future.done():
                    continue  # its caller gave up
                if isinstance(outcome, Exception):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)
        finally:
            self._running[key] -= 1
            if not self._running[key]:
                del self._running[key]
            self._forget_idle(loop.time())
            self._paces[key] = _Pace(len(batch), loop.time() - started, loop.time())
            handed_over.set()

    async def _gather(self, key: K, queue: Sequence[object], target: int) -> None:
        """Group commit: waits for the callers of the key's last batch to come back."""
        pace = self._paces.get(key)
        now = asyncio.get_running_loop().time()
        if pace is None or now - pace.ended > pace.took or len(queue) >= target:
            return
        wait = min(self._max_linger, pace.took * self._linger)
        if wait <= 0:
            return
        full = asyncio.Event()
        self._awaited[key] = (target, full)
        try:
            await asyncio.wait_for(full.wait(), wait)
        except TimeoutError:
            pass
        finally:
            del self._awaited[key]

    def _forget_idle(self, now: float) -> None:
        """Keeps the paces of recently busy keys only (a key quiet for a second has none)."""
        if len(self._paces) >= 1024:
            for key in [k for k, p in self._paces.items() if now - p.ended > 1.0]:
                del self._paces[key]
