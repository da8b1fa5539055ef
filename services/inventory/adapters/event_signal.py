"""Wakes event watchers when PostgreSQL announces new events (LISTEN inventory_events).

One connection per process listens; every committed event batch notifies with its last sequence.
If the connection is lost, watchers still wake on their timeout and poll, and the listener
reconnects in the background.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

from services.inventory.adapters.postgres_store import NOTIFY_CHANNEL

log = logging.getLogger(__name__)

RECONNECT_SECONDS = 1.0


class PostgresEventSignal:
    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._head = 0
        self._changed = asyncio.Condition()

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        self._head = max(self._head, int(payload))
        asyncio.get_running_loop().create_task(self._wake())

    async def _wake(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait(self, after: int, timeout: float) -> bool:
        if self._head > after:
            return True
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait_for(lambda: self._head > after), timeout)
        return self._head > after

    async def listen(self) -> None:
        """The background listener; runs until cancelled."""
        while True:
            try:
                conn = await asyncpg.connect(self._dsn)
            except (OSError, asyncpg.PostgresError) as error:
                log.warning("event signal: cannot connect (%s)", error)
                await asyncio.sleep(RECONNECT_SECONDS)
                continue
            lost = asyncio.Event()
            conn.add_termination_listener(lambda _conn, lost=lost: lost.set())
            try:
                await conn.add_listener(NOTIFY_CHANNEL, self._notified)
                await lost.wait()
            finally:
                with contextlib.suppress(Exception):
                    await conn.close(timeout=1)
            await asyncio.sleep(RECONNECT_SECONDS)
