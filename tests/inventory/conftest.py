"""inventory started in-process against the session's PostgreSQL and Redis, and a typed client."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg
import grpc
import pytest
from google.protobuf import duration_pb2
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from streamstock.inventory.v1 import inventory_service_pb2 as api
from streamstock.inventory.v1 import inventory_service_pb2_grpc, reservation_pb2, stock_pb2

from tests.conftest import API_KEYS, RunningService, StartService


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def seconds(value: float) -> duration_pb2.Duration:
    span = duration_pb2.Duration()
    span.FromTimedelta(timedelta(seconds=value))
    return span


def flash_policy(**changes: Any) -> stock_pb2.SalePolicy:
    policy = stock_pb2.SalePolicy(
        lock_stage=stock_pb2.LOCK_STAGE_CART, sale_mode=stock_pb2.SALE_MODE_FLASH_SALE
    )
    for name, value in changes.items():
        if isinstance(value, duration_pb2.Duration):
            getattr(policy, name).CopyFrom(value)
        else:
            setattr(policy, name, value)
    return policy


def reason_of(error: grpc.aio.AioRpcError) -> str:
    """The ErrorInfo reason of a failed call."""
    status = rpc_status.from_call(error)
    assert status is not None, error
    for detail in status.details:
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info):
            return info.reason
    raise AssertionError(f"no ErrorInfo in {error}")


def metadata_of(error: grpc.aio.AioRpcError) -> dict[str, str]:
    status = rpc_status.from_call(error)
    assert status is not None
    for detail in status.details:
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info):
            return dict(info.metadata)
    return {}


@contextlib.asynccontextmanager
async def sku_row_locked(
    postgres_dsn: str, sku_id: str, tenant_id: str = "acme"
) -> AsyncIterator[None]:
    """Holds the SKU's row lock in a transaction of the test's own, as a long writer would."""
    conn = await asyncpg.connect(postgres_dsn)
    try:
        async with conn.transaction():
            await conn.execute(
                "SELECT 1 FROM inventory.skus WHERE tenant_id = $1 AND sku_id = $2 FOR UPDATE",
                tenant_id,
                sku_id,
            )
            yield
    finally:
        await conn.close()


@dataclass
class Client:
    """InventoryService as a tenant's admin calls it."""

    stub: inventory_service_pb2_grpc.InventoryServiceStub
    tenant_id: str
    key: str

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        return (("x-api-key", self.key),)

    async def call(self, method: str, **fields: Any) -> Any:
        request_type = getattr(api, f"{method}Request")
        if "request_id" in request_type.DESCRIPTOR.fields_by_name and "request_id" not in fields:
            fields["request_id"] = unique("req")
        request = request_type(tenant_id=fields.pop("tenant_id", self.tenant_id), **fields)
        return await getattr(self.stub, method)(request, metadata=self.metadata, timeout=30)

    async def create_sku(self, on_hand: int, **policy: Any) -> str:
        sku_id = unique("sku")
        await self.call(
            "CreateSku",
            sku_id=sku_id,
            title="Lipstick",
            on_hand=on_hand,
            policy=flash_policy(**policy),
        )
        return sku_id

    async def hold(
        self, sku_id: str, quantity: int = 1, **fields: Any
    ) -> reservation_pb2.Reservation:
        fields.setdefault("user_id", unique("user"))
        fields.setdefault("order_id", unique("order"))
        fields.setdefault("lock_stage", stock_pb2.LOCK_STAGE_CART)
        fields.setdefault("purpose", reservation_pb2.RESERVATION_PURPOSE_BUYER)
        response = await self.call(
            "Reserve", lines=[api.ReserveLine(sku_id=sku_id, quantity=quantity)], **fields
        )
        return response.reservation

    async def stock(self, sku_id: str) -> stock_pb2.StockLevels:
        return (await self.call("GetSku", sku_id=sku_id)).sku.stock


@pytest.fixture
async def inventory(start_service: StartService) -> RunningService:
    return await start_service("inventory")


@pytest.fixture
async def client(inventory: RunningService) -> AsyncIterator[Client]:
    yield Client(
        inventory_service_pb2_grpc.InventoryServiceStub(inventory.channel),
        "acme",
        API_KEYS.acme_admin,
    )
