"""The "expiring soon" notice, through the gRPC API on a manual clock with the real background
sweeper: it is sent once per hold, the policy's lead (5 minutes unless set) before the deadline,
however many sweeper passes see the hold in its last minutes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import Any

import pytest
from streamstock.inventory.v1 import events_pb2, reservation_pb2
from streamstock.inventory.v1 import inventory_service_pb2 as api
from streamstock.inventory.v1.inventory_service_pb2_grpc import InventoryServiceStub

from services.inventory.service_layer import expiry
from services.inventory.service_layer.unit import Unit
from tests.conftest import API_KEYS, StartService
from tests.inventory import sync_api
from tests.inventory.conftest import Client, seconds, unique
from tests.inventory.sync_api import ManualClock

manual_clock = sync_api.manual_clock

# How long a test waits for the sweeper to make the passes it needs.
PASSES_TIMEOUT = 20.0
EXPIRING_SOON = events_pb2.EVENT_TYPE_RESERVATION_EXPIRING_SOON
MARKER = events_pb2.EVENT_TYPE_STOCK_ADJUSTED


@dataclass
class SweeperPasses:
    """Counts the background sweeper's finished notice passes."""

    done: int = 0
    finished: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def wait(self, more: int) -> None:
        """Until `more` passes have finished after now (the first may have begun before)."""
        target = self.done + more
        async with self.finished:
            await asyncio.wait_for(
                self.finished.wait_for(lambda: self.done >= target), PASSES_TIMEOUT
            )


@dataclass
class Sweeping:
    client: Client
    passes: SweeperPasses


@pytest.fixture
async def sweeping(
    manual_clock: ManualClock, start_service: StartService, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Sweeping]:
    """inventory on the manual clock with its real sweeper, napping 10 ms when idle."""
    passes = SweeperPasses()
    announce = expiry.announce_expiring

    async def counted(unit: Unit, limit: int) -> int:
        announced = await announce(unit, limit)
        async with passes.finished:
            passes.done += 1
            passes.finished.notify_all()
        return announced

    monkeypatch.setattr(expiry, "announce_expiring", counted)
    monkeypatch.setenv("STREAMSTOCK_SWEEP_INTERVAL_SECONDS", "0.01")
    service = await start_service("inventory")
    yield Sweeping(
        Client(InventoryServiceStub(service.channel), "acme", API_KEYS.acme_admin), passes
    )


async def notices_of(client: Client, sku_id: str) -> list[str]:
    """The reservation ids of every "expiring soon" event of the SKU so far: a restock is
    recorded after them as a marker, and the log is read up to it."""
    marker = unique("marker")
    await client.call("Restock", sku_id=sku_id, quantity=1, note=marker)
    stream = client.stub.WatchEvents(
        api.WatchEventsRequest(
            tenant_id=client.tenant_id, sku_ids=[sku_id], event_types=[EXPIRING_SOON, MARKER]
        ),
        metadata=client.metadata,
        timeout=10,
    )
    notices: list[str] = []
    try:
        async for batch in stream:
            for event in batch.events:
                if event.WhichOneof("kind") == "stock_adjusted":
                    if event.stock_adjusted.note == marker:
                        return notices
                    continue
                notices.append(event.reservation_expiring_soon.reservation_id)
    finally:
        stream.cancel()
    raise AssertionError("the event stream ended before the marker")


@pytest.mark.parametrize(
    ("policy", "lead"),
    [
        pytest.param({}, timedelta(minutes=5), id="default-lead"),
        pytest.param({"expiring_soon_lead": seconds(90)}, timedelta(seconds=90), id="set-lead"),
    ],
)
async def test_expiring_soon_is_sent_once_the_lead_before_the_deadline(
    manual_clock: ManualClock, sweeping: Sweeping, policy: dict[str, Any], lead: timedelta
) -> None:
    client, passes = sweeping.client, sweeping.passes
    sku = await client.create_sku(5, hold_ttl=seconds(20 * 60), **policy)
    held = await client.hold(sku, 1)
    deadline = held.expire_time.ToDatetime(tzinfo=UTC)

    # A second before the lead: passes go by without a notice.
    manual_clock.advance(deadline - lead - timedelta(seconds=1) - manual_clock.now())
    await passes.wait(3)
    assert await notices_of(client, sku) == []

    # At the lead: one notice, and no other however many passes follow until the deadline.
    manual_clock.advance(timedelta(seconds=1))
    await passes.wait(3)
    assert await notices_of(client, sku) == [held.reservation_id]
    for _ in range(4):
        manual_clock.advance(lead / 5)
        await passes.wait(2)
    assert manual_clock.now() < deadline
    assert await notices_of(client, sku) == [held.reservation_id]
    got = await client.call("GetReservation", reservation_id=held.reservation_id)
    assert got.reservation.state == reservation_pb2.RESERVATION_STATE_ACTIVE


async def test_a_hold_shorter_than_the_lead_is_told_once_at_once(
    manual_clock: ManualClock, sweeping: Sweeping
) -> None:
    client, passes = sweeping.client, sweeping.passes
    sku = await client.create_sku(5, hold_ttl=seconds(120))  # shorter than the 5-minute lead
    held = await client.hold(sku, 1)
    await passes.wait(3)
    assert await notices_of(client, sku) == [held.reservation_id]
    manual_clock.advance(timedelta(seconds=60))
    await passes.wait(3)
    assert await notices_of(client, sku) == [held.reservation_id]
