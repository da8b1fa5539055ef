"""Wakes the dispatcher when work is committed: in this process directly, across instances
through PostgreSQL LISTEN/NOTIFY on the channel the store notifies in its transactions."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import asyncpg


class Wakeup:
    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()

    async def wait(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout)
        self._event.clear()


class PostgresListener:
    """Holds one connection that LISTENs and forwards notifications to a Wakeup."""

    def __init__(self, dsn: str, channel: str, wakeup: Wakeup) -> None:
        self.dsn = dsn
        self.channel = channel
        self.wakeup = wakeup
        self._conn: asyncpg.Connection | None = None

    def _forward(self, *_: Any) -> None:
        self.wakeup.notify()

    async def start(self) -> None:
        self._conn = await asyncpg.connect(self.dsn)
        await self._conn.add_listener(self.channel, self._forward)

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
