"""Holds through the gRPC API: the everyday paths and their refusals."""

from __future__ import annotations

import grpc
import pytest
from streamstock.inventory.v1 import inventory_service_pb2 as api
from streamstock.inventory.v1 import reservation_pb2, stock_pb2

from tests.inventory.conftest import Client, metadata_of, reason_of, unique


async def test_hold_then_confirm_moves_units_from_reserved_to_sold(client: Client) -> None:
    sku = await client.create_sku(10)
    held = await client.hold(sku, 3)
    assert held.state == reservation_pb2.RESERVATION_STATE_ACTIVE
    stock = await client.stock(sku)
    assert (stock.on_hand, stock.reserved, stock.sellable, stock.sold) == (10, 3, 7, 0)

    confirmed = await client.call(
        "ConfirmReservation", reservation_id=held.reservation_id, payment_reference="pay-1"
    )
    assert confirmed.reservation.state == reservation_pb2.RESERVATION_STATE_CONFIRMED
    stock = await client.stock(sku)
    assert (stock.on_hand, stock.reserved, stock.sellable, stock.sold) == (7, 0, 7, 3)


async def test_release_returns_units(client: Client) -> None:
    sku = await client.create_sku(5)
    held = await client.hold(sku, 5)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await client.hold(sku, 1)
    assert reason_of(refused.value) == "INSUFFICIENT_STOCK"
    await client.call(
        "ReleaseReservation",
        reservation_id=held.reservation_id,
        reason=reservation_pb2.RELEASE_REASON_BUYER_CANCELLED,
    )
    assert (await client.stock(sku)).sellable == 5
    await client.hold(sku, 5)


async def test_second_confirm_is_refused(client: Client) -> None:
    sku = await client.create_sku(5)
    held = await client.hold(sku, 1)
    await client.call("ConfirmReservation", reservation_id=held.reservation_id)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await client.call("ReleaseReservation", reservation_id=held.reservation_id, reason=1)
    assert reason_of(refused.value) == "RESERVATION_NOT_ACTIVE"


async def test_retry_returns_the_original_reservation(client: Client) -> None:
    sku = await client.create_sku(5)
    request_id = unique("req")
    first = await client.hold(sku, 2, request_id=request_id, user_id="u1", order_id="o1")
    again = await client.hold(sku, 2, request_id=request_id, user_id="u1", order_id="o1")
    assert again == first
    assert (await client.stock(sku)).reserved == 2
    with pytest.raises(grpc.aio.AioRpcError) as reused:
        await client.hold(sku, 3, request_id=request_id, user_id="u1", order_id="o1")
    assert reason_of(reused.value) == "REQUEST_ID_REUSED"


async def test_multi_line_hold_is_all_or_nothing(client: Client) -> None:
    plenty, scarce = await client.create_sku(10), await client.create_sku(1)
    lines = [api.ReserveLine(sku_id=plenty, quantity=2), api.ReserveLine(sku_id=scarce, quantity=2)]
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await client.call(
            "Reserve", user_id="u", order_id="o", lines=lines, lock_stage=1, purpose=1
        )
    assert reason_of(refused.value) == "INSUFFICIENT_STOCK"
    assert (await client.stock(plenty)).reserved == 0
    lines[1].quantity = 1
    held = await client.call(
        "Reserve", user_id="u", order_id="o", lines=lines, lock_stage=1, purpose=1
    )
    assert len(held.reservation.lines) == 2
    assert (await client.stock(scarce)).sellable == 0


async def test_purchase_limit_counts_active_and_confirmed_holds(client: Client) -> None:
    sku = await client.create_sku(100, per_user_limit=2)
    first = await client.hold(sku, 1, user_id="buyer")
    await client.call("ConfirmReservation", reservation_id=first.reservation_id)
    await client.hold(sku, 1, user_id="buyer", order_id="another-order")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await client.hold(sku, 1, user_id="buyer", order_id="third-order")
    assert reason_of(refused.value) == "PURCHASE_LIMIT_EXCEEDED"


async def test_a_sale_status_change_expecting_another_status_changes_nothing(
    client: Client,
) -> None:
    """The compare-and-set alerting uses to resume only a sale its own RED alert paused."""
    sku = await client.create_sku(5)
    paused, stopped = stock_pb2.SALE_STATUS_PAUSED, stock_pb2.SALE_STATUS_STOPPED
    await client.call("SetSaleStatus", sku_id=sku, sale_status=paused, reason="RED alert")
    # An operator stops the sale; the resume that expected the pause must not undo that.
    await client.call("SetSaleStatus", sku_id=sku, sale_status=stopped, reason="operator")
    resume = dict(sku_id=sku, sale_status=stock_pb2.SALE_STATUS_ON_SALE, request_id=unique("r"))
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await client.call("SetSaleStatus", expected_sale_status=paused, **resume)
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert reason_of(refused.value) == "SALE_STATUS_CHANGED"
    assert metadata_of(refused.value)["sale_status"] == "STOPPED"
    sku_now = (await client.call("GetSku", sku_id=sku)).sku
    assert sku_now.sale_status == stopped
    # Expecting the status the SKU has, the change applies.
    await client.call("SetSaleStatus", sku_id=sku, sale_status=paused, request_id=unique("p"))
    changed = await client.call(
        "SetSaleStatus", expected_sale_status=paused, **{**resume, "request_id": unique("r2")}
    )
    assert changed.sku.sale_status == stock_pb2.SALE_STATUS_ON_SALE


async def test_an_unknown_expected_sale_status_is_invalid(client: Client) -> None:
    sku = await client.create_sku(5)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await client.call(
            "SetSaleStatus",
            sku_id=sku,
            sale_status=stock_pb2.SALE_STATUS_PAUSED,
            expected_sale_status=99,
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert metadata_of(refused.value)["field"] == "expected_sale_status"


async def test_paused_sale_refuses_holds(client: Client) -> None:
    sku = await client.create_sku(5)
    await client.call("SetSaleStatus", sku_id=sku, sale_status=stock_pb2.SALE_STATUS_PAUSED)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await client.hold(sku)
    assert reason_of(refused.value) == "SALE_NOT_ACTIVE"
