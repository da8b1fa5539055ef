"""Two writers race on one alert: an acknowledgement, or a sale action's result, arrives while the
follower holds a batch open on the same alert. The acknowledgement waits for the follower's lock,
the action's result for the alert's row lock, so neither write is lost; and the dispatcher never
waits for the follower's checkpoint lock (it would hold up every batch)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import timedelta

import asyncpg

from alerting.configuration import (
    INBOX_NOW,
    configure_session,
    pausing_policy,
    receiver,
    session_plan,
)
from alerting.harness import SESSION_START, Harness
from alerting.http_recorder import HttpRecorder
from alerting.scripted_inventory import ScriptedInventory
from services.alerting.domain.alerts import ActionStatus
from services.alerting.domain.policy import ResponseAction, Tier
from services.alerting.service_layer.acknowledge import acknowledge
from services.alerting.service_layer.follow import FOLLOWER
from services.alerting.service_layer.ports import Page, Writes


async def wait_until_blocked(
    pool: asyncpg.Pool, on: str = "follower_checkpoints", deadline_seconds: float = 10.0
) -> None:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        waiting = await pool.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND query LIKE '%' || $1 || '%'",
            on,
        )
        if waiting:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"no writer waited for a lock ({on})")


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


async def red_with_pending_pause(
    harness: Harness, recorder: HttpRecorder, tenant: str, skus: tuple[str, ...] = ("sku-1",)
) -> None:
    """The SKUs, under a policy that pauses on RED, cross RED: their pauses are pending."""
    inventory = ScriptedInventory(tenant)
    await configure_session(
        harness,
        session_plan(tenant, skus[0], 100),
        pausing_policy(tenant),
        [receiver(tenant, "ops", recorder.url("/h"), INBOX_NOW)],
    )
    for sku in skus[1:]:
        await configure_session(harness, session_plan(tenant, sku, 100), None, [])
    await harness.feed([inventory.create(sku, 150, SESSION_START) for sku in skus])
    red = SESSION_START + timedelta(minutes=5)
    await harness.feed([inventory.hold(sku, f"h-{sku}", 125, red) for sku in skus])


async def test_a_sale_action_result_racing_the_follower_is_not_lost(
    harness: Harness, recorder: HttpRecorder, tenant: str, alerting_pool: asyncpg.Pool
) -> None:
    await red_with_pending_pause(harness, recorder, tenant)
    now = harness.clock.now()
    async with harness.store.transaction() as follower:
        # A batch of sku-1 reads the RED alert while its pause is pending: the read locks it.
        await follower.follow_from(FOLLOWER)
        context = await follower.load_follow_context(
            [(tenant, "sku-1")], now - timedelta(hours=1), now, False
        )
        (alerts,) = context.open_alerts.values()
        red = alerts[Tier.RED]
        assert red.action_results == ()
        racing = asyncio.create_task(harness.dispatcher().run_once())
        await wait_until_blocked(alerting_pool, on="FROM alerts WHERE alert_id")
        newer = replace(red, latest_values=replace(red.latest_values, consumed_units=130))
        await follower.save_writes(Writes(alerts={red.alert_id: newer}), now)
    await racing

    assert [c[2] for c in harness.sales.calls] == [ResponseAction.PAUSE_SALE]
    async with harness.store.transaction() as tx:
        stored = await tx.get_alert(tenant, red.alert_id)
    assert stored is not None
    assert stored.latest_values.consumed_units == 130
    assert [(r.action, r.status) for r in stored.action_results] == [
        (ResponseAction.PAUSE_SALE, ActionStatus.SUCCEEDED)
    ]


async def test_the_dispatcher_does_not_wait_for_the_followers_lock(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    await red_with_pending_pause(harness, recorder, tenant)
    async with harness.store.transaction() as follower:
        # A batch holds the checkpoint lock (SKUs other than sku-1): the pause goes out and its
        # result is recorded meanwhile.
        await follower.follow_from(FOLLOWER)
        handled = await asyncio.wait_for(harness.dispatcher().run_once(), 10)
    assert handled >= 1
    assert [c[2] for c in harness.sales.calls] == [ResponseAction.PAUSE_SALE]
    async with harness.store.transaction() as tx:
        (stored,), _ = await tx.list_alerts(tenant, {"tiers": [Tier.RED.value]}, Page(10, ""))
    assert [(r.action, r.status) for r in stored.action_results] == [
        (ResponseAction.PAUSE_SALE, ActionStatus.SUCCEEDED)
    ]


async def stored_results(harness: Harness, tenant: str, sku: str) -> list[ActionStatus]:
    async with harness.store.transaction() as tx:
        alerts, _ = await tx.list_alerts(tenant, {"tiers": [Tier.RED.value]}, Page(10, ""))
    return [r.status for a in alerts if a.sku_id == sku for r in a.action_results]


async def test_a_round_records_the_results_it_can_and_waits_only_for_the_held_alert(
    harness: Harness, recorder: HttpRecorder, tenant: str, alerting_pool: asyncpg.Pool
) -> None:
    await red_with_pending_pause(harness, recorder, tenant, ("sku-1", "sku-2"))
    now = harness.clock.now()
    async with harness.store.transaction() as follower:
        # A batch of sku-1 holds its RED alert (pause pending) locked.
        await follower.follow_from(FOLLOWER)
        await follower.load_follow_context(
            [(tenant, "sku-1")], now - timedelta(hours=1), now, False
        )
        racing = asyncio.create_task(harness.dispatcher().run_once())
        await wait_until_blocked(alerting_pool, on="FROM alerts WHERE alert_id")
        # Both pauses went out in one round; sku-2's result is recorded while sku-1 waits.
        assert sorted(c[1] for c in harness.sales.calls) == ["sku-1", "sku-2"]
        assert await stored_results(harness, tenant, "sku-2") == [ActionStatus.SUCCEEDED]
        assert await stored_results(harness, tenant, "sku-1") == []
    await asyncio.wait_for(racing, 10)
    assert await stored_results(harness, tenant, "sku-1") == [ActionStatus.SUCCEEDED]
