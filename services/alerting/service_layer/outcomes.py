"""Turns an evaluation into writes: alert versions, changes, deliveries, inhibition, sale actions."""

from __future__ import annotations

from services.alerting.domain.alerts import ActionStatus, AlertState, Evaluation
from services.alerting.domain.deliveries import firing_deliveries
from services.alerting.domain.policy import SALE_ACTIONS, ResponseAction
from services.alerting.domain.receivers import Receiver
from services.alerting.service_layer.ports import SaleActionRequest, Writes


def record(evaluation: Evaluation, receivers: list[Receiver], writes: Writes) -> None:
    for change in evaluation.changes:
        writes.changes.append(change)
    for alert in evaluation.alerts.values():
        writes.alerts[alert.alert_id] = alert
    for alert in evaluation.fired:
        writes.deliveries.extend(
            firing_deliveries(alert, receivers, alert.fire_time or alert.pending_time)
        )
        writes.sale_actions.extend(
            SaleActionRequest(alert.tenant_id, alert.sku_id, alert.alert_id, action)
            for action in alert.actions
            if action in SALE_ACTIONS
        )
    for alert in evaluation.resolved:
        writes.resolved.append(alert)
        writes.stopped.append(alert.alert_id)
        if any(
            r.action is ResponseAction.RESUME_SALE and r.status is ActionStatus.PENDING
            for r in alert.action_results
        ):
            writes.sale_actions.append(
                SaleActionRequest(
                    alert.tenant_id, alert.sku_id, alert.alert_id, ResponseAction.RESUME_SALE
                )
            )
    for alert in evaluation.alerts.values():
        if alert.state is AlertState.FIRING and alert.inhibited_by:
            writes.suppressed.append(alert.alert_id)
