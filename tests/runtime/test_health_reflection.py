"""Every service answers the standard health service and reflection without a key; readiness
follows its dependencies and turns off before the server stops."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from services.runtime.server import ServiceHost, ServiceParts
from services.runtime.settings import ServiceSettings
from tools.devstack.ports import LOOPBACK, free_port
from tools.devstack.redis import LocalRedis

pytestmark = pytest.mark.timeout(30)

SERVICE_NAMES = ("inventory", "riskcontrol", "alerting", "sync")
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
HEALTH_SERVICE = "grpc.health.v1.Health"

# Readiness re-checks every second with a 0.5 s timeout; a few intervals is a generous bound.
READINESS_BOUND_SECONDS = 5.0


async def health_of(channel: grpc.aio.Channel, service: str) -> int:
    stub = health_pb2_grpc.HealthStub(channel)
    response = await stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=2)
    return response.status


async def eventually(channel: grpc.aio.Channel, service: str, expected: int) -> None:
    deadline = time.monotonic() + READINESS_BOUND_SECONDS
    status = await health_of(channel, service)
    while status != expected and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        status = await health_of(channel, service)
    assert status == expected, (
        f"health of {service!r} stayed {health_pb2.HealthCheckResponse.ServingStatus.Name(status)}"
    )


async def listed_services(channel: grpc.aio.Channel) -> list[str]:
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    call = stub.ServerReflectionInfo(timeout=5)
    await call.write(reflection_pb2.ServerReflectionRequest(list_services=""))
    await call.done_writing()
    response = await call.read()
    return [service.name for service in response.list_services_response.service]


@pytest.mark.parametrize("name", SERVICE_NAMES)
async def test_service_is_serving_on_every_health_view_without_a_key(
    start_service: Any, name: str
) -> None:
    service = await start_service(name)

    assert await health_of(service.channel, "") == SERVING
    assert await health_of(service.channel, service.full_name) == SERVING
    assert await health_of(service.channel, "liveness") == SERVING


@pytest.mark.parametrize("name", SERVICE_NAMES)
async def test_reflection_lists_the_service_and_health_without_a_key(
    start_service: Any, name: str
) -> None:
    service = await start_service(name)

    names = await listed_services(service.channel)

    assert service.full_name in names
    assert HEALTH_SERVICE in names


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[LocalRedis]:
    """A Redis only this test stops, so the shared one keeps serving the others."""
    server = LocalRedis(tmp_path / "redis", free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def test_readiness_follows_redis_while_liveness_does_not(
    start_service: Any, private_redis: LocalRedis
) -> None:
    # riskcontrol keeps every signal in Redis: without it, it cannot answer.
    service = await start_service("riskcontrol", redis_url=private_redis.url, redis_cluster=False)
    assert await health_of(service.channel, "") == SERVING

    private_redis.stop()
    await eventually(service.channel, "", NOT_SERVING)
    assert await health_of(service.channel, service.full_name) == NOT_SERVING
    # A dependency outage must not make Kubernetes restart a healthy process.
    assert await health_of(service.channel, "liveness") == SERVING

    private_redis.start()
    await eventually(service.channel, "", SERVING)
    assert await health_of(service.channel, service.full_name) == SERVING


async def test_inventory_stays_ready_without_redis(
    start_service: Any, private_redis: LocalRedis
) -> None:
    # inventory's sold-out gate falls back to PostgreSQL: a Redis outage takes nothing down.
    service = await start_service("inventory", redis_url=private_redis.url, redis_cluster=False)
    private_redis.stop()
    await asyncio.sleep(2.5)  # two readiness rounds
    assert await health_of(service.channel, "") == SERVING


async def test_readiness_is_not_serving_before_the_dependencies_were_checked() -> None:
    # A probe that reaches a starting server must not pass while PostgreSQL is still unchecked:
    # the startup probe would succeed once and let traffic in.
    first_check_may_end = asyncio.Event()

    async def postgres_is_down() -> None:
        await first_check_may_end.wait()
        raise ConnectionError("PostgreSQL is down")

    port = free_port()
    host = ServiceHost(
        ServiceSettings(
            service_name="probe", grpc_host=LOOPBACK, grpc_port=port, drain_grace_seconds=0
        ),
        ServiceParts(registrations=[], checks={"postgres": postgres_is_down}),
    )
    starting = asyncio.create_task(host.start())
    try:
        # wait_for_ready: the probe lands as soon as the server listens, not a moment later.
        async with grpc.aio.insecure_channel(f"{LOOPBACK}:{port}") as channel:
            first_answer = await health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=""), wait_for_ready=True, timeout=5
            )
    finally:
        first_check_may_end.set()
        await starting
        await host.stop()

    assert first_answer.status == NOT_SERVING


async def test_drain_turns_readiness_off_before_the_server_stops(
    start_service: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = await start_service("inventory")
    host = service.host
    watch = health_pb2_grpc.HealthStub(service.channel).Watch(
        health_pb2.HealthCheckRequest(service=""), timeout=10
    )
    assert (await watch.read()).status == SERVING

    # What a new probe sees at the moment the host stops the server: it is still answering then.
    seen_when_server_stops: dict[str, int] = {}
    stop_server = host.server.stop

    async def stop_after_probing(grace: float | None) -> None:
        for view in ("", service.full_name):
            seen_when_server_stops[view] = await health_of(service.channel, view)
        await stop_server(grace)

    monkeypatch.setattr(host.server, "stop", stop_after_probing)

    await asyncio.wait_for(host.stop(), timeout=10)

    assert seen_when_server_stops == {"": NOT_SERVING, service.full_name: NOT_SERVING}
    # A watcher (a load balancer) was told before the stream ended.
    assert (await watch.read()).status == NOT_SERVING
