"""Inventory's contract events decoded into alerting's StockEvent, and the WatchEvents source.

Inventory keeps its events for a retention (7 days by default). When alerting was away longer,
WatchEvents answers EVENTS_PRUNED with the oldest sequence still kept: the source logs an error
naming the gap and resumes after it instead of asking for the lost events forever. What the
skipped events would have told alerting:
- SKU levels: every event carries its SKU's full counters, so a SKU's levels, its plan's
  consumption and its alerts catch up at the SKU's next event; a SKU with no event after the gap
  keeps the levels of before it (the ticker evaluates those) until it has one.
- Sale status: the last status change alerting saw for a SKU, and who made it, stay those of
  before the gap until the SKU's next change.
- Holds: no buyer reminder is sent for an "expiring soon" event of the gap; such a hold's deadline
  is long past (holds last minutes or hours, the retention is days).
Re-reading SKUs from inventory instead is not done: the follower watches every tenant and knows
neither the tenants nor the SKUs the gap touched, and alerting reads no state of inventory but its
events.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from datetime import UTC

import grpc
from streamstock.inventory.v1 import (
    events_pb2,
    inventory_service_pb2,
    inventory_service_pb2_grpc,
    reservation_pb2,
    stock_pb2,
)

from services.alerting.domain.events import EventKind, HoldChange, StockEvent, StockLevels
from services.alerting.domain.sale_status import SaleStatus, SaleStatusChange
from services.runtime.clients import resume_after_pruned_events

log = logging.getLogger(__name__)

_KINDS = {
    "sku_created": EventKind.SKU_CREATED,
    "stock_adjusted": EventKind.STOCK_ADJUSTED,
    "reservation_created": EventKind.HOLD_CREATED,
    "reservation_confirmed": EventKind.HOLD_CONFIRMED,
    "reservation_released": EventKind.HOLD_RELEASED,
    "reservation_expired": EventKind.HOLD_EXPIRED,
    "reservation_expiring_soon": EventKind.HOLD_EXPIRING_SOON,
    "reservation_extended": EventKind.HOLD_CHANGED,
    "reservation_resized": EventKind.HOLD_CHANGED,
    "reservation_consumed": EventKind.HOLD_CHANGED,
    "sale_status_changed": EventKind.SALE_STATUS_CHANGED,
}
_SALE_STATUSES = {status.value: status for status in SaleStatus}


def _sale_status(event: events_pb2.SaleStatusChanged) -> SaleStatusChange | None:
    status = _SALE_STATUSES.get(event.current)
    return SaleStatusChange(status, event.reason) if status else None


def _hold(event: events_pb2.ReservationEvent) -> HoldChange:
    expire = event.expire_time.ToDatetime(UTC) if event.HasField("expire_time") else None
    return HoldChange(
        reservation_id=event.reservation_id,
        user_id=event.user_id,
        order_id=event.order_id,
        platform_id=event.buyer.platform_id,
        expire_time=expire,
        active=event.state == reservation_pb2.RESERVATION_STATE_ACTIVE,
    )


def decode(message: events_pb2.InventoryEvent) -> StockEvent:
    kind_name = message.WhichOneof("kind") or ""
    kind = _KINDS.get(kind_name, EventKind.OTHER_STOCK_CHANGE)
    stock = message.stock
    restocked = 0
    if kind_name == "stock_adjusted":
        adjusted = message.stock_adjusted
        if adjusted.reason == stock_pb2.LEDGER_REASON_RESTOCK and adjusted.on_hand_delta > 0:
            restocked = adjusted.on_hand_delta
    hold = _hold(getattr(message, kind_name)) if kind_name.startswith("reservation_") else None
    sale_status = (
        _sale_status(message.sale_status_changed) if kind is EventKind.SALE_STATUS_CHANGED else None
    )
    return StockEvent(
        sequence=message.sequence,
        tenant_id=message.tenant_id,
        sku_id=message.sku_id,
        occur_time=message.occur_time.ToDatetime(UTC),
        levels=StockLevels(
            stock.on_hand, stock.withheld, stock.reserved, stock.sold, stock.sellable
        ),
        kind=kind,
        restocked_units=restocked,
        hold=hold,
        sale_status=sale_status,
    )


class WatchEventsSource:
    """Follows InventoryService.WatchEvents for every tenant (a service key), reconnecting with
    backoff; each response's events become one batch. Past a pruned gap it resumes at once."""

    def __init__(self, channel: grpc.aio.Channel, retry_seconds: float = 1.0) -> None:
        self.stub = inventory_service_pb2_grpc.InventoryServiceStub(channel)
        self.retry_seconds = retry_seconds

    async def batches(self, after_sequence: int) -> AsyncIterator[Sequence[StockEvent]]:
        after = after_sequence
        while True:
            try:
                stream = self.stub.WatchEvents(
                    inventory_service_pb2.WatchEventsRequest(after_sequence=after)
                )
                async for response in stream:
                    batch = [decode(event) for event in response.events]
                    if batch:
                        after = batch[-1].sequence
                        yield batch
            except grpc.aio.AioRpcError as error:
                resume = resume_after_pruned_events(
                    error,
                    "alerting",
                    "their changes are skipped and each SKU catches up at its next event",
                    log,
                )
                if resume is not None:
                    after = max(after, resume)
                    continue
                log.warning("WatchEvents failed (%s); resuming after %d", error.code(), after)
            await asyncio.sleep(self.retry_seconds)
