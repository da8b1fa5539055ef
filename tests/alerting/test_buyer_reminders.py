"""Buyer reminders: one per hold reaching "expiring soon" on the configured channel (the platform's
signed webhook), none after the hold was confirmed or released, none when disabled."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from alerting.harness import SECRET, SECRET_REF, SECRETS, SESSION_START, Harness
from alerting.http_recorder import HttpRecorder
from alerting.scripted_inventory import ScriptedInventory
from services.alerting.adapters.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from services.alerting.domain.receivers import WebhookTarget
from services.alerting.domain.reminders import BuyerReminderSettings, ReminderStatus
from services.alerting.service_layer.configure import update_reminder_settings
from services.alerting.service_layer.ports import Page


def at(minutes: float):
    return SESSION_START + timedelta(minutes=minutes)


async def reminders_of(harness: Harness, tenant: str):
    async with harness.store.transaction() as tx:
        reminders, _ = await tx.list_reminders(tenant, {}, Page(100, ""))
    return {r.reservation_id: r for r in reminders}


async def remind_on_douyin(harness: Harness, recorder: HttpRecorder, tenant: str) -> None:
    """Reminders on, through the douyin platform's signed webhook at /douyin/remind."""
    async with harness.store.transaction() as tx:
        await update_reminder_settings(
            tx,
            BuyerReminderSettings(
                tenant,
                enabled=True,
                platform_targets=(
                    ("douyin", WebhookTarget(recorder.url("/douyin/remind"), SECRET_REF)),
                ),
            ),
            SECRETS.for_tenant(tenant),
            harness.clock.now(),
        )


async def test_one_reminder_per_expiring_hold_none_after_confirm_or_release(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    await remind_on_douyin(harness, recorder, tenant)
    inventory = ScriptedInventory(tenant)
    deadline = at(20)
    await harness.feed(
        [
            inventory.create("sku-1", 100, at(0)),
            inventory.create("sku-2", 100, at(0)),
            inventory.hold("sku-1", "paid-late", 1, at(1)),
            inventory.hold("sku-1", "confirmed", 1, at(1)),
            inventory.hold("sku-1", "released", 1, at(1)),
            inventory.hold("sku-1", "too-late", 1, at(1)),
        ]
    )
    await harness.feed(
        [
            # Two lines of one hold reach "expiring soon": one reminder.
            inventory.expiring_soon("sku-1", "paid-late", 1, deadline, at(15)),
            inventory.expiring_soon("sku-2", "paid-late", 1, deadline, at(15)),
            inventory.expiring_soon("sku-1", "confirmed", 1, deadline, at(15)),
            inventory.expiring_soon("sku-1", "released", 1, deadline, at(15)),
            inventory.expiring_soon("sku-1", "too-late", 1, at(15.2), at(15)),
            inventory.confirm("sku-1", "confirmed", 1, at(15.5)),
            inventory.release("sku-1", "released", 1, at(15.5)),
        ]
    )
    await harness.dispatch()
    # A retried delivery of the events and a late confirmation change nothing more.
    await harness.feed(inventory.log[-7:])
    await harness.feed([inventory.confirm("sku-1", "paid-late", 1, at(16))])
    await harness.dispatch()

    sent = recorder.at("/douyin/remind")
    assert [r.document["reservation_id"] for r in sent] == ["paid-late"]
    assert sorted(sent[0].document["sku_ids"]) == ["sku-1", "sku-2"]
    assert verify(
        SECRET, sent[0].headers[TIMESTAMP_HEADER], sent[0].body, sent[0].headers[SIGNATURE_HEADER]
    )
    reminders = await reminders_of(harness, tenant)
    assert {k: r.status for k, r in reminders.items()} == {
        "paid-late": ReminderStatus.SENT,
        "confirmed": ReminderStatus.CANCELLED,
        "released": ReminderStatus.CANCELLED,
        "too-late": ReminderStatus.SKIPPED,
    }


async def test_reminders_are_skipped_when_disabled(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    inventory = ScriptedInventory(tenant)
    await harness.feed(
        [
            inventory.create("sku-1", 100, at(0)),
            inventory.hold("sku-1", "r1", 1, at(1)),
            inventory.expiring_soon("sku-1", "r1", 1, at(20), at(15)),
        ]
    )
    await harness.dispatch()
    assert recorder.received == []
    assert (await reminders_of(harness, tenant))["r1"].status is ReminderStatus.SKIPPED


async def test_a_hold_closing_while_its_reminder_is_sent_gets_no_retry_after_the_close(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    path = "/douyin/remind"
    await remind_on_douyin(harness, recorder, tenant)
    inventory = ScriptedInventory(tenant)
    await harness.feed(
        [
            inventory.create("sku-1", 100, at(0)),
            inventory.hold("sku-1", "r1", 1, at(1)),
            inventory.expiring_soon("sku-1", "r1", 1, at(20), at(15)),
        ]
    )
    # The platform holds the first attempt open, then fails it; meanwhile the buyer pays.
    recorder.hang = True
    recorder.failures_left[path] = 1
    sending = asyncio.create_task(harness.dispatch())
    await recorder.wait_for(1)
    await harness.feed([inventory.confirm("sku-1", "r1", 1, at(15.5))])
    recorder.released.set()
    await asyncio.wait_for(sending, 20)
    # Long past every backoff: nothing more goes to the buyer.
    harness.clock.advance(timedelta(hours=1))
    await harness.dispatch()
    assert len(recorder.at(path)) == 1
    assert (await reminders_of(harness, tenant))["r1"].status is ReminderStatus.CANCELLED
