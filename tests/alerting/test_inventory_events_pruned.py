"""alerting's follower fed a pruned event log by a real inventory: told EVENTS_PRUNED, it logs the
gap at ERROR and resumes after it (not retrying the lost events forever), and folds what comes
after. Both services run on a database of the test's own (see tests/inventory/event_log.py)."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import pytest

from services.alerting.adapters.inventory_events import WatchEventsSource
from services.runtime import clients
from tests.conftest import API_KEYS, StartService
from tests.inventory import event_log, sync_api
from tests.inventory.event_log import LONG_TTL, PruningInventory, database_fixture, gap_logged

pytestmark = pytest.mark.timeout(60)

manual_clock = sync_api.manual_clock
own_dsn = database_fixture("inventory", "alerting")
pruning_inventory = event_log.pruning_inventory


async def test_the_source_resumes_after_the_pruned_gap_and_streams_later_events(
    pruning_inventory: PruningInventory, caplog: pytest.LogCaptureFixture
) -> None:
    acme = pruning_inventory.client()
    pruned = await pruning_inventory.prune_an_earlier_sale()
    kept = await acme.create_sku(7, hold_ttl=LONG_TTL)
    channel = clients.channel(pruning_inventory.address, API_KEYS.service, 5.0)
    source = WatchEventsSource(channel, retry_seconds=30)  # a retry would time the test out
    batches = source.batches(0)
    try:
        first = await asyncio.wait_for(anext(batches), 10)
        await acme.call("Restock", sku_id=kept, quantity=2)
        second = await asyncio.wait_for(anext(batches), 10)
    finally:
        await batches.aclose()
        await channel.close()

    assert [(e.sequence, e.sku_id, e.levels.on_hand) for e in first] == [(pruned + 1, kept, 7)]
    assert [(e.sku_id, e.levels.on_hand) for e in second] == [(kept, 9)]
    assert gap_logged(caplog, 1, pruned)


async def test_the_follower_folds_the_events_after_the_gap(
    pruning_inventory: PruningInventory,
    start_service: StartService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    acme = pruning_inventory.client()
    gone = await acme.create_sku(10, hold_ttl=LONG_TTL)
    pruned = await pruning_inventory.prune_everything_so_far()
    kept = await acme.create_sku(5, hold_ttl=LONG_TTL)
    await acme.hold(kept, 2)
    await start_service(
        "alerting",
        postgres_dsn=pruning_inventory.dsn,
        peers={"inventory": pruning_inventory.address},
    )

    last = await pruning_inventory.head()
    conn = await asyncpg.connect(pruning_inventory.dsn, server_settings={"search_path": "alerting"})
    try:
        deadline = time.monotonic() + 10
        while await conn.fetchval("SELECT last_sequence FROM follower_checkpoints") != last:
            assert time.monotonic() < deadline, "the follower did not get past the gap"
            await asyncio.sleep(0.05)
        levels = {
            row["sku_id"]: (row["on_hand"], row["reserved"])
            for row in await conn.fetch("SELECT * FROM sku_levels")
        }
    finally:
        await conn.close()
    assert levels == {kept: (5, 2)}  # the pruned SKU is unknown until its next event
    assert gone not in levels
    assert gap_logged(caplog, 1, pruned)
