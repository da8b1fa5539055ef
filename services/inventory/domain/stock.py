"""Stock counters and their changes. sellable = on_hand - withheld - reserved is never negative."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from services.inventory.domain.errors import (
    InsufficientStock,
    OnHandBelowCommitted,
    WithheldExceedsAvailable,
)


class LedgerReason(Enum):
    SKU_CREATED = 1
    RESTOCK = 2
    ADJUSTMENT = 3
    WITHHOLD = 4
    RESERVE = 5
    CONFIRM = 6
    RELEASE = 7
    EXPIRE = 8
    RESIZE = 9
    CONSUME = 10
    RETURN = 11
    REPAIR = 12


@dataclass(frozen=True)
class Delta:
    """A change of the four counters; the ledger stores one per entry."""

    on_hand: int = 0
    withheld: int = 0
    reserved: int = 0
    sold: int = 0


def hold_delta(quantity: int) -> Delta:
    return Delta(reserved=quantity)


def unhold_delta(quantity: int) -> Delta:
    return Delta(reserved=-quantity)


def sell_held_delta(quantity: int) -> Delta:
    return Delta(on_hand=-quantity, reserved=-quantity, sold=quantity)


@dataclass(frozen=True)
class StockLevels:
    on_hand: int = 0
    withheld: int = 0
    reserved: int = 0
    sold: int = 0

    @property
    def sellable(self) -> int:
        return self.on_hand - self.withheld - self.reserved

    def applied(self, delta: Delta) -> StockLevels:
        return StockLevels(
            self.on_hand + delta.on_hand,
            self.withheld + delta.withheld,
            self.reserved + delta.reserved,
            self.sold + delta.sold,
        )

    @property
    def consistent(self) -> bool:
        return (
            self.withheld >= 0
            and self.reserved >= 0
            and self.sold >= 0
            and self.on_hand >= self.withheld + self.reserved
        )

    def check_hold(self, sku_id: str, quantity: int) -> None:
        if quantity > self.sellable:
            raise InsufficientStock(
                f"{sku_id}: {quantity} requested, {max(self.sellable, 0)} sellable",
                sku_id=sku_id,
                requested=quantity,
                sellable=max(self.sellable, 0),
            )

    def check_adjustment(self, sku_id: str, on_hand_delta: int) -> None:
        after = self.on_hand + on_hand_delta
        committed = self.withheld + self.reserved
        if after < committed:
            raise OnHandBelowCommitted(
                f"{sku_id}: on hand would be {after}, below {committed} withheld and reserved",
                sku_id=sku_id,
                on_hand_after=after,
                committed=committed,
            )

    def check_withheld(self, sku_id: str, withheld_total: int) -> None:
        available = self.on_hand - self.reserved
        if withheld_total > available:
            raise WithheldExceedsAvailable(
                f"{sku_id}: {withheld_total} withheld exceeds {available} not reserved",
                sku_id=sku_id,
                withheld=withheld_total,
                available=available,
            )

    def check_return(self, sku_id: str, quantity: int) -> None:
        if quantity > self.sold:
            raise InsufficientStock(
                f"{sku_id}: {quantity} returned, only {self.sold} sold",
                sku_id=sku_id,
                requested=quantity,
                sold=self.sold,
            )
