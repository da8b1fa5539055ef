"""A batch of holds records its answers once, at its end: a request id another transaction
answers meanwhile makes the batch decide again (and replay that answer), never answer twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import grpc
import pytest
from streamstock.inventory.v1 import inventory_service_pb2 as api

from services.inventory.adapters.postgres_store import PostgresStore
from services.inventory.domain.policy import LockStage, SaleMode, SalePolicy, SaleStatus
from services.inventory.domain.sku import Sku
from services.inventory.entrypoints.mapping import encode_event
from services.inventory.service_layer import reservations
from services.inventory.service_layer.ports import RequestsRaced
from services.runtime import errors
from tests.conftest import schema_pool
from tests.inventory.conftest import Client, reason_of, unique

NOW = datetime.now(UTC)


def _answer(sku_id: str) -> Sku:
    policy = SalePolicy(LockStage.CART, SaleMode.FLASH_SALE)
    return Sku.create("acme", sku_id, "Lipstick", 1, policy, SaleStatus.ON_SALE, NOW, "r")


@pytest.fixture
async def store(postgres_dsn: str) -> AsyncIterator[PostgresStore]:
    async with schema_pool(postgres_dsn, "inventory", 2) as pool:
        yield PostgresStore(pool, encode_event)


async def _until_a_backend_waits_for_a_lock(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for _ in range(200):  # 10 s at most
            waiting = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND datname = current_database()"
            )
            if waiting:
                return
            await asyncio.sleep(0.05)
        pytest.fail("the racing insert never waited for the first transaction")
    finally:
        await conn.close()


async def test_a_request_answered_by_a_racing_transaction_is_not_answered_again(
    store: PostgresStore, postgres_dsn: str
) -> None:
    request_id = unique("raced")
    first_in = asyncio.Event()
    commit = asyncio.Event()

    async def first() -> None:
        async with store.transaction() as txn:
            await txn.insert_holds("acme", [], {request_id: ("fp-1", _answer("a"))}, NOW)
            first_in.set()
            await commit.wait()

    async def second() -> None:
        await first_in.wait()
        async with store.transaction() as txn:
            assert await txn.answered_requests("acme", [request_id]) == {}  # not committed yet
            await txn.insert_holds("acme", [], {request_id: ("fp-2", _answer("b"))}, NOW)

    racing = asyncio.create_task(second())
    first_task = asyncio.create_task(first())
    await _until_a_backend_waits_for_a_lock(postgres_dsn)  # the second insert waits
    assert not racing.done()
    commit.set()
    await first_task
    with pytest.raises(RequestsRaced):
        await racing
    answered = await store.answered("acme", [request_id])
    assert answered[request_id].fingerprint == "fp-1"


async def test_a_rolled_back_racer_leaves_the_request_id_free(store: PostgresStore) -> None:
    request_id = unique("rolled-back")
    with pytest.raises(RuntimeError):
        async with store.transaction() as txn:
            await txn.insert_holds("acme", [], {request_id: ("fp-1", _answer("a"))}, NOW)
            raise RuntimeError("the batch failed")
    async with store.transaction() as txn:
        await txn.insert_holds("acme", [], {request_id: ("fp-2", _answer("b"))}, NOW)
    assert (await store.answered("acme", [request_id]))[request_id].fingerprint == "fp-2"


async def test_one_request_id_sent_for_two_skus_at_once_holds_once(client: Client) -> None:
    for _ in range(5):
        skus = [await client.create_sku(5), await client.create_sku(5)]
        request_id = unique("twice")
        outcomes = await asyncio.gather(
            *(
                client.call(
                    "Reserve",
                    request_id=request_id,
                    user_id="buyer",
                    order_id="order",
                    lines=[api.ReserveLine(sku_id=sku, quantity=1)],
                    lock_stage=1,
                    purpose=1,
                )
                for sku in skus
            ),
            return_exceptions=True,
        )
        held = [o for o in outcomes if not isinstance(o, Exception)]
        refused = [o for o in outcomes if isinstance(o, grpc.aio.AioRpcError)]
        assert len(held) == 1 and len(refused) == 1
        assert reason_of(refused[0]) == "REQUEST_ID_REUSED"
        reserved = [(await client.stock(sku)).reserved for sku in skus]
        assert sorted(reserved) == [0, 1]


async def test_a_batch_raced_on_every_attempt_is_aborted_not_internal(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Callers never see INTERNAL for what they may send: a batch whose request ids other calls
    answer first on every attempt is ABORTED (REQUEST_RACED), which a retry resolves."""
    one, two = await client.create_sku(5), await client.create_sku(5)
    attempts = 0

    async def always_raced(*_: object) -> None:
        nonlocal attempts
        attempts += 1
        raise RequestsRaced("another transaction answered first")

    monkeypatch.setattr(reservations, "place_holds", always_raced)
    for skus in ([one], [one, two]):  # a coalesced batch, and a hold of several lines
        attempts = 0
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await client.call(
                "Reserve",
                user_id="buyer",
                order_id="order",
                lines=[api.ReserveLine(sku_id=sku, quantity=1) for sku in skus],
                lock_stage=1,
                purpose=1,
            )
        assert refused.value.code() is grpc.StatusCode.ABORTED
        assert reason_of(refused.value) == "REQUEST_RACED"
        assert attempts == reservations.RACE_ATTEMPTS
    assert [(await client.stock(sku)).reserved for sku in (one, two)] == [0, 0]
    assert errors.status_code("REQUEST_RACED") is grpc.StatusCode.ABORTED
