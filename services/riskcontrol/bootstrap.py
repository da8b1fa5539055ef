"""Builds riskcontrol's connections and servicer; nothing connects before this runs.

The servicer is the generated base until the riskcontrol issue gives it behaviour: every RPC answers
UNIMPLEMENTED, while health, readiness and reflection already work.
"""

from __future__ import annotations

from streamstock.riskcontrol.v1 import riskcontrol_service_pb2, riskcontrol_service_pb2_grpc

from services.runtime import storage
from services.runtime.server import Registration, ServiceParts
from services.runtime.settings import ServiceSettings


async def build(settings: ServiceSettings) -> ServiceParts:
    connections = await storage.connect_postgres_and_redis(settings, schema="riskcontrol")
    registration = Registration.of(
        riskcontrol_service_pb2.DESCRIPTOR,
        riskcontrol_service_pb2_grpc,
        riskcontrol_service_pb2_grpc.RiskControlServiceServicer(),
    )
    return ServiceParts(
        registrations=[registration],
        checks=connections.checks(),
        cleanups=connections.cleanups(),
    )
