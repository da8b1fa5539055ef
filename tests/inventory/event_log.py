"""A real inventory whose event log the retention has pruned, for the tests of WatchEvents and of
its followers (alerting, riskcontrol).

Pruning deletes a prefix of the whole log, every tenant's: done in the session's shared database
it would tell every later test that watches from 0 that its events are gone. So these tests run
inventory (and the follower under test) on a database of their own in the session's PostgreSQL,
dropped after the test.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from streamstock.inventory.v1 import inventory_service_pb2_grpc

from services.inventory.service_layer import retention
from services.runtime.migrate import migrate
from tests.conftest import API_KEYS, RunningService, StartService
from tests.inventory.conftest import Client, seconds
from tests.inventory.sync_api import ManualClock
from tools.devstack.ports import LOOPBACK
from tools.devstack.postgres import LocalPostgres

# Events older than this are pruned (the manual clock jumps past it).
RETENTION = timedelta(hours=1)
# How often the retention jobs run in these tests.
JOB_INTERVAL_SECONDS = 0.05
# Holds of these tests outlive every jump of the clock: no expiry adds events of its own.
LONG_TTL = seconds(24 * 3600)


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


def tenant_client(inventory: RunningService, tenant_id: str = "acme") -> Client:
    key = {"acme": API_KEYS.acme_admin, "globex": API_KEYS.globex_admin}[tenant_id]
    return Client(
        inventory_service_pb2_grpc.InventoryServiceStub(inventory.channel), tenant_id, key
    )


@dataclass
class PruningInventory:
    """inventory on a database of the test's own, on a manual clock, whose retention jobs run
    every 50 ms and prune events older than an hour."""

    service: RunningService
    dsn: str
    clock: ManualClock

    @property
    def address(self) -> str:
        return f"{LOOPBACK}:{self.service.host.port}"

    def client(self, tenant_id: str = "acme") -> Client:
        return tenant_client(self.service, tenant_id)

    async def head(self) -> int:
        return await head(self.dsn)

    async def prune_an_earlier_sale(self) -> int:
        """An earlier sale (a SKU of acme created and held) whose events are all pruned; returns
        the last sequence pruned: the log kept starts after it."""
        acme = self.client()
        await acme.hold(await acme.create_sku(10, hold_ttl=LONG_TTL), 1)
        return await self.prune_everything_so_far()

    async def prune_everything_so_far(self) -> int:
        """Moves the clock past the retention and waits until the job pruned every event
        committed before; returns the last sequence pruned. Later events are recent."""
        pruned = await head(self.dsn)
        self.clock.advance(RETENTION * 2)
        deadline = time.monotonic() + 10
        while await horizon(self.dsn) < pruned:
            assert time.monotonic() < deadline, "the retention job did not prune in time"
            await asyncio.sleep(JOB_INTERVAL_SECONDS)
        return pruned


@pytest.fixture
async def pruning_inventory(
    own_dsn: str,
    manual_clock: ManualClock,
    start_service: StartService,
    monkeypatch: pytest.MonkeyPatch,
) -> PruningInventory:
    """A PruningInventory; the test module names its database fixture `own_dsn` (see
    database_fixture) and imports manual_clock."""
    monkeypatch.setattr(retention, "INTERVAL_SECONDS", JOB_INTERVAL_SECONDS)
    monkeypatch.setenv("STREAMSTOCK_EVENT_RETENTION_SECONDS", str(RETENTION.total_seconds()))
    service = await start_service("inventory", postgres_dsn=own_dsn)
    return PruningInventory(service, own_dsn, manual_clock)


def gap_logged(caplog: pytest.LogCaptureFixture, first: int, last: int) -> bool:
    """Whether a follower logged, at ERROR, that events `first` to `last` were pruned."""
    return any(
        record.levelno == logging.ERROR and f"events {first} to {last}" in record.getMessage()
        for record in caplog.records
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
