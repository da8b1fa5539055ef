"""Expiry of holds with lines on several SKUs, through the gRPC API on a manual clock (no
background sweeper): reads never count a due hold, a change of any of its SKUs returns that
SKU's line first, the sweeper books what is left (a sweep passes by the holds another
transaction has locked), and every line is booked exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import grpc
import pytest
from streamstock.inventory.v1 import inventory_service_pb2 as api
from streamstock.inventory.v1 import reservation_pb2 as rpb
from streamstock.inventory.v1 import stock_pb2 as spb
from streamstock.inventory.v1.inventory_service_pb2_grpc import InventoryServiceStub

from tests.conftest import API_KEYS
from tests.inventory import sync_api
from tests.inventory.books import (
    assert_books_balance,
    ledger_of,
    ledger_totals,
    reasons_by_reference,
    swept,
)
from tests.inventory.conftest import Client, seconds, unique
from tests.inventory.outcomes import attempt, refusals
from tests.inventory.sync_api import ManualClock
from tools.devstack.ports import LOOPBACK

manual_clock = sync_api.manual_clock
inventory_port = sync_api.inventory_port

TTL = 60
EXPIRED = rpb.RESERVATION_STATE_EXPIRED
CONFIRMED = rpb.RESERVATION_STATE_CONFIRMED


@pytest.fixture
async def clocked(manual_clock: ManualClock, inventory_port: int) -> AsyncIterator[Client]:
    channel = grpc.aio.insecure_channel(f"{LOOPBACK}:{inventory_port}")
    yield Client(InventoryServiceStub(channel), "acme", API_KEYS.acme_admin)
    await channel.close()


async def hold_lines(client: Client, lines: dict[str, int], **fields: object) -> rpb.Reservation:
    response = await client.call(
        "Reserve",
        user_id=fields.pop("user_id", unique("user")),
        order_id=unique("order"),
        lines=[api.ReserveLine(sku_id=sku, quantity=quantity) for sku, quantity in lines.items()],
        lock_stage=spb.LOCK_STAGE_CART,
        purpose=rpb.RESERVATION_PURPOSE_BUYER,
        **fields,
    )
    return response.reservation


async def expiries_of(client: Client, sku_id: str) -> dict[str, list[str]]:
    """The ledger reasons booked per hold on the SKU, for holds that have an EXPIRE entry."""
    reasons = reasons_by_reference(await ledger_of(client, sku_id))
    return {ref: got for ref, got in reasons.items() if "LEDGER_REASON_EXPIRE" in got}


async def reservation(client: Client, reservation_id: str) -> rpb.Reservation:
    return (await client.call("GetReservation", reservation_id=reservation_id)).reservation


async def test_a_change_of_either_sku_returns_its_line_of_a_due_hold_on_two_skus_first(
    manual_clock: ManualClock, clocked: Client
) -> None:
    shoes, socks = [await clocked.create_sku(5, hold_ttl=seconds(TTL)) for _ in range(2)]
    both = await hold_lines(clocked, {shoes: 4, socks: 3})
    manual_clock.advance(timedelta(seconds=TTL))

    # Reads never count the due hold, on either SKU, before anything books it.
    for sku in (shoes, socks):
        stock = await clocked.stock(sku)
        assert (stock.reserved, stock.sellable) == (0, 5)
    assert (await reservation(clocked, both.reservation_id)).state == EXPIRED

    # A hold of all five shoes needs the due hold's four back: the change returns them first.
    all_shoes = await clocked.hold(shoes, 5)
    assert all_shoes.state == rpb.RESERVATION_STATE_ACTIVE
    expired = await reservation(clocked, both.reservation_id)
    assert (expired.state, expired.HasField("settle_time")) == (EXPIRED, True)
    assert await expiries_of(clocked, shoes) == {
        both.reservation_id: ["LEDGER_REASON_RESERVE", "LEDGER_REASON_EXPIRE"]
    }
    assert await expiries_of(clocked, socks) == {}
    # The socks line is still booked on its SKU (reads do not count it), and nothing drifts.
    assert (await assert_books_balance(clocked, shoes)).reserved == 5
    report = await clocked.call("Reconcile", sku_ids=[socks], repair=False)
    assert (report.checked, list(report.drifts)) == (1, [])
    socks_stock = await clocked.stock(socks)
    assert (socks_stock.reserved, socks_stock.sellable) == (0, 5)

    # Taking all five socks out of stock needs the three back: that change returns them.
    await clocked.call(
        "AdjustStock", sku_id=socks, on_hand_delta=-5, reason=spb.ADJUSTMENT_REASON_DAMAGED
    )
    assert await expiries_of(clocked, socks) == {
        both.reservation_id: ["LEDGER_REASON_RESERVE", "LEDGER_REASON_EXPIRE"]
    }
    socks_stock = await assert_books_balance(clocked, socks)
    assert (socks_stock.on_hand, socks_stock.reserved, socks_stock.sellable) == (0, 0, 0)

    # Nothing is left for the sweeper; the hold was expired once, its lines booked once each.
    assert (await clocked.call("SweepExpired")).expired == 0
    for sku in (shoes, socks):
        assert len(await expiries_of(clocked, sku)) == 1
        await assert_books_balance(clocked, sku)


async def test_a_sweep_passes_a_locked_due_hold_that_reads_already_show_expired(
    manual_clock: ManualClock, clocked: Client, postgres_dsn: str
) -> None:
    """A due hold another transaction has locked (a sweeper's batch between its claim and its
    commit) is skipped by a sweep. Reads show it EXPIRED and its units unreserved all along,
    though its SKU's books still reserve them: only the ledger tells that it is not yet booked.
    Once the lock is gone, a later sweep books it, once."""
    sku = await clocked.create_sku(5, hold_ttl=seconds(TTL))
    held = await clocked.hold(sku, 2)
    manual_clock.advance(timedelta(seconds=TTL))
    conn = await asyncpg.connect(postgres_dsn)
    try:
        async with conn.transaction():
            await conn.execute(
                "SELECT 1 FROM inventory.reservations WHERE tenant_id = 'acme'"
                " AND reservation_id = $1 FOR UPDATE",
                held.reservation_id,
            )
            assert (await clocked.call("SweepExpired")).expired == 0
            assert (await reservation(clocked, held.reservation_id)).state == EXPIRED
            assert (await clocked.stock(sku)).reserved == 0
            assert await expiries_of(clocked, sku) == {}
            assert ledger_totals(await ledger_of(clocked, sku))["reserved"] == 2
    finally:
        await conn.close()
    assert await swept(clocked, sku) == 1
    assert await expiries_of(clocked, sku) == {
        held.reservation_id: ["LEDGER_REASON_RESERVE", "LEDGER_REASON_EXPIRE"]
    }
    stock = await assert_books_balance(clocked, sku)
    assert (stock.reserved, stock.sellable) == (0, 5)
    assert (await clocked.call("SweepExpired")).expired == 0


async def test_the_sweeper_books_the_lines_a_change_left_and_counts_the_hold_once(
    manual_clock: ManualClock, clocked: Client
) -> None:
    shoes, socks, hats = [await clocked.create_sku(5, hold_ttl=seconds(TTL)) for _ in range(3)]
    touched = await hold_lines(clocked, {shoes: 2, socks: 2, hats: 2})
    untouched = await hold_lines(clocked, {socks: 1, hats: 1})
    manual_clock.advance(timedelta(seconds=TTL))

    # Restocking the shoes returns the first hold's shoes line; socks and hats stay booked.
    await clocked.call("Restock", sku_id=shoes, quantity=1)
    assert set(await expiries_of(clocked, shoes)) == {touched.reservation_id}

    # The sweep books the rest: the untouched hold newly expired (counted), and the lines the
    # restock left of the hold it had already expired (booked, not counted again).
    assert (await clocked.call("SweepExpired")).expired == 1
    for sku in (socks, hats):
        assert set(await expiries_of(clocked, sku)) == {
            touched.reservation_id,
            untouched.reservation_id,
        }
        stock = await assert_books_balance(clocked, sku)
        assert (stock.reserved, stock.sellable) == (0, 5)
    assert (await clocked.call("SweepExpired")).expired == 0
    assert len(await expiries_of(clocked, shoes)) == 1


async def test_holds_on_two_skus_expiring_under_racing_changes_confirms_and_sweeps_book_once(
    manual_clock: ManualClock, clocked: Client
) -> None:
    """Buyers hold both SKUs; at the deadline, holds of either SKU (which return its lines
    first), confirms (refused: the holds are due) and sweeps all race. Every line is booked
    exactly once, each expired hold is counted once by the sweeps, and nothing drifts."""
    count = 60
    left, right = [await clocked.create_sku(count, hold_ttl=seconds(TTL)) for _ in range(2)]
    holds = await asyncio.gather(*(hold_lines(clocked, {left: 1, right: 1}) for _ in range(count)))
    manual_clock.advance(timedelta(seconds=TTL))

    async def sweep() -> int:
        return int((await clocked.call("SweepExpired", limit=7)).expired)

    def confirm(hold: rpb.Reservation) -> object:
        return clocked.call(
            "ConfirmReservation", reservation_id=hold.reservation_id, payment_reference="p"
        )

    targets = [left if i % 2 else right for i in range(count)]
    outcomes = await asyncio.gather(
        *(attempt(clocked.hold(sku, 1)) for sku in targets),
        *(attempt(confirm(hold)) for hold in holds[::3]),
        *(sweep() for _ in range(6)),
    )
    # A hold finds the units of due holds a sweep has locked (and not yet booked) still counted:
    # it skips them rather than wait, and may be refused; most are placed.
    placed = {sku: 0 for sku in (left, right)}
    for sku, outcome in zip(targets, outcomes[:count], strict=True):
        placed[sku] += not isinstance(outcome, str)
    assert set(refusals(outcomes[:count])) <= {"INSUFFICIENT_STOCK"}
    assert sum(placed.values()) > count // 2
    assert set(refusals(outcomes[count : count + len(holds[::3])])) == {"RESERVATION_EXPIRED"}
    swept = sum(outcomes[-6:])
    swept += sum([await sweep() for _ in range(20)])
    assert swept <= count

    for sku in (left, right):
        booked = await expiries_of(clocked, sku)
        assert set(booked) == {hold.reservation_id for hold in holds}
        assert all(
            got == ["LEDGER_REASON_RESERVE", "LEDGER_REASON_EXPIRE"] for got in booked.values()
        )
        stock = await assert_books_balance(clocked, sku)
        assert (stock.reserved, stock.sellable) == (placed[sku], count - placed[sku])
    for hold in holds:
        assert (await reservation(clocked, hold.reservation_id)).state == EXPIRED
