"""Builds sync's connections, clients and servicer; nothing connects before this runs."""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import replace

from streamstock.sync.v1 import sync_service_pb2, sync_service_pb2_grpc

from services.runtime import clients, storage
from services.runtime.periodic import repeated
from services.runtime.server import Registration, ServiceParts
from services.runtime.settings import ServiceSettings
from services.sync.adapters.inventory_client import InventoryEscrow, UnconfiguredEscrow
from services.sync.adapters.platform_pusher import PlatformPusher
from services.sync.adapters.postgres_store import (
    PostgresReconciliationLocks,
    PostgresRequestLog,
    PostgresStore,
)
from services.sync.domain.breaker import Cooldown
from services.sync.entrypoints.access import ACCESS
from services.sync.entrypoints.servicer import SyncServicer
from services.sync.service_layer import retention, schedule
from services.sync.service_layer.deps import Ports
from services.sync.service_layer.ports import Escrow
from services.sync.settings import SyncSettings

log = logging.getLogger(__name__)


class SystemClock:
    def now(self) -> float:
        return time.time()


async def build(
    settings: ServiceSettings, sync_settings: SyncSettings | None = None
) -> ServiceParts:
    options = sync_settings or SyncSettings.from_env()
    connections = await storage.connect_postgres(settings, schema="sync")
    inventory = None
    escrow: Escrow = UnconfiguredEscrow()
    if "inventory" in settings.peers:
        inventory = clients.channel(
            settings.peer("inventory"),
            settings.service_api_key,
            settings.outbound_deadline_seconds,
        )
        escrow = InventoryEscrow(inventory)
    else:
        log.error("STREAMSTOCK_INVENTORY_ADDR is not set: quotas cannot change")
    pusher = PlatformPusher(
        options.secret,
        attempts=options.push_attempts,
        backoff=(options.push_backoff_seconds, 1.0),
    )
    clock = SystemClock()
    ports = Ports(
        store=PostgresStore(connections.pool),
        escrow=escrow,
        pusher=pusher,
        clock=clock,
        new_id=lambda: uuid.uuid4().hex,
        locks=PostgresReconciliationLocks(connections.pool),
        cooldown=Cooldown(options.platform_cooldown_seconds, options.platform_cooldown_max_seconds),
    )
    # Mutations wait here for a retry's first attempt; 4 run at once at most (they are
    # configuration changes and listing acknowledgements, each a few milliseconds).
    request_locks = await storage.postgres_pool(replace(settings, postgres_pool_size=4), "sync")
    servicer = SyncServicer(
        ports,
        PostgresRequestLog(connections.pool, request_locks, clock),
        lambda ref: options.secret(ref) is not None,
        dedup_window=options.sale_line_retention_seconds,
    )
    background = [
        repeated(
            "rebalance",
            lambda: schedule.rebalance_all(ports),
            options.rebalance_interval_seconds,
        )
    ]
    kept = retention.Retentions(
        request_results=options.request_retention_seconds,
        sale_lines=options.sale_line_retention_seconds,
        reconciliations=options.reconciliation_retention_seconds,
    )
    if kept.request_results or kept.sale_lines or kept.reconciliations:
        background.append(
            repeated(
                "retention",
                lambda: retention.forget_old_rows(ports, kept),
                retention.INTERVAL_SECONDS,
            )
        )
    if options.reconcile_interval_seconds > 0:
        reconcile = schedule.reconcile_all(ports, options.reconcile_repair)
        background.append(
            repeated("scheduled-reconcile", reconcile, options.reconcile_interval_seconds)
        )
    return ServiceParts(
        registrations=[
            Registration.of(sync_service_pb2.DESCRIPTOR, sync_service_pb2_grpc, servicer)
        ],
        access=ACCESS,
        checks=connections.checks(),
        background=background,
        cleanups=[
            *connections.cleanups(),
            lambda: storage.close_pool(request_locks),
            pusher.close,
            *([inventory.close] if inventory else []),
        ],
    )
