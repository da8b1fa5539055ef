"""Two writers race on one alert: an acknowledgement arrives while the follower holds a batch open
on the same alert. The acknowledgement waits for the follower's lock, so neither write is lost."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import timedelta

import asyncpg

from alerting.configuration import INBOX_NOW, configure_session, receiver, session_plan
from alerting.harness import SESSION_START, Harness
from alerting.http_recorder import HttpRecorder
from alerting.scripted_inventory import ScriptedInventory
from services.alerting.service_layer.acknowledge import acknowledge
from services.alerting.service_layer.follow import FOLLOWER
from services.alerting.service_layer.ports import Page, Writes


async def wait_until_blocked(pool: asyncpg.Pool, deadline_seconds: float = 10.0) -> None:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        waiting = await pool.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND query LIKE '%follower_checkpoints%'"
        )
        if waiting:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the acknowledgement never waited for the follower's lock")


async def test_acknowledgement_racing_the_follower_is_not_lost(
    harness: Harness, recorder: HttpRecorder, tenant: str, alerting_pool: asyncpg.Pool
) -> None:
    inventory = ScriptedInventory(tenant)
    await configure_session(
        harness,
        session_plan(tenant, "sku-1", 100),
        None,
        [receiver(tenant, "ops", recorder.url("/h"), INBOX_NOW)],
    )
    await harness.feed(
        [
            inventory.create("sku-1", 500, SESSION_START),
            inventory.hold("sku-1", "h1", 80, SESSION_START + timedelta(minutes=1)),
        ]
    )
    async with harness.store.transaction() as tx:
        (alert,), _ = await tx.list_alerts(tenant, {}, Page(10, ""))

    async with harness.store.transaction() as follower:
        await follower.lock_checkpoint(FOLLOWER)
        racing = asyncio.create_task(ack(harness, tenant, alert.alert_id))
        await wait_until_blocked(alerting_pool)
        newer = replace(alert, latest_values=replace(alert.latest_values, consumed_units=90))
        await follower.save_writes(Writes(alerts={alert.alert_id: newer}), harness.clock.now())
    await racing

    async with harness.store.transaction() as tx:
        stored = await tx.get_alert(tenant, alert.alert_id)
    assert stored is not None
    assert stored.acknowledgement is not None and stored.acknowledgement.acknowledged_by == "lin"
    assert stored.latest_values.consumed_units == 90


async def ack(harness: Harness, tenant: str, alert_id: str) -> None:
    async with harness.store.transaction() as tx:
        await acknowledge(tx, tenant, alert_id, "lin", "", harness.clock.now())
