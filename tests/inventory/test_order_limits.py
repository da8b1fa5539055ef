"""Max per order caps what one order holds of a SKU over all its ACTIVE and CONFIRMED holds, as
the seed's second level of limits does (order id + SKU): splitting an order over several holds,
sending them in parallel or growing one of them afterwards cannot pass the cap."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import pytest
from streamstock.inventory.v1 import inventory_service_pb2 as api
from streamstock.inventory.v1 import reservation_pb2, stock_pb2

from tests.inventory.conftest import Client, metadata_of, reason_of, unique
from tests.inventory.outcomes import answers, attempt, refusals

CAP = 3


async def _refused(call: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await call
    assert refused.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert reason_of(refused.value) == "MAX_PER_ORDER_EXCEEDED"
    return refused.value


async def test_an_order_split_over_several_holds_stays_under_the_cap(client: Client) -> None:
    sku = await client.create_sku(100, max_per_order=CAP)
    order = unique("order")
    first = await client.hold(sku, 2, order_id=order, user_id="ann")
    refused = await _refused(client.hold(sku, 2, order_id=order, user_id="ann"))
    assert metadata_of(refused)["held"] == "2"
    second = await client.hold(sku, 1, order_id=order, user_id="ann")
    await _refused(client.hold(sku, 1, order_id=order, user_id="ann"))
    assert (await client.stock(sku)).reserved == 3

    # A confirmed hold still counts; a released one no longer does.
    await client.call("ConfirmReservation", reservation_id=first.reservation_id)
    await _refused(client.hold(sku, 1, order_id=order, user_id="ann"))
    await client.call(
        "ReleaseReservation",
        reservation_id=second.reservation_id,
        reason=reservation_pb2.RELEASE_REASON_BUYER_CANCELLED,
    )
    await client.hold(sku, 1, order_id=order, user_id="ann")

    # Other orders, the same order id on another platform, and holds naming no order each
    # have a cap of their own.
    await client.hold(sku, CAP, user_id="ann")
    await client.hold(
        sku, CAP, order_id=order, buyer=reservation_pb2.BuyerContext(platform_id="ks")
    )
    for _ in range(2):
        await client.hold(sku, CAP, order_id="")
    stock = await client.stock(sku)
    assert (stock.reserved, stock.sold) == (1 + 4 * CAP, 2)


async def test_parallel_holds_of_one_order_cannot_pass_the_cap(client: Client) -> None:
    sku = await client.create_sku(100, max_per_order=CAP)
    other = await client.create_sku(100)
    one_line, two_lines = unique("order"), unique("order")

    def reserve(order: str, skus: list[str]) -> Any:
        lines = [api.ReserveLine(sku_id=s, quantity=1) for s in skus]
        return attempt(
            client.call(
                "Reserve",
                user_id="bo",
                order_id=order,
                lines=lines,
                lock_stage=stock_pb2.LOCK_STAGE_CART,
                purpose=reservation_pb2.RESERVATION_PURPOSE_BUYER,
            )
        )

    # One-line holds of a SKU are decided in batches; two-line holds each in a transaction.
    outcomes = await asyncio.gather(
        *(reserve(one_line, [sku]) for _ in range(10)),
        *(reserve(two_lines, [sku, other]) for _ in range(10)),
    )
    for order_outcomes in (outcomes[:10], outcomes[10:]):
        assert len(answers(order_outcomes)) == CAP
        assert refusals(order_outcomes) == {"MAX_PER_ORDER_EXCEEDED": 10 - CAP}
    assert (await client.stock(sku)).reserved == 2 * CAP
    assert (await client.stock(other)).reserved == CAP


async def test_growing_a_hold_counts_the_orders_other_holds(client: Client) -> None:
    sku = await client.create_sku(100, max_per_order=CAP)
    order = unique("order")
    big = await client.hold(sku, 2, order_id=order)
    small = await client.hold(sku, 1, order_id=order)

    def resize(hold: reservation_pb2.Reservation, quantity: int) -> Any:
        return client.call(
            "ResizeReservation", reservation_id=hold.reservation_id, sku_id=sku, quantity=quantity
        )

    refused = await _refused(resize(small, 2))
    assert (metadata_of(refused)["held"], metadata_of(refused)["requested"]) == ("3", "1")
    await resize(big, 1)
    assert (await resize(small, 2)).reservation.lines[0].quantity == 2
    await _refused(resize(big, 2))
    assert (await client.stock(sku)).reserved == CAP
