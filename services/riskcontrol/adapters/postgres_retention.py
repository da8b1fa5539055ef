"""Deletes riskcontrol's rows past their retention, a batch per statement (its own short
transaction), found by the age indexes of migration 0003."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from services.runtime.storage import delete_batch

# Each table and what makes one of its rows older than a time ($1).
_REQUESTS = ("requests", "record_time < $1")
_DECISIONS = ("decisions", "assess_time < $1")
_OUTCOMES = ("outcomes", "record_time < $1")
# An entry stops applying at its expiry or its removal, whichever came first.
_ENDED_ENTRIES = ("access_list_entries", "LEAST(expire_time, remove_time) < $1")


class PostgresRetention:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def forget_requests(self, answered_before: datetime, limit: int) -> int:
        return await self._forget(_REQUESTS, answered_before, limit)

    async def forget_decisions(self, assessed_before: datetime, limit: int) -> int:
        return await self._forget(_DECISIONS, assessed_before, limit)

    async def forget_outcomes(self, recorded_before: datetime, limit: int) -> int:
        return await self._forget(_OUTCOMES, recorded_before, limit)

    async def forget_list_entries(self, ended_before: datetime, limit: int) -> int:
        return await self._forget(_ENDED_ENTRIES, ended_before, limit)

    async def _forget(self, table: tuple[str, str], before: datetime, limit: int) -> int:
        name, older = table
        return await delete_batch(self._pool, name, older, before, limit)
