"""Builds alerting's connections, workers and servicer; nothing connects before this runs.

Background work: the event follower (when STREAMSTOCK_INVENTORY_ADDR is set), the dispatcher of
notifications, sale actions and buyer reminders, the ticker, and the retention job (every table
that grows with traffic, service_layer/retention.py). Each is safe to run in several
replicas at once (checkpoint row lock, SKIP LOCKED claims, unique delivery keys).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from streamstock.alerting.v1 import alerting_service_pb2, alerting_service_pb2_grpc

from services.alerting.adapters.clock import SystemClock, UuidIds
from services.alerting.adapters.http_channels import (
    GatewayChannel,
    HttpPoster,
    InboxChannel,
    PlatformReminders,
    SignedWebhooks,
    WebhookChannel,
)
from services.alerting.adapters.inventory_events import WatchEventsSource
from services.alerting.adapters.inventory_sales import InventorySales
from services.alerting.adapters.postgres_store import WORK_CHANNEL, PostgresStore
from services.alerting.adapters.secrets import EnvironmentSecrets
from services.alerting.adapters.wakeup import PostgresListener, Wakeup
from services.alerting.domain.deliveries import Backoff
from services.alerting.domain.receivers import Channel
from services.alerting.entrypoints.access import ACCESS
from services.alerting.entrypoints.servicer import AlertingServicer
from services.alerting.heap import settle
from services.alerting.service_layer.dispatch import Dispatcher, DispatchSettings
from services.alerting.service_layer.follow import EventFollower, Handoff
from services.alerting.service_layer.ports import DeliveryFailed, NotificationSender
from services.alerting.service_layer.retention import prune
from services.alerting.service_layer.ticker import Ticker
from services.alerting.settings import AlertingSettings
from services.runtime import clients, storage
from services.runtime.periodic import repeated
from services.runtime.server import Registration, ServiceParts
from services.runtime.settings import ServiceSettings

log = logging.getLogger(__name__)


async def build(settings: ServiceSettings) -> ServiceParts:
    own = AlertingSettings.from_env()
    connections = await storage.connect_postgres(settings, schema="alerting")
    store = PostgresStore(connections.pool)
    clock, ids, wakeup = SystemClock(), UuidIds(), Wakeup()
    listener = PostgresListener(settings.postgres_dsn, WORK_CHANNEL, wakeup)
    await listener.start()
    secrets = EnvironmentSecrets()
    shared = secrets.shared_refs()
    if shared:
        log.warning(
            "webhook signing keys shared by every tenant (no STREAMSTOCK_ALERTING_SCOPE_<REF>): %s",
            ", ".join(shared),
        )
    poster = HttpPoster(own.send_timeout_seconds)
    webhooks = SignedWebhooks(poster, secrets)
    senders: dict[Channel, NotificationSender] = {
        Channel.IN_APP: InboxChannel(),
        Channel.WEBHOOK: WebhookChannel(webhooks),
        Channel.SMS: GatewayChannel(poster, own.gateway_url, Channel.SMS),
        Channel.PHONE: GatewayChannel(poster, own.gateway_url, Channel.PHONE),
    }
    cleanups = [poster.close, listener.close]
    background = []
    inventory = None
    if "inventory" in settings.peers:
        inventory = clients.channel(
            settings.peer("inventory"), settings.service_api_key, settings.outbound_deadline_seconds
        )
        cleanups.append(inventory.close)
    sales = InventorySales(inventory, settings.outbound_deadline_seconds) if inventory else None
    dispatcher = Dispatcher(
        store,
        senders,
        PlatformReminders(webhooks),
        sales or _NoInventory(),
        clock,
        wakeup,
        DispatchSettings(
            lease=own.lease,
            send_timeout_seconds=own.send_timeout_seconds,
            backoff=Backoff(
                timedelta(seconds=own.retry_base_seconds),
                timedelta(seconds=own.retry_cap_seconds),
                own.max_attempts,
            ),
        ),
    )
    if inventory is not None:
        handoff = Handoff(clock, own.lease, dispatcher.hand_over)
        follower = EventFollower(store, WatchEventsSource(inventory), ids, wakeup, handoff=handoff)
        background.append(repeated("event-follower", follower.run, 1.0))
    background.append(repeated("dispatcher", dispatcher.run, 1.0))
    background.append(repeated("ticker", Ticker(store, ids, clock).run, own.tick_seconds))
    background.append(
        repeated(
            "retention",
            lambda: prune(store, clock.now(), own.retentions),
            own.change_prune_seconds,
        )
    )
    registration = Registration.of(
        alerting_service_pb2.DESCRIPTOR,
        alerting_service_pb2_grpc,
        AlertingServicer(store, clock, secrets),
    )
    settle()
    return ServiceParts(
        registrations=[registration],
        access=ACCESS,
        checks=connections.checks(),
        background=background,
        cleanups=[*cleanups, *connections.cleanups()],
    )


class _NoInventory:
    """Without STREAMSTOCK_INVENTORY_ADDR sale actions cannot run; they retry and then fail."""

    async def set_sale_status(self, *args: object) -> None:
        raise DeliveryFailed("STREAMSTOCK_INVENTORY_ADDR is not set")
