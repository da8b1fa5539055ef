"""Builds sync's connections and servicer; nothing connects before this runs.

The servicer is the generated base until the sync issue gives it behaviour: every RPC answers
UNIMPLEMENTED, while health, readiness and reflection already work.
"""

from __future__ import annotations

from streamstock.sync.v1 import sync_service_pb2, sync_service_pb2_grpc

from services.runtime import storage
from services.runtime.server import Registration, ServiceParts
from services.runtime.settings import ServiceSettings


async def build(settings: ServiceSettings) -> ServiceParts:
    connections = await storage.connect_postgres(settings, schema="sync")
    registration = Registration.of(
        sync_service_pb2.DESCRIPTOR,
        sync_service_pb2_grpc,
        sync_service_pb2_grpc.SyncServiceServicer(),
    )
    return ServiceParts(
        registrations=[registration],
        checks=connections.checks(),
        cleanups=connections.cleanups(),
    )
