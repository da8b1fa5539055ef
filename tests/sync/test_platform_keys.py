"""A platform's API key bound to its platform (`<sha256>:<tenant>:platform:<platform id>`) acts as
that platform only: reporting sales, acknowledging listings or reading quotas of another platform
is PERMISSION_DENIED with PLATFORM_MISMATCH and changes nothing. A platform key bound to no
platform still acts for every platform of its tenant."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import grpc
import pytest
from streamstock.sync.v1 import sales_pb2, sync_service_pb2_grpc

from tests.sync.conftest import (
    Caller,
    SyncFactory,
    SyncStack,
    eventually,
    metadata_of,
    reason_of,
    unique,
)

SHOP_KEY = "test-acme-shop-a-key"
EVERY_PLATFORM_KEY = "test-acme-every-platform-key"


async def _two_platforms(sync_stack: SyncFactory) -> tuple[SyncStack, str, str, str]:
    """A SKU split between shop A and shop B, and sync knowing shop A's bound key."""
    shop_a, shop_b = unique("shop-a"), unique("shop-b")
    stack = await sync_stack(platform_keys={SHOP_KEY: shop_a, EVERY_PLATFORM_KEY: ""})
    sku_id = await stack.create_sku(on_hand=20)
    for platform_id in (shop_a, shop_b):
        await stack.add_platform(rate=1, platform_id=platform_id)
    await stack.set_policy(sku_id, [(shop_a, 1.0), (shop_b, 1.0)])
    await stack.admin.Rebalance(request_id=unique("pass"), sku_ids=[sku_id])
    return stack, sku_id, shop_a, shop_b


def _caller(stack: SyncStack, key: str) -> Caller:
    stub = sync_service_pb2_grpc.SyncServiceStub(stack.sync.channel)
    return Caller(stub, key, requests=stack.admin.requests)


def _sale(sku_id: str, order_id: str) -> list[sales_pb2.SaleLine]:
    return [
        sales_pb2.SaleLine(
            order_id=order_id,
            line_id="1",
            sku_id=sku_id,
            kind=sales_pb2.SALE_KIND_SALE,
            quantity=2,
        )
    ]


async def _mismatch(call: Awaitable[Any], platform_id: str) -> None:
    """The call is refused as acting for another platform, naming the platform requested."""
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await call
    assert refused.value.code() is grpc.StatusCode.PERMISSION_DENIED
    assert reason_of(refused.value) == "PLATFORM_MISMATCH"
    assert metadata_of(refused.value)["platform_id"] == platform_id


async def test_a_bound_key_reports_sales_of_its_platform_only(sync_stack: SyncFactory) -> None:
    stack, sku_id, shop_a, shop_b = await _two_platforms(sync_stack)
    shop = _caller(stack, SHOP_KEY)
    before = await stack.quotas(sku_id)

    await _mismatch(
        shop.ReportSales(request_id=unique("r"), platform_id=shop_b, lines=_sale(sku_id, "o-b")),
        shop_b,
    )
    assert (await stack.sku_stock(sku_id)).sold == 0
    assert (await stack.quotas(sku_id))[shop_b] == before[shop_b]

    reply = await shop.ReportSales(
        request_id=unique("r"), platform_id=shop_a, lines=_sale(sku_id, "o-a")
    )
    assert [r.outcome for r in reply.results] == [sales_pb2.SALE_LINE_OUTCOME_APPLIED]
    assert (await stack.sku_stock(sku_id)).sold == 2


async def test_a_bound_key_acknowledges_and_reads_its_own_listing_only(
    sync_stack: SyncFactory,
) -> None:
    stack, sku_id, shop_a, shop_b = await _two_platforms(sync_stack)
    shop = _caller(stack, SHOP_KEY)

    async def acknowledged() -> bool:  # shop B's own acknowledgement of its listing
        quota = (await stack.quotas(sku_id))[shop_b]
        return quota.pushed_version > 0 and quota.acknowledged_version == quota.pushed_version

    await eventually(acknowledged, timeout=10)
    before = (await stack.quotas(sku_id))[shop_b]
    assert before.listed_units > 0
    await _mismatch(
        shop.AcknowledgeListing(
            request_id=unique("a"),
            platform_id=shop_b,
            sku_id=sku_id,
            version=before.pushed_version,
            listed_units=0,
        ),
        shop_b,
    )
    assert (await stack.quotas(sku_id))[shop_b].listed_units == before.listed_units
    await _mismatch(shop.ListPlatformQuotas(platform_id=shop_b), shop_b)
    await _mismatch(shop.ListPlatformQuotas(), "")  # every platform's quotas: not its to read
    await _mismatch(shop.GetPlatform(platform_id=shop_b), shop_b)

    own = await shop.ListPlatformQuotas(platform_id=shop_a)
    assert {q.platform_id for q in own.quotas} == {shop_a}
    assert (await shop.GetPlatform(platform_id=shop_a)).platform.platform_id == shop_a


async def test_a_platform_key_bound_to_no_platform_acts_for_every_platform_of_its_tenant(
    sync_stack: SyncFactory,
) -> None:
    stack, sku_id, shop_a, shop_b = await _two_platforms(sync_stack)
    gateway = _caller(stack, EVERY_PLATFORM_KEY)
    for platform_id in (shop_a, shop_b):
        reply = await gateway.ReportSales(
            request_id=unique("r"), platform_id=platform_id, lines=_sale(sku_id, platform_id)
        )
        assert [r.outcome for r in reply.results] == [sales_pb2.SALE_LINE_OUTCOME_APPLIED]
    assert (await stack.sku_stock(sku_id)).sold == 4
    refused = _caller(stack, SHOP_KEY)
    refused.tenant_id = "globex"
    with pytest.raises(grpc.aio.AioRpcError) as foreign:
        await refused.ReportSales(
            request_id=unique("r"), platform_id=shop_a, lines=_sale(sku_id, "o-x")
        )
    assert reason_of(foreign.value) == "TENANT_MISMATCH"
