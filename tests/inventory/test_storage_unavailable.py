"""A store that does not answer in time makes the call UNAVAILABLE with reason STORAGE_UNAVAILABLE
(retry the same request), never UNKNOWN: a hold stuck behind a lock longer than the PostgreSQL
command timeout holds nothing, and its retry with the same request_id holds once the store
answers again."""

from __future__ import annotations

import grpc
import pytest
from streamstock.inventory.v1 import inventory_service_pb2 as api
from streamstock.inventory.v1 import inventory_service_pb2_grpc, stock_pb2

from tests.conftest import API_KEYS, StartService
from tests.inventory.conftest import Client, metadata_of, reason_of, sku_row_locked, unique


async def test_a_hold_stuck_past_the_command_timeout_is_unavailable_and_its_retry_holds(
    start_service: StartService, postgres_dsn: str
) -> None:
    inventory = await start_service("inventory", postgres_command_timeout_seconds=0.5)
    client = Client(
        inventory_service_pb2_grpc.InventoryServiceStub(inventory.channel),
        "acme",
        API_KEYS.acme_admin,
    )
    sku = await client.create_sku(10)
    hold = {
        "request_id": unique("hold"),
        "user_id": unique("user"),
        "lines": [api.ReserveLine(sku_id=sku, quantity=2)],
        "lock_stage": stock_pb2.LOCK_STAGE_CART,
        "purpose": 1,
    }
    async with sku_row_locked(postgres_dsn, sku):
        with pytest.raises(grpc.aio.AioRpcError) as stuck:
            await client.call("Reserve", **hold)
    assert stuck.value.code() is grpc.StatusCode.UNAVAILABLE
    assert reason_of(stuck.value) == "STORAGE_UNAVAILABLE"
    assert metadata_of(stuck.value)["cause"] == "TimeoutError"
    assert (await client.stock(sku)).reserved == 0

    held = (await client.call("Reserve", **hold)).reservation
    again = (await client.call("Reserve", **hold)).reservation
    assert held.reservation_id == again.reservation_id
    stock = await client.stock(sku)
    assert (stock.reserved, stock.sellable) == (2, 8)
