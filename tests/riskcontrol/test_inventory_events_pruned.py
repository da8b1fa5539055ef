"""riskcontrol's follower fed a pruned event log by a real inventory: told EVENTS_PRUNED, it logs
the gap at ERROR, moves its cursor past it (not retrying the lost events forever) and counts the
hold changes that come after. Both services run on a database of the test's own (see
tests/inventory/event_log.py)."""

from __future__ import annotations

import asyncio
import logging
import time

import asyncpg
import pytest
from streamstock.inventory.v1 import reservation_pb2

from services.riskcontrol.adapters.inventory_events import GrpcInventoryEvents
from services.riskcontrol.service_layer.ports import HoldChange
from services.runtime import clients
from tests.conftest import API_KEYS, StartService
from tests.inventory import sync_api
from tests.inventory.conftest import Client, seconds
from tests.inventory.event_log import (
    database_fixture,
    head,
    prune_everything_so_far,
    start_pruning_inventory,
    tenant_client,
)
from tests.inventory.sync_api import ManualClock

pytestmark = pytest.mark.timeout(60)

manual_clock = sync_api.manual_clock
own_dsn = database_fixture("inventory", "riskcontrol")
LONG_TTL = seconds(24 * 3600)


def gap_logged(caplog: pytest.LogCaptureFixture, first: int, last: int) -> bool:
    return any(
        record.levelno == logging.ERROR and f"events {first} to {last}" in record.getMessage()
        for record in caplog.records
    )


async def release(client: Client, reservation_id: str) -> None:
    await client.call(
        "ReleaseReservation",
        reservation_id=reservation_id,
        reason=reservation_pb2.RELEASE_REASON_BUYER_CANCELLED,
    )


async def test_the_follow_moves_past_the_pruned_gap_and_yields_later_hold_changes(
    own_dsn: str,
    manual_clock: ManualClock,
    start_service: StartService,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    inventory = await start_pruning_inventory(start_service, monkeypatch, own_dsn)
    acme = tenant_client(inventory)
    sku = await acme.create_sku(10, hold_ttl=LONG_TTL)
    await release(acme, (await acme.hold(sku, 1)).reservation_id)
    pruned = await prune_everything_so_far(own_dsn, manual_clock)
    later = await acme.hold(sku, 2)
    await release(acme, later.reservation_id)
    channel = clients.channel(f"127.0.0.1:{inventory.host.port}", API_KEYS.service, 5.0)
    follow = GrpcInventoryEvents(channel).follow(0)
    try:
        gap = await asyncio.wait_for(anext(follow), 10)
        after_gap = await asyncio.wait_for(anext(follow), 10)
    finally:
        await follow.aclose()
        await channel.close()

    assert (list(gap.facts), gap.last_sequence) == ([], pruned)
    assert [(f.change, f.reservation_id, f.quantity) for f in after_gap.facts] == [
        (HoldChange.RELEASED, later.reservation_id, 2)
    ]
    assert after_gap.last_sequence == await head(own_dsn)
    assert gap_logged(caplog, 1, pruned)


async def test_the_follower_saves_its_cursor_past_the_gap_and_follows_on(
    own_dsn: str,
    manual_clock: ManualClock,
    start_service: StartService,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    inventory = await start_pruning_inventory(start_service, monkeypatch, own_dsn)
    acme = tenant_client(inventory)
    sku = await acme.create_sku(10, hold_ttl=LONG_TTL)
    # The gap must hold a change riskcontrol watches: a gap of other event types it never asks
    # for is no gap to it (the horizon is per tenant and event type).
    await release(acme, (await acme.hold(sku, 1)).reservation_id)
    pruned = await prune_everything_so_far(own_dsn, manual_clock)
    address = f"127.0.0.1:{inventory.host.port}"
    await start_service("riskcontrol", postgres_dsn=own_dsn, peers={"inventory": address})

    conn = await asyncpg.connect(own_dsn, server_settings={"search_path": "riskcontrol"})

    async def cursor_reaches(sequence: int) -> None:
        deadline = time.monotonic() + 10
        while await conn.fetchval("SELECT last_sequence FROM feedback_cursors") != sequence:
            assert time.monotonic() < deadline, f"the follower's cursor never reached {sequence}"
            await asyncio.sleep(0.05)

    try:
        await cursor_reaches(pruned)  # past the gap before any later event
        await release(acme, (await acme.hold(sku, 1)).reservation_id)
        await cursor_reaches(await head(own_dsn))  # the release after the gap was processed
    finally:
        await conn.close()
    assert gap_logged(caplog, 1, pruned)
