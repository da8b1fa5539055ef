"""The ticker goes through the SKUs with open alerts a slice at a time (one short transaction each
under the follower's lock): every slice is evaluated, and an alert whose only change is its latest
values is stored again only once its stored values are older than LATEST_VALUES_REFRESH (the
follower keeps busy SKUs' values fresh; the ticker refreshes quiet ones)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from alerting.configuration import WEBHOOK_NOW, configure_session, receiver, session_plan
from alerting.harness import SESSION_START, Harness
from alerting.http_recorder import HttpRecorder
from alerting.scripted_inventory import ScriptedInventory
from services.alerting.domain.policy import AlertPolicy
from services.alerting.service_layer import ticker
from services.alerting.service_layer.follow import LATEST_VALUES_REFRESH
from services.alerting.service_layer.ports import Page

SKUS = ("sku-1", "sku-2", "sku-3")


async def crossed(harness: Harness, recorder: HttpRecorder, tenant: str) -> None:
    """Three SKUs, each with a firing alert that repeats every 10 minutes, notified once."""
    inventory = ScriptedInventory(tenant)
    policy = AlertPolicy(tenant_id=tenant, repeat_interval=timedelta(minutes=10))
    for sku in SKUS:
        await configure_session(
            harness,
            session_plan(tenant, sku, 100),
            policy,
            [receiver(tenant, "ops", recorder.url("/hooks/ops"), WEBHOOK_NOW)],
        )
        await harness.feed(
            [
                inventory.create(sku, 500, SESSION_START - timedelta(minutes=1)),
                inventory.hold(sku, f"h-{sku}", 80, SESSION_START + timedelta(minutes=1)),
            ]
        )
    await harness.dispatch()


async def stored_value_times(harness: Harness, tenant: str) -> set:
    async with harness.store.transaction() as tx:
        alerts, _ = await tx.list_alerts(tenant, {}, Page(100, ""))
    return {a.latest_values.observe_time for a in alerts}


async def test_every_slice_of_skus_is_ticked(
    harness: Harness, recorder: HttpRecorder, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ticker, "TICK_SKUS", 1)  # one transaction per SKU
    await crossed(harness, recorder, tenant)
    assert [r.document["kind"] for r in recorder.received] == ["FIRING"] * len(SKUS)

    harness.clock.advance(timedelta(minutes=10))
    await harness.tick()
    await harness.dispatch()
    repeats = [r for r in recorder.received if r.document["kind"] == "REPEAT"]
    assert len(repeats) == len(SKUS)


async def test_the_ticker_stores_values_only_when_they_are_stale(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    await crossed(harness, recorder, tenant)
    fed = await stored_value_times(harness, tenant)

    harness.clock.advance(LATEST_VALUES_REFRESH / 2)
    await harness.tick()
    assert await stored_value_times(harness, tenant) == fed  # fresh: not rewritten

    refreshed = harness.clock.advance(LATEST_VALUES_REFRESH)
    await harness.tick()
    assert await stored_value_times(harness, tenant) == {refreshed}
