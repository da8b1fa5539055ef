"""Returning expired holds to stock, and telling buyers a hold is about to expire.

Reads never count a due hold whether or not this has run; the sweeper makes the counters and the
ledger say so too, in batches, exactly once per hold (rows are claimed with SKIP LOCKED, and a
hold confirmed in the meantime is no longer ACTIVE, so it is not selected).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from services.inventory.domain.events import EventType
from services.inventory.domain.stock import LedgerReason
from services.inventory.service_layer.settlement import lock_skus_of, settle
from services.inventory.service_layer.unit import Unit

log = logging.getLogger(__name__)

# Holds expired per transaction: large enough to be set-based, small enough to be short.
EXPIRY_BATCH = 2000


async def expire_due(
    unit: Unit, limit: int, tenant_id: str | None = None, since: datetime | None = None
) -> tuple[int, datetime | None]:
    """Expires up to `limit` due holds (deadline at or after `since`) in one transaction;
    returns how many and the latest deadline among them."""
    async with unit.store.transaction() as txn:
        now = unit.clock.now()
        due = await txn.lock_due_reservations(now, limit, tenant_id, since)
        if not due:
            return 0, since
        for reservation in due:
            reservation.expire(now)
        skus = await settle(txn, due, LedgerReason.EXPIRE, now)
    await unit.publish(skus)
    return len(due), max(r.expires_at for r in due if r.expires_at is not None)


async def sweep(unit: Unit, limit: int, tenant_id: str | None = None) -> int:
    """Expires due holds batch after batch until none are left or `limit` are done. Each batch
    starts where the previous one ended, so a large backlog is one pass over the index."""
    total = 0
    since: datetime | None = None
    while total < limit:
        expired, since = await expire_due(unit, min(EXPIRY_BATCH, limit - total), tenant_id, since)
        total += expired
        if expired == 0:
            break
    return total


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
