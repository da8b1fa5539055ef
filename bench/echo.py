"""Baseline A: an empty unary RPC served by the same runtime as the services (auth, tenant check,
tracing, metrics, error mapping), so its throughput is the ceiling of the RPC layer itself.

Run as a process: `python -m bench.echo` with the usual STREAMSTOCK_* settings.
"""

from __future__ import annotations

from typing import Any

import grpc

from bench.harness import ADMIN_KEY, Load, closed_loop
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


async def echo_load(address: str, server_pid: int, concurrency: int, seconds: float) -> Load:
    """Baseline A: `concurrency` callers of Echo for `seconds` after 1 s of warm-up, with the CPU
    the load cost (the echo process as its server)."""
    async with grpc.aio.insecure_channel(address) as channel:
        call = echo_call(channel)

        async def ping(n: int) -> bool:
            await call(b"", metadata=(("x-api-key", ADMIN_KEY),), timeout=10)
            return True

        await closed_loop("warm-up", ping, concurrency, 1.0)
        return await closed_loop("A: echo (same runtime)", ping, concurrency, seconds, server_pid)


if __name__ == "__main__":
    run("echo", build)
