"""The alert lifecycle: pending → firing → resolved, acknowledged beside it; hysteresis; inhibition.

One alert is open at most per tenant, SKU, session and tier. A tier's condition holds when any of its
enabled lines is crossed (consumption against the pace-adjusted line, sellable units at or below the
low-stock line (SKU-wide only: session ''), sellable units below the session's remaining warning line for the policy's
warning-line tier, sell-out projected within the span). A PENDING alert fires once the condition has
held for the policy's pending duration; if the condition stops holding first, it resolves silently. A
FIRING alert resolves only when every line is cleared by the hysteresis margin (consumption below the
line minus `hysteresis_fraction`, sellable above a unit line plus the policy's unit margin, sell-out
beyond SELL_OUT_CLEAR_FACTOR times the span; see domain/policy.py), so a level bouncing around a line
does not flap. A firing RED alert inhibits the open YELLOW and ORANGE alerts of the same SKU and
session.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum

from services.alerting.domain.policy import (
    SELL_OUT_CLEAR_FACTOR,
    AlertPolicy,
    ResponseAction,
    Tier,
    TierLine,
)


class AlertState(Enum):
    PENDING = 1
    FIRING = 2
    RESOLVED = 3


class AlertTrigger(Enum):
    CONSUMPTION = 1
    LOW_STOCK = 2
    PROJECTED_SELL_OUT = 3
    BELOW_WARNING_LINE = 4


class ChangeKind(Enum):
    SNAPSHOT = 1
    OPENED = 2
    STATE_CHANGED = 3
    ACKNOWLEDGED = 4
    VALUES_UPDATED = 5
    INHIBITION_CHANGED = 6
    ACTION_UPDATED = 7


class ActionStatus(Enum):
    PENDING = 1
    SUCCEEDED = 2
    FAILED = 3
    SKIPPED = 4


@dataclass(frozen=True)
class AlertValues:
    observe_time: datetime
    consumed_units: int
    forecast_units: int
    restocked_units: int
    consumed_fraction: float
    line_fraction: float
    sellable_units: int
    low_stock_units: int
    projected_sell_out_time: datetime | None
    warning_line_units: int = 0


@dataclass(frozen=True)
class Acknowledgement:
    acknowledged_by: str
    acknowledge_time: datetime
    comment: str


@dataclass(frozen=True)
class ActionResult:
    action: ResponseAction
    status: ActionStatus
    update_time: datetime
    detail: str = ""


@dataclass(frozen=True)
class Alert:
    alert_id: str
    tenant_id: str
    sku_id: str
    session_id: str
    tier: Tier
    trigger: AlertTrigger
    state: AlertState
    pending_time: datetime
    latest_values: AlertValues
    actions: tuple[ResponseAction, ...] = ()
    fire_time: datetime | None = None
    resolve_time: datetime | None = None
    fire_values: AlertValues | None = None
    acknowledgement: Acknowledgement | None = None
    inhibited_by: str = ""
    action_results: tuple[ActionResult, ...] = ()
    last_notify_time: datetime | None = None
    sequence: int = 0

    @property
    def is_open(self) -> bool:
        return self.state is not AlertState.RESOLVED

    @property
    def summary(self) -> str:
        values = self.fire_values or self.latest_values
        session = f" in session {self.session_id}" if self.session_id else ""
        return (
            f"{self.tier.name} {self.sku_id}{session}: {self.trigger.name.lower()}, "
            f"{values.consumed_units}/{values.forecast_units + values.restocked_units} units consumed "
            f"({values.consumed_fraction:.0%}), {values.sellable_units} sellable"
        )

    def acknowledge(self, by: str, comment: str, now: datetime) -> Alert:
        return replace(self, acknowledgement=Acknowledgement(by, now, comment))


@dataclass(frozen=True)
class Measure:
    """What one evaluation sees: the SKU now, and the lines after pace adjustment."""

    now: datetime
    has_plan: bool
    consumed_units: int
    forecast_units: int
    restocked_units: int
    consumed_fraction: float
    sellable_units: int
    projected_sell_out_time: datetime | None
    pace_factor: float
    # The session's remaining warning line in units (plan.remaining_warning_line_units); 0
    # without a plan.
    warning_line_units: int = 0


@dataclass(frozen=True)
class AlertChange:
    alert: Alert
    kind: ChangeKind


@dataclass
class Evaluation:
    """The alerts after one evaluation and what changed; fired and resolved drive notifications."""

    alerts: dict[Tier, Alert] = field(default_factory=dict)
    changes: list[AlertChange] = field(default_factory=list)
    fired: list[Alert] = field(default_factory=list)
    resolved: list[Alert] = field(default_factory=list)
    updated: list[Alert] = field(default_factory=list)


# Fractions are compared with a tolerance so that 0.8 x 0.9 counts as 72 % exactly.
_TOLERANCE = 1e-9


def effective_line(line: TierLine, pace_factor: float) -> float:
    return line.consumed_fraction * pace_factor


def _values(line: TierLine, measure: Measure) -> AlertValues:
    return AlertValues(
        observe_time=measure.now,
        consumed_units=measure.consumed_units,
        forecast_units=measure.forecast_units,
        restocked_units=measure.restocked_units,
        consumed_fraction=measure.consumed_fraction,
        line_fraction=effective_line(line, measure.pace_factor),
        sellable_units=measure.sellable_units,
        low_stock_units=line.low_stock_units,
        projected_sell_out_time=measure.projected_sell_out_time,
        warning_line_units=measure.warning_line_units,
    )


def _low_stock_scope(line: TierLine, measure: Measure) -> bool:
    """Low-stock lines are about the SKU's stock, whatever the session: they are measured only in
    the SKU-wide scope (session ''), which the follower evaluates at every event. Measuring them
    in the session too opened a second alert at the session's start and resolved that one at its
    end while the stock was still low."""
    return line.low_stock_units > 0 and not measure.has_plan


def _sells_out_within(line: TierLine, measure: Measure, factor: float) -> bool:
    within = line.projected_sell_out_within
    sell_out = measure.projected_sell_out_time
    if not (measure.has_plan and within and sell_out is not None):
        return False
    return sell_out - measure.now <= within * factor


def crossed(line: TierLine, measure: Measure, warning_line: bool = False) -> AlertTrigger | None:
    """The first of the line's enabled conditions that holds, if any; `warning_line` when the
    policy puts the warning-line condition on this line's tier (warns_below_warning_line)."""
    if measure.has_plan and line.consumed_fraction > 0:
        if measure.consumed_fraction + _TOLERANCE >= effective_line(line, measure.pace_factor):
            return AlertTrigger.CONSUMPTION
    if _low_stock_scope(line, measure) and measure.sellable_units <= line.low_stock_units:
        return AlertTrigger.LOW_STOCK
    if warning_line and measure.sellable_units < measure.warning_line_units:
        return AlertTrigger.BELOW_WARNING_LINE
    if _sells_out_within(line, measure, 1.0):
        return AlertTrigger.PROJECTED_SELL_OUT
    return None


def cleared(line: TierLine, policy: AlertPolicy, measure: Measure) -> bool:
    """True when every condition is past the hysteresis margin."""
    consumption_holds = (
        measure.has_plan
        and line.consumed_fraction > 0
        and measure.consumed_fraction + _TOLERANCE
        >= effective_line(line, measure.pace_factor) - policy.hysteresis_fraction
    )
    low = line.low_stock_units
    low_stock_holds = _low_stock_scope(line, measure) and (
        measure.sellable_units <= low + policy.unit_margin(low)
    )
    warning = measure.warning_line_units
    warning_holds = (
        policy.warns_below_warning_line(line)
        and warning > 0
        and measure.sellable_units < warning + policy.unit_margin(warning)
    )
    sell_out_holds = _sells_out_within(line, measure, SELL_OUT_CLEAR_FACTOR)
    return not (consumption_holds or low_stock_holds or warning_holds or sell_out_holds)


def _fire(alert: Alert, line: TierLine, measure: Measure) -> Alert:
    values = _values(line, measure)
    return replace(
        alert,
        state=AlertState.FIRING,
        fire_time=measure.now,
        fire_values=values,
        latest_values=values,
    )


def _resolve(alert: Alert, line: TierLine, measure: Measure) -> Alert:
    return replace(
        alert,
        state=AlertState.RESOLVED,
        resolve_time=measure.now,
        latest_values=_values(line, measure),
        inhibited_by="",
    )


def _step_tier(
    line: TierLine,
    alert: Alert | None,
    policy: AlertPolicy,
    measure: Measure,
    identity: tuple[str, str, str],
    new_alert_id: Callable[[Tier], str],
    result: Evaluation,
    recover: Callable[[Alert], Alert],
) -> None:
    trigger = crossed(line, measure, policy.warns_below_warning_line(line))
    if alert is None:
        if trigger is None:
            return
        tenant_id, sku_id, session_id = identity
        opened = Alert(
            alert_id=new_alert_id(line.tier),
            tenant_id=tenant_id,
            sku_id=sku_id,
            session_id=session_id,
            tier=line.tier,
            trigger=trigger,
            state=AlertState.PENDING,
            pending_time=measure.now,
            latest_values=_values(line, measure),
            actions=line.actions,
        )
        result.changes.append(AlertChange(opened, ChangeKind.OPENED))
        alert = opened
        if policy.pending_duration.total_seconds() > 0:
            result.alerts[line.tier] = alert
            return
    if alert.state is AlertState.PENDING:
        if trigger is None:
            resolved = _resolve(alert, line, measure)
            result.changes.append(AlertChange(resolved, ChangeKind.STATE_CHANGED))
            result.alerts[line.tier] = resolved
            return
        if measure.now - alert.pending_time >= policy.pending_duration:
            fired = _fire(alert, line, measure)
            result.changes.append(AlertChange(fired, ChangeKind.STATE_CHANGED))
            result.fired.append(fired)
            result.alerts[line.tier] = fired
            return
        result.alerts[line.tier] = alert
        return
    if cleared(line, policy, measure):
        resolved = recover(_resolve(alert, line, measure))
        result.changes.append(AlertChange(resolved, ChangeKind.STATE_CHANGED))
        result.resolved.append(resolved)
        result.alerts[line.tier] = resolved
        return
    updated = replace(alert, latest_values=_values(line, measure))
    result.updated.append(updated)
    result.alerts[line.tier] = updated


def _inhibit(result: Evaluation) -> None:
    red = result.alerts.get(Tier.RED)
    inhibitor = red.alert_id if red is not None and red.state is AlertState.FIRING else ""
    for tier in (Tier.YELLOW, Tier.ORANGE):
        alert = result.alerts.get(tier)
        if alert is None or not alert.is_open or alert.inhibited_by == inhibitor:
            continue
        changed = replace(alert, inhibited_by=inhibitor)
        result.alerts[tier] = changed
        result.changes.append(AlertChange(changed, ChangeKind.INHIBITION_CHANGED))
        for bucket in (result.fired, result.updated):
            bucket[:] = [changed if a.alert_id == changed.alert_id else a for a in bucket]


_OPENED_BY = uuid.UUID("0d6f3f44-2b8e-4f63-9a57-3c1d8e0b7a21")


def opened_by_event(
    identity: tuple[str, str, str], sequence: int, occur_time: datetime
) -> Callable[[Tier], str]:
    """Ids for the alerts an inventory event opens, derived from the event and the tier: the
    follower replaying the same events (after a database crash lost a batch whose notices were
    already sent) opens the same alerts again, so their notices carry the same idempotency keys
    and receivers recognise them."""
    tenant_id, sku_id, session_id = identity
    opened = f"{tenant_id}/{sku_id}/{session_id}/{sequence}/{occur_time.isoformat()}"
    return lambda tier: str(uuid.uuid5(_OPENED_BY, f"{opened}/{tier.name}"))


def evaluate(
    policy: AlertPolicy,
    measure: Measure,
    open_alerts: Mapping[Tier, Alert],
    identity: tuple[str, str, str],
    new_alert_id: Callable[[Tier], str],
    recover: Callable[[Alert], Alert] = lambda alert: alert,
) -> Evaluation:
    """Steps every tier of one SKU in one session (most severe first), then applies inhibition.
    `recover` completes a firing alert that resolves because its lines cleared (see
    sale_status.resume_on_recovery)."""
    result = Evaluation()
    for line in policy.lines_most_severe_first:
        _step_tier(
            line,
            open_alerts.get(line.tier),
            policy,
            measure,
            identity,
            new_alert_id,
            result,
            recover,
        )
    # An open alert of a tier the policy no longer has (its line was removed) has no condition
    # left to clear: it closes, as for a plan that ended, instead of firing forever.
    lined = {line.tier for line in policy.tier_lines}
    for tier, alert in open_alerts.items():
        if tier not in lined and alert.is_open:
            _close(alert, measure.now, result)
    _inhibit(result)
    return result


def _close(alert: Alert, now: datetime, result: Evaluation) -> None:
    resolved = replace(alert, state=AlertState.RESOLVED, resolve_time=now, inhibited_by="")
    result.alerts[alert.tier] = resolved
    result.changes.append(AlertChange(resolved, ChangeKind.STATE_CHANGED))
    if alert.state is AlertState.FIRING:
        result.resolved.append(resolved)


def close_all(open_alerts: Sequence[Alert], now: datetime) -> Evaluation:
    """Resolves every open alert, for a plan that ended."""
    result = Evaluation()
    for alert in open_alerts:
        _close(alert, now, result)
    return result
