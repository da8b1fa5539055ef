"""A first end-to-end: one platform, one SKU, a rebalance, one sale."""

from __future__ import annotations

from streamstock.sync.v1 import sales_pb2

from tests.sync.conftest import SyncFactory, unique


async def test_one_platform_gets_the_pool_and_sells(sync_stack: SyncFactory) -> None:
    stack = await sync_stack()
    sku_id = await stack.create_sku(on_hand=10)
    platform = await stack.add_platform(rate=1000)
    await stack.set_policy(sku_id, [(platform.platform_id, 1.0)])
    reply = await stack.admin.Rebalance(request_id=unique("pass"), sku_ids=[sku_id])
    assert reply.evaluated_sku_count == 1
    quotas = await stack.quotas(sku_id)
    assert quotas[platform.platform_id].quota_units == 10
    assert platform.listings[sku_id].listed_units == 10
    sold = await stack.service.ReportSales(
        request_id=unique("report"),
        platform_id=platform.platform_id,
        lines=[sales_pb2.SaleLine(order_id="o1", line_id="1", sku_id=sku_id, kind=1, quantity=3)],
    )
    assert sold.results[0].outcome == sales_pb2.SALE_LINE_OUTCOME_APPLIED
    stock = await stack.sku_stock(sku_id)
    assert (stock.sold, stock.reserved, stock.sellable) == (3, 7, 0)
