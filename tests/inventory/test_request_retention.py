"""Answered request ids are remembered for the retention and then forgotten, so idempotency
records do not grow with every hold ever taken: within the retention a retry gets its first
answer; after it, the background job has deleted the record and the same id is a new request."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from streamstock.inventory.v1 import inventory_service_pb2 as api
from streamstock.inventory.v1.inventory_service_pb2_grpc import InventoryServiceStub

from services.inventory.service_layer import retention
from tests.conftest import API_KEYS, StartService, schema_pool
from tests.inventory import sync_api
from tests.inventory.conftest import Client, seconds, unique
from tests.inventory.sync_api import ManualClock

manual_clock = sync_api.manual_clock
RETENTION = timedelta(hours=1)


async def _records(postgres_dsn: str, request_id: str) -> int:
    async with schema_pool(postgres_dsn, "inventory", 1) as pool:
        return int(
            await pool.fetchval("SELECT count(*) FROM requests WHERE request_id = $1", request_id)
        )


async def test_a_request_id_is_remembered_for_the_retention_then_forgotten(
    manual_clock: ManualClock,
    start_service: StartService,
    monkeypatch: pytest.MonkeyPatch,
    postgres_dsn: str,
) -> None:
    monkeypatch.setattr(retention, "INTERVAL_SECONDS", 0.05)
    monkeypatch.setenv("STREAMSTOCK_REQUEST_RETENTION_SECONDS", str(RETENTION.total_seconds()))
    service = await start_service("inventory")
    client = Client(InventoryServiceStub(service.channel), "acme", API_KEYS.acme_admin)
    sku = await client.create_sku(10, hold_ttl=seconds(3 * 3600))  # no hold expires here
    old, recent = unique("old"), unique("recent")

    def hold(request_id: str) -> dict[str, object]:
        line = api.ReserveLine(sku_id=sku, quantity=1)
        return {
            "request_id": request_id,
            "user_id": "u",
            "lines": [line],
            "lock_stage": 1,
            "purpose": 1,
        }

    first = (await client.call("Reserve", **hold(old))).reservation
    manual_clock.advance(RETENTION - timedelta(minutes=1))
    replayed = (await client.call("Reserve", **hold(old))).reservation
    assert replayed.reservation_id == first.reservation_id  # within the retention
    await client.call("Reserve", **hold(recent))

    manual_clock.advance(timedelta(minutes=2))  # `old` is past the retention, `recent` is not
    deadline = time.monotonic() + 10
    left = await _records(postgres_dsn, old)
    while left and time.monotonic() < deadline:  # the job runs every 50 ms here
        await asyncio.sleep(0.05)
        left = await _records(postgres_dsn, old)
    assert left == 0
    assert await _records(postgres_dsn, recent) == 1

    again = (await client.call("Reserve", **hold(old))).reservation
    assert again.reservation_id != first.reservation_id  # a new request now
    assert (await client.stock(sku)).reserved == 3
