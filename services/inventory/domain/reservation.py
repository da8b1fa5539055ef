"""Reservations: holds with a deadline, settled exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from services.inventory.domain.errors import (
    ExtensionNotAllowed,
    ReservationExpired,
    ReservationNotActive,
)
from services.inventory.domain.policy import LockStage, SaleMode, SalePolicy


class ReservationState(Enum):
    ACTIVE = 1
    CONFIRMED = 2
    RELEASED = 3
    EXPIRED = 4


class ReservationPurpose(Enum):
    BUYER = 1
    PLATFORM_QUOTA = 2


class ReleaseReason(Enum):
    BUYER_CANCELLED = 1
    ORDER_CANCELLED = 2
    PAYMENT_FAILED = 3
    OPERATOR = 4
    QUOTA_RETURNED = 5


@dataclass(frozen=True)
class BuyerContext:
    platform_id: str = ""
    ip: str = ""
    device_id: str = ""


@dataclass
class ReservationLine:
    sku_id: str
    quantity: int
    consumed: int = 0


@dataclass
class Reservation:
    tenant_id: str
    reservation_id: str
    user_id: str
    order_id: str
    lines: list[ReservationLine]
    lock_stage: LockStage
    purpose: ReservationPurpose
    buyer: BuyerContext
    created_at: datetime
    expires_at: datetime | None
    state: ReservationState = ReservationState.ACTIVE
    settled_at: datetime | None = None
    extension_count: int = 0
    payment_reference: str = ""
    release_reason: ReleaseReason | None = None
    risk_decision_id: str = ""
    expiring_soon_sent: bool = False
    # When the "expiring soon" event is due; None for holds without a deadline.
    notify_at: datetime | None = None

    @classmethod
    def open(
        cls,
        tenant_id: str,
        reservation_id: str,
        user_id: str,
        order_id: str,
        lines: list[ReservationLine],
        lock_stage: LockStage,
        purpose: ReservationPurpose,
        buyer: BuyerContext,
        now: datetime,
        policy: SalePolicy,
    ) -> Reservation:
        """A new ACTIVE hold; platform quotas have no deadline, buyer holds follow the policy."""
        reservation = cls(
            tenant_id,
            reservation_id,
            user_id,
            order_id,
            lines,
            lock_stage,
            purpose,
            buyer,
            now,
            None,
        )
        if purpose is ReservationPurpose.BUYER:
            reservation._set_deadline(policy.hold_deadline(now), policy)
        return reservation

    def _set_deadline(self, expires_at: datetime, policy: SalePolicy) -> None:
        self.expires_at = expires_at
        self.notify_at = expires_at - policy.effective_expiring_soon_lead
        self.expiring_soon_sent = False

    def mark_expiring_soon_sent(self) -> None:
        self.expiring_soon_sent = True

    def state_at(self, now: datetime) -> ReservationState:
        """What a reader sees: an ACTIVE hold past its deadline is EXPIRED, swept or not."""
        if self.state is ReservationState.ACTIVE and self.is_due(now):
            return ReservationState.EXPIRED
        return self.state

    def is_due(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def line(self, sku_id: str) -> ReservationLine:
        for line in self.lines:
            if line.sku_id == sku_id:
                return line
        raise KeyError(sku_id)

    def require_active(self, now: datetime) -> None:
        state = self.state_at(now)
        if state is ReservationState.EXPIRED:
            raise ReservationExpired(
                f"reservation {self.reservation_id} expired at {self.expires_at}",
                reservation_id=self.reservation_id,
                expire_time=self.expires_at,
            )
        if state is not ReservationState.ACTIVE:
            raise ReservationNotActive(
                f"reservation {self.reservation_id} is {state.name}",
                reservation_id=self.reservation_id,
                state=state.name,
            )

    @property
    def held_units(self) -> int:
        return sum(line.quantity for line in self.lines)

    def confirm(self, now: datetime, payment_reference: str) -> None:
        self.require_active(now)
        self.state = ReservationState.CONFIRMED
        self.settled_at = now
        self.payment_reference = payment_reference

    def release(self, now: datetime, reason: ReleaseReason) -> None:
        self.require_active(now)
        self.state = ReservationState.RELEASED
        self.settled_at = now
        self.release_reason = reason

    def expire(self, now: datetime) -> None:
        """The sweeper's transition; only a due ACTIVE hold may expire."""
        if self.state is not ReservationState.ACTIVE or not self.is_due(now):
            raise ReservationNotActive(
                f"reservation {self.reservation_id} is not due",
                reservation_id=self.reservation_id,
                state=self.state.name,
            )
        self.state = ReservationState.EXPIRED
        self.settled_at = now

    def check_extension(self, now: datetime, by: timedelta, policy: SalePolicy) -> None:
        self.require_active(now)
        if self.expires_at is None:
            raise ExtensionNotAllowed("platform quotas do not expire", why="NO_DEADLINE")
        if not policy.allow_extension:
            raise ExtensionNotAllowed("the sale policy does not allow extensions", why="DISABLED")
        if self.extension_count >= policy.max_extensions:
            raise ExtensionNotAllowed(
                f"already extended {self.extension_count} times",
                why="TOO_MANY",
                max_extensions=policy.max_extensions,
            )
        if by > policy.max_extension:
            raise ExtensionNotAllowed(
                f"extension {by} exceeds {policy.max_extension}",
                why="TOO_LONG",
                max_extension_seconds=int(policy.max_extension.total_seconds()),
            )
        due = policy.presale_balance_due
        if policy.sale_mode is SaleMode.PRESALE and due is not None and self.expires_at + by > due:
            # The balance date is the deadline of every deposit: a missed balance releases it.
            raise ExtensionNotAllowed(
                f"a presale deposit cannot outlast the balance date {due.isoformat()}",
                why="PAST_BALANCE_DUE",
            )

    def extend(self, now: datetime, by: timedelta, policies: list[SalePolicy]) -> None:
        """Moves the deadline by `by` if every SKU's policy of the hold allows it."""
        for policy in policies:
            self.check_extension(now, by, policy)
        assert self.expires_at is not None
        self._set_deadline(self.expires_at + by, policies[0])
        self.extension_count += 1
