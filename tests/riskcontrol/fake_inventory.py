"""A stand-in for inventory's WatchEvents, served over real gRPC from generated stubs.

The riskcontrol tests publish through it exactly the hold changes they need (expired unpaid holds,
releases, resizes, created holds with their decision), when they need them, without running inventory and waiting for its expiry
sweeper; riskcontrol's follower consumes them as it consumes inventory's own stream. The tests in
tests/integration run the real inventory.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
from google.protobuf import timestamp_pb2
from streamstock.inventory.v1 import (
    events_pb2,
    inventory_service_pb2,
    inventory_service_pb2_grpc,
    reservation_pb2,
)

from tools.devstack.ports import LOOPBACK


class FakeInventoryEvents(inventory_service_pb2_grpc.InventoryServiceServicer):
    def __init__(self) -> None:
        self.log: list[events_pb2.InventoryEvent] = []
        self._appended = asyncio.Condition()
        self.watch_requests: list[int] = []
        self.server = grpc.aio.server()
        inventory_service_pb2_grpc.add_InventoryServiceServicer_to_server(self, self.server)
        self.port = self.server.add_insecure_port(f"{LOOPBACK}:0")

    @property
    def address(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    async def publish(self, tenant_id: str, sku_id: str, kind: str, hold: dict[str, object]) -> int:
        buyer = reservation_pb2.BuyerContext(
            platform_id="douyin", ip=str(hold.get("ip", "")), device_id=str(hold.get("device", ""))
        )
        line = events_pb2.ReservationEvent(
            reservation_id=str(hold["reservation_id"]),
            user_id=str(hold["user"]),
            order_id=str(hold["order"]),
            quantity=int(hold.get("quantity", 1)),  # type: ignore[call-overload]
            line_quantity=int(hold.get("line_quantity", 0)),  # type: ignore[call-overload]
            risk_decision_id=str(hold.get("decision", "")),
            purpose=reservation_pb2.RESERVATION_PURPOSE_BUYER,
            buyer=buyer,
        )
        async with self._appended:
            event = events_pb2.InventoryEvent(
                sequence=len(self.log) + 1,
                tenant_id=tenant_id,
                sku_id=sku_id,
                occur_time=timestamp_pb2.Timestamp(seconds=1_800_000_000),
                **{kind: line},
            )
            self.log.append(event)
            self._appended.notify_all()
            return event.sequence

    async def WatchEvents(
        self, request: inventory_service_pb2.WatchEventsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[inventory_service_pb2.WatchEventsResponse]:
        self.watch_requests.append(request.after_sequence)
        sent = request.after_sequence
        while True:
            batch = await self._after(sent)
            sent += len(batch)
            yield inventory_service_pb2.WatchEventsResponse(events=batch, head_sequence=sent)

    async def _after(self, sequence: int) -> list[events_pb2.InventoryEvent]:
        async with self._appended:
            await self._appended.wait_for(lambda: len(self.log) > sequence)
            return self.log[sequence:]
