"""The inputs of inventory's use cases, already validated by the entry point."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from services.inventory.domain.events import AdjustmentReason, WithholdKind
from services.inventory.domain.policy import LockStage, SalePolicy, SaleStatus
from services.inventory.domain.reservation import BuyerContext, ReleaseReason, ReservationPurpose


@dataclass(frozen=True)
class Idempotency:
    """The caller's request id and a fingerprint of everything else it sent."""

    request_id: str
    fingerprint: str


@dataclass(frozen=True)
class CreateSku:
    tenant_id: str
    key: Idempotency
    sku_id: str
    title: str
    on_hand: int
    policy: SalePolicy
    status: SaleStatus


@dataclass(frozen=True)
class Restock:
    tenant_id: str
    key: Idempotency
    sku_id: str
    quantity: int
    note: str


@dataclass(frozen=True)
class AdjustStock:
    tenant_id: str
    key: Idempotency
    sku_id: str
    on_hand_delta: int
    reason: AdjustmentReason
    note: str


@dataclass(frozen=True)
class SetWithheld:
    tenant_id: str
    key: Idempotency
    sku_id: str
    kind: WithholdKind
    quantity: int


@dataclass(frozen=True)
class SetSaleStatus:
    tenant_id: str
    key: Idempotency
    sku_id: str
    status: SaleStatus
    reason: str
    expected: SaleStatus | None = None


@dataclass(frozen=True)
class UpdateSalePolicy:
    tenant_id: str
    key: Idempotency
    sku_id: str
    policy: SalePolicy


@dataclass(frozen=True)
class HoldLine:
    sku_id: str
    quantity: int


@dataclass(frozen=True)
class Reserve:
    """A hold of one or several lines; with `pay` set it is a Purchase (reserve and confirm)."""

    tenant_id: str
    key: Idempotency
    user_id: str
    order_id: str
    lines: tuple[HoldLine, ...]
    lock_stage: LockStage
    purpose: ReservationPurpose
    buyer: BuyerContext
    payment_reference: str | None = None
    # Proof that the buyer passed a risk challenge, accepted once by riskcontrol.
    challenge_pass_token: str = ""
    # riskcontrol's decision on this attempt, recorded on the hold (set by the risk screen).
    risk_decision_id: str = ""


@dataclass(frozen=True)
class Confirm:
    tenant_id: str
    key: Idempotency
    reservation_id: str
    payment_reference: str


@dataclass(frozen=True)
class Release:
    tenant_id: str
    key: Idempotency
    reservation_id: str
    reason: ReleaseReason


@dataclass(frozen=True)
class Extend:
    tenant_id: str
    key: Idempotency
    reservation_id: str
    extension: timedelta


@dataclass(frozen=True)
class Resize:
    tenant_id: str
    key: Idempotency
    reservation_id: str
    sku_id: str
    quantity: int
    # Proof that the buyer passed the challenge a growing resize was answered with.
    challenge_pass_token: str = ""
    # riskcontrol's decision on a growing resize; the hold records it as its latest decision.
    risk_decision_id: str = ""


@dataclass(frozen=True)
class Consume:
    tenant_id: str
    key: Idempotency
    reservation_id: str
    sku_id: str
    quantity: int
    order_id: str


@dataclass(frozen=True)
class ReturnSold:
    tenant_id: str
    key: Idempotency
    sku_id: str
    quantity: int
    order_id: str
    note: str


@dataclass(frozen=True)
class Reconcile:
    tenant_id: str
    key: Idempotency
    sku_ids: tuple[str, ...]
    repair: bool
