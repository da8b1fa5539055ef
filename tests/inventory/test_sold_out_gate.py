"""The sold-out gate: refusals without a transaction, never an admission, correct after restock."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import pytest
from streamstock.inventory.v1 import inventory_service_pb2 as api
from streamstock.inventory.v1 import stock_pb2

from tests.conftest import StartService
from tests.inventory.conftest import Client, reason_of, sku_row_locked, unique
from tests.inventory.outcomes import acme_admin, attempt, refusals

GATE_KEY = "streamstock:inventory:{{{tenant}/{sku}}}:sellable"


async def test_sold_out_sku_is_published_to_redis_with_its_version(
    client: Client, redis_client: Any
) -> None:
    sku = await client.create_sku(2)
    await client.hold(sku, 2)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await client.hold(sku, 1)
    assert reason_of(refused.value) == "INSUFFICIENT_STOCK"
    stored = await redis_client.get(GATE_KEY.format(tenant=client.tenant_id, sku=sku))
    assert stored is not None
    version, sellable, reopens_ms = (int(part) for part in stored.split(b":"))
    assert sellable == 0
    assert reopens_ms > 0  # the holds' deadline: from then on the gate stops refusing
    assert version == (await client.call("GetSku", sku_id=sku)).sku.version


async def test_restock_reopens_a_sold_out_sku_at_once(client: Client) -> None:
    sku = await client.create_sku(1)
    await client.hold(sku, 1)
    for _ in range(3):
        with pytest.raises(grpc.aio.AioRpcError):
            await client.hold(sku, 1)
    await client.call("Restock", sku_id=sku, quantity=5)
    await client.hold(sku, 5)


async def test_a_retry_of_a_hold_made_before_sell_out_gets_its_hold(client: Client) -> None:
    sku = await client.create_sku(1)
    request_id = unique("early-bird")
    first = await client.hold(sku, 1, request_id=request_id, user_id="u", order_id="o")
    with pytest.raises(grpc.aio.AioRpcError):
        await client.hold(sku, 1)
    # The gate knows the SKU is sold out; the retry must still be answered with the hold.
    retried = await client.hold(sku, 1, request_id=request_id, user_id="u", order_id="o")
    assert retried.reservation_id == first.reservation_id


async def test_gate_never_admits_beyond_stock_under_a_burst(client: Client) -> None:
    sku = await client.create_sku(50)
    outcomes = await asyncio.gather(
        *(client.hold(sku, 1) for _ in range(300)), return_exceptions=True
    )
    assert sum(not isinstance(o, Exception) for o in outcomes) == 50
    assert {reason_of(o) for o in outcomes if isinstance(o, grpc.aio.AioRpcError)} == {
        "INSUFFICIENT_STOCK"
    }
    assert (await client.stock(sku)).reserved == 50


async def test_a_sold_out_sku_refuses_before_the_risk_screen(client: Client) -> None:
    # This inventory has no riskcontrol to ask and the SKU fails closed: every attempt the
    # screen judges is refused RISK_UNAVAILABLE.
    sku = await client.create_sku(
        1,
        risk_mode=stock_pb2.RISK_MODE_ENFORCE,
        risk_fail_mode=stock_pb2.RISK_FAIL_MODE_CLOSED,
    )
    with pytest.raises(grpc.aio.AioRpcError) as screened:
        await client.hold(sku, 1)
    assert reason_of(screened.value) == "RISK_UNAVAILABLE"
    await client.call("SetWithheld", sku_id=sku, kind=stock_pb2.WITHHOLD_KIND_SAFETY, quantity=1)
    # Nothing sellable: the gate refuses, and no attempt reaches the screen.
    for _ in range(3):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await client.hold(sku, 1)
        assert reason_of(refused.value) == "INSUFFICIENT_STOCK"
    assert (await client.stock(sku)).reserved == 0


async def test_after_a_restart_the_gate_refuses_a_sold_out_sku_again(
    start_service: StartService, redis_client: Any, postgres_dsn: str
) -> None:
    first = await start_service("inventory")
    client = acme_admin(first.channel)
    sku = await client.create_sku(3)
    for _ in range(3):
        await client.hold(sku, 1)
    with pytest.raises(grpc.aio.AioRpcError):
        await client.hold(sku, 1)
    await first.host.stop()

    # The restart outlasts the gate's Redis entry: the new process learns it again.
    key = GATE_KEY.format(tenant=client.tenant_id, sku=sku)
    deadline = asyncio.get_running_loop().time() + 10
    while await redis_client.exists(key):
        assert asyncio.get_running_loop().time() < deadline, "the gate entry never lapsed"
        await asyncio.sleep(0.1)
    client = acme_admin((await start_service("inventory")).channel)

    outcomes = await asyncio.gather(*(attempt(client.hold(sku, 1)) for _ in range(50)))
    assert refusals(outcomes) == {"INSUFFICIENT_STOCK": 50}
    stock = await client.stock(sku)
    assert (stock.on_hand, stock.reserved, stock.sellable) == (3, 3, 0)
    stored = await redis_client.get(key)
    assert stored is not None
    version, sellable, _ = (int(part) for part in stored.split(b":"))
    assert (version, sellable) == ((await client.call("GetSku", sku_id=sku)).sku.version, 0)

    # With the SKU's row locked, a hold that reached PostgreSQL would wait: the gate refuses.
    async with sku_row_locked(postgres_dsn, sku):
        for _ in range(3):
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await client.call(
                    "Reserve",
                    user_id=unique("user"),
                    lines=[api.ReserveLine(sku_id=sku, quantity=1)],
                    lock_stage=1,
                    purpose=1,
                )
            assert reason_of(refused.value) == "INSUFFICIENT_STOCK"
    assert (await client.stock(sku)).reserved == 3
