"""Real PostgreSQL and Redis for the whole run, and services started in-process against them.

One PostgreSQL and one Redis serve every test (fsync off: a lost test database is simply made
again); the schema is migrated once. `start_service` builds a service exactly as its process would
(`services.<name>.bootstrap.build`) and hosts it on a free loopback port.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import grpc
import pytest

from services.runtime.migrate import migrate
from services.runtime.server import ServiceHost
from services.runtime.settings import ServiceSettings
from tools.devstack.ports import LOOPBACK, free_base_port, free_port
from tools.devstack.postgres import LocalPostgres
from tools.devstack.redis import LocalRedis, LocalRedisCluster

# The full name of each context's gRPC service (protos/README.md).
SERVICE_FULL_NAMES = {
    "inventory": "streamstock.inventory.v1.InventoryService",
    "riskcontrol": "streamstock.riskcontrol.v1.RiskControlService",
    "alerting": "streamstock.alerting.v1.AlertingService",
    "sync": "streamstock.sync.v1.SyncService",
}


@dataclass(frozen=True)
class ApiKeys:
    """The plain API keys the test callers present; the services only know their digests."""

    acme_admin: str = "test-acme-admin-key"
    acme_viewer: str = "test-acme-viewer-key"
    globex_admin: str = "test-globex-admin-key"
    service: str = "test-streamstock-service-key"
    # Never configured: a well-formed key that no service knows.
    unknown: str = "test-nobody-knows-this-key"

    def spec(self) -> str:
        """STREAMSTOCK_API_KEYS for these keys: `<sha256 hex>:<tenant>:<role>,...`."""
        entries = [
            (self.acme_admin, "acme", "admin"),
            (self.acme_viewer, "acme", "viewer"),
            (self.globex_admin, "globex", "admin"),
            (self.service, "streamstock", "service"),
        ]
        return ",".join(
            f"{hashlib.sha256(key.encode()).hexdigest()}:{tenant}:{role}"
            for key, tenant, role in entries
        )


API_KEYS = ApiKeys()


@pytest.fixture(scope="session")
def api_keys() -> ApiKeys:
    return API_KEYS


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPostgres]:
    server = LocalPostgres(
        tmp_path_factory.mktemp("postgres") / "data",
        free_port(),
        fsync=False,
        synchronous_commit=False,
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
async def postgres_dsn(postgres_server: LocalPostgres) -> str:
    """The shared database, with every service's migrations applied."""
    dsn = postgres_server.dsn()
    await migrate(dsn)
    return dsn


# STREAMSTOCK_TEST_REDIS=cluster runs the same tests against a three-master Redis Cluster (the
# scale-out proof: every script and key must be cluster-safe); `make test` runs both.
REDIS_CLUSTER_MODE = os.environ.get("STREAMSTOCK_TEST_REDIS", "single") == "cluster"


@asynccontextmanager
async def schema_pool(dsn: str, schema: str, size: int) -> AsyncIterator[asyncpg.Pool]:
    """A pool on one service's schema of the session's PostgreSQL, for tests that read or write
    that service's tables directly."""
    pool = await asyncpg.create_pool(
        dsn, min_size=1, max_size=size, server_settings={"search_path": schema}
    )
    assert pool is not None
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture(scope="session")
def redis_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LocalRedis | LocalRedisCluster]:
    data = tmp_path_factory.mktemp("redis") / "data"
    server: LocalRedis | LocalRedisCluster
    if REDIS_CLUSTER_MODE:
        server = LocalRedisCluster(data, free_base_port(3, bus_offset=10000))
    else:
        server = LocalRedis(data, free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_url(redis_server: LocalRedis | LocalRedisCluster) -> str:
    return redis_server.url


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Any]:
    """A client of the session's Redis (or Redis Cluster) for tests that look inside it."""
    import redis.asyncio as aioredis
    from redis.asyncio.cluster import RedisCluster

    client: Any = (
        RedisCluster.from_url(redis_url)
        if REDIS_CLUSTER_MODE
        else aioredis.Redis.from_url(redis_url)
    )
    try:
        yield client
    finally:
        await client.aclose()


async def forget_riskcontrol_cursor(postgres_dsn: str) -> None:
    """riskcontrol stores one cursor into inventory's event log. Tests that feed it another log
    (a fake, or a real inventory whose sequence numbers are lower than the cursor) start it over."""
    import asyncpg

    conn = await asyncpg.connect(postgres_dsn)
    try:
        await conn.execute("DELETE FROM riskcontrol.feedback_cursors")
    finally:
        await conn.close()


@dataclass
class RunningService:
    """A service hosted in this process, and a channel to it that carries no API key."""

    name: str
    host: ServiceHost
    channel: grpc.aio.Channel

    @property
    def full_name(self) -> str:
        return SERVICE_FULL_NAMES[self.name]


StartService = Callable[..., Awaitable[RunningService]]


@pytest.fixture
async def start_service(postgres_dsn: str, redis_url: str) -> AsyncIterator[StartService]:
    """`await start_service(name, **settings_overrides)`; every service started is stopped after."""
    running: list[RunningService] = []

    async def start(name: str, **overrides: Any) -> RunningService:
        values: dict[str, Any] = {
            "service_name": name,
            "grpc_host": LOOPBACK,
            "grpc_port": 0,
            "metrics_port": 0,
            "postgres_dsn": postgres_dsn,
            "postgres_pool_size": 2,
            "redis_url": redis_url,
            "redis_cluster": REDIS_CLUSTER_MODE,
            "api_keys": API_KEYS.spec(),
            "service_api_key": API_KEYS.service,
            "drain_grace_seconds": 1,
        }
        settings = ServiceSettings(**{**values, **overrides})
        bootstrap = importlib.import_module(f"services.{name}.bootstrap")
        host = ServiceHost(settings, await bootstrap.build(settings))
        try:
            port = await host.start()
        except BaseException:
            await host.stop()
            raise
        service = RunningService(name, host, grpc.aio.insecure_channel(f"{LOOPBACK}:{port}"))
        running.append(service)
        return service

    yield start
    for service in reversed(running):
        await service.channel.close()
        await service.host.stop()
