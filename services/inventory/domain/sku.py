"""The SKU aggregate: counters, policy and status, and every change recorded as it happens."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from services.inventory.domain.errors import (
    LockStageMismatch,
    MaxPerOrderExceeded,
    PurchaseLimitExceeded,
    SaleNotActive,
    UnexpectedSaleStatus,
)
from services.inventory.domain.events import (
    AdjustmentReason,
    Change,
    EventType,
    LedgerEntry,
    Payload,
    ReservationChanged,
    SalePolicyChanged,
    SaleStatusChanged,
    SkuCreated,
    SoldReturned,
    StockAdjusted,
    WithheldChanged,
    WithholdKind,
)
from services.inventory.domain.policy import SalePolicy, SaleStatus
from services.inventory.domain.reservation import Reservation, ReservationPurpose
from services.inventory.domain.stock import (
    Delta,
    LedgerReason,
    StockLevels,
    hold_delta,
    sell_held_delta,
    unhold_delta,
)

SETTLE_EVENTS = {
    LedgerReason.RELEASE: EventType.RESERVATION_RELEASED,
    LedgerReason.EXPIRE: EventType.RESERVATION_EXPIRED,
}


@dataclass
class Sku:
    tenant_id: str
    sku_id: str
    title: str
    stock: StockLevels
    policy: SalePolicy
    status: SaleStatus
    withheld_by_kind: dict[WithholdKind, int]
    version: int
    created_at: datetime
    updated_at: datetime
    changes: list[Change] = field(default_factory=list)

    @property
    def tracks_holdings(self) -> bool:
        """Units per buyer are only counted where a purchase limit needs them."""
        return self.policy.per_user_limit > 0

    @classmethod
    def create(
        cls,
        tenant_id: str,
        sku_id: str,
        title: str,
        on_hand: int,
        policy: SalePolicy,
        status: SaleStatus,
        now: datetime,
        reference: str,
    ) -> Sku:
        sku = cls(tenant_id, sku_id, title, StockLevels(), policy, status, {}, 0, now, now)
        sku._record(
            EventType.SKU_CREATED,
            now,
            SkuCreated(title, policy),
            LedgerEntry(LedgerReason.SKU_CREATED, Delta(on_hand=on_hand), reference),
        )
        return sku

    def _record(
        self, type_: EventType, now: datetime, payload: Payload, ledger: LedgerEntry | None = None
    ) -> None:
        if ledger is not None:
            self.stock = self.stock.applied(ledger.delta)
            assert self.stock.consistent, f"{self.sku_id}: counters would break: {self.stock}"
        self.version += 1
        self.updated_at = now
        self.changes.append(
            Change(type_, self.tenant_id, self.sku_id, now, self.stock, payload, ledger)
        )

    # Administration.

    def restock(self, quantity: int, note: str, now: datetime, reference: str) -> None:
        ledger = LedgerEntry(LedgerReason.RESTOCK, Delta(on_hand=quantity), reference, note)
        self._record(
            EventType.STOCK_ADJUSTED,
            now,
            StockAdjusted(quantity, LedgerReason.RESTOCK, None, note),
            ledger,
        )

    def adjust(
        self, delta: int, reason: AdjustmentReason, note: str, now: datetime, reference: str
    ) -> None:
        self.stock.check_adjustment(self.sku_id, delta)
        ledger = LedgerEntry(LedgerReason.ADJUSTMENT, Delta(on_hand=delta), reference, note)
        self._record(
            EventType.STOCK_ADJUSTED,
            now,
            StockAdjusted(delta, LedgerReason.ADJUSTMENT, reason, note),
            ledger,
        )

    def set_withheld(
        self, kind: WithholdKind, quantity: int, now: datetime, reference: str
    ) -> None:
        change = quantity - self.withheld_by_kind.get(kind, 0)
        self.stock.check_withheld(self.sku_id, self.stock.withheld + change)
        self.withheld_by_kind[kind] = quantity
        ledger = LedgerEntry(LedgerReason.WITHHOLD, Delta(withheld=change), reference, kind.name)
        self._record(EventType.WITHHELD_CHANGED, now, WithheldChanged(kind, quantity), ledger)

    def set_status(
        self, status: SaleStatus, reason: str, now: datetime, expected: SaleStatus | None = None
    ) -> None:
        """With `expected`, the change applies only from that status (a compare-and-set)."""
        if expected is not None and self.status is not expected:
            raise UnexpectedSaleStatus(
                f"{self.sku_id} is {self.status.name}, not {expected.name}",
                sku_id=self.sku_id,
                sale_status=self.status.name,
            )
        previous, self.status = self.status, status
        self._record(
            EventType.SALE_STATUS_CHANGED, now, SaleStatusChanged(previous, status, reason)
        )

    def set_policy(self, policy: SalePolicy, now: datetime) -> None:
        self.policy = policy
        self._record(EventType.SALE_POLICY_CHANGED, now, SalePolicyChanged(policy))

    def return_sold(
        self, quantity: int, order_id: str, note: str, now: datetime, reference: str
    ) -> None:
        self.stock.check_return(self.sku_id, quantity)
        ledger = LedgerEntry(
            LedgerReason.RETURN, Delta(on_hand=quantity, sold=-quantity), reference, note
        )
        self._record(EventType.SOLD_RETURNED, now, SoldReturned(quantity, order_id, note), ledger)

    def repair(
        self, ledger: StockLevels, recomputed: StockLevels, now: datetime, reference: str
    ) -> None:
        """Sets the counters to what the ledger says; where live holds disagree with the
        ledger's reserved units, a REPAIR entry books the difference (holds are the truth)."""
        self.stock = ledger
        delta = Delta(reserved=recomputed.reserved - ledger.reserved)
        entry = LedgerEntry(LedgerReason.REPAIR, delta, reference, "reconcile")
        self._record(
            EventType.STOCK_ADJUSTED,
            now,
            StockAdjusted(0, LedgerReason.REPAIR, None, "reconcile"),
            entry if delta != Delta() else None,
        )

    # Holds.

    @property
    def caps_orders(self) -> bool:
        """Units per order are only counted where a max per order needs them."""
        return self.policy.max_per_order > 0

    def check_can_hold(
        self, reservation: Reservation, held_by_order: int, quantity: int, held_by_user: int
    ) -> None:
        """Every rule a new or grown buyer hold of `quantity` more units must pass, stock last.
        `held_by_order` is what the hold's order already holds of the SKU over ACTIVE and
        CONFIRMED holds, a grown hold's own line included; a hold that names no order is an
        order of its own."""
        if self.status is not SaleStatus.ON_SALE:
            raise SaleNotActive(
                f"{self.sku_id} is {self.status.name}",
                sku_id=self.sku_id,
                sale_status=self.status.name,
            )
        if reservation.purpose is ReservationPurpose.BUYER:
            self._check_buyer_limits(reservation, held_by_order, quantity, held_by_user)
        self.stock.check_hold(self.sku_id, quantity)

    def _check_buyer_limits(
        self, reservation: Reservation, held_by_order: int, quantity: int, held_by_user: int
    ) -> None:
        policy = self.policy
        if not policy.admits_stage(reservation.lock_stage):
            raise LockStageMismatch(
                f"{self.sku_id} holds at {policy.lock_stage.name}, not {reservation.lock_stage.name}",
                sku_id=self.sku_id,
                lock_stage=policy.lock_stage.name,
            )
        if policy.max_per_order and held_by_order + quantity > policy.max_per_order:
            raise MaxPerOrderExceeded(
                f"{self.sku_id}: at most {policy.max_per_order} per order",
                sku_id=self.sku_id,
                max_per_order=policy.max_per_order,
                held=held_by_order,
                requested=quantity,
            )
        if policy.per_user_limit and held_by_user + quantity > policy.per_user_limit:
            raise PurchaseLimitExceeded(
                f"{self.sku_id}: user {reservation.user_id} may hold {policy.per_user_limit}",
                sku_id=self.sku_id,
                limit=policy.per_user_limit,
                held=held_by_user,
                requested=quantity,
            )

    def hold(self, reservation: Reservation, quantity: int, now: datetime) -> None:
        """Records a hold already checked by check_can_hold."""
        line_quantity = reservation.line(self.sku_id).quantity
        ledger = LedgerEntry(LedgerReason.RESERVE, hold_delta(quantity), reservation.reservation_id)
        self._record(
            EventType.RESERVATION_CREATED,
            now,
            ReservationChanged.of(reservation, quantity, line_quantity),
            ledger,
        )

    def resize(self, reservation: Reservation, old: int, new: int, now: datetime) -> None:
        ledger = LedgerEntry(LedgerReason.RESIZE, hold_delta(new - old), reservation.reservation_id)
        self._record(
            EventType.RESERVATION_RESIZED,
            now,
            ReservationChanged.of(reservation, new - old, new),
            ledger,
        )

    def settle(self, reservation: Reservation, reason: LedgerReason, now: datetime) -> None:
        """Records a confirmed, released or expired line of a reservation."""
        quantity = reservation.line(self.sku_id).quantity
        if reason is LedgerReason.CONFIRM:
            delta, type_ = sell_held_delta(quantity), EventType.RESERVATION_CONFIRMED
        else:
            delta, type_ = unhold_delta(quantity), SETTLE_EVENTS[reason]
        ledger = LedgerEntry(reason, delta, reservation.reservation_id)
        self._record(type_, now, ReservationChanged.of(reservation, quantity, quantity), ledger)

    def expire(self, hold: ReservationChanged, now: datetime) -> None:
        """Books a line of a hold past its deadline back to sellable; `hold` is the EXPIRED hold
        as its event shows it, with the line's units."""
        ledger = LedgerEntry(LedgerReason.EXPIRE, unhold_delta(hold.quantity), hold.reservation_id)
        self._record(EventType.RESERVATION_EXPIRED, now, hold, ledger)

    def consume(
        self, reservation: Reservation, quantity: int, order_id: str, now: datetime
    ) -> None:
        line = reservation.line(self.sku_id)
        ledger = LedgerEntry(
            LedgerReason.CONSUME, sell_held_delta(quantity), reservation.reservation_id, order_id
        )
        self._record(
            EventType.RESERVATION_CONSUMED,
            now,
            ReservationChanged.of(reservation, quantity, line.quantity),
            ledger,
        )

    def note_reservation(self, type_: EventType, reservation: Reservation, now: datetime) -> None:
        """Records an event that moves no units (extended, expiring soon)."""
        quantity = reservation.line(self.sku_id).quantity
        self._record(type_, now, ReservationChanged.of(reservation, 0, quantity))
