"""A SKU's sale status as the follower last saw it on inventory's event stream, and the rule that
gives back a sale a RED alert paused.

alerting marks the status changes it asks for: the reason it sends starts with `alerting:<alert id>`
(inventory records the reason in the SaleStatusChanged event). So the follower knows, in event
order, whether the SKU is still paused by a given alert or whether someone else (an operator)
changed the status since. A pause that reaches the stream after its alert cleared (it was in flight
when the restock came) is given back the same way. When a RED alert that paused its SKU through PAUSE_SALE clears (the
stock is back below the line, typically after a restock), the sale is resumed only if the last
change the follower saw is that alert's pause; otherwise the resume is recorded as SKIPPED with
the reason. A STOP_SALE is never undone: a stopped sale is over.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum

from services.alerting.domain.alerts import ActionResult, ActionStatus, Alert
from services.alerting.domain.policy import ResponseAction

_MARK = "alerting:"


class SaleStatus(Enum):
    """Inventory's sale statuses (the same numbers as its contract)."""

    ON_SALE = 1
    PAUSED = 2
    STOPPED = 3


@dataclass(frozen=True)
class SaleStatusChange:
    """What a SaleStatusChanged event says: the status after the change, and why."""

    status: SaleStatus
    reason: str


@dataclass(frozen=True)
class SkuSaleStatus:
    """The last status change of a SKU seen on the stream; `set_by_alert` names the alert whose
    sale action made it, empty when someone else did."""

    status: SaleStatus
    set_by_alert: str
    change_time: datetime


def action_reason(alert: Alert) -> str:
    """The reason alerting gives inventory for a sale action of the alert (marked as its own)."""
    return f"{_MARK}{alert.alert_id} {alert.summary}"


def seen(change: SaleStatusChange, at: datetime) -> SkuSaleStatus:
    by = ""
    if change.reason.startswith(_MARK):
        by = change.reason[len(_MARK) :].split(" ", 1)[0]
    return SkuSaleStatus(change.status, by, at)


def resume_on_recovery(alert: Alert, status: SkuSaleStatus | None, now: datetime) -> Alert:
    """The alert, resolved because its lines cleared, with the resume of the sale it paused: PENDING
    (the dispatcher sets ON_SALE) when the SKU is still paused by it, else SKIPPED and why."""
    if ResponseAction.PAUSE_SALE not in alert.actions:
        return alert
    if status is None:
        why = "the sale was not paused by this alert"
    elif status.set_by_alert != alert.alert_id:
        by = f"alert {status.set_by_alert}" if status.set_by_alert else "someone else"
        why = f"the sale status was last set to {status.status.name} by {by}; it stays so"
    elif status.status is not SaleStatus.PAUSED:
        why = f"the alert set the sale to {status.status.name}, which is never undone"
    else:
        return _with(alert, ActionResult(ResponseAction.RESUME_SALE, ActionStatus.PENDING, now))
    return _with(alert, ActionResult(ResponseAction.RESUME_SALE, ActionStatus.SKIPPED, now, why))


def resume_late_pause(alert: Alert, now: datetime) -> Alert | None:
    """The alert with the resume of its sale PENDING when its pause took effect after it cleared:
    the dispatcher had sent the pause when a restock resolved the alert, and the status change
    reached the stream after the restock. None when there is nothing to give back (the alert is
    still open or never paused, or its resume is already under way or done)."""
    if alert.is_open or ResponseAction.PAUSE_SALE not in alert.actions:
        return None
    resume = next((r for r in alert.action_results if r.action is ResponseAction.RESUME_SALE), None)
    if resume is not None and resume.status is not ActionStatus.SKIPPED:
        return None
    return _with(alert, ActionResult(ResponseAction.RESUME_SALE, ActionStatus.PENDING, now))


def _with(alert: Alert, result: ActionResult) -> Alert:
    kept = tuple(r for r in alert.action_results if r.action is not result.action)
    return replace(alert, action_results=(*kept, result))
