"""Follows inventory's WatchEvents stream and turns buyer-hold changes into HoldFacts: created
holds confirm the purchase-limit units riskcontrol counted for their decision; expiries, releases
and resizes update the signals.

Inventory keeps its events for a retention (7 days by default). When riskcontrol was away longer,
WatchEvents answers EVENTS_PRUNED with the oldest sequence still kept: the follow logs an error
naming the gap, hands the follower an empty batch ending just before that sequence (so its cursor
moves past the gap) and streams on from there, instead of asking for the lost events forever.
What the skipped events would have told riskcontrol is lost, not repaired: unpaid expiries of the
gap are not counted (those buyers look better than they were), releases and resizes of the gap
do not correct the purchase-limit tallies (those buyers look as if still holding), and holds
created in the gap are not confirmed (their units stop counting after the provisional grace). Both kinds of
signal live at most 7 days (rules.MAX_WINDOW), no longer than the default retention, so what a gap
leaves wrong ages out on its own. There is no current state to re-read instead: inventory keeps
holds, not these per-buyer counts.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import grpc
from streamstock.inventory.v1 import (
    events_pb2,
    inventory_service_pb2,
    inventory_service_pb2_grpc,
    reservation_pb2,
)

from services.riskcontrol.service_layer.ports import EventBatch, HoldChange, HoldFact
from services.runtime.clients import resume_after_pruned_events

log = logging.getLogger(__name__)

_CHANGES = {
    "reservation_created": HoldChange.CREATED,
    "reservation_expired": HoldChange.EXPIRED,
    "reservation_released": HoldChange.RELEASED,
    "reservation_confirmed": HoldChange.CONFIRMED,
    "reservation_resized": HoldChange.RESIZED,
}
_WATCHED = [
    events_pb2.EVENT_TYPE_RESERVATION_CREATED,
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
        line.risk_decision_id,
    )  # fmt: skip


class GrpcInventoryEvents:
    """One stream per follow, reopened past a pruned gap; any other broken stream ends the
    iteration with its error."""

    def __init__(self, channel: Any) -> None:
        self._stub = inventory_service_pb2_grpc.InventoryServiceStub(channel)

    async def follow(self, after_sequence: int) -> AsyncIterator[EventBatch]:
        after = after_sequence
        while True:
            try:
                async for batch in self._stream(after):
                    after = batch.last_sequence
                    yield batch
                return
            except grpc.aio.AioRpcError as error:
                resume = resume_after_pruned_events(
                    error,
                    "riskcontrol",
                    "their unpaid expiries, releases and resizes are not counted",
                    log,
                )
                if resume is None:
                    raise
                after = max(after, resume)
            yield EventBatch([], after)  # the follower saves its cursor past the gap

    async def _stream(self, after_sequence: int) -> AsyncIterator[EventBatch]:
        request = inventory_service_pb2.WatchEventsRequest(
            after_sequence=after_sequence, event_types=_WATCHED
        )
        async for response in self._stub.WatchEvents(request):
            if not response.events:
                continue
            facts = [f for f in (hold_fact(e) for e in response.events) if f is not None]
            yield EventBatch(facts, max(e.sequence for e in response.events))
