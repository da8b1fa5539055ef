"""Returning expired holds to stock, and telling buyers a hold is about to expire.

Reads never count a due hold whether or not this has run; the sweeper makes the counters and the
ledger say so too, in batches, exactly once per hold line: a batch locks its holds with SKIP
LOCKED and takes their lines out of the live set, which a hold confirmed or released in the
meantime has already left, and which a line booked by a change of its SKU has left too.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from dataclasses import dataclass, field
from datetime import datetime

from services.inventory.domain.events import EventType
from services.inventory.domain.reports import SweepReport
from services.inventory.service_layer.commands import Idempotency
from services.inventory.service_layer.ports import InventoryStore
from services.inventory.service_layer.settlement import book_expired, lock_skus_of
from services.inventory.service_layer.unit import Unit

log = logging.getLogger(__name__)

# Hold lines expired per transaction: large enough to be set-based, small enough to be short.
EXPIRY_BATCH = 4000
# Batches a service runs at once, its sweeper and SweepExpired calls together: while one books its
# lines on a SKU (bookings of one SKU take turns on its counter row), the next claims its holds,
# so PostgreSQL and Python work together; more would only slow the booking down.
SWEEP_WORKERS = 2


@dataclass
class _Slots:
    """What every sweep of a service shares."""

    batches: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(SWEEP_WORKERS))
    # SweepExpired calls take turns: each keeps the claim of its request id open on a connection
    # while its batches take others, so two at once could hold every connection of a small pool.
    calls: asyncio.Lock = field(default_factory=asyncio.Lock)


_slots_of: weakref.WeakKeyDictionary[InventoryStore, _Slots] = weakref.WeakKeyDictionary()


def _slots(store: InventoryStore) -> _Slots:
    slots = _slots_of.get(store)
    if slots is None:
        slots = _slots_of[store] = _Slots()
    return slots


@dataclass
class Sweep:
    """A sweep in progress: what it may still take, where its batches start, what it did."""

    lines_left: int
    tenant_id: str | None
    since: datetime | None = None
    expired: int = 0
    exhausted: bool = False


async def expire_due(unit: Unit, sweep: Sweep) -> None:
    """Books one batch of due hold lines in one transaction (the batch starts at the latest
    deadline a finished batch reached, so a large backlog is one pass over the index)."""
    limit = min(EXPIRY_BATCH, sweep.lines_left)
    sweep.lines_left -= limit
    async with unit.store.transaction() as txn:
        now = unit.clock.now()
        due = await txn.expire_due_holds(now, limit, sweep.tenant_id, sweep.since)
        skus = await book_expired(txn, due, now) if due else []
    sweep.lines_left += limit - len(due)
    if not due:
        sweep.exhausted = True
        return
    sweep.expired += len({(ln.tenant_id, ln.hold.reservation_id) for ln in due if ln.newly_expired})
    latest = max(line.hold.expires_at or now for line in due)
    sweep.since = max(latest, sweep.since or latest)
    await unit.publish(skus)


async def sweep(unit: Unit, limit: int, tenant_id: str | None = None) -> int:
    """Expires due holds batch after batch until none are left or `limit` lines (a hold has one
    per SKU) are booked; returns how many holds it expired."""
    state = Sweep(limit, tenant_id)
    slots = _slots(unit.store).batches

    async def batches() -> None:
        while state.lines_left > 0 and not state.exhausted:
            async with slots:
                if state.lines_left > 0 and not state.exhausted:
                    await expire_due(unit, state)

    try:
        async with asyncio.TaskGroup() as workers:
            for _ in range(SWEEP_WORKERS):
                workers.create_task(batches())
    except ExceptionGroup as failed:  # the first failure, as a sweep on one connection raises it
        raise failed.exceptions[0] from None
    return state.expired


async def sweep_once(
    unit: Unit, key: Idempotency, limit: int, tenant_id: str | None = None
) -> SweepReport:
    """SweepExpired: a sweep answered once per request id (a retry gets the first count)."""

    async def work() -> SweepReport:
        return SweepReport(await sweep(unit, limit, tenant_id))

    async with _slots(unit.store).calls:
        # A sweep of every tenant is asked by a service; its request ids have no tenant.
        return await unit.once_across(tenant_id or "", key, work)


async def announce_expiring(unit: Unit, limit: int) -> int:
    """Records one "expiring soon" event per hold whose notice time has come."""
    async with unit.store.transaction() as txn:
        now = unit.clock.now()
        soon = await txn.lock_expiring_soon(now, limit)
        if not soon:
            return 0
        skus = await lock_skus_of(txn, soon)
        for reservation in soon:
            reservation.mark_expiring_soon_sent()
            for line in reservation.lines:
                skus[(reservation.tenant_id, line.sku_id)].note_reservation(
                    EventType.RESERVATION_EXPIRING_SOON, reservation, now
                )
        await txn.save_reservations(soon)
        await txn.save_skus(list(skus.values()))
    return len(soon)


async def run_sweeper(unit: Unit, interval: float) -> None:
    """The background sweeper: works while there is work, then naps for `interval` seconds."""
    while True:
        try:
            busy = await sweep(unit, EXPIRY_BATCH * 10) + await announce_expiring(
                unit, EXPIRY_BATCH
            )
        except Exception:  # storage down: keep the service up, try again after the nap
            log.exception("sweeper pass failed")
            busy = 0
        if not busy:
            await asyncio.sleep(interval)
