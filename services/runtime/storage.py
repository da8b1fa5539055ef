"""Connections to PostgreSQL (asyncpg) and Redis (redis-py asyncio), built by a bootstrap."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import asyncpg
import redis.asyncio as aioredis
import redis.exceptions
from redis.asyncio.cluster import RedisCluster

from services.runtime.settings import ServiceSettings

RedisClient = aioredis.Redis | RedisCluster
DependencyCheck = Callable[[], Awaitable[object]]
Cleanup = Callable[[], Awaitable[object]]

log = logging.getLogger(__name__)

# How long a stopping service waits for borrowed PostgreSQL connections to come back.
POOL_CLOSE_SECONDS = 5.0


async def _rollback_only(_conn: asyncpg.Connection) -> None:
    """A release without asyncpg's session reset (RESET ALL, UNLISTEN *, CLOSE ALL, advisory
    unlock: one more round trip per transaction); asyncpg still rolls back an open transaction."""


async def postgres_pool(
    settings: ServiceSettings,
    schema: str,
    planner: Mapping[str, str] | None = None,
    session_state: bool = True,
) -> asyncpg.Pool:
    """A pool whose connections resolve unqualified names in the service's own schema;
    `planner` adds server settings a service's workload needs. A service whose statements leave
    no session state behind (only SET LOCAL and transaction-scoped locks, LISTEN on a connection
    of its own) passes session_state=False and saves the reset on every release."""
    pool = await asyncpg.create_pool(
        settings.postgres_dsn,
        reset=None if session_state else _rollback_only,
        min_size=1,
        max_size=settings.postgres_pool_size,
        command_timeout=settings.postgres_command_timeout_seconds,
        server_settings={
            "application_name": f"streamstock-{settings.service_name}",
            "search_path": schema,
            **(planner or {}),
        },
    )
    assert pool is not None
    return pool


def redis_client(settings: ServiceSettings) -> RedisClient:
    """A client that fails in milliseconds when Redis is down instead of hanging a request."""
    options = {
        "socket_timeout": 0.25,
        "socket_connect_timeout": 0.25,
        "health_check_interval": 5,
    }
    if settings.redis_cluster:
        return RedisCluster.from_url(settings.redis_url, **options)
    return aioredis.Redis.from_url(settings.redis_url, **options)


class PostgresProbe:
    """Readiness's own connection: a pool busy serving a load must not look like a dead database,
    so the probe never queues behind requests for a pooled connection."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._conn: asyncpg.Connection | None = None

    async def __call__(self) -> None:
        if self._conn is None or self._conn.is_closed():
            self._conn = await asyncpg.connect(self._dsn, timeout=1.0)
        try:
            await self._conn.fetchval("SELECT 1")
        except BaseException:
            self._conn.terminate()
            self._conn = None
            raise

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close(timeout=1)
            self._conn = None


async def ping_redis(client: RedisClient) -> None:
    await client.ping()


@dataclass
class Storage:
    """A service's connections, with the readiness checks and cleanups the host needs."""

    pool: asyncpg.Pool
    probe: PostgresProbe
    redis: RedisClient | None = None

    def checks(self) -> dict[str, DependencyCheck]:
        checks: dict[str, DependencyCheck] = {"postgres": self.probe}
        if self.redis is not None:
            redis = self.redis
            checks["redis"] = lambda: ping_redis(redis)
        return checks

    def cleanups(self) -> list[Cleanup]:
        cleanups: list[Cleanup] = [self.probe.close, self._close_pool]
        if self.redis is not None:
            cleanups.append(self.redis.aclose)
        return cleanups

    async def _close_pool(self) -> None:
        await close_pool(self.pool)


async def delete_batch(
    pool: asyncpg.Pool, table: str, older: str, before: object, limit: int
) -> int:
    """One batch of a retention: deletes at most `limit` rows of `table` for which the condition
    `older` (comparing a column with $1 = `before`) holds, in one statement, its own short
    transaction; returns how many went. The condition is checked again on delete, so a row
    changed meanwhile is judged on what it holds now. `table` and `older` are the adapter's own
    constants, never caller input."""
    deleted = await pool.execute(
        f"DELETE FROM {table} WHERE ctid = ANY(ARRAY("
        f"SELECT ctid FROM {table} WHERE {older} LIMIT $2)) AND {older}",
        before,
        limit,
    )
    return int(deleted.rsplit(" ", 1)[1])


async def close_pool(pool: asyncpg.Pool) -> None:
    """Closes a pool once its borrowed connections come back, within POOL_CLOSE_SECONDS; a
    connection still borrowed then (a task that outlived the drain) is cut off, so a shutdown
    never waits for it."""
    try:
        await asyncio.wait_for(pool.close(), POOL_CLOSE_SECONDS)
    except TimeoutError:
        log.warning(
            "PostgreSQL connections still in use after %s s: terminated", POOL_CLOSE_SECONDS
        )
        pool.terminate()
    except asyncio.CancelledError:  # the stop's own budget ran out first
        pool.terminate()
        raise


async def connect_postgres(settings: ServiceSettings, schema: str) -> Storage:
    return Storage(await postgres_pool(settings, schema), PostgresProbe(settings.postgres_dsn))


async def connect_postgres_and_redis(
    settings: ServiceSettings,
    schema: str,
    planner: Mapping[str, str] | None = None,
    session_state: bool = True,
) -> Storage:
    return Storage(
        await postgres_pool(settings, schema, planner, session_state),
        PostgresProbe(settings.postgres_dsn),
        redis_client(settings),
    )


# Faults of a store, not of the request: the same request may succeed when retried.
_UNAVAILABLE = (
    TimeoutError,  # asyncpg's command timeout, a pool acquire that timed out
    ConnectionError,  # refused, reset or broken connections
    asyncpg.PostgresConnectionError,  # e.g. the connection was lost mid-statement
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.QueryCanceledError,  # statement_timeout, or cancelled by an operator
    asyncpg.AdminShutdownError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)


def unavailable(error: BaseException) -> bool:
    """Whether a call failed because PostgreSQL or Redis did not answer (retry it), not because
    of what it asked."""
    return isinstance(error, _UNAVAILABLE)
