"""Moving units when holds settle (confirmed, released, expired) and the holds' own changes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from services.inventory.domain.errors import InvalidArgument, ReservationNotFound
from services.inventory.domain.reservation import Reservation, ReservationPurpose
from services.inventory.domain.sku import Sku
from services.inventory.domain.stock import LedgerReason
from services.inventory.service_layer.ports import ExpiredLine, Transaction


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


async def expire_due_on(txn: Transaction, sku: Sku, now: datetime) -> list[ExpiredLine]:
    """Expires the due holds of a SKU the caller has locked and books their lines of this SKU
    on it (a hold's lines on other SKUs stay live until their own SKU or the sweeper books
    them). The caller books what the buyers no longer hold (see unheld_by)."""
    expired = await txn.expire_due_lines_of(sku.tenant_id, sku.sku_id, now, LAZY_EXPIRY_LIMIT)
    for line in expired:
        sku.expire(line.hold, now)
    return expired


def unheld_by(sku: Sku, expired: Iterable[ExpiredLine]) -> dict[str, int]:
    """What each buyer no longer holds of the SKU after these lines of it expired."""
    deltas: dict[str, int] = defaultdict(int)
    if sku.tracks_holdings:
        for line in expired:
            if line.hold.purpose is ReservationPurpose.BUYER:
                deltas[line.hold.user_id] -= line.hold.quantity
    return deltas


async def return_due_holds(txn: Transaction, sku: Sku, now: datetime) -> None:
    """Before a change of a locked SKU: its due holds go back to stock, as reads already show."""
    expired = await expire_due_on(txn, sku, now)
    if expired:
        await txn.add_holdings(sku.tenant_id, sku.sku_id, unheld_by(sku, expired))


async def book_expired(
    txn: Transaction, expired: Sequence[ExpiredLine], now: datetime
) -> list[Sku]:
    """Books expired lines on their SKUs (locked here, in order) and off the buyers' holdings."""
    skus = await txn.lock_skus(sorted({(line.tenant_id, line.sku_id) for line in expired}))
    lines_of: dict[tuple[str, str], list[ExpiredLine]] = defaultdict(list)
    for line in expired:
        key = (line.tenant_id, line.sku_id)
        skus[key].expire(line.hold, now)
        lines_of[key].append(line)
    for (tenant_id, sku_id), lines in sorted(lines_of.items()):
        deltas = unheld_by(skus[(tenant_id, sku_id)], lines)
        if deltas:
            await txn.add_holdings(tenant_id, sku_id, deltas)
    await txn.save_skus(list(skus.values()))
    return list(skus.values())
