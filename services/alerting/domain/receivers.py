"""Receivers: who gets which alerts, on which channels, escalating how."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from services.alerting.domain.alerts import Alert
from services.alerting.domain.policy import Tier


class Channel(Enum):
    IN_APP = 1
    WEBHOOK = 2
    SMS = 3
    PHONE = 4


@dataclass(frozen=True)
class WebhookTarget:
    url: str
    secret_ref: str


@dataclass(frozen=True)
class EscalationStep:
    channel: Channel
    after: timedelta


@dataclass(frozen=True)
class Route:
    tiers: frozenset[Tier]
    sku_ids: frozenset[str]
    escalation: tuple[EscalationStep, ...]
    notify_resolved: bool

    def matches(self, alert: Alert) -> bool:
        tier_ok = not self.tiers or alert.tier in self.tiers
        return tier_ok and (not self.sku_ids or alert.sku_id in self.sku_ids)


@dataclass(frozen=True)
class Receiver:
    tenant_id: str
    receiver_id: str
    display_name: str
    webhook: WebhookTarget | None
    sms_number: str
    voice_number: str
    routes: tuple[Route, ...]
    muted: bool
    create_time: datetime | None = None
    update_time: datetime | None = None

    def route_for(self, alert: Alert) -> Route | None:
        if self.muted:
            return None
        return next((route for route in self.routes if route.matches(alert)), None)

    def reaches(self, channel: Channel) -> bool:
        if channel is Channel.WEBHOOK:
            return self.webhook is not None and bool(self.webhook.url)
        if channel is Channel.SMS:
            return bool(self.sms_number)
        if channel is Channel.PHONE:
            return bool(self.voice_number)
        return True

    def unreachable_channel(self) -> Channel | None:
        """The first escalation channel the receiver has no endpoint for."""
        for route in self.routes:
            for step in route.escalation:
                if not self.reaches(step.channel):
                    return step.channel
        return None
