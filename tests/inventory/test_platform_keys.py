"""A platform's API key bound to its platform (`<sha256>:<tenant>:platform:<platform id>`) holds
for buyers of that platform only and acts on its holds only: naming another platform in
buyer.platform_id, or reading or changing a hold made on another, is PERMISSION_DENIED with
PLATFORM_MISMATCH and changes nothing; an empty buyer.platform_id is booked as the key's platform,
and listings leave other platforms' holds out. A platform key bound to no platform names any."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import duration_pb2
from streamstock.inventory.v1 import inventory_service_pb2 as api
from streamstock.inventory.v1 import inventory_service_pb2_grpc, reservation_pb2

from services.runtime.auth import digest
from tests.conftest import API_KEYS, StartService
from tests.inventory.conftest import Client, metadata_of, reason_of, unique

SHOP_KEY = "test-acme-shop-a-key"
EVERY_PLATFORM_KEY = "test-acme-every-platform-key"
SHOP = "shop-a"


@pytest.fixture
async def callers(start_service: StartService) -> tuple[Client, Client, Client]:
    """acme's admin, shop A's bound key and a platform key of every platform, on one service."""
    inventory = await start_service(
        "inventory",
        api_keys=",".join(
            [
                API_KEYS.spec(),
                f"{digest(SHOP_KEY)}:acme:platform:{SHOP}",
                f"{digest(EVERY_PLATFORM_KEY)}:acme:platform",
            ]
        ),
    )
    stub = inventory_service_pb2_grpc.InventoryServiceStub(inventory.channel)
    return (
        Client(stub, "acme", API_KEYS.acme_admin),
        Client(stub, "acme", SHOP_KEY),
        Client(stub, "acme", EVERY_PLATFORM_KEY),
    )


def _on(platform_id: str) -> reservation_pb2.BuyerContext:
    return reservation_pb2.BuyerContext(platform_id=platform_id, ip="10.0.0.7", device_id="phone")


async def test_a_bound_key_holding_for_another_platform_is_refused_and_holds_nothing(
    callers: tuple[Client, Client, Client],
) -> None:
    admin, shop, _ = callers
    sku = await admin.create_sku(10)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await shop.hold(sku, 2, buyer=_on("shop-b"))
    assert refused.value.code() is grpc.StatusCode.PERMISSION_DENIED
    assert reason_of(refused.value) == "PLATFORM_MISMATCH"
    assert metadata_of(refused.value)["platform_id"] == "shop-b"
    with pytest.raises(grpc.aio.AioRpcError) as bought:
        await shop.call(
            "Purchase",
            user_id=unique("user"),
            lines=[api.ReserveLine(sku_id=sku, quantity=1)],
            buyer=_on("shop-b"),
        )
    assert reason_of(bought.value) == "PLATFORM_MISMATCH"
    stock = await admin.stock(sku)
    assert (stock.sellable, stock.reserved, stock.sold) == (10, 0, 0)


async def test_a_bound_key_holds_as_its_platform(callers: tuple[Client, Client, Client]) -> None:
    admin, shop, _ = callers
    sku = await admin.create_sku(10)
    named = await shop.hold(sku, 1, buyer=_on(SHOP))
    unnamed = await shop.hold(sku, 1, buyer=_on(""))
    assert named.buyer.platform_id == unnamed.buyer.platform_id == SHOP
    read = await admin.call("GetReservation", reservation_id=unnamed.reservation_id)
    assert read.reservation.buyer.platform_id == SHOP
    bought = await shop.call(
        "Purchase",
        user_id=unique("user"),
        lines=[api.ReserveLine(sku_id=sku, quantity=1)],
        payment_reference="pay-1",
    )
    assert bought.reservation.buyer.platform_id == SHOP
    assert bought.reservation.state == reservation_pb2.RESERVATION_STATE_CONFIRMED
    stock = await admin.stock(sku)
    assert (stock.reserved, stock.sold) == (2, 1)


async def test_keys_bound_to_no_platform_name_any(callers: tuple[Client, Client, Client]) -> None:
    admin, _, every_platform = callers
    sku = await admin.create_sku(10)
    for caller, platform_id in ((every_platform, "shop-b"), (admin, "shop-c"), (admin, "")):
        held = await caller.hold(sku, 1, buyer=_on(platform_id))
        assert held.buyer.platform_id == platform_id


async def test_a_bound_key_reads_and_changes_holds_of_its_platform_only(
    callers: tuple[Client, Client, Client],
) -> None:
    admin, shop, every_platform = callers
    sku = await admin.create_sku(10)
    theirs = await every_platform.hold(sku, 2, buyer=_on("shop-b"))
    ours = await shop.hold(sku, 1)
    hold = {"reservation_id": theirs.reservation_id}
    for method, fields in (
        ("GetReservation", {}),
        ("ConfirmReservation", {"payment_reference": "pay-2"}),
        ("ReleaseReservation", {"reason": reservation_pb2.RELEASE_REASON_BUYER_CANCELLED}),
        ("ExtendReservation", {"extension": duration_pb2.Duration(seconds=60)}),
        ("ResizeReservation", {"sku_id": sku, "quantity": 1}),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await shop.call(method, **hold, **fields)
        assert reason_of(refused.value) == "PLATFORM_MISMATCH", method
        assert metadata_of(refused.value)["platform_id"] == "shop-b"
    untouched = (await admin.call("GetReservation", **hold)).reservation
    assert untouched.state == reservation_pb2.RESERVATION_STATE_ACTIVE
    assert (untouched.lines[0].quantity, untouched.extension_count) == (2, 0)
    stock = await admin.stock(sku)
    assert (stock.reserved, stock.sold) == (3, 0)

    listed = await shop.call("ListReservations", sku_id=sku)
    assert [r.reservation_id for r in listed.reservations] == [ours.reservation_id]
    everything = await admin.call("ListReservations", sku_id=sku)
    assert len(everything.reservations) == 2
    confirmed = await shop.call(
        "ConfirmReservation", reservation_id=ours.reservation_id, payment_reference="pay-3"
    )
    assert confirmed.reservation.state == reservation_pb2.RESERVATION_STATE_CONFIRMED
