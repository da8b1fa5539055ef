"""Retention of alerting's history on the real PostgreSQL: resolved alerts, their deliveries, inbox
items and sale actions go after their retentions, dependents first; nothing of an open alert goes,
nor a delivery still retrying or a pending sale action with their alerts; an inbox item nobody
acknowledged outlives an acknowledged one; a zero retention keeps everything. Buyer reminders go
once no longer pending and their hold expired long enough ago; quarantined events after theirs.

The alerts, deliveries and inbox come from a scripted session through the service layer (follower,
dispatcher, acknowledgement); the pruning runs the job's own round (`prune`) at chosen times."""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from alerting.configuration import (
    INBOX_NOW,
    WEBHOOK_NOW,
    configure_session,
    pausing_policy,
    receiver,
    session_plan,
)
from alerting.harness import Harness, at
from alerting.http_recorder import HttpRecorder
from alerting.scripted_inventory import ScriptedInventory
from services.alerting.adapters.inventory_events import decode
from services.alerting.domain.policy import Tier
from services.alerting.domain.reminders import BuyerReminder, ReminderStatus
from services.alerting.service_layer.acknowledge import acknowledge
from services.alerting.service_layer.follow import FOLLOWER
from services.alerting.service_layer.ports import Page, Writes
from services.alerting.service_layer.retention import Retentions, prune

DAY = timedelta(days=1)
HISTORY = Retentions(
    read_inbox=30 * DAY, unread_inbox=90 * DAY, deliveries=90 * DAY, alerts=90 * DAY
)


async def rows_of(pool: asyncpg.Pool, alert_id: str) -> dict[str, int]:
    """How many rows of each table belong to the alert."""
    counts = await pool.fetchrow(
        "SELECT (SELECT count(*) FROM alerts WHERE alert_id = $1) AS alerts,"
        " (SELECT count(*) FROM deliveries WHERE alert_id = $1) AS deliveries,"
        " (SELECT count(*) FROM inbox_items WHERE alert_id = $1) AS inbox,"
        " (SELECT count(*) FROM sale_actions WHERE alert_id = $1) AS sale_actions",
        alert_id,
    )
    return dict(counts)


async def test_resolved_alerts_go_with_their_history_and_nothing_of_an_open_alert(
    harness: Harness, recorder: HttpRecorder, tenant: str, alerting_pool: asyncpg.Pool
) -> None:
    hook = recorder.url("/hooks/ops")
    receivers = [
        receiver(tenant, "ops-inbox", hook, INBOX_NOW),
        receiver(tenant, "ops-hook", hook, WEBHOOK_NOW),
    ]
    for sku in ("sku-1", "sku-2"):
        await configure_session(
            harness, session_plan(tenant, sku), pausing_policy(tenant), receivers
        )
    inventory = ScriptedInventory(tenant)
    await harness.feed(
        [inventory.create("sku-1", 150, at(-10)), inventory.create("sku-2", 150, at(-10))]
    )
    for minute, units in ((5, 85), (10, 15), (15, 25)):  # sku-1: YELLOW, ORANGE, RED (pauses)
        await harness.feed([inventory.hold("sku-1", f"h{minute}", units, at(minute))])
        await harness.dispatch()
    await harness.feed([inventory.hold("sku-2", "open", 85, at(20))])  # sku-2: YELLOW stays open
    await harness.dispatch()
    async with harness.store.transaction() as tx:
        alerts, _ = await tx.list_alerts(tenant, {}, Page(100, ""))
    by_tier = {a.tier: a.alert_id for a in alerts if a.sku_id == "sku-1"}
    (open_alert,) = [a.alert_id for a in alerts if a.sku_id == "sku-2"]
    yellow, orange, red = by_tier[Tier.YELLOW], by_tier[Tier.ORANGE], by_tier[Tier.RED]
    harness.clock.current = at(22)
    async with harness.store.transaction() as tx:  # someone read the YELLOW; nobody the others
        await acknowledge(tx, tenant, yellow, "lin", "restock ordered", at(22))
    await harness.feed([inventory.restock("sku-1", 200, at(30))])  # sku-1's alerts resolve
    await harness.dispatch()
    before = {a: await rows_of(alerting_pool, a) for a in (yellow, orange, red, open_alert)}
    # In the inbox: FIRING and RESOLVED of each sku-1 alert, FIRING of the open one; a webhook
    # delivery beside each; the RED's pause.
    assert [before[a]["inbox"] for a in (yellow, orange, red, open_alert)] == [2, 2, 2, 1]
    assert [before[a]["deliveries"] for a in (yellow, orange, red, open_alert)] == [4, 4, 4, 2]
    assert before[red]["sale_actions"] == 1

    # Zero retentions keep everything, however old.
    assert set((await prune(harness.store, at(30) + 1000 * DAY, Retentions())).values()) == {0}

    # 40 days on: only the acknowledged alert's inbox items are past their retention.
    pruned = await prune(harness.store, at(30) + 40 * DAY, HISTORY)
    assert {k: v for k, v in pruned.items() if v} == {"acknowledged inbox items": 2}

    # A webhook still retrying the ORANGE's resolution, and the RED's pause still pending.
    await alerting_pool.execute(
        "UPDATE deliveries SET status = 2 WHERE alert_id = $1 AND receiver_id = 'ops-hook'"
        " AND kind = 4",
        orange,
    )
    await alerting_pool.execute("UPDATE sale_actions SET status = 1 WHERE alert_id = $1", red)
    # 100 days on: everything of sku-1 is past its retention, but what is still in flight stays
    # with its alert.
    pruned = await prune(harness.store, at(30) + 100 * DAY, HISTORY)
    assert {k: v for k, v in pruned.items() if v} == {
        "unacknowledged inbox items": 4,
        "deliveries": 11,  # all of sku-1's but the retrying one
        "resolved alerts": 1,  # the YELLOW; the ORANGE and the RED wait
    }
    after = {a: await rows_of(alerting_pool, a) for a in (yellow, orange, red, open_alert)}
    assert after[yellow] == {"alerts": 0, "deliveries": 0, "inbox": 0, "sale_actions": 0}
    assert after[orange] == {"alerts": 1, "deliveries": 1, "inbox": 0, "sale_actions": 0}
    assert after[red] == {"alerts": 1, "deliveries": 0, "inbox": 0, "sale_actions": 1}
    assert after[open_alert] == before[open_alert]  # open: nothing of it goes

    # Once the retry and the pause finished, they go: the RED with its sale action.
    await alerting_pool.execute("UPDATE deliveries SET status = 3 WHERE alert_id = $1", orange)
    await alerting_pool.execute("UPDATE sale_actions SET status = 4 WHERE alert_id = $1", red)
    pruned = await prune(harness.store, at(30) + 100 * DAY, HISTORY)
    assert {k: v for k, v in pruned.items() if v} == {"deliveries": 1, "resolved alerts": 2}
    assert await rows_of(alerting_pool, red) == {
        "alerts": 0,
        "deliveries": 0,
        "inbox": 0,
        "sale_actions": 0,
    }
    assert await rows_of(alerting_pool, open_alert) == before[open_alert]
    async with harness.store.transaction() as tx:
        alerts, _ = await tx.list_alerts(tenant, {}, Page(100, ""))
        inbox, _ = await tx.list_inbox(tenant, "ops-inbox", False, Page(100, ""))
    assert [a.alert_id for a in alerts] == [open_alert]
    assert [alert.alert_id for _, _, alert in inbox] == [open_alert]


async def test_an_unread_inbox_item_keeps_its_delivery_and_alert(
    harness: Harness, recorder: HttpRecorder, tenant: str, alerting_pool: asyncpg.Pool
) -> None:
    """Kept forever, unacknowledged inbox items keep what they show: their deliveries and alert."""
    await configure_session(
        harness,
        session_plan(tenant, "sku-1"),
        None,
        [receiver(tenant, "ops", recorder.url("/hooks/ops"), INBOX_NOW)],
    )
    inventory = ScriptedInventory(tenant)
    await harness.feed([inventory.create("sku-1", 150, at(-10))])
    await harness.feed([inventory.hold("sku-1", "h", 85, at(5))])
    await harness.dispatch()
    await harness.feed([inventory.restock("sku-1", 200, at(30))])
    await harness.dispatch()
    (alert_id,) = [r["alert_id"] for r in await alerting_pool.fetch("SELECT alert_id FROM alerts")]

    kept = Retentions(read_inbox=DAY, deliveries=DAY, alerts=DAY)  # unread inbox: forever
    assert set((await prune(harness.store, at(30) + 365 * DAY, kept)).values()) == {0}
    assert await rows_of(alerting_pool, alert_id) == {
        "alerts": 1,
        "deliveries": 2,
        "inbox": 2,
        "sale_actions": 0,
    }
    async with harness.store.transaction() as tx:
        inbox, _ = await tx.list_inbox(tenant, "ops", True, Page(100, ""))
    assert len(inbox) == 2


def reminder(
    tenant: str, reservation: str, status: ReminderStatus, made_day: int, expires_day: int
):
    return BuyerReminder(
        reminder_id=f"{tenant}-{reservation}",
        tenant_id=tenant,
        reservation_id=reservation,
        user_id="buyer",
        order_id=f"order-{reservation}",
        sku_ids=("sku-1",),
        platform_id="douyin",
        hold_expire_time=at(0) + expires_day * DAY,
        status=status,
        create_time=at(0) + made_day * DAY,
        webhook=None,
    )


async def test_reminders_go_once_finished_and_their_hold_expired_before_the_retention(
    harness: Harness, tenant: str, alerting_pool: asyncpg.Pool
) -> None:
    reminders = [
        reminder(tenant, "sent-old", ReminderStatus.SENT, 0, 0),
        reminder(tenant, "cancelled-old", ReminderStatus.CANCELLED, 0, 0),
        reminder(tenant, "pending-old", ReminderStatus.PENDING, 0, 0),
        # Made long ago for a hold that expires later (a long pre-sale hold): the hold may still
        # get events, and a second reminder for it must stay impossible.
        reminder(tenant, "hold-still-open", ReminderStatus.SENT, 0, 50),
        reminder(tenant, "sent-recent", ReminderStatus.SENT, 35, 35),
    ]
    async with harness.store.transaction() as tx:
        await tx.save_writes(Writes(reminders=reminders), at(0))

    pruned = await prune(harness.store, at(0) + 60 * DAY, Retentions(reminders=30 * DAY))
    assert pruned["buyer reminders"] == 2
    left = {r["reservation_id"] for r in await alerting_pool.fetch("SELECT * FROM buyer_reminders")}
    assert left == {"pending-old", "hold-still-open", "sent-recent"}


async def test_quarantined_events_go_after_their_retention(
    harness: Harness, tenant: str, alerting_pool: asyncpg.Pool
) -> None:
    inventory = ScriptedInventory(tenant)
    for day in (0, 10, 40):
        event = decode(inventory.create(f"sku-{day}", 1, at(0) + day * DAY))
        async with harness.store.transaction() as tx:
            assert await tx.quarantine_event(FOLLOWER, event, "KeyError: x", event.occur_time)

    pruned = await prune(harness.store, at(0) + 45 * DAY, Retentions(quarantined=30 * DAY))
    assert pruned["quarantined events"] == 2
    left = await alerting_pool.fetch("SELECT occur_time FROM quarantined_events")
    assert [r["occur_time"] for r in left] == [at(0) + 40 * DAY]
