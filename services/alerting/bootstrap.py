"""Builds alerting's connections and servicer; nothing connects before this runs.

The servicer is the generated base until the alerting issue gives it behaviour: every RPC answers
UNIMPLEMENTED, while health, readiness and reflection already work.
"""

from __future__ import annotations

from streamstock.alerting.v1 import alerting_service_pb2, alerting_service_pb2_grpc

from services.runtime import storage
from services.runtime.server import Registration, ServiceParts
from services.runtime.settings import ServiceSettings


async def build(settings: ServiceSettings) -> ServiceParts:
    connections = await storage.connect_postgres(settings, schema="alerting")
    registration = Registration.of(
        alerting_service_pb2.DESCRIPTOR,
        alerting_service_pb2_grpc,
        alerting_service_pb2_grpc.AlertingServiceServicer(),
    )
    return ServiceParts(
        registrations=[registration],
        checks=connections.checks(),
        cleanups=connections.cleanups(),
    )
