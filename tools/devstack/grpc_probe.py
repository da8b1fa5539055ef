"""Asks a running service, as Kubernetes and grpcurl would, whether it is serving and what it serves.

Both calls go without an API key: the services must leave the standard health and reflection
services outside authentication, as Kubernetes' native gRPC probes cannot send metadata.
"""

import asyncio
from typing import Final

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

SERVING: Final = health_pb2.HealthCheckResponse.ServingStatus.Name(
    health_pb2.HealthCheckResponse.SERVING
)

# A developer's http_proxy must not capture calls to loopback.
_CHANNEL_OPTIONS: Final = [("grpc.enable_http_proxy", 0)]


async def health(address: str, timeout: float = 2.0) -> str:
    """The overall health ("" service) as SERVING / NOT_SERVING / ..., or the status code of the
    failed call, e.g. UNAVAILABLE when nothing listens."""
    async with grpc.aio.insecure_channel(address, options=_CHANNEL_OPTIONS) as channel:
        return await _health(health_pb2_grpc.HealthStub(channel), timeout)


async def wait_until_serving(address: str, timeout: float) -> None:
    """Polls the health check until it says SERVING; TimeoutError with the last answer if not."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with grpc.aio.insecure_channel(address, options=_CHANNEL_OPTIONS) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while True:
            answer = await _health(stub, timeout=1.0)
            if answer == SERVING:
                return
            if loop.time() >= deadline:
                raise TimeoutError(
                    f"{address} not {SERVING} after {timeout:.0f} s (last: {answer})"
                )
            await asyncio.sleep(0.2)


async def exposed_services(address: str, timeout: float = 5.0) -> list[str]:
    """The fully qualified gRPC services the server lists through reflection, sorted."""
    async with grpc.aio.insecure_channel(address, options=_CHANNEL_OPTIONS) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        request = reflection_pb2.ServerReflectionRequest(list_services="")
        async for response in stub.ServerReflectionInfo(iter([request]), timeout=timeout):
            return sorted(service.name for service in response.list_services_response.service)
    raise RuntimeError(f"{address} closed the reflection stream without listing its services")


async def _health(stub: health_pb2_grpc.HealthStub, timeout: float) -> str:
    try:
        reply = await stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=timeout)
    except grpc.aio.AioRpcError as error:
        return str(error.code().name)
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))
