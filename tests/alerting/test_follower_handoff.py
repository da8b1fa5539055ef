"""The follower's fast path and its writes, on real PostgreSQL with real HTTP channels: the batch
that raises a notification claims it in its own transaction and hands it to the dispatcher, a
handed-over claim that is never sent (crash after the commit) returns after the lease with the same
idempotency key, and an alert whose only change is its latest values is stored at most every
LATEST_VALUES_REFRESH of event time."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from alerting.configuration import WEBHOOK_NOW, configure_session, receiver, session_plan
from alerting.harness import SESSION_START, Harness
from alerting.http_recorder import HttpRecorder
from alerting.scripted_inventory import ScriptedInventory
from services.alerting.adapters.inventory_events import decode
from services.alerting.service_layer.follow import (
    LATEST_VALUES_REFRESH,
    Handoff,
    apply_batch,
)
from services.alerting.service_layer.ports import ClaimedDelivery, Page


def at(minutes: float):
    return SESSION_START + timedelta(minutes=minutes)


async def yellow_session(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> ScriptedInventory:
    inventory = ScriptedInventory(tenant)
    await configure_session(
        harness,
        session_plan(tenant, "sku-1", forecast=100),
        None,
        [receiver(tenant, "ops", recorder.url("/hooks/ops"), WEBHOOK_NOW)],
    )
    await harness.feed([inventory.create("sku-1", 500, at(-1))])
    return inventory


async def test_the_batch_that_fires_hands_its_notification_to_the_dispatcher(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    inventory = await yellow_session(harness, recorder, tenant)
    dispatcher = harness.dispatcher()
    handoff = Handoff(harness.clock, harness.lease, dispatcher.hand_over)
    event = inventory.hold("sku-1", "h1", 85, at(1))
    applied = await apply_batch(
        harness.store, harness.ids, [decode(event)], harness.follower, handoff
    )
    assert [c.delivery.receiver_id for c in applied.claimed] == ["ops"]
    assert not applied.enqueued  # nothing left for a claim round
    received = await recorder.wait_for(1)
    assert [r.document["alert"]["tier"] for r in received] == ["YELLOW"]
    # Recorded as delivered once the send returned (poll with a deadline, no sleep as sync).
    for _ in range(100):
        async with harness.store.transaction() as tx:
            deliveries, _ = await tx.list_deliveries(tenant, {}, Page(10, ""))
        if deliveries and deliveries[0].status.name == "DELIVERED":
            break
        await asyncio.sleep(0.02)
    assert [d.status.name for d in deliveries] == ["DELIVERED"]
    assert await harness.dispatch() == 0


async def test_a_handed_over_claim_that_was_never_sent_returns_after_the_lease(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    inventory = await yellow_session(harness, recorder, tenant)
    lost: list[ClaimedDelivery] = []
    handoff = Handoff(harness.clock, harness.lease, lost.extend)  # the process dies: never sent
    event = inventory.hold("sku-1", "h1", 85, at(1))
    harness.clock.current = at(1)
    await apply_batch(harness.store, harness.ids, [decode(event)], harness.follower, handoff)
    assert len(lost) == 1
    assert await harness.dispatch() == 0  # claimed: no other dispatcher takes it meanwhile
    harness.clock.advance(harness.lease + timedelta(seconds=1))
    assert await harness.dispatch() == 1
    assert [r.idempotency_key for r in recorder.received] == [lost[0].delivery.idempotency_key]


async def test_values_only_updates_are_stored_every_refresh_and_changes_at_once(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    inventory = await yellow_session(harness, recorder, tenant)
    step = LATEST_VALUES_REFRESH / 4
    fired = at(1)
    await harness.feed([inventory.hold("sku-1", "h1", 85, fired)])  # YELLOW fires

    async def stored_yellow():
        async with harness.store.transaction() as tx:
            alerts, _ = await tx.list_alerts(tenant, {}, Page(10, ""))
        return {a.tier.name: a for a in alerts}["YELLOW"]

    await harness.feed([inventory.hold("sku-1", "h2", 1, fired + step)])
    assert (await stored_yellow()).latest_values.observe_time == fired
    late = fired + LATEST_VALUES_REFRESH + step
    await harness.feed([inventory.hold("sku-1", "h3", 1, late)])
    assert (await stored_yellow()).latest_values.observe_time == late
    # A change is stored at once: ORANGE opens a step later.
    await harness.feed([inventory.hold("sku-1", "h4", 20, late + step)])
    async with harness.store.transaction() as tx:
        alerts, _ = await tx.list_alerts(tenant, {}, Page(10, ""))
    assert {a.tier.name: a.latest_values.consumed_units for a in alerts}["ORANGE"] == 107
