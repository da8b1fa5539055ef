"""A real inventory whose event log the retention has pruned, for the tests of WatchEvents and of
its followers (alerting, riskcontrol).

Pruning deletes a prefix of the whole log, every tenant's: done in the session's shared database
it would tell every later test that watches from 0 that its events are gone. So these tests run
inventory (and the follower under test) on a database of their own in the session's PostgreSQL,
dropped after the test.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from streamstock.inventory.v1 import inventory_service_pb2_grpc

from services.inventory.service_layer import retention
from services.runtime.migrate import migrate
from tests.conftest import API_KEYS, RunningService, StartService
from tests.inventory.conftest import Client
from tests.inventory.sync_api import ManualClock
from tools.devstack.postgres import LocalPostgres

# Events older than this are pruned (the manual clock jumps past it).
RETENTION = timedelta(hours=1)
# How often the retention jobs run in these tests.
JOB_INTERVAL_SECONDS = 0.05


async def own_database(postgres_server: LocalPostgres, services: tuple[str, ...]) -> str:
    """A new database in the session's PostgreSQL with the services' schemas migrated."""
    name = f"event_log_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(postgres_server.dsn("postgres"), timeout=5)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    dsn = postgres_server.dsn(name)
    await migrate(dsn, services)
    return dsn


async def drop_database(postgres_server: LocalPostgres, dsn: str) -> None:
    admin = await asyncpg.connect(postgres_server.dsn("postgres"), timeout=5)
    try:
        await admin.execute(f'DROP DATABASE "{dsn.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await admin.close()


def database_fixture(*services: str) -> Callable[..., Any]:
    """A fixture: the dsn of a database of the test's own with these services' schemas. List it
    before start_service, so that the services stop before the database is dropped."""

    @pytest.fixture
    async def fixture(postgres_server: LocalPostgres, postgres_dsn: str) -> AsyncIterator[str]:
        # postgres_dsn: the session's database exists (the server is started and migrated).
        dsn = await own_database(postgres_server, services)
        yield dsn
        await drop_database(postgres_server, dsn)

    return fixture


async def start_pruning_inventory(
    start_service: StartService, monkeypatch: pytest.MonkeyPatch, dsn: str, **overrides: object
) -> RunningService:
    """inventory on `dsn` whose retention jobs run every 50 ms and prune events older than an
    hour (of its clock: list the manual_clock fixture first to make it a ManualClock)."""
    monkeypatch.setattr(retention, "INTERVAL_SECONDS", JOB_INTERVAL_SECONDS)
    monkeypatch.setenv("STREAMSTOCK_EVENT_RETENTION_SECONDS", str(RETENTION.total_seconds()))
    return await start_service("inventory", postgres_dsn=dsn, **overrides)


def tenant_client(inventory: RunningService, tenant_id: str = "acme") -> Client:
    key = {"acme": API_KEYS.acme_admin, "globex": API_KEYS.globex_admin}[tenant_id]
    return Client(
        inventory_service_pb2_grpc.InventoryServiceStub(inventory.channel), tenant_id, key
    )


async def head(dsn: str) -> int:
    """The last sequence inventory handed out."""
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval("SELECT last FROM inventory.event_sequence"))
    finally:
        await conn.close()


async def horizon(dsn: str) -> int:
    """The highest sequence pruned, over every tenant and type."""
    conn = await asyncpg.connect(dsn)
    try:
        value = await conn.fetchval(
            "SELECT coalesce(max(pruned_through), 0) FROM inventory.event_horizons"
        )
        return int(value)
    finally:
        await conn.close()


async def prune_everything_so_far(dsn: str, clock: ManualClock) -> int:
    """Moves the clock past the retention and waits until the job pruned every event committed
    before; returns the last sequence pruned. Events committed after this are recent."""
    pruned = await head(dsn)
    clock.advance(RETENTION * 2)
    deadline = time.monotonic() + 10
    while await horizon(dsn) < pruned:
        assert time.monotonic() < deadline, "the retention job did not prune in time"
        await asyncio.sleep(JOB_INTERVAL_SECONDS)
    return pruned
