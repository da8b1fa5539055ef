"""End to end against the real inventory service: stock changes committed in inventory reach the
alert channels through WatchEvents, RED pauses the sale in inventory, a restock resolves, and a
restarted alerting service neither loses nor repeats a notification.

These tests need inventory's implementation (on main, being written by the lead); while its RPCs
answer UNIMPLEMENTED they skip with that reason.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf import timestamp_pb2
from streamstock.alerting.v1 import (
    alerting_service_pb2_grpc,
    alerts_pb2,
    plans_pb2,
    policies_pb2,
    receivers_pb2,
)
from streamstock.inventory.v1 import inventory_service_pb2 as inv
from streamstock.inventory.v1 import inventory_service_pb2_grpc, reservation_pb2, stock_pb2

from alerting.harness import SECRET
from alerting.http_recorder import HttpRecorder
from services.alerting.adapters.secrets import variable_name
from services.alerting.adapters.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

pytestmark = pytest.mark.timeout(90)
TENANT = "acme"


def ts(value: datetime) -> timestamp_pb2.Timestamp:
    message = timestamp_pb2.Timestamp()
    message.FromDatetime(value)
    return message


@pytest.fixture
async def stack(start_service, monkeypatch, api_keys):
    monkeypatch.setenv(variable_name("hook-key"), SECRET.decode())
    inventory = await start_service("inventory")
    stub = inventory_service_pb2_grpc.InventoryServiceStub(inventory.channel)
    admin = [("x-api-key", api_keys.acme_admin)]
    try:
        await stub.ListSkus(inv.ListSkusRequest(tenant_id=TENANT), metadata=admin)
    except grpc.aio.AioRpcError as error:
        if error.code() is grpc.StatusCode.UNIMPLEMENTED:
            pytest.skip("inventory is not implemented on this branch yet (UNIMPLEMENTED)")
        raise
    address = f"127.0.0.1:{inventory.host.port}"

    async def alerting_service():
        service = await start_service("alerting", peers={"inventory": address})
        return alerting_service_pb2_grpc.AlertingServiceStub(service.channel), service

    return stub, alerting_service, admin


async def configure(alerting, admin, hook: str, sku: str) -> None:
    now = datetime.now(UTC)
    await alerting.UpsertLiveSessionPlan(
        plans_pb2.UpsertLiveSessionPlanRequest(
            tenant_id=TENANT,
            request_id=f"plan-{sku}",
            plan=plans_pb2.LiveSessionPlan(
                session_id="show",
                sku_id=sku,
                forecast_units=100,
                start_time=ts(now - timedelta(minutes=1)),
                end_time=ts(now + timedelta(hours=2)),
            ),
        ),
        metadata=admin,
    )
    await alerting.UpsertAlertPolicy(
        policies_pb2.UpsertAlertPolicyRequest(
            tenant_id=TENANT,
            request_id=f"policy-{sku}",
            policy=policies_pb2.AlertPolicy(
                sku_id=sku,
                tier_lines=[
                    policies_pb2.TierLine(tier=1, consumed_fraction=0.8, actions=[1]),
                    policies_pb2.TierLine(tier=2, consumed_fraction=1.0, actions=[2]),
                    policies_pb2.TierLine(tier=3, consumed_fraction=1.2, actions=[4, 3]),
                ],
            ),
        ),
        metadata=admin,
    )
    await alerting.UpsertReceiver(
        receivers_pb2.UpsertReceiverRequest(
            tenant_id=TENANT,
            request_id=f"receiver-{sku}",
            receiver=receivers_pb2.Receiver(
                receiver_id=f"ops-{sku}",
                webhook=receivers_pb2.WebhookTarget(url=hook, secret_ref="hook-key"),
                routes=[
                    receivers_pb2.Route(
                        sku_ids=[sku],
                        notify_resolved=True,
                        escalation=[receivers_pb2.EscalationStep(channel=2)],
                    )
                ],
            ),
        ),
        metadata=admin,
    )


async def create_sku(inventory, admin, sku: str, on_hand: int) -> None:
    await inventory.CreateSku(
        inv.CreateSkuRequest(
            tenant_id=TENANT,
            request_id=f"create-{sku}",
            sku_id=sku,
            title=sku,
            on_hand=on_hand,
            sale_status=stock_pb2.SALE_STATUS_ON_SALE,
            policy=stock_pb2.SalePolicy(
                lock_stage=stock_pb2.LOCK_STAGE_CART, sale_mode=stock_pb2.SALE_MODE_FLASH_SALE
            ),
        ),
        metadata=admin,
    )


async def reserve(inventory, admin, sku: str, order: str, quantity: int) -> None:
    await inventory.Reserve(
        inv.ReserveRequest(
            tenant_id=TENANT,
            request_id=f"reserve-{order}",
            user_id=f"buyer-{order}",
            order_id=order,
            lines=[inv.ReserveLine(sku_id=sku, quantity=quantity)],
            lock_stage=stock_pb2.LOCK_STAGE_CART,
            purpose=reservation_pb2.RESERVATION_PURPOSE_BUYER,
        ),
        metadata=admin,
    )


async def sale_status_becomes(inventory, admin, sku_id: str, status: int) -> bool:
    """Polls inventory with a deadline until the SKU's sale status is `status`."""
    request = inv.GetSkuRequest(tenant_id=TENANT, sku_id=sku_id)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if (await inventory.GetSku(request, metadata=admin)).sku.sale_status == status:
            return True
        await asyncio.sleep(0.05)
    return False


async def red_action_results(alerting, admin, sku_id: str, resume: int) -> dict[int, int]:
    """The RED alert's action results once its resume reached `resume` (polled with a deadline)."""
    request = alerts_pb2.ListAlertsRequest(tenant_id=TENANT, sku_id=sku_id)
    deadline = time.monotonic() + 15
    results: dict[int, int] = {}
    while time.monotonic() < deadline:
        alerts = (await alerting.ListAlerts(request, metadata=admin)).alerts
        red = next(a for a in alerts if a.tier == policies_pb2.TIER_RED)
        results = {r.action: r.status for r in red.action_results}
        if results.get(policies_pb2.RESPONSE_ACTION_RESUME_SALE) == resume:
            return results
        await asyncio.sleep(0.05)
    return results


def tiers_and_kinds(recorder: HttpRecorder, path: str) -> list[tuple[str, str]]:
    unique = {r.idempotency_key: r for r in recorder.at(path)}
    return [(r.document["alert"]["tier"], r.document["kind"]) for r in unique.values()]


async def test_scripted_session_against_real_inventory(stack, recorder: HttpRecorder) -> None:
    inventory, alerting_service, admin = stack
    alerting, _ = await alerting_service()
    await configure(alerting, admin, recorder.url("/e2e"), "e2e-sku")
    await create_sku(inventory, admin, "e2e-sku", 150)
    await reserve(inventory, admin, "e2e-sku", "o1", 80)
    await recorder.wait_for(1)
    await reserve(inventory, admin, "e2e-sku", "o2", 20)
    await recorder.wait_for(2)
    await reserve(inventory, admin, "e2e-sku", "o3", 20)
    await recorder.wait_for(3)
    assert tiers_and_kinds(recorder, "/e2e") == [
        ("YELLOW", "FIRING"),
        ("ORANGE", "FIRING"),
        ("RED", "FIRING"),
    ]
    for request in recorder.received:
        assert verify(
            SECRET,
            request.headers[TIMESTAMP_HEADER],
            request.body,
            request.headers[SIGNATURE_HEADER],
        )

    # The RED pause goes through the action outbox: poll inventory with a deadline.
    assert await sale_status_becomes(inventory, admin, "e2e-sku", stock_pb2.SALE_STATUS_PAUSED)

    await inventory.Restock(
        inv.RestockRequest(
            tenant_id=TENANT, request_id="restock-e2e", sku_id="e2e-sku", quantity=100
        ),
        metadata=admin,
    )
    await recorder.wait_for(6)
    assert sorted(tiers_and_kinds(recorder, "/e2e")[3:]) == [
        ("ORANGE", "RESOLVED"),
        ("RED", "RESOLVED"),
        ("YELLOW", "RESOLVED"),
    ]
    # The restock cleared the RED that paused the sale: alerting gives the sale back, and records it.
    assert await sale_status_becomes(inventory, admin, "e2e-sku", stock_pb2.SALE_STATUS_ON_SALE)
    results = await red_action_results(
        alerting, admin, "e2e-sku", alerts_pb2.ACTION_STATUS_SUCCEEDED
    )
    assert results == {
        policies_pb2.RESPONSE_ACTION_PAUSE_SALE: alerts_pb2.ACTION_STATUS_SUCCEEDED,
        policies_pb2.RESPONSE_ACTION_RESUME_SALE: alerts_pb2.ACTION_STATUS_SUCCEEDED,
    }


async def test_a_sale_an_operator_paused_stays_paused_after_the_restock(
    stack, recorder: HttpRecorder
) -> None:
    inventory, alerting_service, admin = stack
    alerting, _ = await alerting_service()
    await configure(alerting, admin, recorder.url("/held"), "held-sku")
    await create_sku(inventory, admin, "held-sku", 150)
    await reserve(inventory, admin, "held-sku", "h1", 125)
    assert await sale_status_becomes(inventory, admin, "held-sku", stock_pb2.SALE_STATUS_PAUSED)
    # An operator takes the pause over (quality hold) before the restock.
    await inventory.SetSaleStatus(
        inv.SetSaleStatusRequest(
            tenant_id=TENANT,
            request_id="operator-hold",
            sku_id="held-sku",
            sale_status=stock_pb2.SALE_STATUS_PAUSED,
            reason="ops: quality hold",
        ),
        metadata=admin,
    )
    await inventory.Restock(
        inv.RestockRequest(
            tenant_id=TENANT, request_id="restock-held", sku_id="held-sku", quantity=100
        ),
        metadata=admin,
    )
    # The restock clears the RED (62.5 % of forecast and restock): its resume is skipped.
    results = await red_action_results(
        alerting, admin, "held-sku", alerts_pb2.ACTION_STATUS_SKIPPED
    )
    assert results[policies_pb2.RESPONSE_ACTION_RESUME_SALE] == alerts_pb2.ACTION_STATUS_SKIPPED
    sku = await inventory.GetSku(
        inv.GetSkuRequest(tenant_id=TENANT, sku_id="held-sku"), metadata=admin
    )
    assert sku.sku.sale_status == stock_pb2.SALE_STATUS_PAUSED


async def test_restarted_alerting_service_neither_loses_nor_repeats(
    stack, recorder: HttpRecorder
) -> None:
    inventory, alerting_service, admin = stack
    alerting, first = await alerting_service()
    await configure(alerting, admin, recorder.url("/restart"), "restart-sku")
    await create_sku(inventory, admin, "restart-sku", 500)
    await reserve(inventory, admin, "restart-sku", "r1", 85)
    await recorder.wait_for(1)
    await first.host.stop()  # a graceful stop (SIGTERM): in-flight sends finish first
    # Stock keeps moving while alerting is down.
    await reserve(inventory, admin, "restart-sku", "r2", 20)
    await alerting_service()
    await recorder.wait_for(2)
    assert tiers_and_kinds(recorder, "/restart") == [("YELLOW", "FIRING"), ("ORANGE", "FIRING")]
    assert len(recorder.at("/restart")) == 2  # nothing was sent twice
