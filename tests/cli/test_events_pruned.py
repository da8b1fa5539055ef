"""`streamstock events watch` against an inventory whose retention pruned the start of its event
log: a watch from the start begins at the oldest event kept and says so on stderr; a watch from an
explicit sequence behind the retention fails with EVENTS_PRUNED. inventory runs on a database of
the test's own (see tests/inventory/event_log.py)."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import Cli
from tests.inventory import event_log, sync_api
from tests.inventory.event_log import LONG_TTL, PruningInventory, database_fixture

pytestmark = pytest.mark.timeout(60)

manual_clock = sync_api.manual_clock
own_dsn = database_fixture("inventory")
pruning_inventory = event_log.pruning_inventory


async def test_a_watch_from_the_start_begins_at_the_oldest_event_kept(
    pruning_inventory: PruningInventory,
) -> None:
    acme = pruning_inventory.client()
    pruned = await pruning_inventory.prune_an_earlier_sale()
    kept = await acme.create_sku(7, hold_ttl=LONG_TTL)
    await acme.call("Restock", sku_id=kept, quantity=2)
    cli = Cli(addresses={"inventory": pruning_inventory.address})

    watched = await cli.ok("events", "watch", "--limit=2", "--json")

    events = [json.loads(line) for line in watched.stdout.splitlines()]
    assert [(int(e["sequence"]), e["sku_id"]) for e in events] == [
        (pruned + 1, kept),
        (pruned + 2, kept),
    ]
    assert "sku_created" in events[0] and "stock_adjusted" in events[1]
    assert f"events before #{pruned + 1} were pruned" in watched.stderr


async def test_a_watch_from_a_sequence_the_retention_pruned_fails_with_the_oldest_kept(
    pruning_inventory: PruningInventory,
) -> None:
    acme = pruning_inventory.client()
    pruned = await pruning_inventory.prune_an_earlier_sale()
    await acme.create_sku(7, hold_ttl=LONG_TTL)
    cli = Cli(addresses={"inventory": pruning_inventory.address})

    stderr = cli.failed(await cli.run("events", "watch", "--from=1", "--limit=1"))

    assert "OUT_OF_RANGE" in stderr and "EVENTS_PRUNED" in stderr
    assert f"oldest_sequence: {pruned + 1}" in stderr
