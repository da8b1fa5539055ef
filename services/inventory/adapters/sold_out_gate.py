"""The sold-out gate: which SKUs had nothing sellable after their last commit, in memory and in
Redis, and until when (the earliest deadline of their holds, when units may come back).

It only ever refuses (PostgreSQL admits every hold), so it can be stale, flushed or down without
ever causing oversell: at worst it sends a request to PostgreSQL that it could have refused, or
refuses for a moment a unit that was just released. Each entry carries the SKU's version; Redis
keeps the newest one (a script compares versions), so replicas never roll it back. Keys carry a
hash tag per SKU, so the script runs on Redis Cluster.

Every hold asks the gate first, so a process answers from what it saw (sold out or not) for
LOCAL_SECONDS, and the callers that find it older share one Redis read.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# How long this process trusts what it saw without asking Redis again.
LOCAL_SECONDS = 0.05
# How long Redis keeps an entry a replica stopped refreshing (rebuilt from PostgreSQL after).
REDIS_MILLISECONDS = 2000
# After a Redis failure, how long to go straight to PostgreSQL before trying Redis again.
BACKOFF_SECONDS = 1.0

# KEYS[1] entry; ARGV version, "sellable:reopens_ms", ttl ms. Writes only if newer.
_PUBLISH = """
local current = redis.call('GET', KEYS[1])
if current then
  local version = tonumber(string.match(current, '^(%d+):'))
  if version and version > tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. ARGV[2], 'PX', ARGV[3])
return 1
"""


def gate_key(tenant_id: str, sku_id: str) -> str:
    return f"streamstock:inventory:{{{tenant_id}/{sku_id}}}:sellable"


@dataclass(frozen=True)
class Entry:
    version: int
    sellable: int
    reopens_ms: int  # 0: no hold can give units back
    seen_at: float

    def sold_out(self, now: datetime) -> bool:
        if self.sellable > 0:
            return False
        return not self.reopens_ms or _ms(now) < self.reopens_ms


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class RedisSoldOutGate:
    def __init__(
        self, redis: Redis | RedisCluster, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._redis = redis
        self._monotonic = monotonic
        self._seen: dict[tuple[str, str], Entry] = {}
        self._publish = redis.register_script(_PUBLISH)
        self._redis_back_at = 0.0
        self._reads: dict[tuple[str, str], asyncio.Task[Entry | None]] = {}

    def _remember(self, key: tuple[str, str], version: int, sellable: int, reopens: int) -> Entry:
        entry = Entry(version, sellable, reopens, self._monotonic())
        seen = self._seen.get(key)
        if seen is None or seen.version <= version:
            self._seen[key] = entry
        return self._seen[key]

    async def is_sold_out(self, tenant_id: str, sku_id: str, now: datetime) -> bool:
        key = (tenant_id, sku_id)
        seen = self._seen.get(key)
        if seen is not None and self._monotonic() - seen.seen_at < LOCAL_SECONDS:
            return seen.sold_out(now)
        if self._monotonic() < self._redis_back_at:
            return False
        read = self._reads.get(key)
        if read is None:
            read = self._reads[key] = asyncio.create_task(self._read(key))
            read.add_done_callback(lambda _: self._reads.pop(key, None))
        # A caller that gives up does not cancel the read the others wait for.
        entry = await asyncio.shield(read)
        return entry is not None and entry.sold_out(now)

    async def _read(self, key: tuple[str, str]) -> Entry | None:
        try:
            raw = await self._redis.get(gate_key(*key))
        except RedisError as error:
            self._redis_failed(error)
            return None
        if raw is None:
            # Nothing known: not sold out, for LOCAL_SECONDS (a newer version still wins).
            seen = self._seen.get(key)
            self._seen[key] = Entry(seen.version if seen else -1, 1, 0, self._monotonic())
            return None
        version, sellable, reopens = (int(part) for part in raw.split(b":"))
        return self._remember(key, version, sellable, reopens)

    async def publish(
        self,
        tenant_id: str,
        sku_id: str,
        version: int,
        sellable: int,
        reopens_at: datetime | None,
    ) -> None:
        reopens = _ms(reopens_at) if reopens_at else 0
        self._remember((tenant_id, sku_id), version, sellable, reopens)
        if self._monotonic() < self._redis_back_at:
            return
        try:
            await self._publish(
                keys=[gate_key(tenant_id, sku_id)],
                args=[version, f"{sellable}:{reopens}", REDIS_MILLISECONDS],
            )
        except RedisError as error:
            self._redis_failed(error)

    def _redis_failed(self, error: RedisError) -> None:
        log.warning("sold-out gate: Redis unavailable, asking PostgreSQL (%s)", error)
        self._redis_back_at = self._monotonic() + BACKOFF_SECONDS
