"""Faults in the middle of a flash sale, against real PostgreSQL and Redis through the gRPC API:
the service process SIGKILLed and restarted, Redis stopped or flushed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status
from redis.asyncio import Redis
from streamstock.inventory.v1 import inventory_service_pb2 as api
from streamstock.inventory.v1 import inventory_service_pb2_grpc, reservation_pb2

from tests.conftest import API_KEYS, StartService
from tests.inventory.books import assert_books_balance
from tests.inventory.conftest import Client, reason_of, unique
from tests.inventory.outcomes import acme_admin
from tests.inventory.processes import InventoryProcesses, inventory_environment
from tools.devstack.ports import free_port
from tools.devstack.redis import LocalRedis

ACTIVE = reservation_pb2.RESERVATION_STATE_ACTIVE
CONFIRMED = reservation_pb2.RESERVATION_STATE_CONFIRMED
# No call may take longer than this, whatever Redis is doing.
CALL_BOUND_SECONDS = 2.0
# Calls each load worker sends at most; the tests stop the load well before.
MAX_ROUNDS = 200
# How long a test waits for a condition of the load before it fails.
WAIT_SECONDS = 20.0


@dataclass
class Attempt:
    """One call of the load: what was asked, what came back and how long it took."""

    request_id: str
    user_id: str
    order_id: str
    # The answer, the ErrorInfo reason of a refusal, or the status of a call that got no answer
    # from the service (it died, or the call was cut).
    outcome: reservation_pb2.Reservation | str | grpc.StatusCode | None = None
    finished_at: float = 0.0
    seconds: float = 0.0

    @property
    def held(self) -> bool:
        return isinstance(self.outcome, reservation_pb2.Reservation)

    @property
    def unanswered(self) -> bool:
        return isinstance(self.outcome, grpc.StatusCode)


@dataclass
class Load:
    """Workers placing holds of one unit on a SKU, confirming some, until told to stop."""

    client: Client
    sku_id: str
    confirm_every: int = 0
    holds: list[Attempt] = field(default_factory=list)
    confirms: dict[str, Attempt] = field(default_factory=dict)
    finish: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self, workers: int) -> None:
        await asyncio.gather(*(self._worker() for _ in range(workers)))

    async def _worker(self) -> None:
        for _ in range(MAX_ROUNDS):
            if self.finish.is_set():
                return
            hold = Attempt(unique("req"), unique("user"), unique("order"))
            number = len(self.holds)
            self.holds.append(hold)
            await self._call(hold, reserve(self.client, self.sku_id, hold))
            if hold.unanswered:
                return
            if self.confirm_every and hold.held and number % self.confirm_every == 0:
                assert isinstance(hold.outcome, reservation_pb2.Reservation)
                confirm = Attempt(unique("req"), hold.user_id, hold.order_id)
                self.confirms[hold.outcome.reservation_id] = confirm
                await self._call(
                    confirm, confirm_hold(self.client, confirm, hold.outcome.reservation_id)
                )
                if confirm.unanswered:
                    return

    @staticmethod
    async def _call(attempt: Attempt, call: Awaitable[reservation_pb2.Reservation]) -> None:
        started = time.monotonic()
        try:
            attempt.outcome = await call
        except grpc.aio.AioRpcError as error:
            has_status = rpc_status.from_call(error) is not None
            attempt.outcome = reason_of(error) if has_status else error.code()
        attempt.finished_at = time.monotonic()
        attempt.seconds = attempt.finished_at - started

    def count(self, wanted: Callable[[Attempt], bool]) -> int:
        return sum(1 for attempt in self.holds if wanted(attempt))


async def reserve(client: Client, sku_id: str, hold: Attempt) -> reservation_pb2.Reservation:
    return await client.hold(
        sku_id, 1, request_id=hold.request_id, user_id=hold.user_id, order_id=hold.order_id
    )


async def confirm_hold(
    client: Client, confirm: Attempt, reservation_id: str
) -> reservation_pb2.Reservation:
    answer = await client.call(
        "ConfirmReservation",
        request_id=confirm.request_id,
        reservation_id=reservation_id,
        payment_reference="pay",
    )
    return answer.reservation  # type: ignore[no-any-return]


def refused_after(moment: float) -> Callable[[Attempt], bool]:
    return lambda a: a.finished_at > moment and a.outcome == "INSUFFICIENT_STOCK"


async def until(condition: Callable[[], bool], what: str, timeout: float = WAIT_SECONDS) -> None:
    """Polls `condition` until it holds; fails naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        await asyncio.sleep(0.01)


async def states_of_sku(client: Client, sku_id: str) -> dict[str, int]:
    """The state of every reservation of the SKU (fewer than one page in these tests)."""
    page = await client.call("ListReservations", sku_id=sku_id, page_size=1000)
    assert page.next_page_token == ""
    return {r.reservation_id: int(r.state) for r in page.reservations}


async def logged_sequences(channel: grpc.aio.Channel) -> list[int]:
    """The sequence number of every event of every tenant, up to the head when asked."""
    stub = inventory_service_pb2_grpc.InventoryServiceStub(channel)
    call = stub.WatchEvents(
        api.WatchEventsRequest(after_sequence=0),
        metadata=(("x-api-key", API_KEYS.service),),
        timeout=WAIT_SECONDS,
    )
    sequences: list[int] = []
    async for batch in call:
        sequences += [event.sequence for event in batch.events]
        if sequences and sequences[-1] >= batch.head_sequence:
            break
    call.cancel()
    return sequences


# SIGKILL.


@pytest.fixture
async def processes(
    postgres_dsn: str, redis_url: str, tmp_path: Path
) -> AsyncIterator[InventoryProcesses]:
    environment = inventory_environment(postgres_dsn, redis_url, postgres_pool_size="4")
    running = InventoryProcesses(tmp_path / "logs", environment)
    yield running
    await running.close()


async def test_sigkill_mid_load_keeps_every_acknowledged_hold_and_confirm(
    processes: InventoryProcesses,
) -> None:
    units = 400
    first = await processes.start()
    async with first.channel() as channel:
        load = Load(acme_admin(channel), await acme_admin(channel).create_sku(units), 2)
        running = asyncio.create_task(load.run(workers=24))
        await until(lambda: load.count(lambda a: a.held) >= 120, "120 holds acknowledged")
        await processes.kill(first)
        await asyncio.wait_for(running, WAIT_SECONDS)

    cut = [a for a in load.holds + list(load.confirms.values()) if a.unanswered]
    assert cut, "the kill cut no call: it did not land in the middle of the load"
    second = await processes.start()
    async with second.channel() as channel:
        client = acme_admin(channel)
        found = await states_of_sku(client, load.sku_id)
        for hold in load.holds:
            if not hold.held:
                continue
            assert isinstance(hold.outcome, reservation_pb2.Reservation)
            reservation_id = hold.outcome.reservation_id
            confirm = load.confirms.get(reservation_id)
            state = found[reservation_id]
            if confirm is None:
                assert state == ACTIVE
            elif confirm.held:
                assert state == CONFIRMED
            else:
                assert state in (ACTIVE, CONFIRMED)

        # Retried with their request ids, the calls the kill cut settle exactly once.
        for hold in (a for a in load.holds if a.unanswered):
            retried = await reserve(client, load.sku_id, hold)
            page = await client.call("ListReservations", order_id=hold.order_id)
            assert [r.reservation_id for r in page.reservations] == [retried.reservation_id]
        for reservation_id, confirm in load.confirms.items():
            if confirm.unanswered:
                retried = await confirm_hold(client, confirm, reservation_id)
                assert retried.state == CONFIRMED

        stock = await assert_books_balance(client, load.sku_id)
        # The event log has no hole where the killed process's transactions were cut.
        sequences = await logged_sequences(channel)
        assert sequences == list(range(1, len(sequences) + 1))
        states = list((await states_of_sku(client, load.sku_id)).values())
        assert stock.sold == states.count(CONFIRMED)
        assert stock.reserved == states.count(ACTIVE)
        assert stock.sold + stock.reserved <= units
        assert stock.on_hand + stock.sold == units
        # The restarted service still sells.
        await client.hold(load.sku_id, 1)


# Redis outages.


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[LocalRedis]:
    """A Redis of this test alone, so it can be stopped and flushed."""
    server = LocalRedis(tmp_path / "redis", free_port())
    server.start()
    yield server
    server.stop()


def gate_key(sku_id: str) -> str:
    """The sold-out gate's Redis entry of an acme SKU (one hash tag per SKU)."""
    return f"streamstock:inventory:{{acme/{sku_id}}}:sellable"


async def serving(channel: grpc.aio.Channel) -> bool:
    reply = await health_pb2_grpc.HealthStub(channel).Check(
        health_pb2.HealthCheckRequest(service=""), timeout=CALL_BOUND_SECONDS
    )
    return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)


async def assert_stays_serving(channel: grpc.aio.Channel, seconds: float) -> None:
    """Readiness answers SERVING throughout `seconds` (longer than its 1 s refresh)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert await serving(channel)
        await asyncio.sleep(0.1)


async def gate_entry(redis: Redis, client: Client, sku_id: str) -> tuple[int, int]:
    """(version, sellable) of the SKU's gate entry, once a refused hold has made it reappear."""
    deadline = time.monotonic() + WAIT_SECONDS
    while (raw := await redis.get(gate_key(sku_id))) is None:
        assert time.monotonic() < deadline, "the gate entry never came back to Redis"
        with pytest.raises(grpc.aio.AioRpcError):
            await client.hold(sku_id, 1)
    version, sellable = (int(part) for part in raw.split(b":")[:2])
    return version, sellable


def pause_redis(server: LocalRedis, seconds: float) -> None:
    """Redis takes connections but answers no command for `seconds`: a hung server."""
    with server.client() as admin:
        admin.execute_command("CLIENT", "PAUSE", int(seconds * 1000), "ALL")


@pytest.mark.parametrize("fault", ["stopped", "flushed", "paused"])
async def test_redis_fault_mid_load_oversells_nothing_and_the_gate_recovers(
    fault: str, own_redis: LocalRedis, start_service: StartService
) -> None:
    inventory = await start_service("inventory", redis_url=own_redis.url, redis_cluster=False)
    client = acme_admin(inventory.channel)
    load = Load(client, await client.create_sku(200))
    running = asyncio.create_task(load.run(workers=16))
    try:
        await until(lambda: load.count(lambda a: a.held) >= 50, "50 holds acknowledged")
        if fault == "stopped":
            await asyncio.to_thread(own_redis.stop)
        elif fault == "flushed":
            await asyncio.to_thread(own_redis.client().flushall)
        else:
            await asyncio.to_thread(pause_redis, own_redis, 3.0)
        outage = time.monotonic()
        await until(lambda: load.count(refused_after(outage)) > 20, "sold out during the outage")
        # A restock during the outage: the gate must let its units be sold, and no more.
        await client.call("Restock", sku_id=load.sku_id, quantity=100)
        restocked = time.monotonic()
        await until(
            lambda: load.count(refused_after(restocked)) > 20, "sold out again after the restock"
        )
        if fault != "flushed":
            await assert_stays_serving(inventory.channel, seconds=1.5)
    finally:
        load.finish.set()
        await asyncio.wait_for(running, WAIT_SECONDS)

    outcomes = [attempt.outcome for attempt in load.holds]
    assert load.count(lambda a: a.held) == 300
    assert {o for o in outcomes if not isinstance(o, reservation_pb2.Reservation)} == {
        "INSUFFICIENT_STOCK"
    }
    assert load.count(lambda a: a.held and a.finished_at > restocked) > 0
    assert max(attempt.seconds for attempt in load.holds) < CALL_BOUND_SECONDS
    stock = await assert_books_balance(client, load.sku_id)
    assert (stock.on_hand, stock.reserved, stock.sellable) == (300, 300, 0)

    if fault == "stopped":
        own_redis.start()
    redis = Redis.from_url(own_redis.url)
    try:
        assert (await gate_entry(redis, client, load.sku_id))[1] == 0
        # Back in Redis, the gate follows the stock both ways.
        some_hold = next(a.outcome for a in load.holds if a.held)
        assert isinstance(some_hold, reservation_pb2.Reservation)
        await client.call("ReleaseReservation", reservation_id=some_hold.reservation_id, reason=1)
        assert (await gate_entry(redis, client, load.sku_id))[1] == 1
        await client.hold(load.sku_id, 1)
        assert (await gate_entry(redis, client, load.sku_id))[1] == 0
    finally:
        await redis.aclose()


async def test_units_restocked_while_redis_takes_no_writes_are_sold(
    own_redis: LocalRedis, start_service: StartService
) -> None:
    """Redis answers reads but blocks writes (as during a failover): the gate must not keep
    refusing with the sold-out entry Redis still has when this process knows newer stock."""
    inventory = await start_service("inventory", redis_url=own_redis.url, redis_cluster=False)
    client = acme_admin(inventory.channel)
    sku = await client.create_sku(1)
    await client.hold(sku, 1)
    redis = Redis.from_url(own_redis.url)
    try:
        assert (await gate_entry(redis, client, sku))[1] == 0
        await redis.execute_command("CLIENT", "PAUSE", 6000, "WRITE")
        await client.call("Restock", sku_id=sku, quantity=20)
        # Paced over 3 s, past the gate's back-off from Redis after the failed write.
        for _ in range(15):
            await client.hold(sku, 1)
            await asyncio.sleep(0.2)
        assert (await client.stock(sku)).sellable == 5
    finally:
        await redis.execute_command("CLIENT", "UNPAUSE")
        await redis.aclose()
