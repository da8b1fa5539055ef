"""Pauses, stops or resumes a SKU's sale through InventoryService.SetSaleStatus (outbound, with deadline)."""

from __future__ import annotations

import grpc
from streamstock.inventory.v1 import inventory_service_pb2, inventory_service_pb2_grpc, stock_pb2

from services.alerting.domain.policy import ResponseAction
from services.alerting.service_layer.ports import DeliveryFailed, SaleStatusChangedMeanwhile
from services.runtime.clients import refusal_reason

_STATUS = {
    ResponseAction.PAUSE_SALE: stock_pb2.SALE_STATUS_PAUSED,
    ResponseAction.STOP_SALE: stock_pb2.SALE_STATUS_STOPPED,
    ResponseAction.RESUME_SALE: stock_pb2.SALE_STATUS_ON_SALE,
}


class InventorySales:
    """The channel comes from services.runtime.clients: the service key and a deadline ride on it."""

    def __init__(self, channel: grpc.aio.Channel, deadline_seconds: float) -> None:
        self.stub = inventory_service_pb2_grpc.InventoryServiceStub(channel)
        self.deadline = deadline_seconds

    async def set_sale_status(
        self, tenant_id: str, sku_id: str, action: ResponseAction, request_id: str, reason: str
    ) -> None:
        request = inventory_service_pb2.SetSaleStatusRequest(
            tenant_id=tenant_id,
            request_id=request_id,
            sku_id=sku_id,
            sale_status=_STATUS[action],
            reason=reason[:500],
        )
        if action is ResponseAction.RESUME_SALE:
            # Only from the pause: an operator's status set since is never overwritten.
            request.expected_sale_status = stock_pb2.SALE_STATUS_PAUSED
        try:
            await self.stub.SetSaleStatus(request, timeout=self.deadline)
        except grpc.aio.AioRpcError as error:
            if refusal_reason(error) == "SALE_STATUS_CHANGED":
                raise SaleStatusChangedMeanwhile(error.details() or "") from error
            raise DeliveryFailed(f"SetSaleStatus: {error.code().name} {error.details()}") from error
