"""Moving units when holds settle (confirmed, released, expired) and the holds' own changes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from services.inventory.domain.errors import InvalidArgument, ReservationNotFound
from services.inventory.domain.reservation import Reservation, ReservationPurpose
from services.inventory.domain.sku import Sku
from services.inventory.domain.stock import LedgerReason
from services.inventory.service_layer.ports import Transaction


async def locked_reservation(txn: Transaction, tenant_id: str, reservation_id: str) -> Reservation:
    reservation = await txn.lock_reservation(tenant_id, reservation_id)
    if reservation is None:
        raise ReservationNotFound(f"no reservation {reservation_id}", reservation_id=reservation_id)
    return reservation


async def lock_skus_of(
    txn: Transaction, reservations: Sequence[Reservation]
) -> dict[tuple[str, str], Sku]:
    return await txn.lock_skus(
        sorted({(r.tenant_id, line.sku_id) for r in reservations for line in r.lines})
    )


def line_of(reservation: Reservation, sku_id: str) -> int:
    """The line's quantity; a SKU the reservation does not hold is a bad sku_id."""
    try:
        return reservation.line(sku_id).quantity
    except KeyError:
        raise InvalidArgument("sku_id", f"reservation has no line for {sku_id}") from None


async def settle(
    txn: Transaction, reservations: Sequence[Reservation], reason: LedgerReason, now: datetime
) -> list[Sku]:
    """Books reservations that just settled (their state already changed) on their SKUs: sold
    for CONFIRM, back to sellable for RELEASE and EXPIRE (and off the buyer's holdings)."""
    skus = await lock_skus_of(txn, reservations)
    unheld: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    returned = reason is not LedgerReason.CONFIRM
    for reservation in reservations:
        buyer = reservation.purpose is ReservationPurpose.BUYER
        for line in reservation.lines:
            sku = skus[(reservation.tenant_id, line.sku_id)]
            sku.settle(reservation, reason, now)
            if returned and buyer and sku.tracks_holdings:
                unheld[(reservation.tenant_id, line.sku_id)][reservation.user_id] -= line.quantity
    await txn.save_reservations(reservations)
    for (tenant_id, sku_id), deltas in sorted(unheld.items()):
        await txn.add_holdings(tenant_id, sku_id, deltas)
    await txn.save_skus(list(skus.values()))
    return list(skus.values())


# Due holds a transaction returns to stock before it decides anything on a SKU.
LAZY_EXPIRY_LIMIT = 1000


async def expire_due_on(txn: Transaction, sku: Sku, now: datetime) -> list[Reservation]:
    """Expires the due holds of a SKU the caller has locked (those holding only this SKU; others
    wait for the sweeper, which locks every SKU of a hold) and books them on it. The caller saves
    the reservations and the buyers' holdings (see book_expired)."""
    due = await txn.lock_due_single_sku_holds(sku.tenant_id, sku.sku_id, now, LAZY_EXPIRY_LIMIT)
    for reservation in due:
        reservation.expire(now)
        sku.settle(reservation, LedgerReason.EXPIRE, now)
    return due


def unheld_by(sku: Sku, expired: Sequence[Reservation]) -> dict[str, int]:
    """What each buyer no longer holds of the SKU after these holds expired."""
    deltas: dict[str, int] = defaultdict(int)
    if sku.tracks_holdings:
        for reservation in expired:
            if reservation.purpose is ReservationPurpose.BUYER:
                deltas[reservation.user_id] -= reservation.line(sku.sku_id).quantity
    return deltas


async def return_due_holds(txn: Transaction, sku: Sku, now: datetime) -> None:
    """Before a change of a locked SKU: its due holds go back to stock, as reads already show."""
    expired = await expire_due_on(txn, sku, now)
    if expired:
        await txn.save_reservations(expired)
        await txn.add_holdings(sku.tenant_id, sku.sku_id, unheld_by(sku, expired))
