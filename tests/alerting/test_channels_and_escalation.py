"""Channels: a failing webhook is retried with backoff until delivered (signature verifies, one
idempotency key), a failing channel does not hold up the others, escalation climbs in-app -> SMS
-> phone while unacknowledged and stops on acknowledgement, and repeats follow the interval."""

from __future__ import annotations

from datetime import timedelta

from alerting.configuration import WEBHOOK_NOW, configure_session, receiver, session_plan
from alerting.harness import SECRET, SESSION_START, Harness
from alerting.http_recorder import HttpRecorder
from alerting.scripted_inventory import ScriptedInventory
from services.alerting.adapters.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from services.alerting.domain.deliveries import DeliveryStatus, NotificationKind
from services.alerting.domain.policy import AlertPolicy
from services.alerting.domain.receivers import Channel, EscalationStep
from services.alerting.service_layer.acknowledge import acknowledge
from services.alerting.service_layer.configure import upsert_plan
from services.alerting.service_layer.ports import Page

ESCALATING = (
    EscalationStep(Channel.IN_APP, timedelta(0)),
    EscalationStep(Channel.SMS, timedelta(minutes=5)),
    EscalationStep(Channel.PHONE, timedelta(minutes=15)),
)


def at(minutes: float):
    return SESSION_START + timedelta(minutes=minutes)


async def deliveries_of(harness: Harness, tenant: str, **filters: object):
    async with harness.store.transaction() as tx:
        deliveries, _ = await tx.list_deliveries(tenant, filters, Page(1000, ""))
    return deliveries


async def test_failing_webhook_is_retried_until_delivered_and_does_not_block_others(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    inventory = ScriptedInventory(tenant)
    hook = recorder.url("/hooks/flaky")
    dead = "http://127.0.0.1:9/hooks/nobody-listens"
    await configure_session(
        harness,
        session_plan(tenant, "sku-1", 100),
        None,
        [
            receiver(tenant, "flaky", hook, WEBHOOK_NOW),
            receiver(tenant, "dead", dead, WEBHOOK_NOW),
            receiver(tenant, "sms", hook, (EscalationStep(Channel.SMS, timedelta(0)),)),
        ],
    )
    recorder.failures_left["/hooks/flaky"] = 3
    await harness.feed(
        [inventory.create("sku-1", 500, at(-1)), inventory.hold("sku-1", "h1", 80, at(1))]
    )
    await harness.dispatch()
    # The SMS went through at once although both webhooks failed.
    assert len(recorder.at("/gateway/sms")) == 1
    for _ in range(6):
        harness.clock.advance(timedelta(minutes=5))
        await harness.dispatch()

    attempts = recorder.at("/hooks/flaky")
    assert len(attempts) == 4
    assert len({a.idempotency_key for a in attempts}) == 1
    for attempt in attempts:
        assert verify(
            SECRET,
            attempt.headers[TIMESTAMP_HEADER],
            attempt.body,
            attempt.headers[SIGNATURE_HEADER],
        )
    assert not verify(
        b"another key",
        attempts[0].headers[TIMESTAMP_HEADER],
        attempts[0].body,
        attempts[0].headers[SIGNATURE_HEADER],
    )
    (flaky,) = await deliveries_of(harness, tenant, receiver_id="flaky")
    assert (flaky.status, flaky.attempt_count) == (DeliveryStatus.DELIVERED, 4)
    (gave_up,) = await deliveries_of(harness, tenant, receiver_id="dead")
    assert (gave_up.status, gave_up.attempt_count) == (DeliveryStatus.FAILED, 5)
    assert gave_up.last_error


async def test_escalation_climbs_while_unacknowledged_and_stops_on_acknowledgement(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    inventory = ScriptedInventory(tenant)
    await configure_session(
        harness,
        session_plan(tenant, "sku-1", 100),
        None,
        [receiver(tenant, "oncall", recorder.url("/hooks/x"), ESCALATING, notify_resolved=False)],
    )
    await harness.feed(
        [
            inventory.create("sku-1", 500, at(-1)),
            inventory.create("sku-2", 500, at(-1)),
            inventory.hold("sku-1", "h1", 80, at(1)),
        ]
    )
    async with harness.store.transaction() as tx:
        await upsert_plan(tx, session_plan(tenant, "sku-2", 100), harness.clock.now())
    await harness.feed([inventory.hold("sku-2", "h2", 80, at(1))])
    await harness.dispatch()
    assert recorder.received == []  # in-app only so far
    async with harness.store.transaction() as tx:
        inbox, _ = await tx.list_inbox(tenant, "oncall", False, Page(10, ""))
    assert len(inbox) == 2

    harness.clock.advance(timedelta(minutes=5))
    await harness.dispatch()
    assert len(recorder.at("/gateway/sms")) == 2

    alerts = {d.sku_id: d.alert_id for d in await deliveries_of(harness, tenant)}
    async with harness.store.transaction() as tx:
        await acknowledge(
            tx, tenant, alerts["sku-1"], "lin", "calling the supplier", harness.clock.now()
        )

    harness.clock.advance(timedelta(minutes=15))
    await harness.dispatch()
    calls = recorder.at("/gateway/calls")
    assert [c.document["text"].split()[1] for c in calls] == ["sku-2"]
    phone = await deliveries_of(
        harness, tenant, alert_id=alerts["sku-1"], channel=Channel.PHONE.value
    )
    assert [d.status for d in phone] == [DeliveryStatus.CANCELLED]


async def test_firing_unacknowledged_alert_repeats_on_its_interval(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    inventory = ScriptedInventory(tenant)
    policy = AlertPolicy(tenant_id=tenant, repeat_interval=timedelta(minutes=10))
    await configure_session(
        harness,
        session_plan(tenant, "sku-1", 100),
        policy,
        [receiver(tenant, "ops", recorder.url("/hooks/ops"), WEBHOOK_NOW)],
    )
    await harness.feed(
        [inventory.create("sku-1", 500, at(-1)), inventory.hold("sku-1", "h1", 80, at(1))]
    )
    await harness.dispatch()
    for _ in range(5):  # 25 minutes, ticking every 5: repeats at 10 and 20 minutes
        harness.clock.advance(timedelta(minutes=5))
        await harness.tick()
        await harness.tick()
        await harness.dispatch()
    kinds = [r.document["kind"] for r in recorder.received]
    assert kinds == ["FIRING", "REPEAT", "REPEAT"]
    repeats = [d for d in await deliveries_of(harness, tenant) if d.kind is NotificationKind.REPEAT]
    assert sorted(d.idempotency_key.rsplit("/", 1)[1] for d in repeats) == ["1", "2"]
