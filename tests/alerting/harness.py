"""The service layer wired to real PostgreSQL and real HTTP channels, with a clock tests control."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from streamstock.inventory.v1 import events_pb2

from services.alerting.adapters.http_channels import (
    GatewayChannel,
    HttpPoster,
    InboxChannel,
    PlatformReminders,
    SignedWebhooks,
    WebhookChannel,
)
from services.alerting.adapters.inventory_events import decode
from services.alerting.adapters.postgres_store import PostgresStore
from services.alerting.adapters.secrets import EnvironmentSecrets
from services.alerting.adapters.wakeup import Wakeup
from services.alerting.domain.deliveries import Backoff
from services.alerting.domain.policy import ResponseAction
from services.alerting.domain.receivers import Channel
from services.alerting.service_layer.dispatch import Dispatcher, DispatchSettings
from services.alerting.service_layer.follow import FOLLOWER, apply_batch
from services.alerting.service_layer.ports import DeliveryFailed, SaleStatusChangedMeanwhile
from services.alerting.service_layer.ticker import tick

SECRET_REF = "hook-key"
SECRET = b"alerting-test-signing-key"
SECRETS = EnvironmentSecrets({"STREAMSTOCK_ALERTING_SECRET_HOOK_KEY": SECRET.decode()})
SESSION_START = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    """A moment of the session, in minutes from its start."""
    return SESSION_START + timedelta(minutes=minutes)


@dataclass
class ManualClock:
    current: datetime = SESSION_START

    def now(self) -> datetime:
        return self.current

    def advance(self, span: timedelta) -> datetime:
        self.current += span
        return self.current


@dataclass
class SequentialIds:
    prefix: str
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def alert_id(self) -> str:
        return f"{self.prefix}-alert-{next(self.counter)}"

    def reminder_id(self) -> str:
        return f"{self.prefix}-reminder-{next(self.counter)}"


@dataclass
class RecordingSales:
    """Stands in for inventory's SetSaleStatus until the real one lands (see the e2e tests)."""

    calls: list[tuple[str, str, ResponseAction, str]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    failing: bool = False
    # inventory refuses resumes: someone else changed the status after the pause.
    status_changed: bool = False

    async def set_sale_status(
        self, tenant_id: str, sku_id: str, action: ResponseAction, request_id: str, reason: str
    ) -> None:
        if self.failing:
            raise DeliveryFailed("inventory unavailable")
        if self.status_changed and action is ResponseAction.RESUME_SALE:
            raise SaleStatusChangedMeanwhile(f"{sku_id} is STOPPED, not PAUSED")
        self.calls.append((tenant_id, sku_id, action, request_id))
        self.reasons.append(reason)


@dataclass
class Harness:
    store: PostgresStore
    clock: ManualClock
    ids: SequentialIds
    poster: HttpPoster
    gateway_url: str
    sales: RecordingSales = field(default_factory=RecordingSales)
    follower: str = FOLLOWER
    lease: timedelta = timedelta(seconds=30)

    def dispatcher(self, send_timeout: float = 2.0) -> Dispatcher:
        webhooks = SignedWebhooks(self.poster, SECRETS)
        return Dispatcher(
            self.store,
            {
                Channel.IN_APP: InboxChannel(),
                Channel.WEBHOOK: WebhookChannel(webhooks),
                Channel.SMS: GatewayChannel(self.poster, self.gateway_url, Channel.SMS),
                Channel.PHONE: GatewayChannel(self.poster, self.gateway_url, Channel.PHONE),
            },
            PlatformReminders(webhooks),
            self.sales,
            self.clock,
            Wakeup(),
            DispatchSettings(
                lease=self.lease,
                send_timeout_seconds=send_timeout,
                backoff=Backoff(timedelta(seconds=10), timedelta(minutes=5), 5),
            ),
        )

    async def feed(self, events: Sequence[events_pb2.InventoryEvent]) -> int:
        """Applies inventory's protobuf events through the same decoder as the gRPC source."""
        if events:
            self.clock.current = max(self.clock.current, decode(events[-1]).occur_time)
        applied = await apply_batch(
            self.store, self.ids, [decode(e) for e in events], self.follower
        )
        return applied.sequence

    async def dispatch(self, rounds: int = 20) -> int:
        """Runs dispatch rounds until nothing is due (bounded); returns the items handled."""
        dispatcher = self.dispatcher()
        handled = 0
        for _ in range(rounds):
            count = await dispatcher.run_once()
            if count == 0:
                return handled
            handled += count
        return handled

    async def tick(self) -> None:
        await tick(self.store, self.ids, self.clock.now())
