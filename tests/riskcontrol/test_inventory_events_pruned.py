"""riskcontrol's follower fed a pruned event log by a real inventory: told EVENTS_PRUNED, it logs
the gap at ERROR, moves its cursor past it (not retrying the lost events forever) and counts the
hold changes that come after. Both services run on a database of the test's own (see
tests/inventory/event_log.py)."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import pytest
from streamstock.inventory.v1 import reservation_pb2

from services.riskcontrol.adapters.inventory_events import GrpcInventoryEvents
from services.riskcontrol.service_layer.ports import HoldChange
from services.runtime import clients
from tests.conftest import API_KEYS, StartService
from tests.inventory import event_log, sync_api
from tests.inventory.conftest import Client
from tests.inventory.event_log import LONG_TTL, PruningInventory, database_fixture, gap_logged

pytestmark = pytest.mark.timeout(60)

manual_clock = sync_api.manual_clock
own_dsn = database_fixture("inventory", "riskcontrol")
pruning_inventory = event_log.pruning_inventory


async def release(client: Client, reservation_id: str) -> None:
    await client.call(
        "ReleaseReservation",
        reservation_id=reservation_id,
        reason=reservation_pb2.RELEASE_REASON_BUYER_CANCELLED,
    )


async def released_and_pruned(inventory: PruningInventory) -> tuple[Client, str, int]:
    """A SKU with a hold released, pruned: a gap holding a change riskcontrol watches (a gap of
    event types it never asks for is no gap to it, the horizon being per tenant and type)."""
    acme = inventory.client()
    sku = await acme.create_sku(10, hold_ttl=LONG_TTL)
    await release(acme, (await acme.hold(sku, 1)).reservation_id)
    return acme, sku, await inventory.prune_everything_so_far()


async def test_the_follow_moves_past_the_pruned_gap_and_yields_later_hold_changes(
    pruning_inventory: PruningInventory, caplog: pytest.LogCaptureFixture
) -> None:
    acme, sku, pruned = await released_and_pruned(pruning_inventory)
    later = await acme.hold(sku, 2)
    await release(acme, later.reservation_id)
    channel = clients.channel(pruning_inventory.address, API_KEYS.service, 5.0)
    follow = GrpcInventoryEvents(channel).follow(0)
    try:
        gap = await asyncio.wait_for(anext(follow), 10)
        after_gap = await asyncio.wait_for(anext(follow), 10)
    finally:
        await follow.aclose()
        await channel.close()

    assert (list(gap.facts), gap.last_sequence) == ([], pruned)
    assert [(f.change, f.reservation_id, f.quantity) for f in after_gap.facts] == [
        (HoldChange.CREATED, later.reservation_id, 2),
        (HoldChange.RELEASED, later.reservation_id, 2),
    ]
    assert after_gap.last_sequence == await pruning_inventory.head()
    assert gap_logged(caplog, 1, pruned)


async def test_the_follower_saves_its_cursor_past_the_gap_and_follows_on(
    pruning_inventory: PruningInventory,
    start_service: StartService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    acme, sku, pruned = await released_and_pruned(pruning_inventory)
    await start_service(
        "riskcontrol",
        postgres_dsn=pruning_inventory.dsn,
        peers={"inventory": pruning_inventory.address},
    )
    conn = await asyncpg.connect(
        pruning_inventory.dsn, server_settings={"search_path": "riskcontrol"}
    )

    async def cursor_reaches(sequence: int) -> None:
        deadline = time.monotonic() + 10
        while await conn.fetchval("SELECT last_sequence FROM feedback_cursors") != sequence:
            assert time.monotonic() < deadline, f"the follower's cursor never reached {sequence}"
            await asyncio.sleep(0.05)

    try:
        await cursor_reaches(pruned)  # past the gap before any later event
        await release(acme, (await acme.hold(sku, 1)).reservation_id)
        await cursor_reaches(await pruning_inventory.head())  # the later release is processed
    finally:
        await conn.close()
    assert gap_logged(caplog, 1, pruned)
