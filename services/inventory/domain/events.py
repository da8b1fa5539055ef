"""What happened to a SKU: every change is recorded as an event (and, for counters, a ledger entry)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from services.inventory.domain.policy import SalePolicy, SaleStatus
from services.inventory.domain.reservation import (
    BuyerContext,
    ReleaseReason,
    Reservation,
    ReservationPurpose,
    ReservationState,
)
from services.inventory.domain.stock import Delta, LedgerReason, StockLevels


class EventType(Enum):
    SKU_CREATED = 1
    STOCK_ADJUSTED = 2
    WITHHELD_CHANGED = 3
    SALE_STATUS_CHANGED = 4
    SALE_POLICY_CHANGED = 5
    RESERVATION_CREATED = 6
    RESERVATION_CONFIRMED = 7
    RESERVATION_RELEASED = 8
    RESERVATION_EXPIRED = 9
    RESERVATION_EXPIRING_SOON = 10
    RESERVATION_EXTENDED = 11
    RESERVATION_RESIZED = 12
    RESERVATION_CONSUMED = 13
    SOLD_RETURNED = 14


class WithholdKind(Enum):
    SAFETY = 1
    VIP = 2
    GIFT = 3


class AdjustmentReason(Enum):
    COUNT_CORRECTION = 1
    DAMAGED = 2
    LOST = 3
    FOUND = 4
    TRANSFER = 5
    OTHER = 6


@dataclass(frozen=True)
class SkuCreated:
    title: str
    policy: SalePolicy


@dataclass(frozen=True)
class StockAdjusted:
    on_hand_delta: int
    reason: LedgerReason
    adjustment_reason: AdjustmentReason | None
    note: str


@dataclass(frozen=True)
class WithheldChanged:
    kind: WithholdKind
    quantity: int


@dataclass(frozen=True)
class SaleStatusChanged:
    previous: SaleStatus
    current: SaleStatus
    reason: str


@dataclass(frozen=True)
class SalePolicyChanged:
    policy: SalePolicy


@dataclass(frozen=True)
class ReservationChanged:
    """One line of a reservation changed; `quantity` is the units this change moved."""

    reservation_id: str
    user_id: str
    order_id: str
    state: ReservationState
    purpose: ReservationPurpose
    buyer: BuyerContext
    expires_at: datetime | None
    release_reason: ReleaseReason | None
    quantity: int
    line_quantity: int
    # riskcontrol's decision that admitted the hold or its latest growth ("" without one).
    risk_decision_id: str = ""

    @classmethod
    def of(cls, reservation: Reservation, quantity: int, line_quantity: int) -> ReservationChanged:
        return cls(
            reservation.reservation_id,
            reservation.user_id,
            reservation.order_id,
            reservation.state,
            reservation.purpose,
            reservation.buyer,
            reservation.expires_at,
            reservation.release_reason,
            quantity,
            line_quantity,
            reservation.risk_decision_id,
        )


@dataclass(frozen=True)
class SoldReturned:
    quantity: int
    order_id: str
    note: str


Payload = (
    SkuCreated
    | StockAdjusted
    | WithheldChanged
    | SaleStatusChanged
    | SalePolicyChanged
    | ReservationChanged
    | SoldReturned
)


@dataclass(frozen=True)
class LedgerEntry:
    reason: LedgerReason
    delta: Delta
    reference: str
    note: str = ""


@dataclass(frozen=True)
class Change:
    """One recorded change of a SKU: the event, the counters after it and its ledger entry."""

    type: EventType
    tenant_id: str
    sku_id: str
    occurred_at: datetime
    stock_after: StockLevels
    payload: Payload
    ledger: LedgerEntry | None = None
