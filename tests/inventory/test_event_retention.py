"""The event log WatchEvents streams keeps events for the retention and then prunes them, oldest
first, as a prefix in sequence order. A consumer that has not read events that are gone is told
(OUT_OF_RANGE, EVENTS_PRUNED, with the oldest sequence kept) instead of missing them silently; a
consumer that has missed nothing of its tenant and event types streams on as before."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import asyncpg
import grpc
import pytest
from streamstock.inventory.v1 import events_pb2, reservation_pb2
from streamstock.inventory.v1 import inventory_service_pb2 as api

from services.inventory.adapters.postgres_store import PostgresStore
from services.inventory.domain.errors import EventsPruned
from services.inventory.entrypoints.mapping import encode_event
from services.inventory.service_layer import queries, retention
from services.inventory.service_layer.ports import EventWindow
from services.inventory.settings import InventorySettings
from services.runtime import periodic
from services.runtime.settings import SettingsError
from tests.conftest import API_KEYS, StartService, schema_pool
from tests.inventory import event_log, sync_api
from tests.inventory.conftest import Client, metadata_of, reason_of
from tests.inventory.event_log import (
    JOB_INTERVAL_SECONDS,
    LONG_TTL,
    RETENTION,
    PruningInventory,
    database_fixture,
    head,
    horizon,
    tenant_client,
)
from tests.inventory.sync_api import ManualClock

pytestmark = pytest.mark.timeout(60)

manual_clock = sync_api.manual_clock
own_dsn = database_fixture("inventory")
pruning_inventory = event_log.pruning_inventory
SERVICE_KEY = (("x-api-key", API_KEYS.service),)


async def first_events(
    client: Client, request: api.WatchEventsRequest, key: tuple[tuple[str, str], ...] = ()
) -> list[events_pb2.InventoryEvent]:
    """The first non-empty batch of a WatchEvents stream (or its error)."""
    stream = client.stub.WatchEvents(request, metadata=key or client.metadata, timeout=10)
    try:
        async for batch in stream:
            if batch.events:
                return list(batch.events)
    finally:
        stream.cancel()
    raise AssertionError("the stream ended without events")


async def refusal(
    client: Client, request: api.WatchEventsRequest, key: tuple[tuple[str, str], ...] = ()
) -> tuple[grpc.StatusCode, str, dict[str, str]]:
    with pytest.raises(grpc.aio.AioRpcError) as failed:
        await first_events(client, request, key)
    error = failed.value
    return error.code(), reason_of(error), metadata_of(error)


async def kept_sequences(dsn: str) -> list[int]:
    async with schema_pool(dsn, "inventory", 1) as pool:
        rows = await pool.fetch("SELECT sequence FROM events ORDER BY sequence")
    return [row["sequence"] for row in rows]


async def test_the_job_prunes_events_older_than_the_retention_and_keeps_recent_ones(
    monkeypatch: pytest.MonkeyPatch, pruning_inventory: PruningInventory, own_dsn: str
) -> None:
    monkeypatch.setattr(periodic, "RETENTION_BATCH", 2)  # several batches, each its own transaction
    acme, globex = pruning_inventory.client(), pruning_inventory.client("globex")
    sku = await acme.create_sku(10, hold_ttl=LONG_TTL)
    held = await acme.hold(sku, 2)
    await globex.create_sku(5, hold_ttl=LONG_TTL)
    old = await head(own_dsn)
    pruning_inventory.clock.advance(RETENTION - timedelta(minutes=1))
    await asyncio.sleep(0.2)  # several runs of the job: nothing is old enough yet
    assert await kept_sequences(own_dsn) == list(range(1, old + 1))

    pruned = await pruning_inventory.prune_everything_so_far()
    await acme.call("ConfirmReservation", reservation_id=held.reservation_id)
    await acme.call("Restock", sku_id=sku, quantity=1)

    assert pruned == old
    assert await kept_sequences(own_dsn) == list(range(old + 1, await head(own_dsn) + 1))
    async with schema_pool(own_dsn, "inventory", 1) as pool:
        horizons = {
            (row["tenant_id"], row["event_type"]): row["pruned_through"]
            for row in await pool.fetch("SELECT * FROM event_horizons")
        }
    created, reserved = events_pb2.EVENT_TYPE_SKU_CREATED, events_pb2.EVENT_TYPE_RESERVATION_CREATED
    assert horizons == {("acme", created): 1, ("acme", reserved): 2, ("globex", created): 3}


async def test_a_consumer_behind_the_horizon_is_told_where_the_kept_log_starts(
    pruning_inventory: PruningInventory,
) -> None:
    acme = pruning_inventory.client()
    sku = await acme.create_sku(10, hold_ttl=LONG_TTL)
    await acme.hold(sku, 1)
    pruned = await pruning_inventory.prune_everything_so_far()
    await acme.call("Restock", sku_id=sku, quantity=3)

    fresh = await refusal(acme, api.WatchEventsRequest(tenant_id="acme", after_sequence=0))
    behind = await refusal(
        acme, api.WatchEventsRequest(tenant_id="acme", after_sequence=pruned - 1)
    )
    every_tenant = await refusal(acme, api.WatchEventsRequest(after_sequence=0), SERVICE_KEY)
    oldest = str(pruned + 1)
    assert fresh == (
        grpc.StatusCode.OUT_OF_RANGE,
        "EVENTS_PRUNED",
        {"after_sequence": "0", "oldest_sequence": oldest},
    )
    assert behind[1:] == ("EVENTS_PRUNED", {"after_sequence": str(pruned - 1),
                                            "oldest_sequence": oldest})  # fmt: skip
    assert every_tenant[:2] == (grpc.StatusCode.OUT_OF_RANGE, "EVENTS_PRUNED")

    # Resuming where the error says streams the kept log.
    resumed = await first_events(
        acme, api.WatchEventsRequest(tenant_id="acme", after_sequence=int(oldest) - 1)
    )
    assert [(e.sequence, e.WhichOneof("kind")) for e in resumed] == [(pruned + 1, "stock_adjusted")]


async def test_a_consumer_that_missed_nothing_of_its_tenant_and_types_streams_on(
    pruning_inventory: PruningInventory,
) -> None:
    acme, globex = pruning_inventory.client(), pruning_inventory.client("globex")
    sku = await acme.create_sku(10, hold_ttl=LONG_TTL)
    held = await acme.hold(sku, 1)
    pruned = await pruning_inventory.prune_everything_so_far()
    await acme.call(
        "ReleaseReservation",
        reservation_id=held.reservation_id,
        reason=reservation_pb2.RELEASE_REASON_BUYER_CANCELLED,
    )
    their_sku = await globex.create_sku(4, hold_ttl=LONG_TTL)

    def watch(after: int, tenant: str = "acme", **filters: object) -> api.WatchEventsRequest:
        return api.WatchEventsRequest(tenant_id=tenant, after_sequence=after, **filters)

    at_horizon = await first_events(acme, watch(pruned))
    released_only = await first_events(
        acme, watch(0, event_types=[events_pb2.EVENT_TYPE_RESERVATION_RELEASED])
    )
    other_tenant = await first_events(globex, watch(0, "globex"))
    assert [e.WhichOneof("kind") for e in at_horizon] == ["reservation_released"]
    assert [e.WhichOneof("kind") for e in released_only] == ["reservation_released"]
    assert [(e.sku_id, e.WhichOneof("kind")) for e in other_tenant] == [(their_sku, "sku_created")]

    # A type whose events were pruned is told; a SKU filter does not narrow the horizon.
    created = watch(0, event_types=[events_pb2.EVENT_TYPE_RESERVATION_CREATED])
    of_the_sku = watch(0, sku_ids=[sku])
    assert (await refusal(acme, created))[1] == "EVENTS_PRUNED"
    assert (await refusal(acme, of_the_sku))[1] == "EVENTS_PRUNED"


class NoNewEvents:
    """The event signal of a watch that never catches up here (it is never asked)."""

    async def wait(self, after: int, timeout: float) -> bool:
        raise AssertionError("the watch caught up with the log")


async def test_a_watch_that_falls_behind_the_retention_is_told_at_its_next_read(
    own_dsn: str, start_service: StartService, monkeypatch: pytest.MonkeyPatch
) -> None:
    inventory = await start_service("inventory", postgres_dsn=own_dsn)
    acme = tenant_client(inventory)
    sku = await acme.create_sku(10, hold_ttl=LONG_TTL)
    for _ in range(3):
        await acme.hold(sku, 1)
    last = await head(own_dsn)
    monkeypatch.setattr(queries, "EVENT_SCAN", 1)  # one sequence per read of the log
    async with asyncpg.create_pool(
        own_dsn, min_size=1, max_size=2, server_settings={"search_path": "inventory"}
    ) as pool:
        store = PostgresStore(pool, encode_event)
        watch = queries.watch_events(store, NoNewEvents(), EventWindow("acme", 0, 0))
        first, _head = await anext(watch)
        # The consumer lags; meanwhile the log is pruned past it (the retention job's statement).
        everything = datetime.now(UTC) + timedelta(days=1)
        assert await store.prune_events(everything, 100) == last
        with pytest.raises(EventsPruned) as told:
            await anext(watch)
    assert [sequence for sequence, _payload in first] == [1]
    assert dict(told.value.metadata) == {"after_sequence": "1", "oldest_sequence": str(last + 1)}
    assert await horizon(own_dsn) == last


async def test_a_retention_of_zero_keeps_every_event(
    own_dsn: str,
    manual_clock: ManualClock,
    start_service: StartService,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(retention, "INTERVAL_SECONDS", JOB_INTERVAL_SECONDS)
    monkeypatch.setenv("STREAMSTOCK_REQUEST_RETENTION_SECONDS", str(RETENTION.total_seconds()))
    monkeypatch.setenv("STREAMSTOCK_EVENT_RETENTION_SECONDS", "0")
    acme = tenant_client(await start_service("inventory", postgres_dsn=own_dsn))
    await acme.create_sku(10, hold_ttl=LONG_TTL)
    logged = await kept_sequences(own_dsn)

    manual_clock.advance(timedelta(days=30))
    # The request records go (their job runs): the same time has passed for the events.
    deadline = time.monotonic() + 10
    async with schema_pool(own_dsn, "inventory", 1) as pool:
        while await pool.fetchval("SELECT count(*) FROM requests"):
            assert time.monotonic() < deadline, "the request retention job did not run"
            await asyncio.sleep(0.05)
    assert await kept_sequences(own_dsn) == logged
    assert await horizon(own_dsn) == 0


def test_the_event_retention_is_a_week_unless_configured_and_never_negative() -> None:
    assert InventorySettings.from_env({}).event_retention_seconds == 7 * 24 * 3600
    configured = {"STREAMSTOCK_EVENT_RETENTION_SECONDS": "0"}
    assert InventorySettings.from_env(configured).event_retention_seconds == 0
    with pytest.raises(SettingsError, match="STREAMSTOCK_EVENT_RETENTION_SECONDS"):
        InventorySettings.from_env({"STREAMSTOCK_EVENT_RETENTION_SECONDS": "-1"})
