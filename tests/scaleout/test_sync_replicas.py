"""Two sync replicas side by side against one inventory on the same PostgreSQL and Redis: a sale
line reported to both is counted once, and the quotas they allocate never exceed the pool."""

from __future__ import annotations

import asyncio
import dataclasses
import random
from collections import Counter

from streamstock.sync.v1 import sales_pb2, sync_service_pb2_grpc

from tests.conftest import API_KEYS, StartService
from tests.sync.conftest import Caller, SyncFactory, SyncStack, sync_stack, unique  # noqa: F401
from tests.sync.test_sale_reports import CANCEL, SALE, report, sale_line

ON_HAND = 120
APPLIED = sales_pb2.SALE_LINE_OUTCOME_APPLIED
DUPLICATE = sales_pb2.SALE_LINE_OUTCOME_DUPLICATE


async def second_replica(stack: SyncStack, start_service: StartService) -> SyncStack:
    """Another sync on the same database, Redis and inventory, reached through its own stubs."""
    sync = await start_service(
        "sync",
        postgres_pool_size=6,
        peers={"inventory": f"127.0.0.1:{stack.inventory.host.port}"},
    )
    stub = sync_service_pb2_grpc.SyncServiceStub(sync.channel)
    return dataclasses.replace(
        stack,
        sync=sync,
        admin=Caller(stub, API_KEYS.acme_admin, requests=stack.admin.requests),
        service=Caller(stub, API_KEYS.service, requests=stack.service.requests),
        platforms=[],
    )


async def test_reports_sent_to_both_replicas_count_once_and_quotas_stay_within_the_pool(
    sync_stack: SyncFactory,  # noqa: F811
    start_service: StartService,
) -> None:
    first = await sync_stack()
    second = await second_replica(first, start_service)
    sku_id = await first.create_sku(on_hand=ON_HAND)
    platforms = [(await first.add_platform(rate=1)).platform_id for _ in range(2)]
    # Both replicas rebalance the SKU at once, as their rebalance loops would, while the shares
    # move so that each pass has quotas to grow and shrink.
    for weights in ((1.0, 1.0), (3.0, 1.0), (1.0, 4.0), (1.0, 1.0)):
        await first.set_policy(sku_id, list(zip(platforms, weights, strict=True)))
        await asyncio.gather(rebalance(first, sku_id), rebalance(second, sku_id))
        await assert_within_pool(first, second, sku_id)
        # No demand yet: the shares split the whole pool. A pass grows only into stock free when
        # it looks, so a grow racing the other pass's shrink may wait for a later pass.
        expected = {
            p: int(ON_HAND * w / sum(weights)) for p, w in zip(platforms, weights, strict=True)
        }
        for attempt in range(4):
            quotas = await (first, second)[attempt % 2].quotas(sku_id)
            if {p: quotas[p].quota_units for p in platforms} == expected:
                break
            await rebalance((first, second)[attempt % 2], sku_id)
            await assert_within_pool(first, second, sku_id)
        assert {p: quotas[p].quota_units for p in platforms} == expected
        assert (await first.sku_stock(sku_id)).reserved == ON_HAND

    chooser = random.Random(7)
    truth: list[tuple[str, sales_pb2.SaleLine]] = []
    net_sold: Counter[str] = Counter()
    for number in range(30):
        platform_id = platforms[number % 2]
        quantity = chooser.randint(1, 3)
        truth.append((platform_id, sale_line(f"o{number}", sku_id, SALE, quantity)))
        net_sold[platform_id] += quantity
        if number % 5 == 0:
            truth.append((platform_id, sale_line(f"o{number}", sku_id, CANCEL, 1)))
            net_sold[platform_id] -= 1
    # Sales before their cancellations (a cancellation overtaking its sale would be deferred, which
    # tests/sync covers); every line goes to both replicas at once, in batches.
    truth.sort(key=lambda entry: entry[1].kind != SALE)
    outcomes: Counter[int] = Counter()
    for start in range(0, len(truth), 6):
        replies = await asyncio.gather(
            *(
                report(replica, p, [line])
                for p, line in truth[start : start + 6]
                for replica in (first, second)
            )
        )
        outcomes.update(o for reply in replies for o in reply)
        await assert_within_pool(first, second, sku_id)

    # One of the two copies of each line counts, the other is a duplicate.
    assert outcomes == Counter({APPLIED: len(truth), DUPLICATE: len(truth)})
    stock = await first.sku_stock(sku_id)
    assert stock.sold == sum(net_sold.values())
    for replica in (first, second):
        quotas = await replica.quotas(sku_id)
        assert {p: quotas[p].sold_units for p in platforms} == dict(net_sold)


async def rebalance(replica: SyncStack, sku_id: str) -> None:
    await replica.admin.Rebalance(request_id=unique("pass"), sku_ids=[sku_id])


async def assert_within_pool(first: SyncStack, second: SyncStack, sku_id: str) -> None:
    stock = await first.sku_stock(sku_id)
    for replica in (first, second):
        quotas = (await replica.quotas(sku_id)).values()
        assert sum(q.quota_units for q in quotas) <= stock.on_hand
        assert sum(q.quota_units + q.sold_units for q in quotas) + stock.sellable <= ON_HAND
