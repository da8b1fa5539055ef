"""Baseline A: an empty unary RPC served by the same runtime as the services (auth, tenant check,
tracing, metrics, error mapping), so its throughput is the ceiling of the RPC layer itself.

Run as a process: `python -m bench.echo` with the usual STREAMSTOCK_* settings.
"""

from __future__ import annotations

from typing import Any

import grpc

from services.runtime.main import run
from services.runtime.server import Registration, ServiceParts
from services.runtime.settings import ServiceSettings

SERVICE = "streamstock.bench.v1.EchoService"
METHOD = f"/{SERVICE}/Echo"


async def _echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    return request


def _add(_servicer: Any, server: grpc.aio.Server) -> None:
    handler = grpc.unary_unary_rpc_method_handler(_echo)
    server.add_generic_rpc_handlers(
        [grpc.method_handlers_generic_handler(SERVICE, {"Echo": handler})]
    )


async def build(settings: ServiceSettings) -> ServiceParts:
    return ServiceParts(registrations=[Registration(SERVICE, _add, None)])


def echo_call(channel: grpc.aio.Channel) -> grpc.aio.UnaryUnaryMultiCallable:
    return channel.unary_unary(METHOD)


if __name__ == "__main__":
    run("echo", build)
