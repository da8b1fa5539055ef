"""The escrow port over inventory's gRPC API (PLATFORM_QUOTA holds), called with the service key
and a deadline on every call (services/runtime/clients.py)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

import grpc
from streamstock.inventory.v1 import (
    inventory_service_pb2 as api,
)
from streamstock.inventory.v1 import (
    inventory_service_pb2_grpc,
    reservation_pb2,
    stock_pb2,
)

from services.runtime.clients import refusal_reason
from services.sync.domain.errors import InventoryUnavailable
from services.sync.service_layer.ports import EscrowRefused, HoldView, StockView, hold_order_id

T = TypeVar("T")

_UNAVAILABLE = (
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.UNIMPLEMENTED,
    grpc.StatusCode.INTERNAL,
    grpc.StatusCode.UNKNOWN,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
)
_HOLDING_STAGES = (stock_pb2.LOCK_STAGE_CART, stock_pb2.LOCK_STAGE_ORDER)


async def _call(call: Awaitable[T]) -> T:
    try:
        return await call
    except grpc.aio.AioRpcError as error:
        if error.code() in _UNAVAILABLE:
            raise InventoryUnavailable(f"inventory: {error.code().name}") from error
        raise EscrowRefused(refusal_reason(error)) from error


class InventoryEscrow:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub = inventory_service_pb2_grpc.InventoryServiceStub(channel)
        self._stages: dict[tuple[str, str], int] = {}

    async def stock(self, tenant_id: str, sku_id: str) -> StockView | None:
        try:
            reply = await _call(
                self._stub.GetSku(api.GetSkuRequest(tenant_id=tenant_id, sku_id=sku_id))
            )
        except EscrowRefused as refused:
            if refused.reason == "SKU_NOT_FOUND":
                return None
            raise
        stage = reply.sku.policy.lock_stage
        stage = stage if stage in _HOLDING_STAGES else stock_pb2.LOCK_STAGE_ORDER
        self._stages[(tenant_id, sku_id)] = stage
        return StockView(reply.sku.stock.sellable, reply.sku.stock.sold, stage)

    async def open_hold(
        self, tenant_id: str, request_id: str, platform_id: str, sku_id: str, units: int
    ) -> str:
        stage = self._stages.get((tenant_id, sku_id))
        if stage is None:
            view = await self.stock(tenant_id, sku_id)
            stage = view.lock_stage if view else stock_pb2.LOCK_STAGE_ORDER
        request = api.ReserveRequest(
            tenant_id=tenant_id,
            request_id=request_id,
            user_id=f"platform:{platform_id}",
            order_id=hold_order_id(platform_id, sku_id),
            lines=[api.ReserveLine(sku_id=sku_id, quantity=units)],
            lock_stage=stage,
            purpose=reservation_pb2.RESERVATION_PURPOSE_PLATFORM_QUOTA,
            buyer=reservation_pb2.BuyerContext(platform_id=platform_id),
        )
        reply = await _call(self._stub.Reserve(request))
        return str(reply.reservation.reservation_id)

    async def resize_hold(
        self, tenant_id: str, request_id: str, reservation_id: str, sku_id: str, units: int
    ) -> None:
        await _call(
            self._stub.ResizeReservation(
                api.ResizeReservationRequest(
                    tenant_id=tenant_id,
                    request_id=request_id,
                    reservation_id=reservation_id,
                    sku_id=sku_id,
                    quantity=units,
                )
            )
        )

    async def release_hold(self, tenant_id: str, request_id: str, reservation_id: str) -> None:
        await _call(
            self._stub.ReleaseReservation(
                api.ReleaseReservationRequest(
                    tenant_id=tenant_id,
                    request_id=request_id,
                    reservation_id=reservation_id,
                    reason=reservation_pb2.RELEASE_REASON_QUOTA_RETURNED,
                )
            )
        )

    async def consume(
        self,
        tenant_id: str,
        request_id: str,
        reservation_id: str,
        sku_id: str,
        units: int,
        order_id: str,
    ) -> None:
        await _call(
            self._stub.ConsumeReservation(
                api.ConsumeReservationRequest(
                    tenant_id=tenant_id,
                    request_id=request_id,
                    reservation_id=reservation_id,
                    sku_id=sku_id,
                    quantity=units,
                    order_id=order_id,
                )
            )
        )

    async def return_sold(
        self, tenant_id: str, request_id: str, sku_id: str, units: int, order_id: str
    ) -> None:
        await _call(
            self._stub.ReturnSold(
                api.ReturnSoldRequest(
                    tenant_id=tenant_id,
                    request_id=request_id,
                    sku_id=sku_id,
                    quantity=units,
                    order_id=order_id,
                    note="platform cancellation or refund reported to sync",
                )
            )
        )

    async def sku_ids(self, tenant_id: str) -> list[str]:
        ids: list[str] = []
        token = ""
        for _ in range(10_000):  # bounded: at most ten million SKUs per tenant
            reply: Any = await _call(
                self._stub.ListSkus(
                    api.ListSkusRequest(tenant_id=tenant_id, page_size=1000, page_token=token)
                )
            )
            ids += [sku.sku_id for sku in reply.skus]
            token = reply.next_page_token
            if not token:
                break
        return ids

    async def holds_of(self, tenant_id: str, platform_id: str, sku_id: str) -> list[HoldView]:
        holds: list[HoldView] = []
        token = ""
        for _ in range(1000):  # bounded: at most a million holds per platform and SKU
            reply: Any = await _call(
                self._stub.ListReservations(
                    api.ListReservationsRequest(
                        tenant_id=tenant_id,
                        order_id=hold_order_id(platform_id, sku_id),
                        page_size=1000,
                        page_token=token,
                    )
                )
            )
            holds += [_hold_of(r, sku_id) for r in reply.reservations]
            token = reply.next_page_token
            if not token:
                break
        return holds


def _hold_of(reservation: Any, sku_id: str) -> HoldView:
    line = next((ln for ln in reservation.lines if ln.sku_id == sku_id), None)
    return HoldView(
        reservation.reservation_id,
        line.quantity if line else 0,
        line.consumed_quantity if line else 0,
        reservation.state == reservation_pb2.RESERVATION_STATE_ACTIVE,
    )


class UnconfiguredEscrow:
    """Stands in when STREAMSTOCK_INVENTORY_ADDR is not set: sync serves its reads and health, and
    every quota change answers INVENTORY_UNAVAILABLE naming the missing setting."""

    def __getattr__(self, name: str) -> Any:
        async def unavailable(*args: object) -> Any:
            raise InventoryUnavailable("inventory is not configured (STREAMSTOCK_INVENTORY_ADDR)")

        return unavailable
