"""Concurrency through the gRPC API against real PostgreSQL and Redis: a flash sale's rush,
duplicate retries, and settlements racing each other and the expiry sweeper."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

import grpc
import pytest
from streamstock.inventory.v1 import reservation_pb2

from tests.conftest import RunningService, StartService
from tests.inventory.books import assert_books_balance, ledger_of, reasons_by_reference, swept
from tests.inventory.conftest import Client, seconds, unique
from tests.inventory.outcomes import acme_admin, answers, attempt, refusals
from tools.devstack.ports import LOOPBACK

# Channels the rush is spread over (a server takes 1,000 streams per connection).
CHANNELS = 4
T = TypeVar("T")
CONFIRMED = reservation_pb2.RESERVATION_STATE_CONFIRMED
EXPIRED = reservation_pb2.RESERVATION_STATE_EXPIRED
RELEASED = reservation_pb2.RESERVATION_STATE_RELEASED
# The ledger reason of the entry that settles a hold into each final state.
SETTLED_BY = {CONFIRMED: "LEDGER_REASON_CONFIRM", EXPIRED: "LEDGER_REASON_EXPIRE"}


@pytest.fixture
async def clients(inventory: RunningService) -> AsyncIterator[list[Client]]:
    """Several channels to one inventory, each with its own HTTP/2 connection."""
    channels = [
        grpc.aio.insecure_channel(
            f"{LOOPBACK}:{inventory.host.port}", options=[("grpc.use_local_subchannel_pool", 1)]
        )
        for _ in range(CHANNELS)
    ]
    yield [acme_admin(channel) for channel in channels]
    for channel in channels:
        await channel.close()


async def test_2000_concurrent_holds_on_500_units_admit_exactly_500(clients: list[Client]) -> None:
    admin = clients[0]
    sku = await admin.create_sku(500)
    outcomes = await asyncio.gather(
        *(attempt(clients[i % CHANNELS].hold(sku, 1)) for i in range(2000))
    )
    held = answers(outcomes)
    assert len(held) == 500
    assert len({reservation.reservation_id for reservation in held}) == 500
    assert refusals(outcomes) == {"INSUFFICIENT_STOCK": 1500}
    stock = await assert_books_balance(admin, sku)
    assert (stock.on_hand, stock.sellable, stock.reserved, stock.sold) == (500, 0, 500, 0)


async def test_concurrent_duplicates_of_a_hold_across_two_instances_make_one_hold(
    clients: list[Client], start_service: StartService
) -> None:
    second = await start_service("inventory")
    callers = [clients[0], acme_admin(second.channel)]
    sku = await callers[0].create_sku(10)
    same = {"request_id": unique("req"), "user_id": unique("user"), "order_id": unique("order")}
    held = await asyncio.gather(*(callers[i % 2].hold(sku, 2, **same) for i in range(50)))
    assert len({reservation.reservation_id for reservation in held}) == 1
    listed = await callers[1].call("ListReservations", order_id=same["order_id"])
    assert [r.reservation_id for r in listed.reservations] == [held[0].reservation_id]
    stock = await assert_books_balance(callers[0], sku)
    assert (stock.reserved, stock.sellable) == (2, 8)


async def test_concurrent_duplicates_of_a_confirm_settle_once(clients: list[Client]) -> None:
    admin = clients[0]
    sku = await admin.create_sku(10)
    held = await admin.hold(sku, 3)
    request_id = unique("req")
    confirmed = await asyncio.gather(
        *(
            clients[i % CHANNELS].call(
                "ConfirmReservation",
                request_id=request_id,
                reservation_id=held.reservation_id,
                payment_reference="pay-1",
            )
            for i in range(30)
        )
    )
    assert {answer.reservation.state for answer in confirmed} == {CONFIRMED}
    assert all(answer == confirmed[0] for answer in confirmed)
    stock = await assert_books_balance(admin, sku)
    assert (stock.on_hand, stock.reserved, stock.sold) == (7, 0, 3)


async def state_of(client: Client, reservation_id: str) -> int:
    answer = await client.call("GetReservation", reservation_id=reservation_id)
    return int(answer.reservation.state)


async def sweep_until(client: Client, done: asyncio.Event) -> None:
    """Calls SweepExpired back to back until `done` is set."""
    while not done.is_set():
        await client.call("SweepExpired", limit=50)


async def after_deadline(
    hold: reservation_pb2.Reservation, offset: float, call: Callable[[], Awaitable[T]]
) -> T | str:
    """Sends `call` `offset` seconds after the hold's deadline (before it, if negative)."""
    deadline = hold.expire_time.ToDatetime(tzinfo=UTC)
    await asyncio.sleep(max((deadline - datetime.now(UTC)).total_seconds() + offset, 0))
    return await attempt(call())


async def test_confirm_racing_expiry_settles_each_hold_exactly_once(
    start_service: StartService, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The background sweeper naps 20 ms between passes, so it races the confirms too.
    monkeypatch.setenv("STREAMSTOCK_SWEEP_INTERVAL_SECONDS", "0.02")
    inventory = await start_service("inventory")
    client = acme_admin(inventory.channel)
    count = 120
    sku = await client.create_sku(count, hold_ttl=seconds(1))
    holds = await asyncio.gather(*(client.hold(sku, 1) for _ in range(count)))

    def confirm(hold: reservation_pb2.Reservation) -> Callable[[], Awaitable[object]]:
        return lambda: client.call(
            "ConfirmReservation", reservation_id=hold.reservation_id, payment_reference="p"
        )

    # Confirms spread from 600 ms before each hold's deadline to 250 ms after it (a confirm is
    # judged when it gets a connection: on a loaded machine 250 ms early was sometimes too late
    # for all of them); late buyers from 50 to 300 ms after the last deadline, whose holds need
    # expired units (swept, or expired by their own transaction when the sweepers have not got
    # there yet).
    confirms = [
        after_deadline(hold, -0.6 + 0.85 * i / (count - 1), confirm(hold))
        for i, hold in enumerate(holds)
    ]
    last = max(holds, key=lambda hold: hold.expire_time.ToDatetime())
    late = [
        after_deadline(last, 0.05 + 0.25 * i / 39, lambda: client.hold(sku, 1)) for i in range(40)
    ]
    done = asyncio.Event()
    sweepers = [asyncio.create_task(sweep_until(client, done)) for _ in range(2)]
    try:
        outcomes = await asyncio.gather(*confirms, *late)
    finally:
        done.set()
        await asyncio.gather(*sweepers)

    confirm_outcomes, late_outcomes = outcomes[:count], outcomes[count:]
    assert set(refusals(confirm_outcomes)) <= {"RESERVATION_EXPIRED", "RESERVATION_NOT_ACTIVE"}
    confirmed = {answer.reservation.reservation_id for answer in answers(confirm_outcomes)}
    assert 0 < len(confirmed) < count, "the confirms did not straddle the deadline"
    assert set(refusals(late_outcomes)) <= {"INSUFFICIENT_STOCK"}
    late_holds = answers(late_outcomes)
    assert late_holds, "no late buyer got an expired unit"

    # Once the late holds are due too, sweeps (and a background batch still committing) book
    # every hold left: then each hold is settled, by exactly one entry.
    last_late = max(late_holds, key=lambda hold: hold.expire_time.ToDatetime())
    await after_deadline(last_late, 0, lambda: client.call("SweepExpired", limit=1000))
    await swept(client, sku)
    reasons = reasons_by_reference(await ledger_of(client, sku))
    for hold in [*holds, *late_holds]:
        state = CONFIRMED if hold.reservation_id in confirmed else EXPIRED
        assert await state_of(client, hold.reservation_id) == state
        assert reasons[hold.reservation_id] == ["LEDGER_REASON_RESERVE", SETTLED_BY[state]]
    stock = await assert_books_balance(client, sku)
    sold = len(confirmed)
    assert (stock.sold, stock.reserved) == (sold, 0)
    assert stock.on_hand == stock.sellable == count - sold


async def test_release_racing_confirm_lets_exactly_one_win(clients: list[Client]) -> None:
    admin = clients[0]
    count = 100
    sku = await admin.create_sku(count)
    holds = await asyncio.gather(*(admin.hold(sku, 1) for _ in range(count)))

    async def race(i: int, hold: reservation_pb2.Reservation) -> tuple[object, object]:
        release = clients[i % CHANNELS].call(
            "ReleaseReservation", reservation_id=hold.reservation_id, reason=1
        )
        confirm = clients[(i + 1) % CHANNELS].call(
            "ConfirmReservation", reservation_id=hold.reservation_id, payment_reference="p"
        )
        # Alternate which one is sent first, so each side wins some races.
        first, second = (release, confirm) if i % 2 else (confirm, release)
        outcome = await asyncio.gather(attempt(first), attempt(second))
        return (outcome[0], outcome[1]) if i % 2 else (outcome[1], outcome[0])

    results = await asyncio.gather(*(race(i, hold) for i, hold in enumerate(holds)))
    confirmed = 0
    for hold, (released, paid) in zip(holds, results, strict=True):
        winners = answers([released, paid])
        assert len(winners) == 1, (released, paid)
        assert refusals([released, paid]) == {"RESERVATION_NOT_ACTIVE": 1}
        state = await state_of(admin, hold.reservation_id)
        assert state == winners[0].reservation.state  # type: ignore[attr-defined]
        assert state in (CONFIRMED, RELEASED)
        confirmed += state == CONFIRMED
    stock = await assert_books_balance(admin, sku)
    assert (stock.sold, stock.reserved, stock.sellable) == (confirmed, 0, count - confirmed)


async def test_parallel_holds_of_one_user_cannot_pass_the_per_user_limit(
    clients: list[Client],
) -> None:
    admin = clients[0]
    sku = await admin.create_sku(100, per_user_limit=2)
    user = unique("user")
    outcomes = await asyncio.gather(
        *(attempt(clients[i % CHANNELS].hold(sku, 1, user_id=user)) for i in range(20))
    )
    assert len(answers(outcomes)) == 2
    assert refusals(outcomes) == {"PURCHASE_LIMIT_EXCEEDED": 18}
    stock = await assert_books_balance(admin, sku)
    assert (stock.reserved, stock.sellable) == (2, 98)
