"""alerting's sale actions against the real inventory: a resume is a compare-and-set from the
pause (SetSaleStatus with expected_sale_status), so a status someone else set after the follower
last looked is never overwritten, however close the race."""

from __future__ import annotations

import pytest
from streamstock.inventory.v1 import inventory_service_pb2 as inv
from streamstock.inventory.v1 import inventory_service_pb2_grpc, stock_pb2

from alerting.test_end_to_end_inventory import TENANT, create_sku
from services.alerting.adapters.inventory_sales import InventorySales
from services.alerting.domain.policy import ResponseAction
from services.alerting.service_layer.ports import SaleStatusChangedMeanwhile
from services.runtime import clients

SKU = "sales-cas-sku"


async def test_a_resume_applies_only_from_the_pause(start_service, api_keys) -> None:
    inventory = await start_service("inventory")
    admin = [("x-api-key", api_keys.acme_admin)]
    stub = inventory_service_pb2_grpc.InventoryServiceStub(inventory.channel)
    channel = clients.channel(f"127.0.0.1:{inventory.host.port}", api_keys.service, 5.0)
    sales = InventorySales(channel, 5.0)

    async def status() -> int:
        reply = await stub.GetSku(inv.GetSkuRequest(tenant_id=TENANT, sku_id=SKU), metadata=admin)
        return int(reply.sku.sale_status)

    async def operator_sets(sale_status: int, request_id: str) -> None:
        await stub.SetSaleStatus(
            inv.SetSaleStatusRequest(
                tenant_id=TENANT, request_id=request_id, sku_id=SKU, sale_status=sale_status
            ),
            metadata=admin,
        )

    try:
        await create_sku(stub, admin, SKU, 10)
        await sales.set_sale_status(TENANT, SKU, ResponseAction.PAUSE_SALE, "cas-pause", "RED")
        assert await status() == stock_pb2.SALE_STATUS_PAUSED
        # The operator stops the sale just before alerting's resume lands.
        await operator_sets(stock_pb2.SALE_STATUS_STOPPED, "cas-operator-stop")
        with pytest.raises(SaleStatusChangedMeanwhile, match="STOPPED"):
            await sales.set_sale_status(
                TENANT, SKU, ResponseAction.RESUME_SALE, "cas-resume-1", "RED cleared"
            )
        assert await status() == stock_pb2.SALE_STATUS_STOPPED
        # From the pause, the resume applies.
        await operator_sets(stock_pb2.SALE_STATUS_PAUSED, "cas-operator-pause")
        await sales.set_sale_status(
            TENANT, SKU, ResponseAction.RESUME_SALE, "cas-resume-2", "RED cleared"
        )
        assert await status() == stock_pb2.SALE_STATUS_ON_SALE
    finally:
        await channel.close()
