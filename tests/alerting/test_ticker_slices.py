"""The ticker visits only the SKUs that time alone may change (quiet SKUs, alerts the follower does
not evaluate, repeats that came due) and goes through them a slice at a time (one short transaction
each under the follower's lock): every slice is evaluated, and an alert whose only change is its
latest values is stored again only once its stored values are older than LATEST_VALUES_REFRESH
(the follower keeps busy SKUs' values fresh; the ticker refreshes quiet ones)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from alerting.configuration import WEBHOOK_NOW, configure_session, receiver, session_plan
from alerting.harness import SESSION_START, Harness, ManualClock
from alerting.http_recorder import HttpRecorder
from alerting.scripted_inventory import ScriptedInventory
from services.alerting.adapters.inventory_events import decode
from services.alerting.domain.policy import DEFAULT_REPEAT_INTERVAL, AlertPolicy
from services.alerting.service_layer import ticker
from services.alerting.service_layer.follow import LATEST_VALUES_REFRESH, Handoff, apply_batch
from services.alerting.service_layer.ports import Page

SKUS = ("sku-1", "sku-2", "sku-3")


async def crossed(harness: Harness, recorder: HttpRecorder, tenant: str) -> ScriptedInventory:
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
    return inventory


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


async def due_skus(harness: Harness, now: datetime, repeats_since: datetime | None) -> set[str]:
    async with harness.store.transaction() as tx:
        keys = await tx.due_tick_skus(
            now, LATEST_VALUES_REFRESH, repeats_since, DEFAULT_REPEAT_INTERVAL
        )
    return {sku for _, sku in keys}


async def test_the_ticker_leaves_skus_with_events_to_the_follower(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    inventory = await crossed(harness, recorder, tenant)  # firing at minute 1, repeats every 10

    def selling(*skus: str) -> list:
        at = harness.clock.now()
        return [inventory.hold(sku, f"{sku}-{at}", 1, at) for sku in skus]

    before = harness.clock.now()
    now = harness.clock.advance(timedelta(minutes=5))
    await harness.feed(selling("sku-1", "sku-2"))
    assert await due_skus(harness, now, before) == {"sku-3"}  # only the quiet one

    # Minute 11: the first repeat came due for all three, whether they sell or not.
    since, now = now, harness.clock.advance(timedelta(minutes=5))
    await harness.feed(selling("sku-1", "sku-2"))
    assert await due_skus(harness, now, since) == set(SKUS)
    # ... once: a tick that already looked after minute 11 finds no new repeat of a selling SKU.
    later = harness.clock.advance(timedelta(minutes=1))
    await harness.feed(selling("sku-1", "sku-2"))
    assert await due_skus(harness, later, now) == {"sku-3"}

    # After the session's end the follower no longer measures its alerts: the ticker resolves them.
    now = harness.clock.advance(timedelta(hours=2))
    await harness.feed(selling("sku-1"))
    assert "sku-1" in await due_skus(harness, now, later)
    await harness.tick()
    async with harness.store.transaction() as tx:
        open_alerts = await tx.open_alerts_of(tenant, "sku-1", "live-1", False)
    assert open_alerts == []


async def test_the_periodic_ticker_sends_each_repeat_once(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    inventory = await crossed(harness, recorder, tenant)
    periodic = ticker.Ticker(harness.store, harness.ids, harness.clock)
    for _ in range(25):  # 25 minutes of selling on sku-1, a tick a minute: repeats at 11 and 21
        now = harness.clock.advance(timedelta(minutes=1))
        await harness.feed([inventory.hold("sku-1", f"h-{now}", 1, now)])
        await periodic.run()
        await harness.dispatch()
    repeats = [r for r in recorder.received if r.document["kind"] == "REPEAT"]
    assert len(repeats) == 2 * len(SKUS)


async def test_a_follower_running_behind_does_not_make_selling_skus_quiet(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    inventory = await crossed(harness, recorder, tenant)
    sold_at = harness.clock.advance(timedelta(minutes=1))
    behind = ManualClock(sold_at + timedelta(seconds=10))  # applied 10 s after it happened
    handoff = Handoff(behind, timedelta(seconds=30), lambda claimed: None)
    events = [decode(inventory.hold(sku, f"late-{sku}", 1, sold_at)) for sku in ("sku-1", "sku-2")]
    await apply_batch(harness.store, harness.ids, events, harness.follower, handoff)

    # By the clock sku-1 and sku-2 have been silent for 10 s; by the stream, for no time at all.
    assert await due_skus(harness, behind.now(), None) == {"sku-3"}
    later = behind.advance(LATEST_VALUES_REFRESH * 2)
    assert await due_skus(harness, later, None) == set(SKUS)
