"""The change log WatchAlerts streams becomes visible in sequence order: a writer that drew a later
sequence waits until the writer of the earlier one commits (the follower and the dispatcher write
changes concurrently). Otherwise a reader that got past the later sequence would never see the
earlier change. Real PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import timedelta

import asyncpg

from alerting.configuration import WEBHOOK_NOW, configure_session, receiver, session_plan
from alerting.harness import SESSION_START, Harness
from alerting.http_recorder import HttpRecorder
from alerting.scripted_inventory import ScriptedInventory
from services.alerting.domain.alerts import AlertChange, ChangeKind
from services.alerting.service_layer.ports import Page, Writes


async def log_of(pool: asyncpg.Pool, tenant: str) -> list[tuple[str, int]]:
    rows = await pool.fetch(
        "SELECT alert_id, change FROM alert_changes WHERE tenant_id = $1 ORDER BY sequence", tenant
    )
    return [(row["alert_id"], row["change"]) for row in rows]


async def test_the_change_log_becomes_visible_in_sequence_order(
    harness: Harness, recorder: HttpRecorder, tenant: str, alerting_pool: asyncpg.Pool
) -> None:
    inventory = ScriptedInventory(tenant)
    hook = [receiver(tenant, "ops", recorder.url("/hooks/ops"), WEBHOOK_NOW)]
    for sku in ("sku-1", "sku-2"):
        await configure_session(harness, session_plan(tenant, sku, 100), None, hook)
        await harness.feed(
            [
                inventory.create(sku, 500, SESSION_START - timedelta(minutes=1)),
                inventory.hold(sku, f"h-{sku}", 80, SESSION_START + timedelta(minutes=1)),
            ]
        )
    async with harness.store.transaction() as tx:
        alerts, _ = await tx.list_alerts(tenant, {}, Page(2, ""))
    now = harness.clock.now()

    def change(n: int) -> Writes:
        alert = replace(alerts[n], inhibited_by=f"test-{n}")
        return Writes(
            alerts={alert.alert_id: alert}, changes=[AlertChange(alert, ChangeKind.SNAPSHOT)]
        )

    async def later_writer() -> None:
        async with harness.store.transaction() as tx:
            await tx.save_writes(change(1), now)

    before = await log_of(alerting_pool, tenant)
    async with harness.store.transaction() as first:
        await first.save_writes(change(0), now)  # draws its sequence, not committed yet
        second = asyncio.create_task(later_writer())
        deadline = time.monotonic() + 10
        while not await alerting_pool.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'advisory'"
        ):
            assert time.monotonic() < deadline, "the second writer did not wait"
            await asyncio.sleep(0.02)
        assert await log_of(alerting_pool, tenant) == before  # nothing of either visible yet
    await asyncio.wait_for(second, 10)
    assert await log_of(alerting_pool, tenant) == [
        *before,
        (alerts[0].alert_id, ChangeKind.SNAPSHOT.value),
        (alerts[1].alert_id, ChangeKind.SNAPSHOT.value),
    ]
