"""Follows inventory's WatchEvents stream and turns buyer-hold changes into HoldFacts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from streamstock.inventory.v1 import (
    events_pb2,
    inventory_service_pb2,
    inventory_service_pb2_grpc,
    reservation_pb2,
)

from services.riskcontrol.service_layer.ports import EventBatch, HoldChange, HoldFact

_CHANGES = {
    "reservation_expired": HoldChange.EXPIRED,
    "reservation_released": HoldChange.RELEASED,
    "reservation_confirmed": HoldChange.CONFIRMED,
    "reservation_resized": HoldChange.RESIZED,
}
_WATCHED = [
    events_pb2.EVENT_TYPE_RESERVATION_EXPIRED,
    events_pb2.EVENT_TYPE_RESERVATION_RELEASED,
    events_pb2.EVENT_TYPE_RESERVATION_CONFIRMED,
    events_pb2.EVENT_TYPE_RESERVATION_RESIZED,
]


def hold_fact(event: events_pb2.InventoryEvent) -> HoldFact | None:
    kind = event.WhichOneof("kind")
    change = _CHANGES.get(kind or "")
    if change is None:
        return None
    line = getattr(event, kind)
    if line.purpose != reservation_pb2.RESERVATION_PURPOSE_BUYER:
        return None
    return HoldFact(
        event.tenant_id, event.sku_id, change, line.reservation_id, line.user_id,
        line.order_id, line.quantity, line.buyer.ip, line.buyer.device_id, line.line_quantity,
    )  # fmt: skip


class GrpcInventoryEvents:
    """One stream per follow; a broken stream ends the iteration with its error."""

    def __init__(self, channel: Any) -> None:
        self._stub = inventory_service_pb2_grpc.InventoryServiceStub(channel)

    async def follow(self, after_sequence: int) -> AsyncIterator[EventBatch]:
        request = inventory_service_pb2.WatchEventsRequest(
            after_sequence=after_sequence, event_types=_WATCHED
        )
        async for response in self._stub.WatchEvents(request):
            if not response.events:
                continue
            facts = [f for f in (hold_fact(e) for e in response.events) if f is not None]
            yield EventBatch(facts, max(e.sequence for e in response.events))
