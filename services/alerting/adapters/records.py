"""Domain objects to and from the JSON documents stored in PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from services.alerting.domain.alerts import (
    Acknowledgement,
    ActionResult,
    ActionStatus,
    Alert,
    AlertState,
    AlertTrigger,
    AlertValues,
)
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
from services.alerting.domain.reminders import BuyerReminderSettings

Json = dict[str, Any]


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _span(value: timedelta | None) -> float | None:
    return value.total_seconds() if value is not None else None


def _parse_span(value: float | None) -> timedelta | None:
    return timedelta(seconds=value) if value is not None else None


def values_json(values: AlertValues | None) -> Json | None:
    if values is None:
        return None
    return {
        "observe_time": _time(values.observe_time),
        "consumed_units": values.consumed_units,
        "forecast_units": values.forecast_units,
        "restocked_units": values.restocked_units,
        "consumed_fraction": values.consumed_fraction,
        "line_fraction": values.line_fraction,
        "sellable_units": values.sellable_units,
        "low_stock_units": values.low_stock_units,
        "projected_sell_out_time": _time(values.projected_sell_out_time),
        "warning_line_units": values.warning_line_units,
    }


def values_from(doc: Json | None) -> AlertValues | None:
    if doc is None:
        return None
    observed = _parse_time(doc["observe_time"])
    assert observed is not None
    return AlertValues(
        observe_time=observed,
        consumed_units=doc["consumed_units"],
        forecast_units=doc["forecast_units"],
        restocked_units=doc.get("restocked_units", 0),
        consumed_fraction=doc["consumed_fraction"],
        line_fraction=doc["line_fraction"],
        sellable_units=doc["sellable_units"],
        low_stock_units=doc["low_stock_units"],
        projected_sell_out_time=_parse_time(doc["projected_sell_out_time"]),
        warning_line_units=doc.get("warning_line_units", 0),
    )


def alert_json(alert: Alert) -> Json:
    ack = alert.acknowledgement
    return {
        "alert_id": alert.alert_id,
        "tenant_id": alert.tenant_id,
        "sku_id": alert.sku_id,
        "session_id": alert.session_id,
        "tier": alert.tier.value,
        "trigger": alert.trigger.value,
        "state": alert.state.value,
        "pending_time": _time(alert.pending_time),
        "fire_time": _time(alert.fire_time),
        "resolve_time": _time(alert.resolve_time),
        "latest_values": values_json(alert.latest_values),
        "fire_values": values_json(alert.fire_values),
        "actions": [a.value for a in alert.actions],
        "acknowledgement": None
        if ack is None
        else {
            "by": ack.acknowledged_by,
            "time": _time(ack.acknowledge_time),
            "comment": ack.comment,
        },
        "inhibited_by": alert.inhibited_by,
        "action_results": [
            {
                "action": r.action.value,
                "status": r.status.value,
                "update_time": _time(r.update_time),
                "detail": r.detail,
            }
            for r in alert.action_results
        ],
    }


def alert_from(doc: Json, sequence: int, last_notify_time: datetime | None) -> Alert:
    ack = doc["acknowledgement"]
    latest = values_from(doc["latest_values"])
    pending = _parse_time(doc["pending_time"])
    assert latest is not None and pending is not None
    return Alert(
        alert_id=doc["alert_id"],
        tenant_id=doc["tenant_id"],
        sku_id=doc["sku_id"],
        session_id=doc["session_id"],
        tier=Tier(doc["tier"]),
        trigger=AlertTrigger(doc["trigger"]),
        state=AlertState(doc["state"]),
        pending_time=pending,
        latest_values=latest,
        actions=tuple(ResponseAction(a) for a in doc["actions"]),
        fire_time=_parse_time(doc["fire_time"]),
        resolve_time=_parse_time(doc["resolve_time"]),
        fire_values=values_from(doc["fire_values"]),
        acknowledgement=None
        if ack is None
        else Acknowledgement(ack["by"], _parse_time(ack["time"]) or pending, ack["comment"]),
        inhibited_by=doc["inhibited_by"],
        action_results=tuple(
            ActionResult(
                ResponseAction(r["action"]),
                ActionStatus(r["status"]),
                _parse_time(r["update_time"]) or pending,
                r["detail"],
            )
            for r in doc["action_results"]
        ),
        last_notify_time=last_notify_time,
        sequence=sequence,
    )


def policy_json(policy: AlertPolicy) -> Json:
    pace = policy.pace_adjustment
    return {
        "tier_lines": [
            {
                "tier": line.tier.value,
                "consumed_fraction": line.consumed_fraction,
                "low_stock_units": line.low_stock_units,
                "projected_sell_out_within": _span(line.projected_sell_out_within),
                "actions": [a.value for a in line.actions],
            }
            for line in policy.tier_lines
        ],
        "pace": {
            "enabled": pace.enabled,
            "early_window": _span(pace.early_window),
            "early_ahead_fraction": pace.early_ahead_fraction,
            "tighten_factor": pace.tighten_factor,
            "late_after": _span(pace.late_after),
            "late_behind_fraction": pace.late_behind_fraction,
            "relax_factor": pace.relax_factor,
        },
        "hysteresis_fraction": policy.hysteresis_fraction,
        "hysteresis_units": policy.hysteresis_units,
        # The warning-line tier's value, 0 when turned off; documents stored before it existed
        # take the seed's YELLOW, as a policy sent without it does.
        "warning_line_tier": policy.warning_line_tier.value if policy.warning_line_tier else 0,
        "pending_duration": _span(policy.pending_duration),
        "repeat_interval": _span(policy.repeat_interval),
    }


def _warning_line_tier(value: int) -> Tier | None:
    return Tier(value) if value else None


def policy_from(tenant_id: str, sku_id: str, doc: Json, update_time: datetime) -> AlertPolicy:
    pace = doc["pace"]
    return AlertPolicy(
        tenant_id=tenant_id,
        sku_id=sku_id,
        tier_lines=tuple(
            TierLine(
                Tier(line["tier"]),
                line["consumed_fraction"],
                line["low_stock_units"],
                _parse_span(line["projected_sell_out_within"]),
                tuple(ResponseAction(a) for a in line["actions"]),
            )
            for line in doc["tier_lines"]
        ),
        pace_adjustment=PaceAdjustment(
            enabled=pace["enabled"],
            early_window=timedelta(seconds=pace["early_window"]),
            early_ahead_fraction=pace["early_ahead_fraction"],
            tighten_factor=pace["tighten_factor"],
            late_after=timedelta(seconds=pace["late_after"]),
            late_behind_fraction=pace["late_behind_fraction"],
            relax_factor=pace["relax_factor"],
        ),
        hysteresis_fraction=doc["hysteresis_fraction"],
        hysteresis_units=doc["hysteresis_units"],
        warning_line_tier=_warning_line_tier(doc.get("warning_line_tier", Tier.YELLOW.value)),
        pending_duration=timedelta(seconds=doc["pending_duration"]),
        repeat_interval=timedelta(seconds=doc["repeat_interval"]),
        update_time=update_time,
    )


def webhook_json(target: WebhookTarget | None) -> Json | None:
    return None if target is None else {"url": target.url, "secret_ref": target.secret_ref}


def webhook_from(doc: Json | None) -> WebhookTarget | None:
    return None if doc is None else WebhookTarget(doc["url"], doc["secret_ref"])


def receiver_json(receiver: Receiver) -> Json:
    return {
        "display_name": receiver.display_name,
        "webhook": webhook_json(receiver.webhook),
        "sms_number": receiver.sms_number,
        "voice_number": receiver.voice_number,
        "muted": receiver.muted,
        "routes": [
            {
                "tiers": sorted(t.value for t in route.tiers),
                "sku_ids": sorted(route.sku_ids),
                "notify_resolved": route.notify_resolved,
                "escalation": [
                    {"channel": s.channel.value, "after": _span(s.after)} for s in route.escalation
                ],
            }
            for route in receiver.routes
        ],
    }


def receiver_from(
    tenant_id: str, receiver_id: str, doc: Json, created: datetime, updated: datetime
) -> Receiver:
    return Receiver(
        tenant_id=tenant_id,
        receiver_id=receiver_id,
        display_name=doc["display_name"],
        webhook=webhook_from(doc["webhook"]),
        sms_number=doc["sms_number"],
        voice_number=doc["voice_number"],
        muted=doc["muted"],
        routes=tuple(
            Route(
                tiers=frozenset(Tier(t) for t in route["tiers"]),
                sku_ids=frozenset(route["sku_ids"]),
                notify_resolved=route["notify_resolved"],
                escalation=tuple(
                    EscalationStep(Channel(s["channel"]), timedelta(seconds=s["after"]))
                    for s in route["escalation"]
                ),
            )
            for route in doc["routes"]
        ),
        create_time=created,
        update_time=updated,
    )


def reminder_settings_json(settings: BuyerReminderSettings) -> Json:
    return {
        "enabled": settings.enabled,
        "default_webhook": webhook_json(settings.default_webhook),
        "platform_targets": [[p, webhook_json(t)] for p, t in settings.platform_targets],
        "minimum_remaining": _span(settings.minimum_remaining),
    }


def reminder_settings_from(tenant_id: str, doc: Json, updated: datetime) -> BuyerReminderSettings:
    return BuyerReminderSettings(
        tenant_id=tenant_id,
        enabled=doc["enabled"],
        default_webhook=webhook_from(doc["default_webhook"]),
        platform_targets=tuple(
            (platform, target)
            for platform, raw in doc["platform_targets"]
            if (target := webhook_from(raw)) is not None
        ),
        minimum_remaining=timedelta(seconds=doc["minimum_remaining"]),
        update_time=updated,
    )
