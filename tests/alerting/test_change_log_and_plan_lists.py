"""The alert change log is pruned after its retention, and WatchAlerts tells a resume cursor that
fell behind it (OUT_OF_RANGE, WATCH_SEQUENCE_EXPIRED) while a cursor from a snapshot keeps working;
ListLiveSessionPlans filters states in the query, so pages are cut from the matching plans.

Real PostgreSQL, the service over real gRPC (start_service); alerts are derived through the service
layer (harness) from scripted inventory events."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from streamstock.alerting.v1 import alerting_service_pb2_grpc, alerts_pb2, plans_pb2, policies_pb2

from alerting.configuration import INBOX_NOW, receiver, session_plan
from alerting.grpc_errors import refusal
from alerting.harness import SECRETS, Harness
from alerting.scripted_inventory import ScriptedInventory
from services.alerting.service_layer import configure
from services.alerting.service_layer.ports import Page
from services.alerting.service_layer.retention import prune_change_log

pytestmark = pytest.mark.timeout(60)
ACME = "acme"


def key(api_key: str) -> list[tuple[str, str]]:
    return [("x-api-key", api_key)]


async def first_message(stream) -> alerts_pb2.WatchAlertsResponse:
    return await asyncio.wait_for(stream.read(), 5)


async def expired(stream) -> tuple[grpc.StatusCode, str, dict[str, str]] | None:
    """The refusal of the stream's first read, or None when the stream is open (it sent a change,
    or nothing within 0.3 s)."""
    try:
        return await refusal(asyncio.wait_for(stream.read(), 0.3))
    except (TimeoutError, AssertionError):
        stream.cancel()
        return None


async def configure_skus(harness: Harness, start: datetime, skus: list[str], now: datetime) -> None:
    async with harness.store.transaction() as tx:
        for sku in skus:
            plan = replace(
                session_plan(ACME, sku, 100), start_time=start, end_time=start + timedelta(hours=5)
            )
            await configure.upsert_plan(tx, plan, now)
        await configure.upsert_receiver(
            tx,
            receiver(ACME, "ops", "http://127.0.0.1:9/h", INBOX_NOW),
            SECRETS.for_tenant(ACME),
            now,
        )


async def test_retention_prunes_old_changes_and_expires_cursors_behind_it(
    start_service, monkeypatch, api_keys, harness: Harness
) -> None:
    viewer = key(api_keys.acme_viewer)
    monkeypatch.setenv("STREAMSTOCK_ALERTING_CHANGE_RETENTION_SECONDS", "3600")
    monkeypatch.setenv("STREAMSTOCK_ALERTING_CHANGE_PRUNE_SECONDS", "0.1")
    # The session runs in real time (the service's ticker keeps its alerts open); its events are
    # three hours old, older than the retention of one hour.
    start = datetime.now(UTC) - timedelta(hours=3)
    harness.clock.current = start - timedelta(minutes=5)
    await configure_skus(harness, start, ["sku-1", "sku-2"], harness.clock.now())
    inventory = ScriptedInventory(ACME)
    at = lambda minutes: start + timedelta(minutes=minutes)  # noqa: E731
    await harness.feed(
        [inventory.create("sku-1", 500, at(1)), inventory.create("sku-2", 500, at(1))]
    )
    for n, units in enumerate((80, 20, 20)):  # sku-1: YELLOW, ORANGE, RED
        await harness.feed([inventory.hold("sku-1", f"a{n}", units, at(2 + n))])
    async with harness.store.transaction() as tx:
        await configure.end_plans(tx, ACME, "live-1", "sku-1", at(6))  # all three resolve
    await harness.feed([inventory.hold("sku-2", "b", 85, at(7))])  # sku-2: YELLOW stays open
    async with harness.store.transaction() as tx:
        alerts, _ = await tx.list_alerts(ACME, {}, Page(100, ""))
    assert sorted((a.sku_id, a.tier.name, a.is_open) for a in alerts) == [
        ("sku-1", "ORANGE", False),
        ("sku-1", "RED", False),
        ("sku-1", "YELLOW", False),
        ("sku-2", "YELLOW", True),
    ]
    open_sequence = next(a.sequence for a in alerts if a.is_open)

    service = await start_service("alerting")
    alerting = alerting_service_pb2_grpc.AlertingServiceStub(service.channel)
    # The service's own retention job prunes the old prefix: poll with a deadline until a cursor
    # at the log's first change is refused.
    deadline = time.monotonic() + 20
    refused = None
    while refused is None and time.monotonic() < deadline:
        refused = await expired(
            alerting.WatchAlerts(
                alerts_pb2.WatchAlertsRequest(tenant_id=ACME, after_sequence=1), metadata=viewer
            )
        )
    assert refused is not None
    code, reason, metadata = refused
    assert (code, reason) == (grpc.StatusCode.OUT_OF_RANGE, "WATCH_SEQUENCE_EXPIRED")
    assert int(metadata["oldest_sequence"]) == open_sequence

    # The open alert's last change is kept: a cursor from a fresh snapshot resumes, and sees what
    # comes next (sku-2 only: the service's dispatcher records its failed pauses of sku-1's RED, as
    # no inventory is configured).
    snapshot = alerting.WatchAlerts(alerts_pb2.WatchAlertsRequest(tenant_id=ACME), metadata=viewer)
    message = await first_message(snapshot)
    snapshot.cancel()
    assert (message.alert.sku_id, message.sequence) == ("sku-2", open_sequence)
    resumed = alerting.WatchAlerts(
        alerts_pb2.WatchAlertsRequest(
            tenant_id=ACME, after_sequence=message.sequence, sku_ids=["sku-2"]
        ),
        metadata=viewer,
    )
    await harness.feed([inventory.hold("sku-2", "c", 20, at(8))])  # sku-2: ORANGE opens
    change = await first_message(resumed)
    resumed.cancel()
    assert change.sequence > open_sequence
    assert (change.alert.sku_id, change.alert.tier) == ("sku-2", policies_pb2.TIER_ORANGE)


async def test_retention_keeps_changes_younger_than_the_cutoff(harness: Harness) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    harness.clock.current = start - timedelta(minutes=5)
    await configure_skus(harness, start, ["sku-1"], harness.clock.now())
    inventory = ScriptedInventory(ACME)
    await harness.feed([inventory.create("sku-1", 500, start)])
    await harness.feed([inventory.hold("sku-1", "a", 80, start + timedelta(minutes=1))])
    await harness.feed([inventory.release("sku-1", "a", 80, start + timedelta(minutes=10))])
    await harness.feed([inventory.hold("sku-1", "b", 80, start + timedelta(minutes=20))])
    async with harness.store.transaction() as tx:
        before = await tx.changes_after(ACME, 0, 100)
    # YELLOW opened and fired (1 min), resolved (10 min), a new YELLOW opened and fired (20 min).
    assert [c.alert.state.name for _, c, _ in before] == [
        "PENDING",
        "FIRING",
        "RESOLVED",
        "PENDING",
        "FIRING",
    ]
    cutoff = start + timedelta(minutes=5)
    old = [sequence for sequence, _, change_time in before if change_time < cutoff]
    assert len(old) == 2
    now = cutoff + timedelta(hours=1)
    assert await prune_change_log(harness.store, now, timedelta(hours=1), batch=1) == len(old)
    async with harness.store.transaction() as tx:
        after = await tx.changes_after(ACME, 0, 100)
        horizon = await tx.change_horizon(ACME)
    assert [s for s, _, _ in after] == [s for s, _, _ in before[len(old) :]]
    assert horizon == old[-1]
    # Pruning again with the same cutoff finds nothing more.
    assert await prune_change_log(harness.store, now, timedelta(hours=1)) == 0


async def test_plan_list_pages_over_the_plans_in_the_asked_states(
    start_service, api_keys, harness: Harness
) -> None:
    viewer = key(api_keys.acme_viewer)
    now = datetime.now(UTC)
    created = now - timedelta(days=1)
    shapes = {
        # Newest start first: the live plans come before the ended ones in the list order.
        **{f"live-{n}": (now - timedelta(hours=1), now + timedelta(hours=1)) for n in range(3)},
        **{f"ended-{n}": (now - timedelta(hours=5), now - timedelta(hours=4)) for n in range(4)},
        **{f"soon-{n}": (now + timedelta(hours=1), now + timedelta(hours=2)) for n in range(2)},
    }
    async with harness.store.transaction() as tx:
        for sku, (start, end) in shapes.items():
            plan = replace(session_plan(ACME, sku, 10), start_time=start, end_time=end)
            await configure.upsert_plan(tx, plan, created)
    async with harness.store.transaction() as tx:
        # Ended early: a plan of the live hour that was ended counts as ENDED.
        early = replace(
            session_plan(ACME, "cut-short", 10),
            start_time=now - timedelta(minutes=30),
            end_time=now + timedelta(hours=1),
        )
        await configure.upsert_plan(tx, early, created)
        await configure.end_plans(tx, ACME, "live-1", "cut-short", now - timedelta(minutes=1))
    service = await start_service("alerting")
    alerting = alerting_service_pb2_grpc.AlertingServiceStub(service.channel)

    async def pages(states: list[int]) -> tuple[list[int], list[str]]:
        """The size of every page and the SKUs of all pages, following the tokens to the end."""
        sizes: list[int] = []
        skus: list[str] = []
        token = ""
        for _ in range(10):
            page = await alerting.ListLiveSessionPlans(
                plans_pb2.ListLiveSessionPlansRequest(
                    tenant_id=ACME, states=states, page_size=2, page_token=token
                ),
                metadata=viewer,
            )
            sizes.append(len(page.plans))
            skus.extend(p.sku_id for p in page.plans)
            token = page.next_page_token
            if not token:
                return sizes, sorted(skus)
        raise AssertionError("the pages did not end")

    ended = ["cut-short", "ended-0", "ended-1", "ended-2", "ended-3"]
    assert await pages([plans_pb2.PLAN_STATE_ENDED]) == ([2, 2, 1], ended)
    assert await pages([plans_pb2.PLAN_STATE_LIVE]) == ([2, 1], ["live-0", "live-1", "live-2"])
    assert await pages([plans_pb2.PLAN_STATE_SCHEDULED, plans_pb2.PLAN_STATE_LIVE]) == (
        [2, 2, 1],
        ["live-0", "live-1", "live-2", "soon-0", "soon-1"],
    )
    _, everything = await pages([])
    assert len(everything) == len(shapes) + 1
