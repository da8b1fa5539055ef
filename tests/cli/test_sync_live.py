"""`platforms` and `quotas` against the real sync beside the real inventory, with one simulated
platform holding the whole pool after a rebalance (the set-up of tests/sync/test_smoke.py)."""

from __future__ import annotations

from tests.cli.conftest import Cli, address_of, record_of, table_rows
from tests.sync.conftest import SyncFactory, sync_stack, unique  # noqa: F401 - the fixture


async def test_platforms_quotas_and_allocation_of_a_live_pool(sync_stack: SyncFactory) -> None:  # noqa: F811
    stack = await sync_stack()
    sku_id = await stack.create_sku(on_hand=10)
    platform = await stack.add_platform(rate=1000)
    await stack.set_policy(sku_id, [(platform.platform_id, 1.0)])
    await stack.admin.Rebalance(request_id=unique("pass"), sku_ids=[sku_id])
    cli = Cli(addresses={"sync": address_of(stack.sync), "inventory": address_of(stack.inventory)})

    platforms = {row[0]: row for row in table_rows((await cli.ok("platforms", "list")).stdout)}
    assert platforms[platform.platform_id][2] == "QUOTA"

    quotas = (await cli.json("quotas", "list", f"--sku={sku_id}"))["quotas"]
    assert [(q["platform_id"], q["quota_units"]) for q in quotas] == [(platform.platform_id, "10")]
    quota_rows = table_rows((await cli.ok("quotas", "list", f"--sku={sku_id}")).stdout)
    assert [row[:3] for row in quota_rows] == [[sku_id, platform.platform_id, "10"]]

    allocation = (await cli.ok("quotas", "allocation", sku_id)).stdout
    assert record_of(allocation)["total quota"] == "10"
    # The quota is one PLATFORM_QUOTA hold in inventory, which the holds commands see too.
    held = (await cli.json("holds", "list", f"--sku={sku_id}"))["reservations"]
    assert [hold["purpose"] for hold in held] == ["RESERVATION_PURPOSE_PLATFORM_QUOTA"]
