"""A scripted live session through the service layer on real PostgreSQL and real HTTP channels:
tiers fire once per receiver and in order, RED pauses the sale, a restock resolves, and a level
bouncing around a line never flaps."""

from __future__ import annotations

from datetime import timedelta

from alerting.configuration import (
    INBOX_NOW,
    WEBHOOK_NOW,
    configure_session,
    pausing_policy,
    receiver,
    session_plan,
)
from alerting.harness import SECRET, SESSION_START, Harness
from alerting.http_recorder import HttpRecorder
from alerting.scripted_inventory import ScriptedInventory
from services.alerting.adapters.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from services.alerting.domain.alerts import ActionStatus, AlertState
from services.alerting.domain.policy import AlertPolicy, ResponseAction, Tier, TierLine
from services.alerting.service_layer.ports import Page

MINUTE = timedelta(minutes=1)


def at(minutes: float):
    return SESSION_START + timedelta(minutes=minutes)


async def inbox_of(harness: Harness, tenant: str, receiver_id: str) -> list[tuple[str, str]]:
    async with harness.store.transaction() as tx:
        items, _ = await tx.list_inbox(tenant, receiver_id, False, Page(100, ""))
    return [(alert.tier.name, delivery.kind.name) for _, delivery, alert in reversed(items)]


async def test_tiers_fire_once_per_receiver_in_order_red_pauses_and_restock_resolves(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    inventory = ScriptedInventory(tenant)
    hook = recorder.url("/hooks/ops")
    await configure_session(
        harness,
        session_plan(tenant, "sku-1", forecast=100),
        pausing_policy(tenant),
        [
            receiver(tenant, "ops-webhook", hook, WEBHOOK_NOW),
            receiver(tenant, "ops-inbox", hook, INBOX_NOW),
        ],
    )
    await harness.feed([inventory.create("sku-1", 150, at(-10))])
    for minute, (hold, quantity) in enumerate(
        [("h1", 50), ("h2", 30), ("h3", 20), ("h4", 20)], start=1
    ):
        await harness.feed([inventory.hold("sku-1", hold, quantity, at(5 * minute))])
        await harness.dispatch()
        # Replaying an already applied event changes nothing (the checkpoint skips it).
        await harness.feed(inventory.log[-1:])
        await harness.dispatch()

    webhook_kinds = [
        (r.document["alert"]["tier"], r.document["kind"]) for r in recorder.at("/hooks/ops")
    ]
    assert webhook_kinds == [("YELLOW", "FIRING"), ("ORANGE", "FIRING"), ("RED", "FIRING")]
    assert await inbox_of(harness, tenant, "ops-inbox") == [
        ("YELLOW", "FIRING"),
        ("ORANGE", "FIRING"),
        ("RED", "FIRING"),
    ]
    assert [(c[1], c[2]) for c in harness.sales.calls] == [("sku-1", ResponseAction.PAUSE_SALE)]
    for request in recorder.at("/hooks/ops"):
        assert verify(
            SECRET,
            request.headers[TIMESTAMP_HEADER],
            request.body,
            request.headers[SIGNATURE_HEADER],
        )
        assert request.idempotency_key

    await harness.feed([inventory.restock("sku-1", 100, at(30))])
    await harness.dispatch()

    resolved = [
        (r.document["alert"]["tier"], r.document["kind"]) for r in recorder.at("/hooks/ops")[3:]
    ]
    assert sorted(resolved) == [("ORANGE", "RESOLVED"), ("RED", "RESOLVED"), ("YELLOW", "RESOLVED")]
    inbox = await inbox_of(harness, tenant, "ops-inbox")
    assert sorted(inbox[3:]) == [
        ("ORANGE", "RESOLVED"),
        ("RED", "RESOLVED"),
        ("YELLOW", "RESOLVED"),
    ]
    async with harness.store.transaction() as tx:
        alerts, _ = await tx.list_alerts(tenant, {}, Page(100, ""))
        red = next(a for a in alerts if a.tier.name == "RED")
    assert {a.state for a in alerts} == {AlertState.RESOLVED}
    assert len(alerts) == 3
    # This scripted inventory never reports the pause on its stream, so the sale is not resumed.
    assert [(r.action, r.status) for r in red.action_results] == [
        (ResponseAction.PAUSE_SALE, ActionStatus.SUCCEEDED),
        (ResponseAction.RESUME_SALE, ActionStatus.SKIPPED),
    ]
    # Resolved by the restock: 120 consumed against 100 forecast + 100 restocked is 60 %.
    assert (red.latest_values.restocked_units, red.latest_values.consumed_fraction) == (100, 0.6)
    assert len({r.idempotency_key for r in recorder.received}) == len(recorder.received) == 6


async def test_a_level_bouncing_around_a_line_does_not_flap(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    inventory = ScriptedInventory(tenant)
    hook = recorder.url("/hooks/ops")
    await configure_session(
        harness,
        session_plan(tenant, "sku-2", forecast=100),
        None,
        [receiver(tenant, "ops", hook, WEBHOOK_NOW)],
    )
    await harness.feed(
        [inventory.create("sku-2", 500, at(-1)), inventory.hold("sku-2", "base", 78, at(1))]
    )
    minute = 2.0
    for cycle in range(6):
        # 78 → 81 (crosses 80 %) → 77 (below the line, inside the 5 % hysteresis) → 78.
        events = [
            inventory.hold("sku-2", f"up-{cycle}", 3, at(minute)),
            inventory.release("sku-2", f"up-{cycle}", 3, at(minute + 0.2)),
        ]
        events.append(inventory.release("sku-2", "base", 1, at(minute + 0.4)))
        events.append(inventory.hold("sku-2", f"back-{cycle}", 1, at(minute + 0.6)))
        for event in events:
            await harness.feed([event])
            await harness.dispatch()
        minute += 1
    kinds = [(r.document["alert"]["tier"], r.document["kind"]) for r in recorder.received]
    assert kinds == [("YELLOW", "FIRING")]

    # Well below the line minus the hysteresis (70 % < 75 %), it resolves, once.
    await harness.feed([inventory.release("sku-2", "base", 8, at(minute))])
    await harness.dispatch()
    kinds = [(r.document["alert"]["tier"], r.document["kind"]) for r in recorder.received]
    assert kinds == [("YELLOW", "FIRING"), ("YELLOW", "RESOLVED")]


async def test_tiers_crossed_in_one_batch_reach_a_receiver_in_tier_order(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    inventory = ScriptedInventory(tenant)
    await configure_session(
        harness,
        session_plan(tenant, "sku-3", forecast=100),
        None,
        [receiver(tenant, "ops", recorder.url("/hooks/ops"), WEBHOOK_NOW)],
    )
    # 105 % in one event: YELLOW and ORANGE fire together (RED, at 120 %, does not).
    await harness.feed(
        [inventory.create("sku-3", 500, at(-1)), inventory.hold("sku-3", "h", 105, at(1))]
    )
    await harness.dispatch()
    kinds = [(r.document["alert"]["tier"], r.document["kind"]) for r in recorder.received]
    assert kinds == [("YELLOW", "FIRING"), ("ORANGE", "FIRING")]


async def test_red_leaves_the_sale_alone_when_the_policy_does_not_ask_for_a_pause(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    inventory = ScriptedInventory(tenant)
    calling_only = AlertPolicy(
        tenant_id=tenant,
        tier_lines=(TierLine(Tier.RED, 1.2, actions=(ResponseAction.CALL_SUPPLIER,)),),
    )
    await configure_session(
        harness,
        session_plan(tenant, "sku-4", forecast=100),
        calling_only,
        [receiver(tenant, "ops", recorder.url("/hooks/ops"), WEBHOOK_NOW)],
    )
    await harness.feed(
        [inventory.create("sku-4", 500, at(-1)), inventory.hold("sku-4", "h", 125, at(1))]
    )
    await harness.dispatch()
    assert [r.document["alert"]["tier"] for r in recorder.received] == ["RED"]
    assert harness.sales.calls == []
