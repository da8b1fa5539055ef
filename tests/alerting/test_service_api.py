"""The AlertingService over real gRPC (start_service) on the session's PostgreSQL: validation names
the field, mutations are idempotent on request_id, tenants are isolated, roles are enforced, and the
alerts the follower derives are listed, acknowledged, streamed, forecast and drawn."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf import duration_pb2, timestamp_pb2
from streamstock.alerting.v1 import (
    alerts_pb2,
    deliveries_pb2,
    forecast_pb2,
    plans_pb2,
    policies_pb2,
    receivers_pb2,
)

from alerting.configuration import INBOX_NOW, configure_session, receiver, session_plan
from alerting.grpc_errors import refusal
from alerting.harness import SESSION_START, Harness
from alerting.scripted_inventory import ScriptedInventory

pytestmark = pytest.mark.timeout(60)
ACME = "acme"
SESSION = timedelta(hours=2)


def ts(minutes: float) -> timestamp_pb2.Timestamp:
    message = timestamp_pb2.Timestamp()
    message.FromDatetime(SESSION_START + timedelta(days=3650, minutes=minutes))
    return message


def key(api_key: str) -> list[tuple[str, str]]:
    return [("x-api-key", api_key)]


def plan_request(
    request_id: str, forecast: int = 100, sku: str = "sku-1"
) -> plans_pb2.UpsertLiveSessionPlanRequest:
    return plans_pb2.UpsertLiveSessionPlanRequest(
        tenant_id=ACME,
        request_id=request_id,
        plan=plans_pb2.LiveSessionPlan(
            session_id="future-show",
            sku_id=sku,
            forecast_units=forecast,
            start_time=ts(0),
            end_time=ts(120),
            restock_lead_time=duration_pb2.Duration(seconds=7 * 86400),
            forecast_confidence=0.6,
        ),
    )


async def test_plans_are_validated_idempotent_and_tenant_scoped(alerting, api_keys) -> None:
    admin = key(api_keys.acme_admin)
    created = await alerting.UpsertLiveSessionPlan(plan_request("p-1"), metadata=admin)
    assert created.created
    assert created.plan.effective_buffer_factor == pytest.approx(1.6)
    assert created.plan.warning_line_units == 160
    assert created.plan.state == plans_pb2.PLAN_STATE_SCHEDULED
    retried = await alerting.UpsertLiveSessionPlan(plan_request("p-1"), metadata=admin)
    assert retried == created

    assert await refusal(
        alerting.UpsertLiveSessionPlan(plan_request("p-1", forecast=5), metadata=admin)
    ) == (
        grpc.StatusCode.ALREADY_EXISTS,
        "REQUEST_ID_REUSED",
        {"request_id": "p-1"},
    )
    code, reason, meta = await refusal(
        alerting.UpsertLiveSessionPlan(plan_request("p-2", forecast=0), metadata=admin)
    )
    assert (code, reason, meta["field"]) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_ARGUMENT",
        "plan.forecast_units",
    )
    code, reason, meta = await refusal(
        alerting.UpsertLiveSessionPlan(plan_request("p-3", sku="other sku"), metadata=admin)
    )
    assert meta["field"] == "plan.sku_id"
    overlapping = plan_request("p-4")
    overlapping.plan.session_id = "other-show"
    code, reason, meta = await refusal(alerting.UpsertLiveSessionPlan(overlapping, metadata=admin))
    assert (code, reason, meta["conflicting_session_id"]) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "PLAN_OVERLAPS",
        "future-show",
    )

    foreign = plan_request("p-5")
    foreign.tenant_id = "globex"
    assert (await refusal(alerting.UpsertLiveSessionPlan(foreign, metadata=admin)))[
        1
    ] == "TENANT_MISMATCH"
    assert (
        await refusal(
            alerting.UpsertLiveSessionPlan(plan_request("p-6"), metadata=key(api_keys.acme_viewer))
        )
    )[1] == "ROLE_NOT_ALLOWED"
    globex = await refusal(
        alerting.GetLiveSessionPlan(
            plans_pb2.GetLiveSessionPlanRequest(
                tenant_id="globex", session_id="future-show", sku_id="sku-1"
            ),
            metadata=key(api_keys.globex_admin),
        )
    )
    assert globex[:2] == (grpc.StatusCode.NOT_FOUND, "PLAN_NOT_FOUND")
    missing = await refusal(
        alerting.GetForecast(
            forecast_pb2.GetForecastRequest(tenant_id=ACME, sku_id="never-planned"),
            metadata=key(api_keys.acme_viewer),
        )
    )
    assert missing[:2] == (grpc.StatusCode.FAILED_PRECONDITION, "NO_LIVE_SESSION_PLAN")


async def test_policies_and_receivers(alerting, api_keys) -> None:
    admin = key(api_keys.acme_admin)
    default = await alerting.GetAlertPolicy(
        policies_pb2.GetAlertPolicyRequest(tenant_id=ACME, sku_id="sku-1"), metadata=admin
    )
    assert default.policy.inherited
    assert [round(line.consumed_fraction, 2) for line in default.policy.tier_lines] == [
        0.8,
        1.0,
        1.2,
    ]
    bad = policies_pb2.UpsertAlertPolicyRequest(
        tenant_id=ACME,
        request_id="pol-1",
        policy=policies_pb2.AlertPolicy(
            sku_id="sku-1", tier_lines=[policies_pb2.TierLine(tier=0, consumed_fraction=0.5)]
        ),
    )
    code, reason, meta = await refusal(alerting.UpsertAlertPolicy(bad, metadata=admin))
    assert reason == "INVALID_ARGUMENT"
    assert (code, meta["field"]) == (grpc.StatusCode.INVALID_ARGUMENT, "policy.tier_lines[0].tier")

    unknown_secret = receivers_pb2.UpsertReceiverRequest(
        tenant_id=ACME,
        request_id="r-1",
        receiver=receivers_pb2.Receiver(
            receiver_id="ops",
            webhook=receivers_pb2.WebhookTarget(
                url="https://ops.example/hook", secret_ref="nobody-has-it"
            ),
            routes=[receivers_pb2.Route(escalation=[receivers_pb2.EscalationStep(channel=2)])],
        ),
    )
    assert (await refusal(alerting.UpsertReceiver(unknown_secret, metadata=admin)))[:2] == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "SECRET_REF_UNKNOWN",
    )
    no_number = receivers_pb2.UpsertReceiverRequest(
        tenant_id=ACME,
        request_id="r-2",
        receiver=receivers_pb2.Receiver(
            receiver_id="ops",
            routes=[receivers_pb2.Route(escalation=[receivers_pb2.EscalationStep(channel=3)])],
        ),
    )
    assert (await refusal(alerting.UpsertReceiver(no_number, metadata=admin)))[2][
        "field"
    ] == "receiver.routes"
    unknown_secret.receiver.webhook.secret_ref = "hook-key"
    stored = await alerting.UpsertReceiver(unknown_secret, metadata=admin)
    assert stored.created and stored.receiver.webhook.secret_ref == "hook-key"


async def all_sent(harness: Harness) -> None:
    """Dispatches until no notice is waiting: the service's own dispatcher may hold one claimed
    while the harness's round runs, and a notice still waiting when RED arrives is suppressed."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        await harness.dispatch()
        waiting = await harness.store.pool.fetchval(
            "SELECT count(*) FROM deliveries WHERE status IN (1, 2)"
        )
        if waiting == 0:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("notices still waiting after 10 s")


async def test_alerts_are_listed_acknowledged_streamed_and_forecast(
    alerting, api_keys, harness: Harness, recorder, tenant: str
) -> None:
    admin, viewer = key(api_keys.acme_admin), key(api_keys.acme_viewer)
    inventory = ScriptedInventory(ACME)
    # The session is live by the real clock: the service's ticker (real clock) resolves the alerts
    # of a session that has ended, at any moment of the test.
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    harness.clock.current = start - timedelta(minutes=5)
    plan = replace(session_plan(ACME, "sku-1", 100), start_time=start, end_time=start + SESSION)
    await configure_session(
        harness, plan, None, [receiver(ACME, "ops", recorder.url("/h"), INBOX_NOW)]
    )
    watch = alerting.WatchAlerts(alerts_pb2.WatchAlertsRequest(tenant_id=ACME), metadata=viewer)
    await harness.feed([inventory.create("sku-1", 200, start - timedelta(minutes=1))])
    for n, (minute, units) in enumerate(((10, 40), (20, 40), (30, 25), (40, 15))):
        await harness.feed(
            [inventory.hold("sku-1", f"h{n}", units, start + timedelta(minutes=minute))]
        )
        await all_sent(harness)

    listed = await alerting.ListAlerts(
        alerts_pb2.ListAlertsRequest(tenant_id=ACME, page_size=2), metadata=viewer
    )
    assert len(listed.alerts) == 2 and listed.next_page_token
    rest = await alerting.ListAlerts(
        alerts_pb2.ListAlertsRequest(
            tenant_id=ACME, page_size=2, page_token=listed.next_page_token
        ),
        metadata=viewer,
    )
    assert len(rest.alerts) == 1 and not rest.next_page_token
    by_tier = {a.tier: a for a in [*listed.alerts, *rest.alerts]}
    assert set(by_tier) == {1, 2, 3}
    assert by_tier[1].inhibited and by_tier[1].inhibited_by_alert_id == by_tier[3].alert_id

    # The service's own dispatcher (real clock) may be handing some of them over concurrently;
    # poll with a deadline until all three arrived, and assert no order.
    request = deliveries_pb2.ListInboxItemsRequest(tenant_id=ACME, receiver_id="ops")
    deadline = time.monotonic() + 10
    inbox = await alerting.ListInboxItems(request, metadata=viewer)
    while len(inbox.items) < 3 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        inbox = await alerting.ListInboxItems(request, metadata=viewer)
    assert sorted(item.alert.tier for item in inbox.items) == [1, 2, 3]

    red = by_tier[3].alert_id
    ack = alerts_pb2.AcknowledgeAlertRequest(
        tenant_id=ACME, request_id="ack-1", alert_id=red, acknowledged_by="lin"
    )
    acknowledged = await alerting.AcknowledgeAlert(ack, metadata=admin)
    assert acknowledged.alert.acknowledgement.acknowledged_by == "lin"
    assert await alerting.AcknowledgeAlert(ack, metadata=admin) == acknowledged
    ack.request_id = "ack-2"
    assert (await refusal(alerting.AcknowledgeAlert(ack, metadata=admin)))[:2] == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "ALERT_ALREADY_ACKNOWLEDGED",
    )
    unacked = await alerting.ListInboxItems(
        deliveries_pb2.ListInboxItemsRequest(
            tenant_id=ACME, receiver_id="ops", unacknowledged_only=True
        ),
        metadata=viewer,
    )
    assert sorted(item.alert.tier for item in unacked.items) == [1, 2]

    seen = []

    async def collect() -> None:
        async for change in watch:
            seen.append((change.alert.tier, change.change))
            if change.change == alerts_pb2.ALERT_CHANGE_KIND_ACKNOWLEDGED:
                return

    await asyncio.wait_for(collect(), 10)
    watch.cancel()
    assert (3, alerts_pb2.ALERT_CHANGE_KIND_ACKNOWLEDGED) in seen
    assert [tier for tier, change in seen if change == alerts_pb2.ALERT_CHANGE_KIND_OPENED] == [
        1,
        2,
        3,
    ]

    forecast = (
        await alerting.GetForecast(
            forecast_pb2.GetForecastRequest(tenant_id=ACME, sku_id="sku-1"), metadata=viewer
        )
    ).forecast
    assert (forecast.consumed_units, forecast.sellable_units, forecast.current_tier) == (120, 80, 3)
    curve = await alerting.GetConsumptionCurve(
        forecast_pb2.GetConsumptionCurveRequest(
            tenant_id=ACME, sku_id="sku-1", resolution=duration_pb2.Duration(seconds=600)
        ),
        metadata=viewer,
    )
    assert len(curve.points) == 13
    assert [p.actual_consumed_units for p in curve.points[:5]] == [0, 40, 80, 105, 120]
    tiny = forecast_pb2.GetConsumptionCurveRequest(
        tenant_id=ACME, sku_id="sku-1", resolution=duration_pb2.Duration(nanos=1000)
    )
    assert (await refusal(alerting.GetConsumptionCurve(tiny, metadata=viewer)))[2][
        "field"
    ] == "resolution"
