"""The live-sale driver against a stack older than inventory's event retention: its event
follower, told EVENTS_PRUNED, moves past the pruned part and tallies the run's own events instead
of asking for the lost ones forever. inventory runs on a database of the test's own (see
tests/inventory/event_log.py)."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time

import pytest
from streamstock.inventory.v1 import inventory_service_pb2_grpc

from tests.conftest import API_KEYS
from tests.inventory import event_log, sync_api
from tests.inventory.event_log import LONG_TTL, PruningInventory, database_fixture
from tests.livesale.test_play import TINY
from tools.livesale.calls import Caller, RequestRate
from tools.livesale.observers import follow_events
from tools.livesale.scenario import parse_scenario
from tools.livesale.session import Session
from tools.livesale.tally import SessionTally, SkuTally

pytestmark = pytest.mark.timeout(60)

manual_clock = sync_api.manual_clock
own_dsn = database_fixture("inventory")
pruning_inventory = event_log.pruning_inventory


async def test_the_event_follower_resumes_after_the_pruned_log_and_tallies_the_run(
    pruning_inventory: PruningInventory,
) -> None:
    acme = pruning_inventory.client()
    pruned = await pruning_inventory.prune_an_earlier_sale()
    sku_id = await acme.create_sku(5, hold_ttl=LONG_TTL)
    session = Session(
        scenario=parse_scenario(TINY),
        tag=f"pruned{random.randrange(10**6)}",
        tally=SessionTally(skus={sku_id: SkuTally(sku_id, "lipstick", 5)}, platforms={}),
        inventory=inventory_service_pb2_grpc.InventoryServiceStub(
            pruning_inventory.service.channel
        ),
        as_admin=Caller(API_KEYS.acme_admin, RequestRate()),
        as_platform=Caller(API_KEYS.service, RequestRate()),
        random=random.Random(1),
    )
    follower = asyncio.create_task(follow_events(session))
    try:
        await acme.hold(sku_id, 2)
        deadline = time.monotonic() + 10
        while session.tally.holds.created == 0:
            assert time.monotonic() < deadline, "the follower never tallied the run's hold"
            await asyncio.sleep(0.05)
    finally:
        follower.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await follower

    assert session.tally.last_sequence > pruned
    assert session.tally.skus[sku_id].reserved == 2
