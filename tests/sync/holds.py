"""Drift planted in inventory for the reconciliation tests."""

from __future__ import annotations

from streamstock.inventory.v1 import inventory_service_pb2 as inventory_api
from streamstock.inventory.v1 import reservation_pb2, stock_pb2

from tests.conftest import API_KEYS
from tests.sync.conftest import SyncStack, unique


async def orphan_hold(stack: SyncStack, platform_id: str, sku_id: str) -> str:
    """A quota hold of one unit sync does not know of (a crash between inventory's answer and
    sync's commit); returns its reservation id."""
    as_service = type(stack.stock)(
        stack.stock.stub, API_KEYS.service, requests=stack.stock.requests
    )
    orphan = await as_service.Reserve(
        request_id=unique("orphan"),
        user_id=f"platform:{platform_id}",
        order_id=f"quota:{platform_id}:{sku_id}",
        lines=[inventory_api.ReserveLine(sku_id=sku_id, quantity=1)],
        lock_stage=stock_pb2.LOCK_STAGE_ORDER,
        purpose=reservation_pb2.RESERVATION_PURPOSE_PLATFORM_QUOTA,
    )
    return str(orphan.reservation.reservation_id)
