"""Baseline B: inventory with the naive hold path most shops run, one transaction per request
with a conditional UPDATE of the counter row, then the hold and its ledger entry.

Everything else (validation, runtime, schema) is the real service's, so the difference measured
is the hold path alone. Run as a process: `python -m bench.naive_inventory`.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

import asyncpg
from streamstock.inventory.v1 import inventory_service_pb2 as api
from streamstock.inventory.v1 import reservation_pb2

from services.inventory import bootstrap
from services.inventory.domain.errors import InsufficientStock
from services.inventory.entrypoints import requests
from services.inventory.entrypoints.servicer import InventoryServicer
from services.runtime.main import run
from services.runtime.server import ServiceParts
from services.runtime.settings import ServiceSettings


class NaiveServicer:
    def __init__(self, real: InventoryServicer, pool: asyncpg.Pool) -> None:
        self._real = real
        self._pool = pool

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    async def Reserve(self, request: api.ReserveRequest, context: Any) -> Any:
        command = requests.reserve(request)
        line = command.lines[0]
        now = datetime.now(UTC)
        reservation_id = f"n{secrets.token_hex(10)}"
        async with self._pool.acquire() as conn, conn.transaction():
            updated = await conn.fetchval(
                "UPDATE skus SET reserved = reserved + $3, version = version + 1"
                " WHERE tenant_id = $1 AND sku_id = $2 AND on_hand - withheld - reserved >= $3"
                " RETURNING version",
                command.tenant_id,
                line.sku_id,
                line.quantity,
            )
            if updated is None:
                raise InsufficientStock("sold out", sku_id=line.sku_id)
            await conn.execute(
                "INSERT INTO reservations (tenant_id, reservation_id, user_id, order_id, state,"
                " lock_stage, purpose, platform_id, ip, device_id, created_at)"
                " VALUES ($1, $2, $3, $4, 1, 1, 1, '', '', '', $5)",
                command.tenant_id,
                reservation_id,
                command.user_id,
                command.order_id,
                now,
            )
            await conn.execute(
                "INSERT INTO reservation_lines VALUES ($1, $2, $3, $4, 0)",
                command.tenant_id,
                reservation_id,
                line.sku_id,
                line.quantity,
            )
            await conn.execute(
                "INSERT INTO ledger (tenant_id, sku_id, reason, on_hand_delta, withheld_delta,"
                " reserved_delta, sold_delta, reference, created_at)"
                " VALUES ($1, $2, 5, 0, 0, $3, 0, $4, $5)",
                command.tenant_id,
                line.sku_id,
                line.quantity,
                reservation_id,
                now,
            )
        return api.ReserveResponse(
            reservation=reservation_pb2.Reservation(reservation_id=reservation_id)
        )


async def build(settings: ServiceSettings) -> ServiceParts:
    parts = await bootstrap.build(settings)
    (registration,) = parts.registrations
    real = registration.servicer
    pool = await asyncpg.create_pool(
        settings.postgres_dsn,
        min_size=1,
        max_size=settings.postgres_pool_size,
        server_settings={"search_path": "inventory"},
    )
    naive = NaiveServicer(real, pool)
    parts.registrations = [
        type(registration)(registration.full_name, registration.add_to_server, naive)
    ]
    parts.cleanups = [*parts.cleanups, pool.close]
    return parts


if __name__ == "__main__":
    run("inventory", build)
