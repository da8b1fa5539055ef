"""Two alerting replicas follow the same real inventory on the same PostgreSQL and Redis: each
crossing of a tier is notified once per receiver in total, not once per replica."""

from __future__ import annotations

import asyncio
import contextlib
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
    inventory, admin, first, second = await two_replicas(stack, recorder.url("/replicas"), SKU)
    # A second receiver of the same SKU reads the notifications in its in-app inbox.
    await second.UpsertReceiver(inbox_receiver(SKU), metadata=admin)

    await through_the_tiers_and_back(inventory, admin, recorder, SKU)
    # Once the resolutions arrive, any duplicate firing would have too.
    await recorder.wait_for(6)

    sent = tiers_and_kinds(recorder, "/replicas")
    assert sent[:3] == [("YELLOW", "FIRING"), ("ORANGE", "FIRING"), ("RED", "FIRING")]
    assert sorted(sent[3:]) == [
        ("ORANGE", "RESOLVED"),
        ("RED", "RESOLVED"),
        ("YELLOW", "RESOLVED"),
    ]
    assert len(recorder.at("/replicas")) == 6  # nothing was sent twice, by either replica

    # The inbox is its own channel, delivered on its own: wait for its six notices, then judge.
    for replica in (first, second):
        items = await inbox_items(replica, f"inbox-{SKU}", admin, at_least=6)
        tiers = sorted({tier for tier, _ in items})
        assert len(tiers) == 3
        assert items == sorted((tier, kind) for tier in tiers for kind in (FIRING, RESOLVED))


async def inbox_items(replica, receiver_id: str, admin, at_least: int) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """The receiver's inbox as sorted (tier, kind), polled until it holds `at_least` items or
    10 s pass (then the caller's assertion says what is missing)."""
    request = deliveries_pb2.ListInboxItemsRequest(tenant_id=TENANT, receiver_id=receiver_id)
    deadline = time.monotonic() + 10
    while True:
        inbox = await replica.ListInboxItems(request, metadata=admin)
        items = sorted((item.alert.tier, item.kind) for item in inbox.items)
        if len(items) >= at_least or time.monotonic() > deadline:
            return items
        await asyncio.sleep(0.05)


async def test_a_receiver_notified_on_two_channels_gets_the_resolution_on_both(
    stack,  # noqa: F811
    recorder: HttpRecorder,  # noqa: F811
) -> None:
    sku = f"{SKU}-two-channels"
    inventory, admin, _, second = await two_replicas(stack, recorder.url("/two"), sku)
    webhook = receivers_pb2.EscalationStep(channel=receivers_pb2.NOTIFICATION_CHANNEL_WEBHOOK)
    in_app = receivers_pb2.EscalationStep(channel=receivers_pb2.NOTIFICATION_CHANNEL_IN_APP)
    receiver = (
        await second.GetReceiver(
            receivers_pb2.GetReceiverRequest(tenant_id=TENANT, receiver_id=f"ops-{sku}"),
            metadata=admin,
        )
    ).receiver
    receiver.routes[0].ClearField("escalation")
    receiver.routes[0].escalation.extend([webhook, in_app])
    await second.UpsertReceiver(
        receivers_pb2.UpsertReceiverRequest(
            tenant_id=TENANT, request_id=f"two-channels-{sku}", receiver=receiver
        ),
        metadata=admin,
    )

    await through_the_tiers_and_back(inventory, admin, recorder, sku)
    with contextlib.suppress(TimeoutError):  # a resolution takes well under a second when sent
        await recorder.wait_for(6, timeout=5)
    assert sorted(tiers_and_kinds(recorder, "/two")[3:]) == [
        ("ORANGE", "RESOLVED"),
        ("RED", "RESOLVED"),
        ("YELLOW", "RESOLVED"),
    ]


async def two_replicas(started, hook: str, sku: str):  # type: ignore[no-untyped-def]
    """Two alerting replicas following the started stack's inventory; the SKU's plan, policy and webhook
    receiver configured through the first."""
    inventory, alerting_service, admin = started
    (first, _), (second, _) = await alerting_service(), await alerting_service()
    await configure(first, admin, hook, sku)
    return inventory, admin, first, second


async def through_the_tiers_and_back(inventory, admin, webhooks: HttpRecorder, sku: str) -> None:  # type: ignore[no-untyped-def]
    """Holds cross 80/100/120 % of the forecast (one webhook each), then a restock resolves all."""
    await create_sku(inventory, admin, sku, 150)
    for order, quantity, seen in (("o1", 80, 1), ("o2", 20, 2), ("o3", 20, 3)):
        await reserve(inventory, admin, sku, f"{sku}-{order}", quantity)
        await webhooks.wait_for(seen)
    await paused(inventory, admin, sku)  # RED's pause goes through the action outbox, once
    await inventory.Restock(restock(sku), metadata=admin)


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
