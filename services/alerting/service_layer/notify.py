"""Resolution notices: sent on every channel a receiver was notified on, when its route asks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from services.alerting.domain.deliveries import (
    DeliveryStatus,
    NotificationKind,
    resolved_deliveries,
)
from services.alerting.domain.receivers import Channel, Receiver
from services.alerting.service_layer.ports import Transaction, Writes

_NOTIFYING = (NotificationKind.FIRING, NotificationKind.ESCALATION, NotificationKind.REPEAT)
_LIVE = (DeliveryStatus.SCHEDULED, DeliveryStatus.RETRYING, DeliveryStatus.DELIVERED)


async def add_resolutions(
    tx: Transaction, writes: Writes, receivers: Mapping[str, list[Receiver]], now: datetime
) -> None:
    if not writes.resolved:
        return
    ids = {alert.alert_id for alert in writes.resolved}
    notified = await tx.notified_channels(ids)
    for delivery in writes.deliveries:
        if (
            delivery.alert_id in ids
            and delivery.kind in _NOTIFYING
            and delivery.status in _LIVE
            and delivery.due_time <= now
        ):
            by_receiver = notified.setdefault(delivery.alert_id, {})
            by_receiver.setdefault(delivery.receiver_id, set[Channel]()).add(delivery.channel)
    for alert in writes.resolved:
        writes.deliveries.extend(
            resolved_deliveries(
                alert, receivers.get(alert.tenant_id, []), notified.get(alert.alert_id, {}), now
            )
        )
