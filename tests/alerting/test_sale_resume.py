"""A RED alert that paused its SKU gives the sale back when it clears after a restock, only if the
SKU is still paused by that alert: a status an operator set since stays, and the skipped resume is
recorded with its reason. Service layer on real PostgreSQL, inventory scripted (its stream reports
the status changes with the reason alerting sent); the real-inventory run is in
test_end_to_end_inventory.py."""

from __future__ import annotations

from datetime import timedelta

import grpc
import pytest
from streamstock.alerting.v1 import alerting_service_pb2_grpc, policies_pb2
from streamstock.inventory.v1 import stock_pb2

from alerting.configuration import (
    WEBHOOK_NOW,
    configure_session,
    pausing_policy,
    receiver,
    session_plan,
)
from alerting.grpc_errors import refusal
from alerting.harness import SESSION_START, Harness
from alerting.http_recorder import HttpRecorder
from alerting.scripted_inventory import ScriptedInventory
from services.alerting.domain.alerts import ActionStatus, Alert
from services.alerting.domain.policy import ResponseAction, Tier
from services.alerting.service_layer.ports import Page


def at(minutes: float):
    return SESSION_START + timedelta(minutes=minutes)


async def red_crossed(harness: Harness, recorder: HttpRecorder, tenant: str) -> ScriptedInventory:
    """sku-1, under a policy that pauses on RED, crosses RED (nothing dispatched yet)."""
    inventory = ScriptedInventory(tenant)
    await configure_session(
        harness,
        session_plan(tenant, "sku-1", forecast=100),
        pausing_policy(tenant),
        [receiver(tenant, "ops", recorder.url("/hooks/ops"), WEBHOOK_NOW)],
    )
    await harness.feed([inventory.create("sku-1", 150, at(-10))])
    await harness.feed([inventory.hold("sku-1", "h1", 125, at(5))])
    return inventory


async def red_paused(harness: Harness, recorder: HttpRecorder, tenant: str) -> ScriptedInventory:
    """sku-1 crosses RED; alerting pauses it and inventory reports the pause on its stream."""
    inventory = await red_crossed(harness, recorder, tenant)
    await harness.dispatch()
    assert [c[2] for c in harness.sales.calls] == [ResponseAction.PAUSE_SALE]
    paused = inventory.sale_status(
        "sku-1", stock_pb2.SALE_STATUS_PAUSED, harness.sales.reasons[0], at(6)
    )
    await harness.feed([paused])
    return inventory


async def red_alert(harness: Harness, tenant: str) -> Alert:
    async with harness.store.transaction() as tx:
        alerts, _ = await tx.list_alerts(tenant, {}, Page(100, ""))
    return next(a for a in alerts if a.tier is Tier.RED)


async def test_a_restock_that_clears_red_resumes_the_sale_alerting_paused(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    inventory = await red_paused(harness, recorder, tenant)
    restock = inventory.restock("sku-1", 100, at(20))
    await harness.feed([restock])
    await harness.dispatch()
    # Applying the restock again (a replay) changes nothing: one resume.
    await harness.feed([restock])
    await harness.dispatch()

    red = await red_alert(harness, tenant)
    assert not red.is_open
    assert [(c[2], c[3]) for c in harness.sales.calls] == [
        (ResponseAction.PAUSE_SALE, f"alerting:{red.alert_id}:pause_sale"),
        (ResponseAction.RESUME_SALE, f"alerting:{red.alert_id}:resume_sale"),
    ]
    assert harness.sales.reasons[1].startswith(f"alerting:{red.alert_id} ")
    assert [(r.action, r.status) for r in red.action_results] == [
        (ResponseAction.PAUSE_SALE, ActionStatus.SUCCEEDED),
        (ResponseAction.RESUME_SALE, ActionStatus.SUCCEEDED),
    ]
    async with harness.store.transaction() as tx:
        changes = await tx.changes_after(tenant, 0, 100)
    assert changes[-1][1].kind.name == "ACTION_UPDATED"


@pytest.mark.parametrize(
    "status",
    [stock_pb2.SALE_STATUS_PAUSED, stock_pb2.SALE_STATUS_STOPPED, stock_pb2.SALE_STATUS_ON_SALE],
)
async def test_a_status_an_operator_set_after_the_pause_is_never_overridden(
    harness: Harness, recorder: HttpRecorder, tenant: str, status: int
) -> None:
    inventory = await red_paused(harness, recorder, tenant)
    operator = inventory.sale_status("sku-1", status, "ops: quality check", at(10))
    await harness.feed([operator, inventory.restock("sku-1", 100, at(20))])
    await harness.dispatch()

    red = await red_alert(harness, tenant)
    assert not red.is_open
    assert [c[2] for c in harness.sales.calls] == [ResponseAction.PAUSE_SALE]
    resume = red.action_results[-1]
    assert (resume.action, resume.status) == (ResponseAction.RESUME_SALE, ActionStatus.SKIPPED)
    assert "someone else" in resume.detail


async def test_a_resume_inventory_refuses_as_changed_meanwhile_is_skipped_not_retried(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    """The operator's change landed after the follower's last look: inventory's compare-and-set
    refuses the resume (test_inventory_sales.py shows it against the real inventory)."""
    inventory = await red_paused(harness, recorder, tenant)
    harness.sales.status_changed = True
    await harness.feed([inventory.restock("sku-1", 100, at(20))])
    await harness.dispatch()
    await harness.dispatch()

    red = await red_alert(harness, tenant)
    resume = red.action_results[-1]
    assert (resume.action, resume.status) == (ResponseAction.RESUME_SALE, ActionStatus.SKIPPED)
    assert "someone else changed the sale status meanwhile" in resume.detail
    assert "STOPPED" in resume.detail


async def test_resume_sale_is_not_a_line_action(start_service, api_keys) -> None:
    service = await start_service("alerting")
    alerting = alerting_service_pb2_grpc.AlertingServiceStub(service.channel)
    request = policies_pb2.UpsertAlertPolicyRequest(
        tenant_id="acme",
        request_id="resume-in-line",
        policy=policies_pb2.AlertPolicy(
            tier_lines=[
                policies_pb2.TierLine(
                    tier=policies_pb2.TIER_RED,
                    consumed_fraction=1.2,
                    actions=[
                        policies_pb2.RESPONSE_ACTION_PAUSE_SALE,
                        policies_pb2.RESPONSE_ACTION_RESUME_SALE,
                    ],
                )
            ]
        ),
    )
    code, reason, metadata = await refusal(
        alerting.UpsertAlertPolicy(request, metadata=[("x-api-key", api_keys.acme_admin)])
    )
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    assert metadata["field"] == "policy.tier_lines[0].actions"


async def test_a_pause_that_had_not_run_when_red_cleared_is_skipped(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    inventory = await red_crossed(harness, recorder, tenant)
    await harness.feed([inventory.restock("sku-1", 100, at(6))])  # before any dispatch
    await harness.dispatch()

    assert harness.sales.calls == []
    red = await red_alert(harness, tenant)
    assert {r.action: r.status for r in red.action_results} == {
        ResponseAction.PAUSE_SALE: ActionStatus.SKIPPED,
        ResponseAction.RESUME_SALE: ActionStatus.SKIPPED,
    }


async def test_a_pause_in_flight_when_red_cleared_is_given_back_once_it_lands(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    inventory = await red_crossed(harness, recorder, tenant)
    await harness.dispatch()  # the pause goes to inventory ...
    await harness.feed([inventory.restock("sku-1", 100, at(6))])  # ... and RED clears before
    red = await red_alert(harness, tenant)  # its status change reaches the stream
    assert {r.action: r.status for r in red.action_results}[
        ResponseAction.RESUME_SALE
    ] is ActionStatus.SKIPPED

    paused = inventory.sale_status(
        "sku-1", stock_pb2.SALE_STATUS_PAUSED, harness.sales.reasons[0], at(7)
    )
    await harness.feed([paused])
    await harness.dispatch()
    await harness.feed([paused])  # a replay gives back nothing more
    await harness.dispatch()

    red = await red_alert(harness, tenant)
    assert [(c[2], c[3]) for c in harness.sales.calls] == [
        (ResponseAction.PAUSE_SALE, f"alerting:{red.alert_id}:pause_sale"),
        (ResponseAction.RESUME_SALE, f"alerting:{red.alert_id}:resume_sale"),
    ]
    assert {r.action: r.status for r in red.action_results} == {
        ResponseAction.PAUSE_SALE: ActionStatus.SUCCEEDED,
        ResponseAction.RESUME_SALE: ActionStatus.SUCCEEDED,
    }


async def test_a_pause_by_an_alert_still_firing_is_not_given_back(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    await red_paused(harness, recorder, tenant)
    await harness.dispatch()
    assert [c[2] for c in harness.sales.calls] == [ResponseAction.PAUSE_SALE]
    assert (await red_alert(harness, tenant)).is_open
