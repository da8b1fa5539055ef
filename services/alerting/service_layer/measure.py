"""One SKU in one session measured at one moment: the inputs of alert evaluation and forecasts."""

from __future__ import annotations

from datetime import datetime

from services.alerting.domain.alerts import Measure
from services.alerting.domain.forecast import projected_sell_out
from services.alerting.domain.pace import Pace, pace
from services.alerting.domain.plan import LiveSessionPlan
from services.alerting.domain.policy import AlertPolicy
from services.alerting.domain.session import SessionConsumption


def pace_of(
    plan: LiveSessionPlan, policy: AlertPolicy, state: SessionConsumption, now: datetime
) -> Pace:
    return pace(
        policy.pace_adjustment,
        now - plan.start_time,
        state.consumed_fraction(plan),
        state.early_peak_fraction,
    )


def measure_session(
    plan: LiveSessionPlan, policy: AlertPolicy, state: SessionConsumption, now: datetime
) -> Measure:
    rate = state.burn.at(now)
    return Measure(
        now=now,
        has_plan=True,
        consumed_units=state.consumed_units,
        forecast_units=plan.forecast_units,
        restocked_units=state.restocked_units,
        consumed_fraction=state.consumed_fraction(plan),
        sellable_units=state.sellable_units,
        projected_sell_out_time=projected_sell_out(now, state.sellable_units, rate, plan.closes_at),
        pace_factor=pace_of(plan, policy, state, now).factor,
        warning_line_units=plan.remaining_warning_line_units(state.consumed_units),
    )


def measure_without_plan(sellable: int, now: datetime) -> Measure:
    return Measure(
        now=now,
        has_plan=False,
        consumed_units=0,
        forecast_units=0,
        restocked_units=0,
        consumed_fraction=0.0,
        sellable_units=sellable,
        projected_sell_out_time=None,
        pace_factor=1.0,
    )
