"""One tenant's event the follower cannot apply no longer stops alerting for every tenant: the
follower isolates it (one event at a time), quarantines it loudly (ERROR log, a row naming it) and
goes on; the other tenant's alerts in the same batch and after it are applied. The ticker likewise
skips a SKU it cannot evaluate and ticks the rest of its slice."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta

import pytest

from alerting.configuration import (
    INBOX_NOW,
    configure_session,
    pausing_policy,
    receiver,
    session_plan,
)
from alerting.harness import Harness, at
from alerting.http_recorder import HttpRecorder
from alerting.scripted_inventory import ScriptedInventory
from services.alerting.adapters.inventory_events import decode
from services.alerting.adapters.wakeup import Wakeup
from services.alerting.domain.alerts import AlertState
from services.alerting.domain.events import StockEvent
from services.alerting.domain.policy import Tier
from services.alerting.service_layer.follow import EventFollower, checkpoint


class Source:
    def __init__(self, batches: Sequence[Sequence[StockEvent]]) -> None:
        self._batches = batches

    async def batches(self, after_sequence: int) -> AsyncIterator[Sequence[StockEvent]]:
        for batch in self._batches:
            fresh = [e for e in batch if e.sequence > after_sequence]
            if fresh:
                yield fresh


async def test_a_poisoned_tenant_is_quarantined_and_the_others_keep_alerting(
    harness: Harness,
    recorder: HttpRecorder,
    tenant: str,
    alerting_pool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    poisoned, healthy = f"{tenant}-p", f"{tenant}-h"
    hook = recorder.url("/hooks/ops")
    for t, sku in ((poisoned, "sku-p"), (healthy, "sku-h")):
        policy = pausing_policy(t, sku_id=sku)
        await configure_session(
            harness, session_plan(t, sku), policy, [receiver(t, "ops", hook, INBOX_NOW)]
        )
    # A stored policy the code cannot read (a document missing a key): every event of that
    # tenant's SKU fails the same way, every time.
    await alerting_pool.execute(
        "UPDATE alert_policies SET body = body - 'repeat_interval' WHERE tenant_id = $1", poisoned
    )
    # One inventory log, both tenants interleaved in the same batches.
    inventory = ScriptedInventory(poisoned)

    def of(tenant_id: str, make, *args):
        inventory.tenant_id = tenant_id
        return decode(make(*args))

    first = [
        of(poisoned, inventory.create, "sku-p", 500, at(-2)),
        of(healthy, inventory.create, "sku-h", 500, at(-1)),
        of(poisoned, inventory.hold, "sku-p", "p1", 85, at(1)),
        of(healthy, inventory.hold, "sku-h", "h1", 85, at(1)),
    ]
    second = [of(healthy, inventory.hold, "sku-h", "h2", 20, at(2))]

    follower = EventFollower(harness.store, Source([first, second]), harness.ids, Wakeup())
    with caplog.at_level(logging.ERROR, logger="services.alerting.service_layer.follow"):
        await follower.run()

    assert await checkpoint(harness.store) == inventory.sequence == 5
    async with harness.store.transaction() as tx:
        healthy_alerts = await tx.open_alerts_of(healthy, "sku-h", "live-1")
        poisoned_alerts = await tx.open_alerts_of(poisoned, "sku-p", "live-1")
    # 105 % consumed: YELLOW and ORANGE fire for the healthy tenant, in the same and a later batch.
    assert {a.tier for a in healthy_alerts if a.state is AlertState.FIRING} == {
        Tier.YELLOW,
        Tier.ORANGE,
    }
    assert poisoned_alerts == []
    rows = await alerting_pool.fetch(
        "SELECT sequence, tenant_id, error FROM quarantined_events ORDER BY sequence"
    )
    assert [(r["sequence"], r["tenant_id"]) for r in rows] == [(1, poisoned), (3, poisoned)]
    assert all(r["error"].startswith("KeyError") for r in rows)
    assert sum("QUARANTINED inventory event" in r.getMessage() for r in caplog.records) == 2


async def test_the_ticker_skips_a_sku_it_cannot_evaluate_and_ticks_the_others(
    harness: Harness, recorder: HttpRecorder, tenant: str, alerting_pool
) -> None:
    poisoned, healthy = f"{tenant}-p", f"{tenant}-h"
    hook = recorder.url("/hooks/ops")
    for t, sku in ((poisoned, "sku-p"), (healthy, "sku-h")):
        # YELLOW waits 2 minutes as PENDING: only the ticker fires it once the SKU is quiet.
        policy = pausing_policy(t, sku_id=sku, pending_duration=timedelta(minutes=2))
        await configure_session(
            harness, session_plan(t, sku), policy, [receiver(t, "ops", hook, INBOX_NOW)]
        )
    inventory = ScriptedInventory(poisoned)
    for t, sku in ((poisoned, "sku-p"), (healthy, "sku-h")):
        inventory.tenant_id = t
        await harness.feed(
            [inventory.create(sku, 500, at(-1)), inventory.hold(sku, "h", 85, at(1))]
        )
    await alerting_pool.execute(
        "UPDATE alert_policies SET body = body - 'repeat_interval' WHERE tenant_id = $1", poisoned
    )
    harness.clock.current = at(4)
    await harness.tick()  # one slice holds both SKUs; the poisoned one fails it
    async with harness.store.transaction() as tx:
        healthy_alerts = await tx.open_alerts_of(healthy, "sku-h", "live-1")
        poisoned_alerts = await tx.open_alerts_of(poisoned, "sku-p", "live-1")
    assert [(a.tier, a.state) for a in healthy_alerts] == [(Tier.YELLOW, AlertState.FIRING)]
    assert [(a.tier, a.state) for a in poisoned_alerts] == [(Tier.YELLOW, AlertState.PENDING)]
