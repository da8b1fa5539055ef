"""Fixtures of alerting's tests: its schema on the session's real PostgreSQL, cleaned per test, a
real loopback HTTP server for webhooks and the gateway, and the service-layer harness."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from streamstock.alerting.v1 import alerting_service_pb2_grpc

from alerting.harness import Harness, ManualClock, SequentialIds
from alerting.http_recorder import HttpRecorder
from services.alerting.adapters.http_channels import HttpPoster
from services.alerting.adapters.postgres_store import PostgresStore
from services.alerting.adapters.secrets import variable_name
from tests.conftest import schema_pool

TABLES = (
    "follower_checkpoints, sku_levels, plans, session_consumption, consumption_samples,"
    " alert_policies, receivers, alerts, alert_changes, deliveries, inbox_items, sale_actions,"
    " reminder_settings, buyer_reminders, request_log, alert_change_horizons, quarantined_events"
)


@pytest.fixture(scope="session")
async def alerting_pool(postgres_dsn: str) -> AsyncIterator[asyncpg.Pool]:
    async with schema_pool(postgres_dsn, "alerting", 6) as pool:
        yield pool


@pytest.fixture(autouse=True)
async def clean_alerting(alerting_pool: asyncpg.Pool) -> None:
    await alerting_pool.execute(f"TRUNCATE {TABLES}")


@pytest.fixture
async def recorder() -> AsyncIterator[HttpRecorder]:
    server = HttpRecorder()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def tenant() -> str:
    return f"t-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def harness(
    alerting_pool: asyncpg.Pool, recorder: HttpRecorder, tenant: str
) -> AsyncIterator[Harness]:
    poster = HttpPoster(timeout_seconds=2.0)
    yield Harness(
        store=PostgresStore(alerting_pool),
        clock=ManualClock(),
        ids=SequentialIds(tenant),
        poster=poster,
        gateway_url=recorder.url("/gateway"),
    )
    await poster.close()


@pytest.fixture
async def alerting(start_service, monkeypatch):
    """The AlertingService over real gRPC, with the signing key of secret_ref "hook-key"."""
    monkeypatch.setenv(variable_name("hook-key"), "k")
    service = await start_service("alerting")
    return alerting_service_pb2_grpc.AlertingServiceStub(service.channel)
