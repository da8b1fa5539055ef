"""Inventory's stock events as alerting sees them (decoded from the contract by an adapter)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from services.alerting.domain.sale_status import SaleStatusChange


@dataclass(frozen=True)
class StockLevels:
    on_hand: int
    withheld: int
    reserved: int
    sold: int
    sellable: int

    @property
    def committed(self) -> int:
        """Units that left sellable stock for buyers: held or sold."""
        return self.reserved + self.sold


class EventKind(Enum):
    SKU_CREATED = "sku_created"
    STOCK_ADJUSTED = "stock_adjusted"
    OTHER_STOCK_CHANGE = "other_stock_change"
    HOLD_CREATED = "hold_created"
    HOLD_CONFIRMED = "hold_confirmed"
    HOLD_RELEASED = "hold_released"
    HOLD_EXPIRED = "hold_expired"
    HOLD_EXPIRING_SOON = "hold_expiring_soon"
    HOLD_CHANGED = "hold_changed"
    SALE_STATUS_CHANGED = "sale_status_changed"


HOLD_CLOSED = (EventKind.HOLD_CONFIRMED, EventKind.HOLD_RELEASED, EventKind.HOLD_EXPIRED)


@dataclass(frozen=True)
class HoldChange:
    reservation_id: str
    user_id: str
    order_id: str
    platform_id: str
    expire_time: datetime | None
    active: bool


@dataclass(frozen=True)
class StockEvent:
    sequence: int
    tenant_id: str
    sku_id: str
    occur_time: datetime
    levels: StockLevels
    kind: EventKind
    restocked_units: int = 0
    hold: HoldChange | None = None
    sale_status: SaleStatusChange | None = None
