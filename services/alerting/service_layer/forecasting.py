"""Forecast and consumption-curve queries for a SKU in a session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.alerting.domain.alerts import AlertState, effective_line
from services.alerting.domain.errors import NoLiveSessionPlan, PlanNotFound
from services.alerting.domain.forecast import (
    BurnRate,
    CurvePoint,
    Sample,
    consumption_curve,
    expected_fraction,
    projected_consumed_at_end,
    projected_sell_out,
    restock_order_by,
    restock_units_needed,
)
from services.alerting.domain.pace import Pace
from services.alerting.domain.plan import LiveSessionPlan
from services.alerting.domain.policy import Tier
from services.alerting.domain.session import SessionConsumption
from services.alerting.service_layer.configure import effective_policy
from services.alerting.service_layer.measure import pace_of
from services.alerting.service_layer.ports import Transaction


@dataclass(frozen=True)
class Threshold:
    tier: Tier
    configured_fraction: float
    effective_fraction: float
    effective_units: int
    low_stock_units: int


@dataclass(frozen=True)
class ForecastView:
    plan: LiveSessionPlan
    observe_time: datetime
    consumed_units: int
    restocked_units: int
    consumed_fraction: float
    expected_fraction: float
    pace: Pace
    sellable_units: int
    burn_rate_per_minute: float
    projected_sell_out_time: datetime | None
    projected_consumed_units_at_end: int
    restock_units_needed: int
    restock_order_by_time: datetime | None
    thresholds: tuple[Threshold, ...]
    current_tier: Tier | None


@dataclass(frozen=True)
class CurveView:
    plan: LiveSessionPlan
    points: list[CurvePoint]
    thresholds: tuple[Threshold, ...]


async def select_plan(
    tx: Transaction, tenant_id: str, sku_id: str, session_id: str, now: datetime
) -> LiveSessionPlan:
    if session_id:
        plan = await tx.get_plan(tenant_id, session_id, sku_id)
        if plan is None:
            raise PlanNotFound("no such plan", session_id=session_id, sku_id=sku_id)
        return plan
    plans = await tx.plans_of_sku(tenant_id, sku_id)
    if not plans:
        raise NoLiveSessionPlan("the SKU has no live-session plan", sku_id=sku_id)
    return next((p for p in plans if p.is_live(now)), plans[0])


async def _state(tx: Transaction, plan: LiveSessionPlan, now: datetime) -> SessionConsumption:
    state = await tx.consumption_of(plan.tenant_id, plan.session_id, plan.sku_id)
    if state is not None:
        return state
    levels = await tx.levels_of(plan.tenant_id, plan.sku_id)
    return SessionConsumption(
        plan.tenant_id,
        plan.session_id,
        plan.sku_id,
        0,
        0,
        0,
        levels.sellable if levels else 0,
        BurnRate(0.0, min(now, plan.start_time)),
    )


async def forecast(
    tx: Transaction, tenant_id: str, sku_id: str, session_id: str, now: datetime
) -> ForecastView:
    plan = await select_plan(tx, tenant_id, sku_id, session_id, now)
    policy = await effective_policy(tx, tenant_id, sku_id)
    state = await _state(tx, plan, now)
    at = min(now, plan.closes_at)
    rate = state.burn.at(at) if at >= state.burn.observed_at else state.burn.units_per_minute
    pace = pace_of(plan, policy, state, at)
    capacity = state.capacity_units(plan)
    thresholds = tuple(
        Threshold(
            line.tier,
            line.consumed_fraction,
            effective_line(line, pace.factor),
            round(effective_line(line, pace.factor) * capacity),
            line.low_stock_units,
        )
        for line in sorted(policy.tier_lines, key=lambda line: line.tier.value)
    )
    needed = restock_units_needed(
        state.sellable_units, rate, at, plan.closes_at, plan.effective_buffer_factor
    )
    firing = [
        a.tier
        for a in await tx.open_alerts_of(tenant_id, sku_id, plan.session_id)
        if a.state is AlertState.FIRING
    ]
    expected = expected_fraction(plan.start_time, plan.end_time, at)
    return ForecastView(
        plan=plan,
        observe_time=now,
        consumed_units=state.consumed_units,
        restocked_units=state.restocked_units,
        consumed_fraction=state.consumed_fraction(plan),
        expected_fraction=expected,
        pace=pace,
        sellable_units=state.sellable_units,
        burn_rate_per_minute=rate,
        projected_sell_out_time=projected_sell_out(at, state.sellable_units, rate, plan.closes_at),
        projected_consumed_units_at_end=projected_consumed_at_end(
            state.consumed_units, rate, at, plan.closes_at
        ),
        restock_units_needed=needed,
        restock_order_by_time=restock_order_by(
            at, state.sellable_units, rate, plan.restock_lead_time, needed
        ),
        thresholds=thresholds,
        current_tier=max(firing, key=lambda t: t.value) if firing else None,
    )


async def curve(
    tx: Transaction,
    tenant_id: str,
    sku_id: str,
    session_id: str,
    resolution: timedelta,
    now: datetime,
) -> CurveView:
    view = await forecast(tx, tenant_id, sku_id, session_id, now)
    plan = view.plan
    samples = [
        Sample(at, consumed, sellable)
        for at, consumed, sellable in await tx.samples_of(tenant_id, plan.session_id, sku_id)
    ]
    points = consumption_curve(
        plan.forecast_units,
        plan.start_time,
        plan.end_time,
        resolution,
        samples,
        min(now, plan.closes_at),
        view.consumed_units,
        view.burn_rate_per_minute,
    )
    return CurveView(plan, points, view.thresholds)
