"""Acknowledgement: someone took ownership; escalation and repeats stop for every receiver."""

from __future__ import annotations

from datetime import datetime

from services.alerting.domain.alerts import Alert, AlertChange, ChangeKind
from services.alerting.domain.errors import AlertAlreadyAcknowledged, AlertNotFound
from services.alerting.service_layer.follow import FOLLOWER
from services.alerting.service_layer.ports import Transaction, Writes


async def acknowledge(
    tx: Transaction, tenant_id: str, alert_id: str, by: str, comment: str, now: datetime
) -> Alert:
    # The follower rewrites open alerts; holding its lock keeps it from overwriting the
    # acknowledgement with the version it read before.
    await tx.lock_checkpoint(FOLLOWER)
    alert = await tx.lock_alert(tenant_id, alert_id)
    if alert is None:
        raise AlertNotFound("no such alert", alert_id=alert_id)
    if alert.acknowledgement is not None:
        raise AlertAlreadyAcknowledged(
            "the alert was already acknowledged",
            acknowledged_by=alert.acknowledgement.acknowledged_by,
            acknowledge_time=alert.acknowledgement.acknowledge_time.isoformat(),
        )
    acknowledged = alert.acknowledge(by, comment, now)
    writes = Writes(
        alerts={alert_id: acknowledged},
        changes=[AlertChange(acknowledged, ChangeKind.ACKNOWLEDGED)],
        stopped=[alert_id],
    )
    await tx.save_writes(writes, now)
    return acknowledged
