"""Builds inventory's pools, clients and servicer; nothing connects before this runs."""

from __future__ import annotations

from streamstock.inventory.v1 import inventory_service_pb2, inventory_service_pb2_grpc

from services.runtime import storage
from services.runtime.server import Registration, ServiceParts
from services.runtime.settings import ServiceSettings

SERVICE = inventory_service_pb2.DESCRIPTOR.services_by_name["InventoryService"].full_name


async def build(settings: ServiceSettings) -> ServiceParts:
    pool = await storage.postgres_pool(settings, schema="inventory")
    redis = storage.redis_client(settings)
    servicer = inventory_service_pb2_grpc.InventoryServiceServicer()
    return ServiceParts(
        registrations=[
            Registration(
                SERVICE, inventory_service_pb2_grpc.add_InventoryServiceServicer_to_server, servicer
            )
        ],
        checks={
            "postgres": lambda: storage.ping_postgres(pool),
            "redis": lambda: storage.ping_redis(redis),
        },
        cleanups=[pool.close, redis.aclose],
    )
