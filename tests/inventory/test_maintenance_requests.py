"""Reconcile and SweepExpired are mutations like any other: a retry of a request id, even one
concurrent with the original, gets the original answer and changes nothing more; the id reused
for a different request is refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from datetime import timedelta
from typing import Any

import asyncpg
import grpc
import pytest
from streamstock.inventory.v1.inventory_service_pb2_grpc import InventoryServiceStub

from tests.conftest import API_KEYS
from tests.inventory import sync_api
from tests.inventory.books import ledger_of, reasons_by_reference
from tests.inventory.conftest import Client, reason_of, seconds, unique
from tests.inventory.sync_api import ManualClock
from tools.devstack.ports import LOOPBACK

manual_clock = sync_api.manual_clock
inventory_port = sync_api.inventory_port

# Calls sent at once with one request id.
RETRIES = 4
TTL = 60


@pytest.fixture
async def clocked(manual_clock: ManualClock, inventory_port: int) -> AsyncIterator[Client]:
    channel = grpc.aio.insecure_channel(f"{LOOPBACK}:{inventory_port}")
    yield Client(InventoryServiceStub(channel), "acme", API_KEYS.acme_admin)
    await channel.close()


async def _drift_on_hand(postgres_dsn: str, sku_id: str, extra: int) -> None:
    """Changes the counter behind the ledger's back, as a bug or a hand edit would."""
    conn = await asyncpg.connect(postgres_dsn)
    try:
        await conn.execute(
            "UPDATE inventory.skus SET on_hand = on_hand + $2"
            " WHERE tenant_id = 'acme' AND sku_id = $1",
            sku_id,
            extra,
        )
    finally:
        await conn.close()


async def _repairs_of(client: Client, sku_id: str) -> int:
    return sum(
        reasons.count("LEDGER_REASON_REPAIR")
        for reasons in reasons_by_reference(await ledger_of(client, sku_id)).values()
    )


async def _refused_as_reused(call: Awaitable[Any]) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await call
    assert refused.value.code() is grpc.StatusCode.ALREADY_EXISTS
    assert reason_of(refused.value) == "REQUEST_ID_REUSED"


async def test_a_retried_repairing_reconcile_returns_the_original_report(
    client: Client, postgres_dsn: str
) -> None:
    sku = await client.create_sku(10)
    await client.hold(sku, 2)
    await _drift_on_hand(postgres_dsn, sku, 5)
    request_id = unique("repair")

    first = await client.call("Reconcile", request_id=request_id, sku_ids=[sku], repair=True)
    (drift,) = first.drifts
    assert (drift.recorded.on_hand, drift.recomputed.on_hand, drift.repaired) == (15, 10, True)
    again = await client.call("Reconcile", request_id=request_id, sku_ids=[sku], repair=True)
    assert again == first
    assert (await client.stock(sku)).on_hand == 10

    # The same id for another ask is refused, and repairs nothing.
    await _drift_on_hand(postgres_dsn, sku, 1)
    for changed in ({"repair": False}, {"repair": True, "sku_ids": [sku, unique("other")]}):
        fields = {"sku_ids": [sku], **changed}
        await _refused_as_reused(client.call("Reconcile", request_id=request_id, **fields))
    assert (await client.stock(sku)).on_hand == 11


async def test_concurrent_retries_of_a_repairing_reconcile_all_get_its_report(
    client: Client, postgres_dsn: str
) -> None:
    sku = await client.create_sku(10)
    await _drift_on_hand(postgres_dsn, sku, 3)
    request_id = unique("repair")
    reports = await asyncio.gather(
        *(
            client.call("Reconcile", request_id=request_id, sku_ids=[sku], repair=True)
            for _ in range(RETRIES)
        )
    )
    (drift,) = reports[0].drifts
    assert (drift.recorded.on_hand, drift.recomputed.on_hand) == (13, 10)
    assert all(report == reports[0] for report in reports)
    assert await _repairs_of(client, sku) == 0  # on_hand drift is no reserved drift: no entry
    assert (await client.stock(sku)).on_hand == 10


async def test_a_retried_read_only_reconcile_returns_the_original_report(
    client: Client, postgres_dsn: str
) -> None:
    sku = await client.create_sku(10)
    request_id = unique("check")
    clean = await client.call("Reconcile", request_id=request_id, sku_ids=[sku])
    assert (clean.checked, list(clean.drifts)) == (1, [])
    await _drift_on_hand(postgres_dsn, sku, 2)
    # The retry is answered as the first call was; a new request sees the drift.
    assert await client.call("Reconcile", request_id=request_id, sku_ids=[sku]) == clean
    assert len((await client.call("Reconcile", sku_ids=[sku])).drifts) == 1


async def _booked_reserved(client: Client, sku_id: str) -> int:
    """Units the SKU's books (the ledger) still reserve; reads never count a due hold."""
    return sum(entry.reserved_delta for entry in await ledger_of(client, sku_id))


async def test_a_retried_sweep_returns_the_original_count(
    manual_clock: ManualClock, clocked: Client
) -> None:
    sku = await clocked.create_sku(10, hold_ttl=seconds(TTL))
    for _ in range(3):
        await clocked.hold(sku, 1)
    manual_clock.advance(timedelta(seconds=TTL))
    request_id = unique("sweep")

    swept = await asyncio.gather(
        *(clocked.call("SweepExpired", request_id=request_id) for _ in range(RETRIES))
    )
    # (Other tests' due holds of the tenant may be swept too: the counts are compared.)
    assert swept[0].expired >= 3
    assert all(s == swept[0] for s in swept)
    assert await _booked_reserved(clocked, sku) == 0

    # A hold due after the sweep is left to a new request id: a retry answers as before, and
    # the id reused for another limit is refused; neither sweeps it.
    await clocked.hold(sku, 1)
    manual_clock.advance(timedelta(seconds=TTL))
    assert await clocked.call("SweepExpired", request_id=request_id) == swept[0]
    await _refused_as_reused(clocked.call("SweepExpired", request_id=request_id, limit=5))
    assert await _booked_reserved(clocked, sku) == 1
    assert (await clocked.call("SweepExpired")).expired >= 1
    assert await _booked_reserved(clocked, sku) == 0


async def test_a_sweep_of_every_tenant_is_answered_once_per_request_id(
    manual_clock: ManualClock, clocked: Client
) -> None:
    service = Client(clocked.stub, "", API_KEYS.service)
    sku = await clocked.create_sku(10, hold_ttl=seconds(TTL))
    await clocked.hold(sku, 2)
    manual_clock.advance(timedelta(seconds=TTL))
    request_id = unique("sweep-all")
    first = await service.call("SweepExpired", request_id=request_id)
    assert first.expired >= 1
    await clocked.hold(sku, 3)
    manual_clock.advance(timedelta(seconds=TTL))
    assert await service.call("SweepExpired", request_id=request_id) == first
    assert await _booked_reserved(clocked, sku) == 3
