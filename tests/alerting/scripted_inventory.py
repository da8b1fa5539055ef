"""Inventory's real protobuf events for a scripted live session (until the real inventory drives
the end-to-end tests): counters move as inventory would move them, sequences are gap-free."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from google.protobuf import timestamp_pb2
from streamstock.inventory.v1 import events_pb2, reservation_pb2, stock_pb2


def _ts(value: datetime) -> timestamp_pb2.Timestamp:
    message = timestamp_pb2.Timestamp()
    message.FromDatetime(value)
    return message


@dataclass
class ScriptedSku:
    on_hand: int
    reserved: int = 0
    sold: int = 0

    def levels(self) -> stock_pb2.StockLevels:
        return stock_pb2.StockLevels(
            on_hand=self.on_hand,
            withheld=0,
            reserved=self.reserved,
            sold=self.sold,
            sellable=self.on_hand - self.reserved,
        )


@dataclass
class ScriptedInventory:
    tenant_id: str
    sequence: int = 0
    skus: dict[str, ScriptedSku] = field(default_factory=dict)
    log: list[events_pb2.InventoryEvent] = field(default_factory=list)

    def _event(self, sku_id: str, at: datetime, **kind: object) -> events_pb2.InventoryEvent:
        self.sequence += 1
        event = events_pb2.InventoryEvent(
            sequence=self.sequence,
            tenant_id=self.tenant_id,
            sku_id=sku_id,
            occur_time=_ts(at),
            stock=self.skus[sku_id].levels(),
            **kind,  # type: ignore[arg-type]
        )
        self.log.append(event)
        return event

    def create(self, sku_id: str, on_hand: int, at: datetime) -> events_pb2.InventoryEvent:
        self.skus[sku_id] = ScriptedSku(on_hand)
        return self._event(sku_id, at, sku_created=events_pb2.SkuCreated(title=sku_id))

    def _hold(
        self, reservation_id: str, quantity: int, state: int, expire: datetime | None = None
    ) -> events_pb2.ReservationEvent:
        return events_pb2.ReservationEvent(
            reservation_id=reservation_id,
            user_id=f"user-{reservation_id}",
            order_id=f"order-{reservation_id}",
            quantity=quantity,
            line_quantity=quantity,
            state=state,
            purpose=reservation_pb2.RESERVATION_PURPOSE_BUYER,
            buyer=reservation_pb2.BuyerContext(platform_id="douyin"),
            expire_time=_ts(expire) if expire else None,
        )

    def hold(
        self, sku_id: str, reservation_id: str, quantity: int, at: datetime
    ) -> events_pb2.InventoryEvent:
        self.skus[sku_id].reserved += quantity
        hold = self._hold(reservation_id, quantity, reservation_pb2.RESERVATION_STATE_ACTIVE)
        return self._event(sku_id, at, reservation_created=hold)

    def release(
        self, sku_id: str, reservation_id: str, quantity: int, at: datetime
    ) -> events_pb2.InventoryEvent:
        self.skus[sku_id].reserved -= quantity
        hold = self._hold(reservation_id, quantity, reservation_pb2.RESERVATION_STATE_RELEASED)
        return self._event(sku_id, at, reservation_released=hold)

    def confirm(
        self, sku_id: str, reservation_id: str, quantity: int, at: datetime
    ) -> events_pb2.InventoryEvent:
        self.skus[sku_id].reserved -= quantity
        self.skus[sku_id].sold += quantity
        hold = self._hold(reservation_id, quantity, reservation_pb2.RESERVATION_STATE_CONFIRMED)
        return self._event(sku_id, at, reservation_confirmed=hold)

    def expiring_soon(
        self, sku_id: str, reservation_id: str, quantity: int, expire: datetime, at: datetime
    ) -> events_pb2.InventoryEvent:
        hold = self._hold(
            reservation_id, quantity, reservation_pb2.RESERVATION_STATE_ACTIVE, expire
        )
        return self._event(sku_id, at, reservation_expiring_soon=hold)

    def restock(self, sku_id: str, quantity: int, at: datetime) -> events_pb2.InventoryEvent:
        self.skus[sku_id].on_hand += quantity
        adjusted = events_pb2.StockAdjusted(
            on_hand_delta=quantity, reason=stock_pb2.LEDGER_REASON_RESTOCK
        )
        return self._event(sku_id, at, stock_adjusted=adjusted)

    def sale_status(
        self, sku_id: str, status: int, reason: str, at: datetime
    ) -> events_pb2.InventoryEvent:
        changed = events_pb2.SaleStatusChanged(
            previous=stock_pb2.SALE_STATUS_ON_SALE, current=status, reason=reason
        )
        return self._event(sku_id, at, sale_status_changed=changed)
