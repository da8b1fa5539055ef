"""Builds riskcontrol's connections, use cases, background tasks and servicer; nothing connects
before this runs. riskcontrol's own settings (rules file, hashing secret, Assess budget,
retentions) come from STREAMSTOCK_RISKCONTROL_* variables (settings.py)."""

from __future__ import annotations

import logging

from streamstock.riskcontrol.v1 import riskcontrol_service_pb2, riskcontrol_service_pb2_grpc

from services.riskcontrol.adapters.inventory_events import GrpcInventoryEvents
from services.riskcontrol.adapters.metrics import RuleMetrics
from services.riskcontrol.adapters.postgres import (
    PostgresAuditLog,
    PostgresFeedbackCursor,
    PostgresRegistry,
)
from services.riskcontrol.adapters.postgres_retention import PostgresRetention
from services.riskcontrol.adapters.rules_yaml import RulesFileWatcher, YamlRulesParser
from services.riskcontrol.adapters.signal_store import RedisSignalStore
from services.riskcontrol.adapters.system import RandomIds, SystemClock
from services.riskcontrol.domain.keys import KeyHasher
from services.riskcontrol.entrypoints.access import ACCESS
from services.riskcontrol.entrypoints.servicer import RiskControlServicer, UseCases
from services.riskcontrol.service_layer import retention
from services.riskcontrol.service_layer.access_lists import AccessLists
from services.riskcontrol.service_layer.assessment import Assessor
from services.riskcontrol.service_layer.challenges import Challenges
from services.riskcontrol.service_layer.operations import Operations
from services.riskcontrol.service_layer.outcomes import EventFollower, Outcomes
from services.riskcontrol.service_layer.rulebook import RuleBook, ShadowBook
from services.riskcontrol.settings import RiskSettings
from services.runtime import clients, storage
from services.runtime.periodic import repeated
from services.runtime.server import Registration, ServiceParts
from services.runtime.settings import ServiceSettings

log = logging.getLogger(__name__)
SHADOW_REFRESH_SECONDS = 2.0
LIST_MIRROR_SECONDS = 30.0


async def build(settings: ServiceSettings, risk: RiskSettings | None = None) -> ServiceParts:
    risk = risk or RiskSettings.from_env()
    connections = await storage.connect_postgres_and_redis(settings, schema="riskcontrol")
    clock, ids = SystemClock(), RandomIds()
    hasher = KeyHasher(risk.key_secret.encode())
    store = RedisSignalStore(connections.redis, risk.provisional_grace)
    audit = PostgresAuditLog(connections.pool)
    registry = PostgresRegistry(connections.pool)
    parser = YamlRulesParser()
    rules = RuleBook(parser, clock)
    watcher = RulesFileWatcher(risk.rules_file, rules.reload, risk.rules_poll_seconds)
    watcher.load_now()
    shadow = ShadowBook(await registry.shadow_settings())
    metrics = RuleMetrics()
    access_lists = AccessLists(registry, store, hasher, clock, ids)
    operations = Operations(rules, parser, shadow, registry, store, hasher, clock)
    use_cases = UseCases(
        assessor=Assessor(store, audit, rules, shadow, hasher, clock, ids, metrics),
        challenges=Challenges(store, clock, ids),
        outcomes=Outcomes(registry, audit, store, hasher, clock, ids),
        access_lists=access_lists,
        operations=operations,
        audit=audit,
        assess_budget_seconds=risk.assess_budget_seconds,
    )
    background = [
        audit.run,
        watcher.run,
        repeated("shadow-refresh", operations.refresh_shadow, SHADOW_REFRESH_SECONDS),
        repeated("list-mirror", access_lists.mirror, LIST_MIRROR_SECONDS),
    ]
    forgetting = retention.Retention(
        PostgresRetention(connections.pool), clock, risk.request_retention, risk.audit_retention
    )
    if forgetting.forgets_anything:
        background.append(
            repeated("retention", forgetting.forget_expired, retention.INTERVAL_SECONDS)
        )
    cleanups = []
    if risk.follow_inventory and "inventory" in settings.peers:
        channel = clients.channel(
            settings.peer("inventory"), settings.service_api_key, settings.outbound_deadline_seconds
        )
        follower = EventFollower(
            GrpcInventoryEvents(channel),
            PostgresFeedbackCursor(connections.pool),
            store,
            hasher,
            clock,
        )
        background.append(follower.run)
        cleanups.append(channel.close)
    registration = Registration.of(
        riskcontrol_service_pb2.DESCRIPTOR,
        riskcontrol_service_pb2_grpc,
        RiskControlServicer(use_cases),
    )
    return ServiceParts(
        registrations=[registration],
        access=ACCESS,
        checks=connections.checks(),
        background=background,
        cleanups=[audit.flush, *cleanups, *connections.cleanups()],
        collectors=metrics.collectors(),
    )
