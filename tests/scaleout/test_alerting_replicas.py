"""Two alerting replicas follow the same real inventory on the same PostgreSQL and Redis: each
crossing of a tier is notified once per receiver in total, not once per replica."""

from __future__ import annotations

import asyncio
import time

import pytest
from alerting.http_recorder import HttpRecorder
from streamstock.alerting.v1 import deliveries_pb2, receivers_pb2
from streamstock.inventory.v1 import inventory_service_pb2 as inv
from streamstock.inventory.v1 import stock_pb2

from tests.alerting.conftest import alerting_pool, clean_alerting, recorder  # noqa: F401 (fixtures)
from tests.alerting.test_end_to_end_inventory import (  # noqa: F401 (stack is a fixture)
    TENANT,
    configure,
    create_sku,
    reserve,
    stack,
    tiers_and_kinds,
)
from tests.conftest import REDIS_CLUSTER_MODE

pytestmark = pytest.mark.timeout(60)
SKU = "replicas-sku" + ("-cluster" if REDIS_CLUSTER_MODE else "")
FIRING = deliveries_pb2.NOTIFICATION_KIND_FIRING
RESOLVED = deliveries_pb2.NOTIFICATION_KIND_RESOLVED
PAUSED = stock_pb2.SALE_STATUS_PAUSED


async def test_each_tier_is_notified_once_per_receiver_by_two_replicas(
    stack,  # noqa: F811
    recorder: HttpRecorder,  # noqa: F811
) -> None:
    inventory, alerting_service, admin = stack
    (first, _), (second, _) = await alerting_service(), await alerting_service()
    await configure(first, admin, recorder.url("/replicas"), SKU)
    # A second receiver of the same SKU reads the notifications in its in-app inbox.
    await second.UpsertReceiver(inbox_receiver(SKU), metadata=admin)

    await create_sku(inventory, admin, SKU, 150)
    for order, quantity, seen in (("o1", 80, 1), ("o2", 20, 2), ("o3", 20, 3)):  # 80/100/120 %
        await reserve(inventory, admin, SKU, f"{SKU}-{order}", quantity)
        await recorder.wait_for(seen)
    await paused(inventory, admin, SKU)  # RED's pause goes through the action outbox, once
    # The restock resolves the three alerts: once those arrive, any duplicate firing would have too.
    await inventory.Restock(restock(SKU), metadata=admin)
    await recorder.wait_for(6)

    sent = tiers_and_kinds(recorder, "/replicas")
    assert sent[:3] == [("YELLOW", "FIRING"), ("ORANGE", "FIRING"), ("RED", "FIRING")]
    assert sorted(sent[3:]) == [
        ("ORANGE", "RESOLVED"),
        ("RED", "RESOLVED"),
        ("YELLOW", "RESOLVED"),
    ]
    assert len(recorder.at("/replicas")) == 6  # nothing was sent twice, by either replica

    for replica in (first, second):
        inbox = await replica.ListInboxItems(
            deliveries_pb2.ListInboxItemsRequest(tenant_id=TENANT, receiver_id=f"inbox-{SKU}"),
            metadata=admin,
        )
        items = sorted((item.alert.tier, item.kind) for item in inbox.items)
        tiers = sorted({tier for tier, _ in items})
        assert len(tiers) == 3
        assert items == sorted((tier, kind) for tier in tiers for kind in (FIRING, RESOLVED))


async def paused(inventory, admin, sku: str) -> None:  # type: ignore[no-untyped-def]
    request = inv.GetSkuRequest(tenant_id=TENANT, sku_id=sku)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if (await inventory.GetSku(request, metadata=admin)).sku.sale_status == PAUSED:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{sku} was not paused within 15 s")


def inbox_receiver(sku: str) -> receivers_pb2.UpsertReceiverRequest:
    in_app = receivers_pb2.EscalationStep(channel=receivers_pb2.NOTIFICATION_CHANNEL_IN_APP)
    route = receivers_pb2.Route(sku_ids=[sku], notify_resolved=True, escalation=[in_app])
    return receivers_pb2.UpsertReceiverRequest(
        tenant_id=TENANT,
        request_id=f"receiver-inbox-{sku}",
        receiver=receivers_pb2.Receiver(receiver_id=f"inbox-{sku}", routes=[route]),
    )


def restock(sku: str) -> inv.RestockRequest:
    return inv.RestockRequest(
        tenant_id=TENANT, request_id=f"restock-{sku}", sku_id=sku, quantity=100
    )
