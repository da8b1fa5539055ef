"""Every capability of inventory's contract through the gRPC API, beyond the everyday holds."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import grpc
import pytest
from google.protobuf import timestamp_pb2
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from streamstock.inventory.v1 import (
    events_pb2,
    inventory_service_pb2_grpc,
    reservation_pb2,
    stock_pb2,
)
from streamstock.inventory.v1 import inventory_service_pb2 as api

from tests.conftest import API_KEYS, RunningService
from tests.inventory.books import assert_books_balance, ledger_of
from tests.inventory.conftest import Client, flash_policy, metadata_of, reason_of, seconds, unique


def service_client(inventory: RunningService) -> Client:
    stub = inventory_service_pb2_grpc.InventoryServiceStub(inventory.channel)
    return Client(stub, "acme", API_KEYS.service)


async def test_purchase_reserves_and_confirms_in_one_call(client: Client) -> None:
    sku = await client.create_sku(5, lock_stage=stock_pb2.LOCK_STAGE_PAYMENT)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await client.hold(sku, 1)
    assert reason_of(refused.value) == "LOCK_STAGE_MISMATCH"
    bought = await client.call(
        "Purchase",
        user_id="u",
        order_id="o",
        lines=[api.ReserveLine(sku_id=sku, quantity=2)],
        payment_reference="pay-9",
    )
    assert bought.reservation.state == reservation_pb2.RESERVATION_STATE_CONFIRMED
    stock = await client.stock(sku)
    assert (stock.on_hand, stock.reserved, stock.sold) == (3, 0, 2)


async def presale_sku(client: Client, due: datetime, **policy: Any) -> str:
    """A presale of 10 units held at ORDER stage whose balance falls due at `due`."""
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(due)
    sku = unique("presale")
    presale = stock_pb2.SalePolicy(
        lock_stage=stock_pb2.LOCK_STAGE_ORDER,
        sale_mode=stock_pb2.SALE_MODE_PRESALE,
        presale_balance_due_time=stamp,
        **policy,
    )
    await client.call("CreateSku", sku_id=sku, title="Presale", on_hand=10, policy=presale)
    return sku


async def test_presale_deposit_balance_and_missed_deadline(client: Client) -> None:
    due = datetime.now(UTC) + timedelta(seconds=2)
    sku = await presale_sku(client, due)
    paid = await client.hold(sku, 1, lock_stage=stock_pb2.LOCK_STAGE_ORDER)
    unpaid = await client.hold(sku, 1, lock_stage=stock_pb2.LOCK_STAGE_ORDER)
    assert paid.expire_time.ToDatetime(tzinfo=UTC) == due.replace(microsecond=due.microsecond)
    await client.call("ConfirmReservation", reservation_id=paid.reservation_id)
    await asyncio.sleep((due - datetime.now(UTC)).total_seconds() + 0.1)
    with pytest.raises(grpc.aio.AioRpcError) as late:
        await client.call("ConfirmReservation", reservation_id=unpaid.reservation_id)
    assert reason_of(late.value) == "RESERVATION_EXPIRED"
    with pytest.raises(grpc.aio.AioRpcError) as closed:
        await client.hold(sku, 1, lock_stage=stock_pb2.LOCK_STAGE_ORDER)
    assert reason_of(closed.value) == "SALE_NOT_ACTIVE"  # no deposits after the balance date
    stock = await client.stock(sku)
    assert (stock.sold, stock.reserved, stock.sellable) == (1, 0, 9)


async def test_a_presale_deposit_is_not_extended_past_the_balance_date(client: Client) -> None:
    due = datetime.now(UTC) + timedelta(hours=1)
    sku = await presale_sku(
        client, due, allow_extension=True, max_extension=seconds(7200), max_extensions=3
    )
    deposit = await client.hold(sku, 1, lock_stage=stock_pb2.LOCK_STAGE_ORDER)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await client.call(
            "ExtendReservation", reservation_id=deposit.reservation_id, extension=seconds(60)
        )
    assert reason_of(refused.value) == "EXTENSION_NOT_ALLOWED"
    assert metadata_of(refused.value)["why"] == "PAST_BALANCE_DUE"
    seen = await client.call("GetReservation", reservation_id=deposit.reservation_id)
    assert seen.reservation.expire_time == deposit.expire_time
    assert seen.reservation.extension_count == 0


async def test_expired_hold_is_not_counted_before_the_sweeper_and_is_swept_once(
    client: Client,
) -> None:
    sku = await client.create_sku(3, hold_ttl=seconds(1))
    held = await client.hold(sku, 3)
    await asyncio.sleep(1.1)
    assert (await client.stock(sku)).sellable == 3
    seen = await client.call("GetReservation", reservation_id=held.reservation_id)
    assert seen.reservation.state == reservation_pb2.RESERVATION_STATE_EXPIRED
    await client.hold(sku, 3)  # the due hold is returned to stock inside this hold's batch


async def test_extension_within_policy(client: Client) -> None:
    sku = await client.create_sku(
        3, allow_extension=True, max_extension=seconds(600), max_extensions=1
    )
    held = await client.hold(sku, 1)
    extended = await client.call(
        "ExtendReservation", reservation_id=held.reservation_id, extension=seconds(300)
    )
    moved = extended.reservation.expire_time.seconds - held.expire_time.seconds
    assert moved == 300
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await client.call(
            "ExtendReservation", reservation_id=held.reservation_id, extension=seconds(60)
        )
    assert reason_of(refused.value) == "EXTENSION_NOT_ALLOWED"


async def test_cart_edits_cannot_bypass_the_purchase_limit(client: Client) -> None:
    sku = await client.create_sku(50, per_user_limit=3)
    held = await client.hold(sku, 1, user_id="editor")
    await client.call(
        "ResizeReservation", reservation_id=held.reservation_id, sku_id=sku, quantity=3
    )
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await client.call(
            "ResizeReservation", reservation_id=held.reservation_id, sku_id=sku, quantity=4
        )
    assert reason_of(refused.value) == "PURCHASE_LIMIT_EXCEEDED"
    with pytest.raises(grpc.aio.AioRpcError):
        await client.hold(sku, 1, user_id="editor", order_id="another")
    await client.call(
        "ResizeReservation", reservation_id=held.reservation_id, sku_id=sku, quantity=1
    )
    await client.hold(sku, 2, user_id="editor", order_id="another")


async def test_limit_set_later_counts_existing_holds(client: Client) -> None:
    sku = await client.create_sku(50)
    await client.hold(sku, 2, user_id="early")
    await client.call("UpdateSalePolicy", sku_id=sku, policy=flash_policy(per_user_limit=2))
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await client.hold(sku, 1, user_id="early", order_id="later")
    assert reason_of(refused.value) == "PURCHASE_LIMIT_EXCEEDED"


async def test_platform_quota_is_consumed_and_returned(
    client: Client, inventory: RunningService
) -> None:
    sync = service_client(inventory)
    sku = await client.create_sku(20)
    quota_hold = {
        "user_id": "platform-douyin",
        "purpose": reservation_pb2.RESERVATION_PURPOSE_PLATFORM_QUOTA,
    }
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await client.hold(sku, 10, **quota_hold)  # an admin key is not the sync service
    assert refused.value.code() is grpc.StatusCode.PERMISSION_DENIED
    quota = await sync.hold(sku, 10, **quota_hold)
    assert not quota.HasField("expire_time")
    consumed = await sync.call(
        "ConsumeReservation", reservation_id=quota.reservation_id, sku_id=sku, quantity=4
    )
    assert consumed.reservation.lines[0].quantity == 6
    assert consumed.reservation.lines[0].consumed_quantity == 4
    with pytest.raises(grpc.aio.AioRpcError) as too_much:
        await sync.call(
            "ConsumeReservation", reservation_id=quota.reservation_id, sku_id=sku, quantity=7
        )
    assert reason_of(too_much.value) == "INSUFFICIENT_STOCK"
    await sync.call("ReturnSold", sku_id=sku, quantity=1, order_id="refund-1")
    stock = await client.stock(sku)
    assert (stock.on_hand, stock.reserved, stock.sold, stock.sellable) == (17, 6, 3, 11)


async def test_withheld_and_adjustments(client: Client) -> None:
    sku = await client.create_sku(10)
    await client.call("SetWithheld", sku_id=sku, kind=stock_pb2.WITHHOLD_KIND_VIP, quantity=4)
    await client.call("SetWithheld", sku_id=sku, kind=stock_pb2.WITHHOLD_KIND_GIFT, quantity=1)
    got = (await client.call("GetSku", sku_id=sku)).sku
    assert (got.stock.withheld, got.stock.sellable) == (5, 5)
    assert {(w.kind, w.quantity) for w in got.withheld} == {(2, 4), (3, 1)}
    await client.call(
        "AdjustStock", sku_id=sku, on_hand_delta=-2, reason=stock_pb2.ADJUSTMENT_REASON_DAMAGED
    )
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await client.call(
            "AdjustStock", sku_id=sku, on_hand_delta=-4, reason=stock_pb2.ADJUSTMENT_REASON_LOST
        )
    assert reason_of(refused.value) == "ON_HAND_BELOW_COMMITTED"
    assert (await client.stock(sku)).sellable == 3


async def test_lists_paginate_newest_first(client: Client) -> None:
    sku = await client.create_sku(10)
    made = [await client.hold(sku, 1, user_id="lister", order_id=f"o{n}") for n in range(5)]
    seen: list[str] = []
    token = ""
    while True:
        page = await client.call(
            "ListReservations", user_id="lister", page_size=2, page_token=token
        )
        seen += [r.reservation_id for r in page.reservations]
        if not (token := page.next_page_token):
            break
    assert seen == [r.reservation_id for r in reversed(made)]
    by_sku = await client.call("ListReservations", sku_id=sku, page_size=100)
    assert len(by_sku.reservations) == 5
    active = await client.call(
        "ListReservations", user_id="lister", state=reservation_pb2.RESERVATION_STATE_ACTIVE
    )
    assert len(active.reservations) == 5


def _violated_fields(error: grpc.aio.AioRpcError) -> list[str]:
    status = rpc_status.from_call(error)
    assert status is not None
    violations = []
    for detail in status.details:
        bad = error_details_pb2.BadRequest()
        if detail.Unpack(bad):
            violations += [v.field for v in bad.field_violations]
    return violations


async def test_bad_input_names_the_field_and_changes_nothing(client: Client) -> None:
    sku = await client.create_sku(10, per_user_limit=5)
    held = await client.hold(sku, 2)
    hold_ref = {"reservation_id": held.reservation_id}
    hold_line = {**hold_ref, "sku_id": sku}
    new_sku = unique("sku")

    def reserve(quantity: int, **fields: object) -> dict[str, object]:
        line = api.ReserveLine(sku_id=sku, quantity=quantity)
        return {"user_id": "u", "lock_stage": 1, "purpose": 1, "lines": [line], **fields}

    def create(on_hand: int = 1, **policy: object) -> dict[str, object]:
        return {
            "sku_id": new_sku,
            "title": "t",
            "on_hand": on_hand,
            "policy": flash_policy(**policy),
        }

    cases: list[tuple[str, dict[str, object], str]] = [
        ("Reserve", reserve(0), "lines[0].quantity"),
        ("Reserve", reserve(-1), "lines[0].quantity"),
        ("Reserve", reserve(10**12), "lines[0].quantity"),
        ("Reserve", reserve(-(2**63)), "lines[0].quantity"),
        ("Reserve", reserve(1, lock_stage=99), "lock_stage"),
        ("Reserve", reserve(1, user_id="x" * 200), "user_id"),
        ("Reserve", reserve(1, request_id=""), "request_id"),
        ("Purchase", {"user_id": "u", "lines": reserve(10**12)["lines"]}, "lines[0].quantity"),
        ("CreateSku", create(10**10), "on_hand"),
        ("CreateSku", create(-1), "on_hand"),
        ("CreateSku", create(per_user_limit=-1), "policy.per_user_limit"),
        ("CreateSku", create(max_per_order=-3), "policy.max_per_order"),
        ("CreateSku", create(max_per_order=10**12), "policy.max_per_order"),
        ("CreateSku", create(max_extensions=10**6), "policy.max_extensions"),
        (
            "CreateSku",
            create(sale_mode=stock_pb2.SALE_MODE_PRESALE),
            "policy.presale_balance_due_time",
        ),
        ("Restock", {"sku_id": sku, "quantity": -5}, "quantity"),
        ("Restock", {"sku_id": sku, "quantity": 0}, "quantity"),
        ("Restock", {"sku_id": sku, "quantity": 10**10}, "quantity"),
        ("AdjustStock", {"sku_id": sku, "on_hand_delta": -(10**12), "reason": 1}, "on_hand_delta"),
        ("AdjustStock", {"sku_id": sku, "on_hand_delta": 10**10, "reason": 1}, "on_hand_delta"),
        ("SetWithheld", {"sku_id": sku, "kind": 1, "quantity": -1}, "quantity"),
        ("SetWithheld", {"sku_id": sku, "kind": 1, "quantity": 10**10}, "quantity"),
        (
            "UpdateSalePolicy",
            {"sku_id": sku, "policy": flash_policy(per_user_limit=-1)},
            "policy.per_user_limit",
        ),
        ("ResizeReservation", {**hold_line, "quantity": -1}, "quantity"),
        ("ResizeReservation", {**hold_line, "quantity": 10**12}, "quantity"),
        ("ExtendReservation", {**hold_ref, "extension": seconds(-60)}, "extension"),
        ("ExtendReservation", {**hold_ref, "extension": seconds(10**9)}, "extension"),
        ("ReturnSold", {"sku_id": sku, "quantity": -1}, "quantity"),
        ("ReturnSold", {"sku_id": sku, "quantity": 10**12}, "quantity"),
        ("SweepExpired", {"limit": -1}, "limit"),
        ("SweepExpired", {"limit": 2**31 - 1}, "limit"),
    ]
    before_sku = await client.call("GetSku", sku_id=sku)
    before_hold = await client.call("GetReservation", **hold_ref)
    before_ledger = await client.call("ListLedgerEntries", sku_id=sku)
    for method, fields, field in cases:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await client.call(method, **fields)
        assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT, (method, fields)
        assert reason_of(refused.value) == "INVALID_ARGUMENT"
        assert _violated_fields(refused.value) == [field], (method, fields)
    assert await client.call("GetSku", sku_id=sku) == before_sku
    assert await client.call("GetReservation", **hold_ref) == before_hold
    assert await client.call("ListLedgerEntries", sku_id=sku) == before_ledger
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await client.call("GetSku", sku_id=new_sku)
    assert reason_of(missing.value) == "SKU_NOT_FOUND"


async def test_another_tenant_sees_nothing(client: Client, inventory: RunningService) -> None:
    sku = await client.create_sku(10)
    globex = Client(client.stub, "globex", API_KEYS.globex_admin)
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await globex.call("GetSku", sku_id=sku)
    assert reason_of(missing.value) == "SKU_NOT_FOUND"
    with pytest.raises(grpc.aio.AioRpcError) as foreign:
        await globex.call("GetSku", tenant_id="acme", sku_id=sku)
    assert foreign.value.code() is grpc.StatusCode.PERMISSION_DENIED


async def test_reconcile_finds_and_repairs_drift(client: Client, postgres_dsn: str) -> None:
    sku = await client.create_sku(10)
    await client.hold(sku, 2)
    assert list((await client.call("Reconcile", sku_ids=[sku])).drifts) == []
    conn = await asyncpg.connect(postgres_dsn)
    try:
        await conn.execute(
            "UPDATE inventory.skus SET on_hand = on_hand + 5 WHERE tenant_id = 'acme' AND sku_id = $1",
            sku,
        )
    finally:
        await conn.close()
    report = await client.call("Reconcile", sku_ids=[sku])
    (drift,) = report.drifts
    assert (drift.recorded.on_hand, drift.recomputed.on_hand, drift.repaired) == (15, 10, False)
    repaired = await client.call("Reconcile", sku_ids=[sku], repair=True)
    assert repaired.drifts[0].repaired
    assert list((await client.call("Reconcile", sku_ids=[sku])).drifts) == []
    assert (await client.stock(sku)).on_hand == 10


async def test_reconcile_repairs_reserved_drift_with_a_repair_entry(
    client: Client, postgres_dsn: str
) -> None:
    """A lost RESERVE entry: the counter and the live holds say 2 reserved, the ledger 0. The
    repair trusts the holds and books the difference as a REPAIR entry, once."""
    sku = await client.create_sku(10)
    held = await client.hold(sku, 2)
    conn = await asyncpg.connect(postgres_dsn)
    try:
        await conn.execute(
            "DELETE FROM inventory.ledger WHERE tenant_id = 'acme' AND reference = $1",
            held.reservation_id,
        )
    finally:
        await conn.close()
    request_id = unique("repair")
    report = await client.call("Reconcile", request_id=request_id, sku_ids=[sku], repair=True)
    (drift,) = report.drifts
    assert (drift.recorded.reserved, drift.recomputed.reserved, drift.repaired) == (2, 2, True)
    entries = await ledger_of(client, sku)
    repairs = [e for e in entries if e.reason == stock_pb2.LEDGER_REASON_REPAIR]
    assert [(e.reserved_delta, e.on_hand_delta, e.reference) for e in repairs] == [
        (2, 0, request_id)
    ]
    stock = await assert_books_balance(client, sku)
    assert (stock.on_hand, stock.reserved, stock.sellable) == (10, 2, 8)
    # The repaired books carry on: the hold confirms, and nothing drifts after.
    await client.call("ConfirmReservation", reservation_id=held.reservation_id)
    stock = await assert_books_balance(client, sku)
    assert (stock.on_hand, stock.reserved, stock.sold) == (8, 0, 2)


async def test_watch_events_streams_and_resumes(client: Client) -> None:
    sku = await client.create_sku(10)
    held = await client.hold(sku, 2)
    await client.call("ConfirmReservation", reservation_id=held.reservation_id)

    async def events_after(sequence: int, wanted: int) -> list[events_pb2.InventoryEvent]:
        found: list[events_pb2.InventoryEvent] = []
        stream = client.stub.WatchEvents(
            api.WatchEventsRequest(tenant_id="acme", after_sequence=sequence, sku_ids=[sku]),
            metadata=client.metadata,
            timeout=10,
        )
        async for batch in stream:
            found += batch.events
            if len(found) >= wanted:
                stream.cancel()
                break
        return found

    first = await events_after(0, 3)
    assert [e.WhichOneof("kind") for e in first] == [
        "sku_created",
        "reservation_created",
        "reservation_confirmed",
    ]
    sequences = [e.sequence for e in first]
    assert sequences == sorted(sequences)
    assert first[-1].stock.sold == 2
    await client.call("Restock", sku_id=sku, quantity=1)
    resumed = await events_after(first[-1].sequence, 1)
    assert [e.WhichOneof("kind") for e in resumed] == ["stock_adjusted"]


async def test_restock_refreshes_flash_sale_holds_when_the_policy_says_so(client: Client) -> None:
    refreshing = await client.create_sku(2, hold_ttl=seconds(600), refresh_ttl_on_restock=True)
    fixed = await client.create_sku(2, hold_ttl=seconds(600))
    held = {sku: await client.hold(sku, 1) for sku in (refreshing, fixed)}
    await asyncio.sleep(1.1)
    for sku in (refreshing, fixed):
        await client.call("Restock", sku_id=sku, quantity=5)
    after = {
        sku: (await client.call("GetReservation", reservation_id=h.reservation_id)).reservation
        for sku, h in held.items()
    }
    assert after[refreshing].expire_time.seconds >= held[refreshing].expire_time.seconds + 1
    assert after[fixed].expire_time == held[fixed].expire_time
