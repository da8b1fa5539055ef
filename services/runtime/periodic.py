"""Background work every service runs the same way: a job repeated on an interval that outlives
its own failures and stops with the service, and deletions made a batch per transaction."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

log = logging.getLogger(__name__)

# Rows a retention job deletes per statement: short transactions beside the hot paths.
RETENTION_BATCH = 5_000

Moment = TypeVar("Moment")


def stopping() -> bool:
    """Whether the running task is being cancelled: the service is stopping."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def repeated(
    name: str, work: Callable[[], Awaitable[object]], pause_seconds: float
) -> Callable[[], Awaitable[None]]:
    """Runs the work again and again, `pause_seconds` apart, starting at once: a periodic job, or
    a worker that only returns when an unexpected error stopped it (logged, then restarted)."""

    async def loop() -> None:
        while True:
            try:
                await work()
            except Exception:
                log.exception("%s failed; running it again", name)
            # A client library may swallow the cancellation that stops the service (or turn it
            # into its own error); the host would then wait for this loop forever.
            if stopping():
                raise asyncio.CancelledError
            await asyncio.sleep(pause_seconds)

    loop.__qualname__ = name
    return loop


async def in_batches(delete: Callable[[int], Awaitable[int]], batch: int) -> int:
    """Calls delete(batch) until it deletes fewer than `batch` rows; returns the total. Each call
    is meant to be its own short transaction, so a large backlog never holds locks for long."""
    deleted_total = 0
    while True:
        deleted = await delete(batch)
        deleted_total += deleted
        if deleted < batch:
            return deleted_total


async def forget_older(
    what: str, delete: Callable[[Moment, int], Awaitable[int]], before: Moment
) -> int:
    """A retention: delete(before, n) removes at most n rows older than `before`; called until
    nothing is left, RETENTION_BATCH rows at a time. Logs how many went; returns it."""
    forgotten = await in_batches(lambda batch: delete(before, batch), RETENTION_BATCH)
    if forgotten:
        log.info("forgot %d %s older than %s", forgotten, what, before)
    return forgotten
