"""Builds inventory's pools, clients and servicer; nothing connects before this runs."""

from __future__ import annotations

from streamstock.inventory.v1 import inventory_service_pb2, inventory_service_pb2_grpc

from services.inventory.entrypoints.access import ACCESS
from services.runtime import storage
from services.runtime.server import Registration, ServiceParts
from services.runtime.settings import ServiceSettings


async def build(settings: ServiceSettings) -> ServiceParts:
    connections = await storage.connect_postgres_and_redis(settings, schema="inventory")
    servicer = inventory_service_pb2_grpc.InventoryServiceServicer()
    registration = Registration.of(
        inventory_service_pb2.DESCRIPTOR, inventory_service_pb2_grpc, servicer
    )
    return ServiceParts(
        registrations=[registration],
        access=ACCESS,
        checks=connections.checks(),
        cleanups=connections.cleanups(),
    )
