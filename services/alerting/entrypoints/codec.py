"""Protobuf <-> domain for alerting. Decoding validates and names the offending field."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from google.protobuf import duration_pb2, timestamp_pb2
from streamstock.alerting.v1 import (
    alerts_pb2,
    deliveries_pb2,
    forecast_pb2,
    plans_pb2,
    policies_pb2,
    receivers_pb2,
    reminders_pb2,
)

from services.alerting.domain.alerts import Alert, AlertValues
from services.alerting.domain.deliveries import Delivery
from services.alerting.domain.errors import InvalidArgument
from services.alerting.domain.plan import LiveSessionPlan
from services.alerting.domain.policy import (
    AlertPolicy,
    PaceAdjustment,
    ResponseAction,
    Tier,
    TierLine,
)
from services.alerting.domain.receivers import (
    Channel,
    EscalationStep,
    Receiver,
    Route,
    WebhookTarget,
)
from services.alerting.domain.reminders import (
    DEFAULT_MINIMUM_REMAINING,
    BuyerReminder,
    BuyerReminderSettings,
)
from services.alerting.service_layer.forecasting import CurveView, ForecastView, Threshold

_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


# --- scalars -------------------------------------------------------------------------------------


def required_id(value: str, field: str) -> str:
    if not _ID.fullmatch(value):
        raise InvalidArgument(field, "must be 1-128 characters of [A-Za-z0-9._:-]")
    return value


def optional_id(value: str, field: str) -> str:
    return required_id(value, field) if value else ""


def timestamp(value: datetime | None) -> timestamp_pb2.Timestamp | None:
    if value is None:
        return None
    message = timestamp_pb2.Timestamp()
    message.FromDatetime(value)
    return message


def duration(value: timedelta | None) -> duration_pb2.Duration | None:
    if value is None:
        return None
    message = duration_pb2.Duration()
    message.FromTimedelta(value)
    return message


# Bounds on what callers may send: every moment and span the service takes is added to others
# (fire time + escalation step, session start + curve resolution, now - lead time), and a sum past
# the year 9999 raises OverflowError deep in the event follower, stopping alerting for every tenant.
EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_TIME = datetime(2200, 1, 1, tzinfo=UTC)
# A live-session plan lasts at most this long.
MAX_SESSION = timedelta(days=7)
# Escalation steps, pending durations, repeat intervals, sell-out spans, pace windows, curve
# resolutions and reminder margins: at most one session's length.
MAX_SPAN = MAX_SESSION
# Forecasts: at most a trillion units.
MAX_FORECAST_UNITS = 10**12
# Restock lead times: at most a year.
MAX_LEAD_TIME = timedelta(days=366)


def read_time(message: object, name: str, field: str, bounded: bool = True) -> datetime:
    """A required timestamp; `bounded` (all but list filters) keeps it within EARLIEST_TIME and
    LATEST_TIME."""
    if not message.HasField(name):  # type: ignore[attr-defined]
        raise InvalidArgument(field, "is required")
    try:
        value: datetime = getattr(message, name).ToDatetime(UTC)
    except (ValueError, OverflowError) as exc:
        raise InvalidArgument(field, "is not a valid timestamp") from exc
    if bounded and not EARLIEST_TIME <= value < LATEST_TIME:
        raise InvalidArgument(field, "must be between 2000-01-01 and 2200-01-01")
    return value


def read_span(
    message: object, name: str, field: str, default: timedelta, maximum: timedelta = MAX_SPAN
) -> timedelta:
    if not message.HasField(name):  # type: ignore[attr-defined]
        return default
    try:
        span: timedelta = getattr(message, name).ToTimedelta()
    except (ValueError, OverflowError) as exc:
        raise InvalidArgument(field, "is not a valid duration") from exc
    if span < timedelta(0):
        raise InvalidArgument(field, "must not be negative")
    if span > maximum:
        raise InvalidArgument(field, f"must be at most {maximum.days} days")
    return span


def tier(value: int, field: str) -> Tier:
    try:
        return Tier(value)
    except ValueError as exc:
        raise InvalidArgument(field, "must be YELLOW, ORANGE or RED") from exc


def tiers(values: Iterable[int], field: str) -> list[Tier]:
    return [tier(value, field) for value in values]


def channel(value: int, field: str) -> Channel:
    try:
        return Channel(value)
    except ValueError as exc:
        raise InvalidArgument(field, "must name a notification channel") from exc


# --- plans ---------------------------------------------------------------------------------------


def plan_from(tenant_id: str, message: plans_pb2.LiveSessionPlan) -> LiveSessionPlan:
    session_id = required_id(message.session_id, "plan.session_id")
    sku_id = required_id(message.sku_id, "plan.sku_id")
    if not 0 < message.forecast_units <= MAX_FORECAST_UNITS:
        raise InvalidArgument("plan.forecast_units", "must be between 1 and 10^12")
    start = read_time(message, "start_time", "plan.start_time")
    end = read_time(message, "end_time", "plan.end_time")
    if end <= start:
        raise InvalidArgument("plan.end_time", "must be after start_time")
    if end - start > MAX_SESSION:
        raise InvalidArgument(
            "plan.end_time", f"must be at most {MAX_SESSION.days} days after start"
        )
    if not 0 <= message.forecast_confidence <= 1:
        raise InvalidArgument("plan.forecast_confidence", "must be in (0, 1], or 0 for 1")
    if message.buffer_factor != 0 and not 1 <= message.buffer_factor <= 10:
        raise InvalidArgument("plan.buffer_factor", "must be between 1 and 10, or 0 for 1.2")
    if len(message.title) > 200:
        raise InvalidArgument("plan.title", "must be at most 200 characters")
    return LiveSessionPlan(
        tenant_id=tenant_id,
        session_id=session_id,
        sku_id=sku_id,
        title=message.title,
        forecast_units=message.forecast_units,
        start_time=start,
        end_time=end,
        restock_lead_time=read_span(
            message, "restock_lead_time", "plan.restock_lead_time", timedelta(0), MAX_LEAD_TIME
        ),
        forecast_confidence=message.forecast_confidence,
        buffer_factor=message.buffer_factor,
    )


def plan_message(plan: LiveSessionPlan, now: datetime) -> plans_pb2.LiveSessionPlan:
    return plans_pb2.LiveSessionPlan(
        session_id=plan.session_id,
        sku_id=plan.sku_id,
        title=plan.title,
        forecast_units=plan.forecast_units,
        start_time=timestamp(plan.start_time),
        end_time=timestamp(plan.end_time),
        restock_lead_time=duration(plan.restock_lead_time),
        forecast_confidence=plan.forecast_confidence,
        buffer_factor=plan.buffer_factor,
        effective_buffer_factor=plan.effective_buffer_factor,
        warning_line_units=plan.warning_line_units,
        state=plan.state_at(now).value,
        ended_time=timestamp(plan.ended_time),
        create_time=timestamp(plan.create_time),
        update_time=timestamp(plan.update_time),
    )


# --- policies ------------------------------------------------------------------------------------


def _fraction(value: float, field: str) -> float:
    if not 0 <= value <= 10:  # NaN too
        raise InvalidArgument(field, "must be between 0 and 10")
    return value


def _actions(values: Iterable[int], field: str) -> tuple[ResponseAction, ...]:
    try:
        actions = tuple(ResponseAction(v) for v in values)
    except ValueError as exc:
        raise InvalidArgument(field, "must name response actions") from exc
    if ResponseAction.RESUME_SALE in actions:
        raise InvalidArgument(field, "RESUME_SALE follows PAUSE_SALE by itself; not a line action")
    return actions


def _tier_line(message: policies_pb2.TierLine, index: int) -> TierLine:
    field = f"policy.tier_lines[{index}]"
    if message.low_stock_units < 0:
        raise InvalidArgument(f"{field}.low_stock_units", "must not be negative")
    within = read_span(
        message, "projected_sell_out_within", f"{field}.projected_sell_out_within", timedelta(0)
    )
    return TierLine(
        tier=tier(message.tier, f"{field}.tier"),
        consumed_fraction=_fraction(message.consumed_fraction, f"{field}.consumed_fraction"),
        low_stock_units=message.low_stock_units,
        projected_sell_out_within=within or None,
        actions=_actions(message.actions, f"{field}.actions"),
    )


def _pace(message: policies_pb2.PaceAdjustment) -> PaceAdjustment:
    """Zero fields take the documented defaults."""
    default = PaceAdjustment()
    field = "policy.pace_adjustment"
    tighten = message.tighten_factor or default.tighten_factor
    relax = message.relax_factor or default.relax_factor
    if not 0 < tighten <= 1:
        raise InvalidArgument(f"{field}.tighten_factor", "must be in (0, 1]")
    if not 1 <= relax <= 10:
        raise InvalidArgument(f"{field}.relax_factor", "must be between 1 and 10")
    early = read_span(message, "early_window", f"{field}.early_window", default.early_window)
    late = read_span(message, "late_after", f"{field}.late_after", default.late_after)
    ahead = _fraction(message.early_ahead_fraction, f"{field}.early_ahead_fraction")
    behind = _fraction(message.late_behind_fraction, f"{field}.late_behind_fraction")
    return PaceAdjustment(
        enabled=message.enabled,
        early_window=early or default.early_window,
        early_ahead_fraction=ahead or default.early_ahead_fraction,
        tighten_factor=tighten,
        late_after=late or default.late_after,
        late_behind_fraction=behind or default.late_behind_fraction,
        relax_factor=relax,
    )


def policy_from(tenant_id: str, message: policies_pb2.AlertPolicy) -> AlertPolicy:
    sku_id = optional_id(message.sku_id, "policy.sku_id")
    lines = tuple(_tier_line(line, i) for i, line in enumerate(message.tier_lines))
    if len({line.tier for line in lines}) != len(lines):
        raise InvalidArgument("policy.tier_lines", "must have at most one line per tier")
    if message.hysteresis_units < 0:
        raise InvalidArgument("policy.hysteresis_units", "must not be negative")
    return AlertPolicy(
        tenant_id=tenant_id,
        sku_id=sku_id,
        tier_lines=lines,
        pace_adjustment=_pace(message.pace_adjustment),
        hysteresis_fraction=_fraction(message.hysteresis_fraction, "policy.hysteresis_fraction")
        or 0.05,
        hysteresis_units=message.hysteresis_units,
        warning_line_tier=None
        if message.warning_line_disabled
        else tier(message.warning_line_tier, "policy.warning_line_tier")
        if message.warning_line_tier
        else Tier.YELLOW,
        pending_duration=read_span(
            message, "pending_duration", "policy.pending_duration", timedelta(0)
        ),
        repeat_interval=read_span(
            message, "repeat_interval", "policy.repeat_interval", timedelta(minutes=30)
        ),
    )


def policy_message(policy: AlertPolicy) -> policies_pb2.AlertPolicy:
    pace = policy.pace_adjustment
    return policies_pb2.AlertPolicy(
        sku_id=policy.sku_id,
        tier_lines=[
            policies_pb2.TierLine(
                tier=line.tier.value,
                consumed_fraction=line.consumed_fraction,
                low_stock_units=line.low_stock_units,
                projected_sell_out_within=duration(line.projected_sell_out_within),
                actions=[a.value for a in line.actions],
            )
            for line in policy.tier_lines
        ],
        pace_adjustment=policies_pb2.PaceAdjustment(
            enabled=pace.enabled,
            early_window=duration(pace.early_window),
            early_ahead_fraction=pace.early_ahead_fraction,
            tighten_factor=pace.tighten_factor,
            late_after=duration(pace.late_after),
            late_behind_fraction=pace.late_behind_fraction,
            relax_factor=pace.relax_factor,
        ),
        hysteresis_fraction=policy.hysteresis_fraction,
        hysteresis_units=policy.hysteresis_units,
        warning_line_tier=policy.warning_line_tier.value if policy.warning_line_tier else 0,
        warning_line_disabled=policy.warning_line_tier is None,
        pending_duration=duration(policy.pending_duration),
        repeat_interval=duration(policy.repeat_interval),
        inherited=policy.inherited,
        update_time=timestamp(policy.update_time),
    )


# --- receivers -----------------------------------------------------------------------------------


def webhook_from(message: receivers_pb2.WebhookTarget, field: str) -> WebhookTarget:
    url = message.url
    loopback = any(url.startswith(f"http://{host}") for host in _LOOPBACK_HOSTS)
    if not (url.startswith("https://") or loopback) or len(url) > 2048:
        raise InvalidArgument(f"{field}.url", "must be an absolute https URL (http for loopback)")
    return WebhookTarget(url, required_id(message.secret_ref, f"{field}.secret_ref"))


def _number(value: str, field: str) -> str:
    if value and not _E164.fullmatch(value):
        raise InvalidArgument(field, "must be an E.164 phone number")
    return value


def _route(message: receivers_pb2.Route, index: int) -> Route:
    field = f"receiver.routes[{index}]"
    steps = []
    for s, step in enumerate(message.escalation):
        after = read_span(step, "after", f"{field}.escalation[{s}].after", timedelta(0))
        steps.append(
            EscalationStep(channel(step.channel, f"{field}.escalation[{s}].channel"), after)
        )
    return Route(
        tiers=frozenset(tiers(message.tiers, f"{field}.tiers")),
        sku_ids=frozenset(required_id(s, f"{field}.sku_ids") for s in message.sku_ids),
        escalation=tuple(sorted(steps, key=lambda step: step.after)),
        notify_resolved=message.notify_resolved,
    )


def receiver_from(tenant_id: str, message: receivers_pb2.Receiver) -> Receiver:
    return Receiver(
        tenant_id=tenant_id,
        receiver_id=required_id(message.receiver_id, "receiver.receiver_id"),
        display_name=message.display_name,
        webhook=webhook_from(message.webhook, "receiver.webhook")
        if message.HasField("webhook")
        else None,
        sms_number=_number(message.sms_number, "receiver.sms_number"),
        voice_number=_number(message.voice_number, "receiver.voice_number"),
        routes=tuple(_route(route, i) for i, route in enumerate(message.routes)),
        muted=message.muted,
    )


def _webhook_message(target: WebhookTarget | None) -> receivers_pb2.WebhookTarget | None:
    if target is None:
        return None
    return receivers_pb2.WebhookTarget(url=target.url, secret_ref=target.secret_ref)


def receiver_message(receiver: Receiver) -> receivers_pb2.Receiver:
    return receivers_pb2.Receiver(
        receiver_id=receiver.receiver_id,
        display_name=receiver.display_name,
        webhook=_webhook_message(receiver.webhook),
        sms_number=receiver.sms_number,
        voice_number=receiver.voice_number,
        muted=receiver.muted,
        routes=[
            receivers_pb2.Route(
                tiers=sorted(t.value for t in route.tiers),
                sku_ids=sorted(route.sku_ids),
                notify_resolved=route.notify_resolved,
                escalation=[
                    receivers_pb2.EscalationStep(channel=s.channel.value, after=duration(s.after))
                    for s in route.escalation
                ],
            )
            for route in receiver.routes
        ],
        create_time=timestamp(receiver.create_time),
        update_time=timestamp(receiver.update_time),
    )


# --- alerts and deliveries -----------------------------------------------------------------------


def _values(values: AlertValues | None) -> alerts_pb2.AlertValues | None:
    if values is None:
        return None
    return alerts_pb2.AlertValues(
        observe_time=timestamp(values.observe_time),
        consumed_units=values.consumed_units,
        forecast_units=values.forecast_units,
        restocked_units=values.restocked_units,
        consumed_fraction=values.consumed_fraction,
        line_fraction=values.line_fraction,
        sellable_units=values.sellable_units,
        low_stock_units=values.low_stock_units,
        projected_sell_out_time=timestamp(values.projected_sell_out_time),
        warning_line_units=values.warning_line_units,
    )


def alert_message(alert: Alert) -> alerts_pb2.Alert:
    ack = alert.acknowledgement
    return alerts_pb2.Alert(
        alert_id=alert.alert_id,
        sku_id=alert.sku_id,
        session_id=alert.session_id,
        tier=alert.tier.value,
        trigger=alert.trigger.value,
        state=alert.state.value,
        acknowledgement=None
        if ack is None
        else alerts_pb2.Acknowledgement(
            acknowledged_by=ack.acknowledged_by,
            acknowledge_time=timestamp(ack.acknowledge_time),
            comment=ack.comment,
        ),
        inhibited=bool(alert.inhibited_by),
        inhibited_by_alert_id=alert.inhibited_by,
        fire_values=_values(alert.fire_values),
        latest_values=_values(alert.latest_values),
        actions=[a.value for a in alert.actions],
        action_results=[
            alerts_pb2.ActionResult(
                action=r.action.value,
                status=r.status.value,
                update_time=timestamp(r.update_time),
                detail=r.detail,
            )
            for r in alert.action_results
        ],
        summary=alert.summary,
        pending_time=timestamp(alert.pending_time),
        fire_time=timestamp(alert.fire_time),
        resolve_time=timestamp(alert.resolve_time),
        last_notify_time=timestamp(alert.last_notify_time),
        sequence=alert.sequence,
    )


def delivery_message(
    delivery: Delivery, next_attempt: datetime | None = None
) -> deliveries_pb2.Delivery:
    return deliveries_pb2.Delivery(
        delivery_id=delivery.delivery_id,
        alert_id=delivery.alert_id,
        receiver_id=delivery.receiver_id,
        channel=delivery.channel.value,
        kind=delivery.kind.value,
        escalation_step=delivery.escalation_step,
        status=delivery.status.value,
        attempt_count=delivery.attempt_count,
        idempotency_key=delivery.idempotency_key,
        create_time=timestamp(delivery.create_time),
        due_time=timestamp(delivery.due_time),
        last_attempt_time=timestamp(delivery.last_attempt_time),
        deliver_time=timestamp(delivery.deliver_time),
        last_error=delivery.last_error,
    )


# --- forecast ------------------------------------------------------------------------------------


def _thresholds(values: Iterable[Threshold]) -> list[forecast_pb2.EffectiveThreshold]:
    return [
        forecast_pb2.EffectiveThreshold(
            tier=t.tier.value,
            configured_fraction=t.configured_fraction,
            effective_fraction=t.effective_fraction,
            effective_units=t.effective_units,
            low_stock_units=t.low_stock_units,
        )
        for t in values
    ]


def forecast_message(view: ForecastView) -> forecast_pb2.Forecast:
    return forecast_pb2.Forecast(
        sku_id=view.plan.sku_id,
        session_id=view.plan.session_id,
        observe_time=timestamp(view.observe_time),
        forecast_units=view.plan.forecast_units,
        consumed_units=view.consumed_units,
        consumed_fraction=view.consumed_fraction,
        expected_fraction=view.expected_fraction,
        pace_ratio=view.consumed_fraction / view.expected_fraction
        if view.expected_fraction
        else 0.0,
        pace_state=view.pace.state.value,
        sellable_units=view.sellable_units,
        burn_rate_per_minute=view.burn_rate_per_minute,
        projected_sell_out_time=timestamp(view.projected_sell_out_time),
        projected_consumed_units_at_end=view.projected_consumed_units_at_end,
        restock_units_needed=view.restock_units_needed,
        restock_order_by_time=timestamp(view.restock_order_by_time),
        thresholds=_thresholds(view.thresholds),
        current_tier=view.current_tier.value if view.current_tier else 0,
        restocked_units=view.restocked_units,
    )


def curve_message(view: CurveView) -> forecast_pb2.GetConsumptionCurveResponse:
    return forecast_pb2.GetConsumptionCurveResponse(
        session_id=view.plan.session_id,
        forecast_units=view.plan.forecast_units,
        start_time=timestamp(view.plan.start_time),
        end_time=timestamp(view.plan.end_time),
        points=[
            forecast_pb2.CurvePoint(
                time=timestamp(p.at),
                expected_consumed_units=p.expected_consumed_units,
                actual_consumed_units=p.actual_consumed_units,
                projected_consumed_units=p.projected_consumed_units,
                sellable_units=p.sellable_units,
            )
            for p in view.points
        ],
        thresholds=_thresholds(view.thresholds),
    )


# --- buyer reminders -----------------------------------------------------------------------------


def reminder_settings_from(
    tenant_id: str, message: reminders_pb2.BuyerReminderSettings
) -> BuyerReminderSettings:
    platforms: list[tuple[str, WebhookTarget]] = []
    for i, target in enumerate(message.platform_targets):
        field = f"settings.platform_targets[{i}]"
        platform = required_id(target.platform_id, f"{field}.platform_id")
        if any(p == platform for p, _ in platforms):
            raise InvalidArgument(f"{field}.platform_id", "names a platform twice")
        platforms.append((platform, webhook_from(target.webhook, f"{field}.webhook")))
    default = (
        webhook_from(message.default_webhook, "settings.default_webhook")
        if message.HasField("default_webhook")
        else None
    )
    return BuyerReminderSettings(
        tenant_id=tenant_id,
        enabled=message.enabled,
        default_webhook=default,
        platform_targets=tuple(platforms),
        minimum_remaining=read_span(
            message, "minimum_remaining", "settings.minimum_remaining", DEFAULT_MINIMUM_REMAINING
        ),
    )


def reminder_settings_message(
    settings: BuyerReminderSettings,
) -> reminders_pb2.BuyerReminderSettings:
    return reminders_pb2.BuyerReminderSettings(
        enabled=settings.enabled,
        default_webhook=_webhook_message(settings.default_webhook),
        platform_targets=[
            reminders_pb2.PlatformReminderTarget(platform_id=p, webhook=_webhook_message(t))
            for p, t in settings.platform_targets
        ],
        minimum_remaining=duration(settings.minimum_remaining),
        update_time=timestamp(settings.update_time),
    )


def reminder_message(reminder: BuyerReminder) -> reminders_pb2.BuyerReminder:
    return reminders_pb2.BuyerReminder(
        reminder_id=reminder.reminder_id,
        reservation_id=reminder.reservation_id,
        user_id=reminder.user_id,
        order_id=reminder.order_id,
        sku_ids=list(reminder.sku_ids),
        platform_id=reminder.platform_id,
        hold_expire_time=timestamp(reminder.hold_expire_time),
        status=reminder.status.value,
        attempt_count=reminder.attempt_count,
        create_time=timestamp(reminder.create_time),
        send_time=timestamp(reminder.send_time),
        detail=reminder.detail,
    )
