"""PostgreSQL rows to domain objects."""

from __future__ import annotations

import json
from datetime import timedelta

import asyncpg

from services.alerting.adapters import records
from services.alerting.domain.alerts import Alert
from services.alerting.domain.deliveries import Delivery, DeliveryStatus, NotificationKind
from services.alerting.domain.events import StockLevels
from services.alerting.domain.forecast import BurnRate
from services.alerting.domain.plan import LiveSessionPlan
from services.alerting.domain.policy import AlertPolicy
from services.alerting.domain.receivers import Channel, Receiver
from services.alerting.domain.reminders import BuyerReminder, ReminderStatus
from services.alerting.domain.sale_status import SaleStatus, SkuSaleStatus
from services.alerting.domain.session import SessionConsumption


def plan_row(row: asyncpg.Record) -> LiveSessionPlan:
    return LiveSessionPlan(
        tenant_id=row["tenant_id"],
        session_id=row["session_id"],
        sku_id=row["sku_id"],
        title=row["title"],
        forecast_units=row["forecast_units"],
        start_time=row["start_time"],
        end_time=row["end_time"],
        restock_lead_time=timedelta(seconds=row["restock_lead_seconds"]),
        forecast_confidence=row["forecast_confidence"],
        buffer_factor=row["buffer_factor"],
        ended_time=row["ended_time"],
        create_time=row["create_time"],
        update_time=row["update_time"],
    )


def levels_row(row: asyncpg.Record) -> StockLevels:
    return StockLevels(
        row["on_hand"], row["withheld"], row["reserved"], row["sold"], row["sellable"]
    )


def consumption_row(row: asyncpg.Record) -> SessionConsumption:
    return SessionConsumption(
        tenant_id=row["tenant_id"],
        session_id=row["session_id"],
        sku_id=row["sku_id"],
        baseline_units=row["baseline_units"],
        consumed_units=row["consumed_units"],
        restocked_units=row["restocked_units"],
        sellable_units=row["sellable_units"],
        burn=BurnRate(row["burn_rate"], row["burn_observed_at"]),
        early_peak_fraction=row["early_peak_fraction"],
    )


def alert_row(row: asyncpg.Record) -> Alert:
    return records.alert_from(json.loads(row["body"]), row["sequence"], row.get("last_notify_time"))


class DecodedAlerts:
    """Alerts decoded from their stored body, kept by that body's text: the follower reads the
    open alerts of every SKU of every batch, and most bodies have not changed since the last read.
    The key is the content itself, so a hit is always right, whichever instance wrote the row."""

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._alerts: dict[tuple[str, int], Alert] = {}

    def decode(self, row: asyncpg.Record) -> Alert:
        key = (row["body"], row["sequence"])
        alert = self._alerts.get(key)
        if alert is None:
            if len(self._alerts) >= self.capacity:
                self._alerts.clear()
            alert = self._alerts[key] = alert_row(row)
        return alert


# Reads of alerts for callers: the last notification time comes from the deliveries, so the
# dispatcher never has to lock an alert row (the follower rewrites those).
ALERT_READ = (
    "SELECT a.*, (SELECT max(d.deliver_time) FROM deliveries d WHERE d.tenant_id = a.tenant_id"
    " AND d.alert_id = a.alert_id) AS last_notify_time FROM alerts a"
)


def receiver_row(row: asyncpg.Record) -> Receiver:
    return records.receiver_from(
        row["tenant_id"],
        row["receiver_id"],
        json.loads(row["body"]),
        row["create_time"],
        row["update_time"],
    )


def policy_row(row: asyncpg.Record) -> AlertPolicy:
    return records.policy_from(
        row["tenant_id"], row["sku_id"], json.loads(row["body"]), row["update_time"]
    )


def delivery_row(row: asyncpg.Record) -> Delivery:
    return Delivery(
        delivery_id=row["delivery_id"],
        tenant_id=row["tenant_id"],
        alert_id=row["alert_id"],
        sku_id=row["sku_id"],
        receiver_id=row["receiver_id"],
        channel=Channel(row["channel"]),
        kind=NotificationKind(row["kind"]),
        escalation_step=row["escalation_step"],
        occurrence=row["occurrence"],
        status=DeliveryStatus(row["status"]),
        idempotency_key=row["idempotency_key"],
        create_time=row["create_time"],
        due_time=row["due_time"],
        attempt_count=row["attempt_count"],
        last_attempt_time=row["last_attempt_time"],
        deliver_time=row["deliver_time"],
        last_error=row["last_error"],
    )


def reminder_row(row: asyncpg.Record) -> BuyerReminder:
    return BuyerReminder(
        reminder_id=row["reminder_id"],
        tenant_id=row["tenant_id"],
        reservation_id=row["reservation_id"],
        user_id=row["user_id"],
        order_id=row["order_id"],
        sku_ids=tuple(row["sku_ids"]),
        platform_id=row["platform_id"],
        hold_expire_time=row["hold_expire_time"],
        status=ReminderStatus(row["status"]),
        create_time=row["create_time"],
        webhook=records.webhook_from(json.loads(row["webhook"]) if row["webhook"] else None),
        detail=row["detail"],
        attempt_count=row["attempt_count"],
        send_time=row["send_time"],
    )


def sale_status_row(row: asyncpg.Record) -> SkuSaleStatus:
    return SkuSaleStatus(SaleStatus(row["status"]), row["set_by_alert"], row["change_time"])
