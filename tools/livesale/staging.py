"""Sets the stage before the host goes live: SKUs with stock, withheld units and sale policies in
inventory, and a live-session plan per SKU in alerting (when alerting runs). Every duration a
service receives is in real time, converted by the scenario's time scale."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from google.protobuf import duration_pb2, timestamp_pb2
from streamstock.alerting.v1 import alerting_service_pb2_grpc, plans_pb2
from streamstock.inventory.v1 import inventory_service_pb2 as inventory_api
from streamstock.inventory.v1 import stock_pb2

from tools.livesale.calls import Caller, Refused
from tools.livesale.scenario import Policy, Restock, SkuPlan
from tools.livesale.session import Session
from tools.livesale.tally import NOT_AVAILABLE
from tools.livesale.timescale import TimeScale

_WITHHOLD_KINDS = {
    "safety": stock_pb2.WITHHOLD_KIND_SAFETY,
    "vip": stock_pb2.WITHHOLD_KIND_VIP,
    "gift": stock_pb2.WITHHOLD_KIND_GIFT,
}


def real_duration(timescale: TimeScale, session_seconds: float) -> duration_pb2.Duration:
    duration = duration_pb2.Duration()
    duration.FromMilliseconds(round(timescale.to_real(session_seconds) * 1000))
    return duration


def wall_time(seconds_from_now: float) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromNanoseconds(int((time.time() + seconds_from_now) * 1e9))
    return stamp


def sale_policy(policy: Policy, timescale: TimeScale) -> stock_pb2.SalePolicy:
    """The scenario's policy in inventory's terms, its durations compressed."""
    message = stock_pb2.SalePolicy(
        lock_stage=stock_pb2.LockStage.Value(f"LOCK_STAGE_{policy.lock_stage}"),
        sale_mode=stock_pb2.SaleMode.Value(f"SALE_MODE_{policy.sale_mode}"),
        refresh_ttl_on_restock=policy.refresh_ttl_on_restock,
        per_user_limit=policy.per_user_limit,
        max_per_order=policy.max_per_order,
        risk_mode=stock_pb2.RiskMode.Value(f"RISK_MODE_{policy.risk_mode}"),
        risk_fail_mode=stock_pb2.RiskFailMode.Value(f"RISK_FAIL_MODE_{policy.risk_fail_mode}"),
    )
    message.expiring_soon_lead.CopyFrom(real_duration(timescale, policy.expiring_soon_lead))
    if policy.sale_mode == "PRESALE":
        message.presale_balance_due_time.CopyFrom(
            wall_time(timescale.to_real(policy.balance_due_after))
        )
    else:
        message.hold_ttl.CopyFrom(real_duration(timescale, policy.hold_ttl))
    return message


async def create_skus(session: Session) -> None:
    """Creates every SKU of the scenario and withholds its units."""
    timescale = session.scenario.timescale
    for plan in session.scenario.skus:
        sku_id = session.sku_id(plan.sku_id)
        await _administer(
            session,
            session.inventory.CreateSku,
            inventory_api.CreateSkuRequest,
            sku_id=sku_id,
            title=plan.title or plan.sku_id,
            on_hand=plan.on_hand,
            policy=sale_policy(plan.policy, timescale),
        )
        for kind, quantity in plan.withheld.items():
            await _administer(
                session,
                session.inventory.SetWithheld,
                inventory_api.SetWithheldRequest,
                sku_id=sku_id,
                kind=_WITHHOLD_KINDS[kind],
                quantity=quantity,
            )
        session.tally.skus[sku_id].received = plan.on_hand


async def plan_live_session(
    session: Session, alerting: alerting_service_pb2_grpc.AlertingServiceStub, caller: Caller
) -> bool:
    """Tells alerting the forecast of every SKU for this session; False when alerting does not
    serve plans yet (the console then shows tiers computed locally)."""
    timescale = session.scenario.timescale
    for plan in session.scenario.skus:
        try:
            await caller(
                alerting.UpsertLiveSessionPlan,
                plans_pb2.UpsertLiveSessionPlanRequest(
                    tenant_id=session.scenario.tenant_id,
                    request_id=session.next_id("plan"),
                    plan=_live_plan(session, plan, timescale),
                ),
            )
        except Refused as refusal:
            session.tally.services["alerting"] = f"{NOT_AVAILABLE} ({refusal.reason})"
            return False
    session.tally.services["alerting"] = "running"
    return True


def _live_plan(session: Session, plan: SkuPlan, timescale: TimeScale) -> plans_pb2.LiveSessionPlan:
    live = plans_pb2.LiveSessionPlan(
        session_id=f"{session.scenario.name}.{session.tag}",
        sku_id=session.sku_id(plan.sku_id),
        title=session.scenario.name,
        forecast_units=plan.forecast_units,
    )
    live.start_time.CopyFrom(wall_time(0.0))
    live.end_time.CopyFrom(wall_time(timescale.to_real(session.scenario.duration)))
    live.restock_lead_time.CopyFrom(real_duration(timescale, plan.restock_lead_time))
    return live


async def deliver_restock(session: Session, restock: Restock) -> None:
    """Waits for the restock's time, then books it in inventory."""
    await session.sleep_until(restock.at)
    sku_id = session.sku_id(restock.sku_id)
    try:
        await _administer(
            session,
            session.inventory.Restock,
            inventory_api.RestockRequest,
            sku_id=sku_id,
            quantity=restock.quantity,
            note="delivery during the live session",
        )
    except Refused as refusal:
        session.note(f"restock of {restock.sku_id} refused: {refusal.reason}")
        return
    session.tally.skus[sku_id].received += restock.quantity
    session.tally.skus[sku_id].restocked += restock.quantity
    session.tally.restocks_done += 1
    session.note(f"restock: +{restock.quantity} {restock.sku_id}")


async def _administer(
    session: Session, method: Callable[..., Awaitable[Any]], request: type[Any], **fields: Any
) -> None:
    """An inventory mutation as the tenant's admin, with a request_id of its own."""
    await session.as_admin(
        method,
        request(
            tenant_id=session.scenario.tenant_id, request_id=session.next_id("admin"), **fields
        ),
    )
