"""The retention job of the running service (real gRPC, real PostgreSQL, the service's clock under
the test's control): an answered request id is remembered for the request retention, then
forgotten, and a retry of it is a new request. ListQuarantinedEvents shows the events the follower
set aside to the admins of their tenant, page by page."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import asyncpg
import grpc
import pytest
from google.protobuf import duration_pb2, timestamp_pb2
from streamstock.alerting.v1 import alerting_service_pb2_grpc, plans_pb2, quarantine_pb2

from alerting.grpc_errors import refusal
from alerting.harness import Harness, ManualClock
from alerting.scripted_inventory import ScriptedInventory
from services.alerting import bootstrap
from services.alerting.adapters.inventory_events import decode
from services.alerting.service_layer.follow import FOLLOWER

pytestmark = pytest.mark.timeout(60)
ACME, GLOBEX = "acme", "globex"
RETENTION = timedelta(hours=1)


def key(api_key: str) -> list[tuple[str, str]]:
    return [("x-api-key", api_key)]


def plan_request(request_id: str, forecast: int) -> plans_pb2.UpsertLiveSessionPlanRequest:
    start = timestamp_pb2.Timestamp()
    start.FromDatetime(datetime(2030, 1, 1, 20, tzinfo=UTC))
    end = timestamp_pb2.Timestamp()
    end.FromDatetime(datetime(2030, 1, 1, 22, tzinfo=UTC))
    return plans_pb2.UpsertLiveSessionPlanRequest(
        tenant_id=ACME,
        request_id=request_id,
        plan=plans_pb2.LiveSessionPlan(
            session_id="new-year-show",
            sku_id="sku-1",
            forecast_units=forecast,
            start_time=start,
            end_time=end,
            restock_lead_time=duration_pb2.Duration(seconds=86400),
            forecast_confidence=0.8,
        ),
    )


async def remembered(pool: asyncpg.Pool, request_id: str) -> bool:
    return bool(
        await pool.fetchval(
            "SELECT count(*) FROM request_log WHERE tenant_id = $1 AND request_id = $2",
            ACME,
            request_id,
        )
    )


async def test_a_request_id_is_remembered_for_the_retention_then_a_retry_is_a_new_request(
    start_service, monkeypatch, api_keys, alerting_pool: asyncpg.Pool
) -> None:
    clock = ManualClock(datetime.now(UTC))
    monkeypatch.setattr(bootstrap, "SystemClock", lambda: clock)
    monkeypatch.setenv(
        "STREAMSTOCK_ALERTING_REQUEST_RETENTION_SECONDS", str(RETENTION.total_seconds())
    )
    monkeypatch.setenv("STREAMSTOCK_ALERTING_CHANGE_PRUNE_SECONDS", "0.05")
    service = await start_service("alerting")
    alerting = alerting_service_pb2_grpc.AlertingServiceStub(service.channel)
    admin = key(api_keys.acme_admin)

    first = await alerting.UpsertLiveSessionPlan(plan_request("old", 100), metadata=admin)
    assert first.created
    clock.advance(RETENTION - timedelta(minutes=1))
    # Within the retention: the retry gets its first answer, other content under the id is refused.
    assert await alerting.UpsertLiveSessionPlan(plan_request("old", 100), metadata=admin) == first
    assert await refusal(
        alerting.UpsertLiveSessionPlan(plan_request("old", 150), metadata=admin)
    ) == (grpc.StatusCode.ALREADY_EXISTS, "REQUEST_ID_REUSED", {"request_id": "old"})
    await alerting.UpsertLiveSessionPlan(plan_request("recent", 120), metadata=admin)

    clock.advance(timedelta(minutes=2))  # "old" is past the retention, "recent" is not
    deadline = time.monotonic() + 10
    left = await remembered(alerting_pool, "old")
    while left and time.monotonic() < deadline:  # the service's job runs every 50 ms here
        await asyncio.sleep(0.05)
        left = await remembered(alerting_pool, "old")
    assert not left
    assert await remembered(alerting_pool, "recent")

    # A new request now: it runs again (the plan exists, so it is not created) with its content.
    again = await alerting.UpsertLiveSessionPlan(plan_request("old", 150), metadata=admin)
    assert (again.created, again.plan.forecast_units) == (False, 150)


async def test_quarantined_events_are_listed_to_their_tenants_admins_page_by_page(
    alerting, api_keys, harness: Harness
) -> None:
    inventory = ScriptedInventory(ACME)
    occurred = datetime(2026, 11, 22, 20, tzinfo=UTC)
    for minute, (tenant, sku) in enumerate(
        [(ACME, "sku-a"), (GLOBEX, "sku-g"), (ACME, "sku-b"), (ACME, "sku-a")]
    ):
        inventory.tenant_id = tenant
        event = decode(inventory.create(sku, 10, occurred + timedelta(minutes=minute)))
        async with harness.store.transaction() as tx:
            quarantined = occurred + timedelta(minutes=minute, seconds=1)
            await tx.quarantine_event(FOLLOWER, event, f"KeyError: '{sku}'", quarantined)
    admin = key(api_keys.acme_admin)

    def request(**fields: object) -> quarantine_pb2.ListQuarantinedEventsRequest:
        return quarantine_pb2.ListQuarantinedEventsRequest(tenant_id=ACME, **fields)

    first = await alerting.ListQuarantinedEvents(request(page_size=2), metadata=admin)
    assert [(e.sku_id, e.error) for e in first.events] == [
        ("sku-a", "KeyError: 'sku-a'"),
        ("sku-b", "KeyError: 'sku-b'"),
    ]
    assert first.events[0].sequence > first.events[1].sequence
    assert first.events[0].occur_time.ToDatetime(UTC) == occurred + timedelta(minutes=3)
    assert first.events[0].quarantine_time.ToDatetime(UTC) == occurred + timedelta(
        minutes=3, seconds=1
    )
    assert first.next_page_token
    second = await alerting.ListQuarantinedEvents(
        request(page_size=2, page_token=first.next_page_token), metadata=admin
    )
    assert [e.sku_id for e in second.events] == ["sku-a"]
    assert second.next_page_token == ""
    of_sku = await alerting.ListQuarantinedEvents(request(sku_id="sku-b"), metadata=admin)
    assert [e.sku_id for e in of_sku.events] == ["sku-b"]
    globex = await alerting.ListQuarantinedEvents(
        quarantine_pb2.ListQuarantinedEventsRequest(tenant_id=GLOBEX),
        metadata=key(api_keys.globex_admin),
    )
    assert [e.sku_id for e in globex.events] == ["sku-g"]

    other_tenant = await refusal(
        alerting.ListQuarantinedEvents(request(), metadata=key(api_keys.globex_admin))
    )
    assert other_tenant[:2] == (grpc.StatusCode.PERMISSION_DENIED, "TENANT_MISMATCH")
    viewer = await refusal(
        alerting.ListQuarantinedEvents(request(), metadata=key(api_keys.acme_viewer))
    )
    assert viewer[:2] == (grpc.StatusCode.PERMISSION_DENIED, "ROLE_NOT_ALLOWED")
    for bad, field in (
        (request(page_size=-1), "page_size"),
        (request(page_token="not-a-token"), "page_token"),
        (request(sku_id="bad id!"), "sku_id"),
    ):
        code, reason, metadata = await refusal(alerting.ListQuarantinedEvents(bad, metadata=admin))
        assert (code, reason, metadata.get("field")) == (
            grpc.StatusCode.INVALID_ARGUMENT,
            "INVALID_ARGUMENT",
            field,
        )
