"""The sold-out gate: what each SKU had sellable after its last commit, in memory and in Redis.

It only ever refuses (PostgreSQL admits every hold), so it can be stale, flushed or down without
ever causing oversell: at worst it sends a request to PostgreSQL that it could have refused, or
refuses for a moment a unit that was just returned. Each entry carries the SKU's version; Redis
keeps the newest one (a script compares versions), so replicas never roll it back. Keys carry a
hash tag per SKU, so the script runs on Redis Cluster.
"""

from __future__ import annotations

import logging
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# How long this process trusts what it saw without asking Redis again.
LOCAL_SECONDS = 0.05
# How long Redis keeps an entry a replica stopped refreshing (rebuilt from PostgreSQL after).
REDIS_MILLISECONDS = 2000
# After a Redis failure, how long to go straight to PostgreSQL before trying Redis again.
BACKOFF_SECONDS = 1.0

# KEYS[1] entry; ARGV version, sellable, ttl ms. Writes only if newer than what is there.
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


class RedisSoldOutGate:
    def __init__(self, redis: Redis, monotonic: object = time.monotonic) -> None:
        self._redis = redis
        self._monotonic = monotonic
        self._seen: dict[tuple[str, str], tuple[int, int, float]] = {}
        self._publish = redis.register_script(_PUBLISH)
        self._redis_back_at = 0.0

    def _now(self) -> float:
        return self._monotonic()  # type: ignore[operator,no-any-return]

    def _remember(self, key: tuple[str, str], version: int, sellable: int) -> None:
        seen = self._seen.get(key)
        if seen is None or seen[0] <= version:
            self._seen[key] = (version, sellable, self._now())

    async def known_sellable(self, tenant_id: str, sku_id: str) -> int | None:
        key = (tenant_id, sku_id)
        seen = self._seen.get(key)
        if seen is not None and self._now() - seen[2] < LOCAL_SECONDS:
            return seen[1]
        if self._now() < self._redis_back_at:
            return None
        try:
            raw = await self._redis.get(gate_key(tenant_id, sku_id))
        except RedisError as error:
            self._redis_failed(error)
            return None
        if raw is None:
            return None
        version, sellable = (int(part) for part in raw.split(b":"))
        self._remember(key, version, sellable)
        return sellable

    async def publish(self, tenant_id: str, sku_id: str, version: int, sellable: int) -> None:
        self._remember((tenant_id, sku_id), version, sellable)
        if self._now() < self._redis_back_at:
            return
        try:
            await self._publish(
                keys=[gate_key(tenant_id, sku_id)], args=[version, sellable, REDIS_MILLISECONDS]
            )
        except RedisError as error:
            self._redis_failed(error)

    def _redis_failed(self, error: RedisError) -> None:
        log.warning("sold-out gate: Redis unavailable, asking PostgreSQL (%s)", error)
        self._redis_back_at = self._now() + BACKOFF_SECONDS
