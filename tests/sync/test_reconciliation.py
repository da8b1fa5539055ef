"""Reconciliation books each compensation for a drift made for real in inventory (or in sync's
own rows where only a lost write makes it), and runs on its schedule."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from streamstock.inventory.v1 import reservation_pb2, stock_pb2
from streamstock.sync.v1 import quotas_pb2, reconciliation_pb2, sales_pb2

from tests.sync.conftest import TENANT, SyncFactory, SyncStack, eventually, unique
from tests.sync.holds import orphan_hold

DRIFT = reconciliation_pb2
ONE_PLATFORM_STOCK = 10


async def allocated(stack: SyncStack) -> tuple[str, str, Any]:
    """A SKU of 10 units, all of them the quota of one (idle) simulated platform."""
    sku_id = await stack.create_sku(on_hand=ONE_PLATFORM_STOCK)
    platform = await stack.add_platform(rate=1)
    await stack.set_policy(sku_id, [(platform.platform_id, 1.0)])
    await stack.admin.Rebalance(request_id=unique("pass"), sku_ids=[sku_id])
    quota = (await stack.quotas(sku_id))[platform.platform_id]
    assert quota.quota_units == ONE_PLATFORM_STOCK
    return sku_id, platform.platform_id, quota


async def repaired(
    stack: SyncStack, platform_id: str, **counts: int
) -> dict[int, reconciliation_pb2.Drift]:
    """Reconciles the platform with repair; the drifts found by kind."""
    platform_counts = [reconciliation_pb2.PlatformCount(**counts)] if counts else []
    reply = await stack.admin.Reconcile(
        request_id=unique("rec"),
        platform_id=platform_id,
        repair=True,
        platform_counts=platform_counts,
    )
    run = reply.reconciliation
    assert run.state == reconciliation_pb2.RECONCILIATION_STATE_SUCCEEDED, run.error
    drifts = {d.kind: d for d in run.drifts}
    assert len(drifts) == len(run.drifts) == run.drift_count
    return drifts


async def assert_reconciled(stack: SyncStack, platform_id: str) -> None:
    """A second run finds nothing left: the compensations are not booked twice."""
    assert await repaired(stack, platform_id) == {}


async def hold_of(stack: SyncStack, reservation_id: str) -> Any:
    return (await stack.stock.GetReservation(reservation_id=reservation_id)).reservation


async def ledger(stack: SyncStack, sku_id: str) -> list[Any]:
    reply = await stack.stock.ListLedgerEntries(sku_id=sku_id, page_size=1000)
    return list(reply.entries)


def booked(entries: list[Any], reason: int) -> list[Any]:
    return [e for e in entries if e.reason == reason]


def applied(drift: reconciliation_pb2.Drift, kind: int, units: int) -> bool:
    compensation = drift.compensation
    return (compensation.kind, compensation.units, compensation.applied) == (kind, units, True)


async def test_units_inventory_consumed_without_sync_are_returned_and_the_hold_regrown(
    sync_stack: SyncFactory,
) -> None:
    """inventory consumed 3 units from the escrow that sync never counted (sync's commit after
    the consumption was lost): the units go back to stock, and the hold back to the quota, once:
    a later run finds nothing to return again."""
    stack = await sync_stack()
    sku_id, platform_id, quota = await allocated(stack)
    await stack.service.ReportSales(
        request_id=unique("report"),
        platform_id=platform_id,
        lines=[sales_pb2.SaleLine(order_id="o1", line_id="1", sku_id=sku_id, kind=1, quantity=4)],
    )
    await stack.stock.ConsumeReservation(
        request_id=unique("lost"),
        reservation_id=quota.reservation_id,
        sku_id=sku_id,
        quantity=3,
        order_id="lost-order",
    )
    assert (await stack.sku_stock(sku_id)).sold == 7

    drifts = await repaired(stack, platform_id)
    assert set(drifts) == {DRIFT.DRIFT_KIND_LEDGER_MISMATCH, DRIFT.DRIFT_KIND_ESCROW_MISMATCH}
    ledger_drift = drifts[DRIFT.DRIFT_KIND_LEDGER_MISMATCH]
    assert (ledger_drift.expected_units, ledger_drift.observed_units) == (4, 7)
    assert applied(ledger_drift, DRIFT.COMPENSATION_KIND_RETURN_UNITS, 3)
    escrow_drift = drifts[DRIFT.DRIFT_KIND_ESCROW_MISMATCH]
    assert (escrow_drift.expected_units, escrow_drift.observed_units) == (6, 3)
    assert applied(escrow_drift, DRIFT.COMPENSATION_KIND_RESIZE_ESCROW, 3)

    stock = await stack.sku_stock(sku_id)
    assert (stock.on_hand, stock.sold, stock.reserved, stock.sellable) == (6, 4, 6, 0)
    assert (await hold_of(stack, quota.reservation_id)).lines[0].quantity == 6
    entries = await ledger(stack, sku_id)
    (returned,) = booked(entries, stock_pb2.LEDGER_REASON_RETURN)
    assert (returned.on_hand_delta, returned.sold_delta) == (3, -3)
    assert returned.reference == ledger_drift.compensation.reference
    assert booked(entries, stock_pb2.LEDGER_REASON_RESIZE)[-1].reserved_delta == 3
    after = (await stack.quotas(sku_id))[platform_id]
    assert (after.quota_units, after.sold_units) == (6, 4)
    await assert_reconciled(stack, platform_id)
    stock = await stack.sku_stock(sku_id)
    assert (stock.on_hand, stock.sold) == (6, 4)


async def test_sales_sync_counted_but_inventory_lost_are_confirmed_from_the_hold(
    sync_stack: SyncFactory, sync_db: asyncpg.Pool
) -> None:
    """sync applied a sale of 2 whose consumption inventory does not have (restored from a backup,
    say): the units are consumed from the hold, which ends at the quota."""
    stack = await sync_stack()
    sku_id, platform_id, quota = await allocated(stack)
    await sync_db.execute(
        """
        UPDATE quotas SET quota_units = quota_units - 2, sold_units = sold_units + 2,
            consumed_units = consumed_units + 2
        WHERE tenant_id = $1 AND sku_id = $2 AND platform_id = $3
        """,
        TENANT,
        sku_id,
        platform_id,
    )

    drifts = await repaired(stack, platform_id)
    ledger_drift = drifts[DRIFT.DRIFT_KIND_LEDGER_MISMATCH]
    assert (ledger_drift.expected_units, ledger_drift.observed_units) == (2, 0)
    assert applied(ledger_drift, DRIFT.COMPENSATION_KIND_CONFIRM_UNITS, 2)
    escrow_drift = drifts[DRIFT.DRIFT_KIND_ESCROW_MISMATCH]
    assert (escrow_drift.expected_units, escrow_drift.observed_units) == (8, 10)

    stock = await stack.sku_stock(sku_id)
    assert (stock.on_hand, stock.sold, stock.reserved, stock.sellable) == (8, 2, 8, 0)
    hold = await hold_of(stack, quota.reservation_id)
    assert (hold.lines[0].quantity, hold.lines[0].consumed_quantity) == (8, 2)
    (consumed,) = booked(await ledger(stack, sku_id), stock_pb2.LEDGER_REASON_CONSUME)
    assert (consumed.sold_delta, consumed.reserved_delta) == (2, -2)
    assert (await stack.quotas(sku_id))[platform_id].quota_units == 8
    await assert_reconciled(stack, platform_id)


@pytest.mark.parametrize("change", ["shrunk", "released"])
async def test_a_hold_changed_behind_syncs_back_is_set_to_the_quota_again(
    sync_stack: SyncFactory, change: str
) -> None:
    stack = await sync_stack()
    sku_id, platform_id, quota = await allocated(stack)
    if change == "shrunk":
        await stack.stock.ResizeReservation(
            request_id=unique("resize"),
            reservation_id=quota.reservation_id,
            sku_id=sku_id,
            quantity=6,
        )
    else:
        await stack.stock.ReleaseReservation(
            request_id=unique("release"),
            reservation_id=quota.reservation_id,
            reason=reservation_pb2.RELEASE_REASON_OPERATOR,
        )
    observed = 6 if change == "shrunk" else 0
    assert (await stack.sku_stock(sku_id)).sellable == 10 - observed

    drifts = await repaired(stack, platform_id)
    assert set(drifts) == {DRIFT.DRIFT_KIND_ESCROW_MISMATCH}
    drift = drifts[DRIFT.DRIFT_KIND_ESCROW_MISMATCH]
    assert (drift.expected_units, drift.observed_units) == (10, observed)
    assert applied(drift, DRIFT.COMPENSATION_KIND_RESIZE_ESCROW, 10 - observed)

    after = (await stack.quotas(sku_id))[platform_id]
    assert after.quota_units == 10
    # A released hold cannot grow again: a new one is opened and the quota names it.
    assert (after.reservation_id == quota.reservation_id) is (change == "shrunk")
    hold = await hold_of(stack, after.reservation_id)
    assert hold.state == reservation_pb2.RESERVATION_STATE_ACTIVE
    assert hold.lines[0].quantity == 10
    stock = await stack.sku_stock(sku_id)
    assert (stock.reserved, stock.sellable) == (10, 0)
    await assert_reconciled(stack, platform_id)


async def test_a_platform_listing_more_than_its_quota_gets_the_listing_again(
    sync_stack: SyncFactory,
) -> None:
    stack = await sync_stack()
    sku_id, platform_id, quota = await allocated(stack)
    (platform,) = stack.platforms
    listing = platform.listings[sku_id]
    listing.listed_units = 15  # the platform lists more than it was pushed
    version = listing.version

    drifts = await repaired(stack, platform_id, sku_id=sku_id, sold_units=0, listed_units=15)
    assert set(drifts) == {DRIFT.DRIFT_KIND_LISTED_OVER_QUOTA}
    drift = drifts[DRIFT.DRIFT_KIND_LISTED_OVER_QUOTA]
    assert (drift.expected_units, drift.observed_units) == (10, 15)
    assert applied(drift, DRIFT.COMPENSATION_KIND_REPUSH_LISTING, 5)

    # The next pass pushes a new version of the quota, though no target changed.
    await stack.admin.Rebalance(request_id=unique("pass"), sku_ids=[sku_id])
    assert (listing.version, listing.listed_units) == (version + 1, 10)
    after = (await stack.quotas(sku_id))[platform_id]
    assert after.pushed_version == after.acknowledged_version == version + 1
    assert (after.quota_units, after.listed_units) == (10, 10)
    assert after.push_status == quotas_pb2.PUSH_STATUS_IN_SYNC
    assert (await hold_of(stack, quota.reservation_id)).lines[0].quantity == 10
    assert await repaired(stack, platform_id, sku_id=sku_id, sold_units=0, listed_units=10) == {}


async def test_the_scheduled_reconciliation_finds_and_releases_an_orphan_hold(
    sync_stack: SyncFactory,
) -> None:
    stack = await sync_stack(reconcile_interval=0.2)
    sku_id, platform_id, _ = await allocated(stack)
    await stack.stock.Restock(request_id=unique("restock"), sku_id=sku_id, quantity=1)
    orphan_id = await orphan_hold(stack, platform_id, sku_id)
    found: list[Any] = []

    async def scheduled_run_repaired_it() -> bool:
        """A scheduled run with drift found the orphan (the list leaves the drifts out)."""
        reply = await stack.admin.ListReconciliations(with_drift_only=True, page_size=20)
        for run in reply.reconciliations:
            if run.trigger != reconciliation_pb2.RECONCILIATION_TRIGGER_SCHEDULED:
                continue
            full = await stack.admin.GetReconciliation(reconciliation_id=run.reconciliation_id)
            assert full.reconciliation.state == reconciliation_pb2.RECONCILIATION_STATE_SUCCEEDED
            found[:] = [
                drift
                for drift in full.reconciliation.drifts
                if drift.kind == DRIFT.DRIFT_KIND_ORPHAN_HOLD and drift.platform_id == platform_id
            ]
            if found:
                return True
        return False

    await eventually(scheduled_run_repaired_it, timeout=15)
    (drift,) = found
    assert drift.observed_units == 1
    assert applied(drift, DRIFT.COMPENSATION_KIND_RELEASE_HOLD, 1)
    hold = await hold_of(stack, orphan_id)
    assert hold.state == reservation_pb2.RESERVATION_STATE_RELEASED
    stock = await stack.sku_stock(sku_id)
    assert (stock.reserved, stock.sellable) == (10, 1)
