"""Sale policies: how a SKU is sold, with the seed's defaults per sale mode."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum


class LockStage(Enum):
    CART = 1
    ORDER = 2
    PAYMENT = 3


class SaleMode(Enum):
    REGULAR = 1
    FLASH_SALE = 2
    PRESALE = 3


class SaleStatus(Enum):
    ON_SALE = 1
    PAUSED = 2
    STOPPED = 3


class RiskMode(Enum):
    OFF = 1
    SHADOW = 2
    ENFORCE = 3


class RiskFailMode(Enum):
    OPEN = 1
    CLOSED = 2


# Seed figures: a flash-sale hold lasts about 20 minutes, regular goods up to 120 minutes.
DEFAULT_HOLD_TTL = {
    SaleMode.FLASH_SALE: timedelta(minutes=20),
    SaleMode.REGULAR: timedelta(minutes=120),
    SaleMode.PRESALE: timedelta(minutes=120),
}
DEFAULT_EXPIRING_SOON_LEAD = timedelta(minutes=5)
DEFAULT_RISK_DEADLINE = timedelta(milliseconds=20)
MAX_HOLD_TTL = timedelta(days=30)


@dataclass(frozen=True)
class SalePolicy:
    """How a SKU is sold. Zero durations mean the sale mode's default."""

    lock_stage: LockStage
    sale_mode: SaleMode
    hold_ttl: timedelta = timedelta(0)
    refresh_ttl_on_restock: bool = False
    allow_extension: bool = False
    max_extension: timedelta = timedelta(0)
    max_extensions: int = 0
    per_user_limit: int = 0
    max_per_order: int = 0
    expiring_soon_lead: timedelta = timedelta(0)
    risk_mode: RiskMode = RiskMode.OFF
    risk_fail_mode: RiskFailMode = RiskFailMode.OPEN
    risk_deadline: timedelta = timedelta(0)
    presale_balance_due: datetime | None = None

    @property
    def effective_hold_ttl(self) -> timedelta:
        return self.hold_ttl or DEFAULT_HOLD_TTL[self.sale_mode]

    @property
    def effective_expiring_soon_lead(self) -> timedelta:
        return self.expiring_soon_lead or DEFAULT_EXPIRING_SOON_LEAD

    @property
    def effective_risk_deadline(self) -> timedelta:
        return self.risk_deadline or DEFAULT_RISK_DEADLINE

    def hold_deadline(self, now: datetime) -> datetime:
        """When a hold taken now expires; a presale deposit lasts until the balance is due."""
        if self.sale_mode is SaleMode.PRESALE and self.presale_balance_due is not None:
            return max(self.presale_balance_due, now)
        return now + self.effective_hold_ttl

    def admits_stage(self, stage: LockStage) -> bool:
        """Buying outright (PAYMENT) is always possible; a CART-stage SKU also takes ORDER holds
        (a "buy now" that skipped the cart); otherwise the stage must match."""
        if stage is LockStage.PAYMENT:
            return True
        if self.lock_stage is LockStage.CART:
            return stage in (LockStage.CART, LockStage.ORDER)
        return stage is self.lock_stage
