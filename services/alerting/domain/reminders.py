"""Buyer reminders: one per hold reaching "expiring soon", none after it was confirmed or released."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from services.alerting.domain.events import HoldChange
from services.alerting.domain.receivers import WebhookTarget

DEFAULT_MINIMUM_REMAINING = timedelta(seconds=30)


class ReminderStatus(Enum):
    PENDING = 1
    SENT = 2
    FAILED = 3
    CANCELLED = 4
    SKIPPED = 5


@dataclass(frozen=True)
class BuyerReminderSettings:
    tenant_id: str
    enabled: bool = False
    default_webhook: WebhookTarget | None = None
    platform_targets: tuple[tuple[str, WebhookTarget], ...] = ()
    minimum_remaining: timedelta = DEFAULT_MINIMUM_REMAINING
    update_time: datetime | None = None

    def target_for(self, platform_id: str) -> WebhookTarget | None:
        for platform, target in self.platform_targets:
            if platform == platform_id:
                return target
        return self.default_webhook


@dataclass(frozen=True)
class BuyerReminder:
    reminder_id: str
    tenant_id: str
    reservation_id: str
    user_id: str
    order_id: str
    sku_ids: tuple[str, ...]
    platform_id: str
    hold_expire_time: datetime | None
    status: ReminderStatus
    create_time: datetime
    webhook: WebhookTarget | None
    detail: str = ""
    attempt_count: int = 0
    send_time: datetime | None = None


def remind(
    settings: BuyerReminderSettings,
    tenant_id: str,
    reminder_id: str,
    sku_id: str,
    hold: HoldChange,
    now: datetime,
) -> BuyerReminder:
    """The reminder for a hold that reached "expiring soon": PENDING, or SKIPPED with the reason."""
    target = settings.target_for(hold.platform_id)
    status, detail = ReminderStatus.PENDING, ""
    if not settings.enabled:
        status, detail = ReminderStatus.SKIPPED, "reminders are disabled"
    elif not hold.active:
        status, detail = ReminderStatus.CANCELLED, "the hold is no longer active"
    elif hold.expire_time is not None and hold.expire_time - now < settings.minimum_remaining:
        status, detail = ReminderStatus.SKIPPED, "too little time remains before the deadline"
    elif target is None:
        status, detail = ReminderStatus.SKIPPED, f"no webhook serves platform {hold.platform_id!r}"
    return BuyerReminder(
        reminder_id=reminder_id,
        tenant_id=tenant_id,
        reservation_id=hold.reservation_id,
        user_id=hold.user_id,
        order_id=hold.order_id,
        sku_ids=(sku_id,),
        platform_id=hold.platform_id,
        hold_expire_time=hold.expire_time,
        status=status,
        create_time=now,
        webhook=target if status is ReminderStatus.PENDING else None,
        detail=detail,
    )
