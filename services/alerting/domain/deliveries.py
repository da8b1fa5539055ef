"""Notifications as an outbox: each is persisted before it is sent, keyed by (receiver, alert, kind,
escalation step, occurrence), so a crash in the middle of a dispatch neither loses nor duplicates it.
The key is also the idempotency key every attempt carries, so a receiver that saw an attempt whose
acknowledgement was lost recognises the retry.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from services.alerting.domain.alerts import Alert
from services.alerting.domain.moments import later
from services.alerting.domain.receivers import Channel, Receiver

_NAMESPACE = uuid.UUID("5f0c3a8e-6a53-4d5e-9c1e-7d3f1b2a4c60")


class NotificationKind(Enum):
    FIRING = 1
    REPEAT = 2
    ESCALATION = 3
    RESOLVED = 4


class DeliveryStatus(Enum):
    SCHEDULED = 1
    RETRYING = 2
    DELIVERED = 3
    FAILED = 4
    CANCELLED = 5
    SUPPRESSED = 6


OPEN_STATUSES = (DeliveryStatus.SCHEDULED, DeliveryStatus.RETRYING)


@dataclass(frozen=True)
class Delivery:
    delivery_id: str
    tenant_id: str
    alert_id: str
    sku_id: str
    receiver_id: str
    channel: Channel
    kind: NotificationKind
    escalation_step: int
    occurrence: int
    status: DeliveryStatus
    idempotency_key: str
    create_time: datetime
    due_time: datetime
    attempt_count: int = 0
    last_attempt_time: datetime | None = None
    deliver_time: datetime | None = None
    last_error: str = ""


def new_delivery(
    alert: Alert,
    receiver_id: str,
    channel: Channel,
    kind: NotificationKind,
    step: int,
    occurrence: int,
    now: datetime,
    due: datetime,
) -> Delivery:
    # One notice per receiver, alert, kind, escalation step and channel (a resolution goes to
    # every channel the receiver was notified on), and occurrence for repeats.
    key = (
        f"{alert.alert_id}/{receiver_id}/{kind.name.lower()}/{step}/{channel.name.lower()}"
        f"/{occurrence}"
    )
    status = DeliveryStatus.SUPPRESSED if alert.inhibited_by else DeliveryStatus.SCHEDULED
    if kind is NotificationKind.RESOLVED:
        status = DeliveryStatus.SCHEDULED
    return Delivery(
        delivery_id=str(uuid.uuid5(_NAMESPACE, f"{alert.tenant_id}/{key}")),
        tenant_id=alert.tenant_id,
        alert_id=alert.alert_id,
        sku_id=alert.sku_id,
        receiver_id=receiver_id,
        channel=channel,
        kind=kind,
        escalation_step=step,
        occurrence=occurrence,
        status=status,
        idempotency_key=key,
        create_time=now,
        due_time=due,
    )


def firing_deliveries(alert: Alert, receivers: Iterable[Receiver], now: datetime) -> list[Delivery]:
    """The whole escalation chain of every matching receiver, each step due `after` the firing."""
    fired = alert.fire_time or now
    deliveries = []
    for receiver in receivers:
        route = receiver.route_for(alert)
        if route is None:
            continue
        for step, escalation in enumerate(route.escalation):
            kind = NotificationKind.FIRING if step == 0 else NotificationKind.ESCALATION
            deliveries.append(
                new_delivery(
                    alert,
                    receiver.receiver_id,
                    escalation.channel,
                    kind,
                    step,
                    0,
                    now,
                    later(fired, escalation.after),
                )
            )
    return deliveries


def repeat_deliveries(
    alert: Alert, receivers: Iterable[Receiver], repeat_interval: timedelta, now: datetime
) -> list[Delivery]:
    """The repeat due now on each receiver's first channel; the occurrence number makes it unique."""
    if alert.fire_time is None or repeat_interval.total_seconds() <= 0:
        return []
    occurrence = int((now - alert.fire_time) / repeat_interval)
    if occurrence < 1:
        return []
    deliveries = []
    for receiver in receivers:
        route = receiver.route_for(alert)
        if route is None or not route.escalation:
            continue
        deliveries.append(
            new_delivery(
                alert,
                receiver.receiver_id,
                route.escalation[0].channel,
                NotificationKind.REPEAT,
                0,
                occurrence,
                now,
                now,
            )
        )
    return deliveries


def resolved_deliveries(
    alert: Alert,
    receivers: Iterable[Receiver],
    notified: Mapping[str, set[Channel]],
    now: datetime,
) -> list[Delivery]:
    """A resolution on every channel that was notified, for routes that ask for it."""
    deliveries = []
    for receiver in receivers:
        route = receiver.route_for(alert)
        if route is None or not route.notify_resolved:
            continue
        for channel in sorted(notified.get(receiver.receiver_id, set()), key=lambda c: c.value):
            deliveries.append(
                new_delivery(
                    alert,
                    receiver.receiver_id,
                    channel,
                    NotificationKind.RESOLVED,
                    0,
                    0,
                    now,
                    now,
                )
            )
    return deliveries


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff between attempts, capped, with a bounded number of attempts."""

    base: timedelta = timedelta(seconds=1)
    cap: timedelta = timedelta(minutes=5)
    max_attempts: int = 8

    def next_attempt(self, attempts_made: int, now: datetime) -> datetime | None:
        if attempts_made >= self.max_attempts:
            return None
        delay: timedelta = min(self.cap, self.base * (2 ** max(0, attempts_made - 1)))
        return now + delay
