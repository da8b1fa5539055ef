"""Reads. A hold past its deadline is shown EXPIRED and its units sellable, swept or not."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from services.inventory.domain.errors import EventsPruned, ReservationNotFound, SkuNotFound
from services.inventory.domain.reservation import Reservation, ReservationState
from services.inventory.domain.sku import Sku
from services.inventory.service_layer.ports import (
    EventSignal,
    EventWindow,
    InventoryStore,
    LedgerRecord,
    ReservationFilter,
)
from services.inventory.service_layer.unit import Unit

# Sequence numbers scanned per read of the event log (filters may leave fewer events).
EVENT_SCAN = 1000
# How long a quiet stream waits before it sends an empty batch carrying the head sequence.
HEARTBEAT_SECONDS = 2.0


async def get_sku(unit: Unit, tenant_id: str, sku_id: str) -> Sku:
    sku = await unit.store.get_sku(tenant_id, sku_id, unit.clock.now())
    if sku is None:
        raise SkuNotFound(f"no SKU {sku_id}", sku_id=sku_id)
    return sku


async def list_skus(unit: Unit, tenant_id: str, after_sku_id: str, limit: int) -> list[Sku]:
    return await unit.store.list_skus(tenant_id, after_sku_id, limit, unit.clock.now())


def as_seen(reservation: Reservation, now: datetime) -> Reservation:
    reservation.state = reservation.state_at(now)
    return reservation


async def get_reservation(unit: Unit, tenant_id: str, reservation_id: str) -> Reservation:
    reservation = await unit.store.get_reservation(tenant_id, reservation_id)
    if reservation is None:
        raise ReservationNotFound(f"no reservation {reservation_id}", reservation_id=reservation_id)
    return as_seen(reservation, unit.clock.now())


async def platform_of_hold(unit: Unit, tenant_id: str, reservation_id: str) -> str | None:
    """The platform a hold was made on (it never changes); None when there is no such hold."""
    hold = await unit.store.get_reservation(tenant_id, reservation_id)
    return None if hold is None else hold.buyer.platform_id


async def list_reservations(
    unit: Unit,
    tenant_id: str,
    by: ReservationFilter,
    state: ReservationState | None,
    before: tuple[datetime, str] | None,
    limit: int,
) -> list[Reservation]:
    now = unit.clock.now()
    page = await unit.store.list_reservations(tenant_id, by, state, before, limit, now)
    return [as_seen(reservation, now) for reservation in page]


async def ledger_entries(
    unit: Unit, tenant_id: str, sku_id: str, after_entry_id: int, limit: int
) -> list[LedgerRecord]:
    await get_sku(unit, tenant_id, sku_id)
    return await unit.store.ledger_entries(tenant_id, sku_id, after_entry_id, limit)


async def watch_events(
    store: InventoryStore, signal: EventSignal, window: EventWindow
) -> AsyncIterator[tuple[list[tuple[int, bytes]], int]]:
    """Batches of encoded events after window.after, then new ones as they commit, forever.
    Every batch comes with the head sequence, so a consumer knows how far behind it is.

    Every read checks the horizon of the window's tenant and types: once an event after the
    position reached was pruned (before the stream started, or while a slow consumer lagged
    behind the retention), the stream ends with EVENTS_PRUNED instead of skipping it."""
    after = window.after
    while True:
        head = await store.head_sequence()
        if head > after:
            upto = min(head, after + EVENT_SCAN)
            page = await store.events(
                EventWindow(window.tenant_id, after, upto, window.types, window.sku_ids)
            )
            if page.pruned_through > after:
                raise pruned(after, page.pruned_through)
            after = upto
            if page.events:
                yield page.events, head
            continue
        woke = await signal.wait(after, HEARTBEAT_SECONDS)
        if not woke:
            yield [], head


def pruned(after: int, pruned_through: int) -> EventsPruned:
    return EventsPruned(
        f"events after sequence {after} up to {pruned_through} were deleted by the event log's"
        f" retention; resume after sequence {pruned_through}",
        after_sequence=after,
        oldest_sequence=pruned_through + 1,
    )
