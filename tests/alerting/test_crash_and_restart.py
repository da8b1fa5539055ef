"""Crashes: a dispatcher killed (SIGKILL) in the middle of a send, a follower restarted and fed
the stream again, and a database crash losing a batch whose notices were already sent. Nothing is
lost and nothing reaches a receiver twice under different keys; what is sent again after a crash
carries the same idempotency key, and the in-app inbox holds one item."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import asyncpg

from alerting.configuration import INBOX_NOW, WEBHOOK_NOW, configure_session, receiver, session_plan
from alerting.harness import SESSION_START, Harness
from alerting.http_recorder import HttpRecorder
from alerting.scripted_inventory import ScriptedInventory
from services.alerting.adapters.inventory_events import decode
from services.alerting.adapters.postgres_store import PostgresTransaction
from services.alerting.domain.deliveries import DeliveryStatus
from services.alerting.service_layer.follow import FOLLOWER, Handoff, apply_batch, checkpoint
from services.alerting.service_layer.ports import ClaimedDelivery, Page

TESTS_ROOT = Path(__file__).resolve().parent.parent
REPO_ROOT = TESTS_ROOT.parent


def at(minutes: float):
    return SESSION_START + timedelta(minutes=minutes)


async def deliveries_of(harness: Harness, tenant: str):
    async with harness.store.transaction() as tx:
        deliveries, _ = await tx.list_deliveries(tenant, {}, Page(1000, ""))
    return deliveries


async def test_dispatcher_killed_mid_send_loses_and_duplicates_nothing(
    harness: Harness, recorder: HttpRecorder, tenant: str, postgres_dsn: str
) -> None:
    inventory = ScriptedInventory(tenant)
    hook = recorder.url("/hooks/ops")
    await configure_session(
        harness,
        session_plan(tenant, "sku-1", 100),
        None,
        [
            receiver(tenant, "ops-webhook", hook, WEBHOOK_NOW),
            receiver(tenant, "ops-inbox", hook, INBOX_NOW),
        ],
    )
    await harness.feed(
        [inventory.create("sku-1", 500, at(-1)), inventory.hold("sku-1", "h1", 85, at(3))]
    )

    recorder.hang = True
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(TESTS_ROOT), str(REPO_ROOT), str(REPO_ROOT / "gen")]),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "alerting.dispatch_process",
        postgres_dsn,
        harness.clock.now().isoformat(),
        recorder.url("/gateway"),
        env=env,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        await recorder.wait_for(1, timeout=30)
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    first_key = recorder.received[0].idempotency_key

    # Restarted after the lease: the claimed webhook is sent again with the same key.
    recorder.hang = False
    harness.clock.advance(harness.lease + timedelta(seconds=1))
    await harness.feed([inventory.hold("sku-1", "h2", 20, at(5))])  # ORANGE meanwhile
    await harness.dispatch()

    keys = Counter(r.idempotency_key for r in recorder.received)
    assert keys[first_key] == 2, "the crashed attempt is retried under the same key"
    tiers = sorted(
        r.document["alert"]["tier"] for r in recorder.received if r.idempotency_key != first_key
    )
    assert tiers == ["ORANGE"]
    deliveries = await deliveries_of(harness, tenant)
    per_receiver_tier = Counter((d.receiver_id, d.alert_id, d.kind) for d in deliveries)
    assert set(per_receiver_tier.values()) == {1}
    assert len(deliveries) == 4  # two receivers x (YELLOW, ORANGE)
    assert {d.status for d in deliveries} == {DeliveryStatus.DELIVERED}
    async with harness.store.transaction() as tx:
        inbox, _ = await tx.list_inbox(tenant, "ops-inbox", False, Page(100, ""))
    assert len(inbox) == 2


async def webhook_session(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> ScriptedInventory:
    """sku-1 in a session (forecast 100) whose notices go to one webhook at once."""
    hook = recorder.url("/hooks/ops")
    await configure_session(
        harness,
        session_plan(tenant, "sku-1", 100),
        None,
        [receiver(tenant, "ops", hook, WEBHOOK_NOW)],
    )
    return ScriptedInventory(tenant)


async def test_follower_restarted_and_fed_again_applies_each_event_once(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    inventory = await webhook_session(harness, recorder, tenant)
    events = [
        inventory.create("sku-1", 500, at(-1)),
        inventory.hold("sku-1", "h1", 50, at(1)),
        inventory.hold("sku-1", "h2", 35, at(2)),
        inventory.hold("sku-1", "h3", 20, at(3)),
        inventory.hold("sku-1", "h4", 20, at(4)),
    ]
    await harness.feed(events[:3])
    await harness.dispatch()
    # A new instance (same checkpoint) reads the stream again from an older position.
    restarted = Harness(
        harness.store, harness.clock, harness.ids, harness.poster, harness.gateway_url
    )
    assert await checkpoint(restarted.store, restarted.follower) == 3
    await restarted.feed(events)
    await restarted.feed(events[2:])
    await restarted.dispatch()

    assert await checkpoint(restarted.store, restarted.follower) == 5
    # ORANGE and RED crossed in one batch: RED inhibits ORANGE, whose notice is suppressed.
    tiers = [r.document["alert"]["tier"] for r in recorder.received]
    assert tiers == ["YELLOW", "RED"]
    statuses = sorted((d.status.name, d.kind.name) for d in await deliveries_of(harness, tenant))
    assert statuses == [("DELIVERED", "FIRING"), ("DELIVERED", "FIRING"), ("SUPPRESSED", "FIRING")]
    async with harness.store.transaction() as tx:
        state = await tx.consumption_of(tenant, "live-1", "sku-1")
    assert state is not None and state.consumed_units == 125


class LostCommits:
    """Transactions that look committed to their caller and are rolled back: what a database
    crash does to commits whose log had not reached the disk (the follower's batches do not wait
    for it)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresTransaction]:
        async with self.pool.acquire() as conn:
            transaction = conn.transaction()
            await transaction.start()
            try:
                yield PostgresTransaction(conn)
            finally:
                await transaction.rollback()


async def test_a_batch_lost_in_a_database_crash_is_sent_again_under_the_same_keys(
    harness: Harness, recorder: HttpRecorder, tenant: str, alerting_pool: asyncpg.Pool
) -> None:
    inventory = await webhook_session(harness, recorder, tenant)
    await harness.feed([inventory.create("sku-1", 500, at(-1))])
    crossing = [decode(inventory.hold("sku-1", "h1", 125, at(2)))]  # YELLOW, ORANGE and RED
    harness.clock.current = crossing[0].occur_time

    def handoff(sent: list[ClaimedDelivery]) -> Handoff:
        return Handoff(harness.clock, timedelta(seconds=30), sent.extend)

    sent_before_the_crash: list[ClaimedDelivery] = []
    await apply_batch(
        LostCommits(alerting_pool), harness.ids, crossing, FOLLOWER, handoff(sent_before_the_crash)
    )
    assert sent_before_the_crash  # handed to the channel before the commit was durable...
    assert await checkpoint(harness.store) == 1  # ...and lost with the batch
    assert await deliveries_of(harness, tenant) == []

    sent_after_recovery: list[ClaimedDelivery] = []
    await apply_batch(harness.store, harness.ids, crossing, FOLLOWER, handoff(sent_after_recovery))
    assert await checkpoint(harness.store) == 2

    def notices(sent: list[ClaimedDelivery]) -> list[tuple[str, str, str]]:
        return sorted(
            (c.delivery.idempotency_key, c.delivery.delivery_id, c.alert.alert_id) for c in sent
        )

    assert notices(sent_after_recovery) == notices(sent_before_the_crash)
    stored = {d.idempotency_key for d in await deliveries_of(harness, tenant)}
    assert {key for key, _, _ in notices(sent_before_the_crash)} <= stored
