"""Builds inventory's pools, clients and servicer; nothing connects before this runs."""

from __future__ import annotations

import functools
from datetime import timedelta

from streamstock.inventory.v1 import inventory_service_pb2, inventory_service_pb2_grpc

from services.inventory.adapters.event_signal import PostgresEventSignal
from services.inventory.adapters.postgres_store import PostgresStore
from services.inventory.adapters.riskcontrol_client import GrpcRiskAssessor
from services.inventory.adapters.sold_out_gate import RedisSoldOutGate
from services.inventory.adapters.system import RandomIds, SystemClock
from services.inventory.entrypoints.access import ACCESS
from services.inventory.entrypoints.mapping import encode_event
from services.inventory.entrypoints.servicer import InventoryServicer
from services.inventory.service_layer import retention
from services.inventory.service_layer.expiry import run_sweeper
from services.inventory.service_layer.reservations import Holds
from services.inventory.service_layer.screening import RiskScreen
from services.inventory.service_layer.unit import Unit
from services.inventory.settings import InventorySettings
from services.runtime import clients, storage
from services.runtime.periodic import repeated
from services.runtime.server import BackgroundTask, Registration, ServiceParts
from services.runtime.settings import ServiceSettings

# Every statement of inventory finds its rows by key. Batches join an array of keys to a table;
# with hash joins allowed, PostgreSQL hashes the whole table for a few thousand keys (cheaper in
# its cost model, ten times slower in fact, and slower with every hold ever made).
PLANNER = {"enable_hashjoin": "off", "enable_mergejoin": "off"}


async def build(settings: ServiceSettings) -> ServiceParts:
    own = InventorySettings.from_env()
    # inventory leaves no session state on pooled connections (LISTEN has its own connection).
    connections = await storage.connect_postgres_and_redis(
        settings, schema="inventory", planner=PLANNER, session_state=False
    )
    assert connections.redis is not None
    unit = Unit(
        store=PostgresStore(connections.pool, encode_event),
        clock=SystemClock(),
        ids=RandomIds(),
        gate=RedisSoldOutGate(connections.redis),  # type: ignore[arg-type]
    )
    assessor = None
    if "riskcontrol" in settings.peers:
        risk_channel = clients.bare_channel(settings.peer("riskcontrol"))
        assessor = GrpcRiskAssessor(risk_channel, settings.service_api_key)
    holds = Holds(unit, RiskScreen(unit, assessor), own.max_hold_batch)
    signal = PostgresEventSignal(settings.postgres_dsn)
    registration = Registration.of(
        inventory_service_pb2.DESCRIPTOR,
        inventory_service_pb2_grpc,
        InventoryServicer(unit, holds, signal),
    )
    # Readiness follows PostgreSQL only: without Redis the sold-out gate falls back to
    # PostgreSQL, so a Redis outage slows sold-out refusals and takes nothing out of service.
    checks = {"postgres": connections.checks()["postgres"]}
    background: list[BackgroundTask] = [
        signal.listen,
        lambda: run_sweeper(unit, own.sweep_interval_seconds),
        *_retention_jobs(unit, own),
    ]
    return ServiceParts(
        registrations=[registration],
        access=ACCESS,
        checks=checks,
        background=background,
        cleanups=[holds.close, *connections.cleanups()],
    )


def _retention_jobs(unit: Unit, own: InventorySettings) -> list[BackgroundTask]:
    """The periodic deletions of what is kept for a retention (0 keeps it forever)."""
    jobs = (
        ("request-retention", own.request_retention_seconds, retention.forget_old_requests),
        ("event-retention", own.event_retention_seconds, retention.prune_old_events),
    )
    return [
        repeated(
            name,
            functools.partial(forget, unit, timedelta(seconds=seconds)),
            retention.INTERVAL_SECONDS,
        )
        for name, seconds, forget in jobs
        if seconds > 0
    ]
