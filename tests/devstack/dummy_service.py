"""A stand-in for a StreamStock service, run by the stack tests as `python dummy_service.py NAME`.

It reads the settings the stack passes, turns SERVING only once PostgreSQL and Redis accept
connections (as the real readiness does) and drains on SIGTERM.
"""

import asyncio
import signal
import socket
import sys
from os import environ
from urllib.parse import urlsplit

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection


def _accepts_tcp(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return True
    except OSError:
        return False


async def serve(name: str) -> None:
    server = grpc.aio.server()
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        [
            f"streamstock.{name}.v1.{name.capitalize()}Service",
            health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
            reflection.SERVICE_NAME,
        ],
        server,
    )
    server.add_insecure_port(
        f"{environ['STREAMSTOCK_GRPC_HOST']}:{environ['STREAMSTOCK_GRPC_PORT']}"
    )
    await health_servicer.set("", health_pb2.HealthCheckResponse.NOT_SERVING)
    await server.start()
    if all(_accepts_tcp(environ[v]) for v in ("STREAMSTOCK_POSTGRES_DSN", "STREAMSTOCK_REDIS_URL")):
        await health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    drained = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, drained.set)
    await drained.wait()
    await health_servicer.enter_graceful_shutdown()
    await server.stop(grace=1)


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1]))
