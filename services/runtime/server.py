"""The gRPC host every service runs in: interceptors, health, reflection, metrics, graceful drain."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2_grpc
from grpc_reflection.v1alpha import reflection, reflection_pb2_grpc
from prometheus_client.registry import Collector

from services.runtime import auth
from services.runtime.health import DependencyCheck, Readiness
from services.runtime.interceptor import RequestPipeline, ServiceInterceptor
from services.runtime.settings import ServiceSettings
from services.runtime.telemetry import RpcMetrics, otlp_exporter, tracer, tracer_provider

log = logging.getLogger(__name__)

# After the drain, how long a stopping service waits for its cancelled background tasks, then
# for its cleanups all together (the pool's POOL_CLOSE_SECONDS fits in it); a cleanup reached
# after the budget is spent still gets CLEANUP_FLOOR_SECONDS. The pods' grace period covers
# preStop + drain + all of it (tools/manifests/checks.py checks it).
TASKS_STOP_SECONDS = 3.0
CLEANUP_SECONDS = 6.0
CLEANUP_FLOOR_SECONDS = 0.25

BackgroundTask = Callable[[], Awaitable[None]]
Cleanup = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class Registration:
    """One gRPC service to expose: its full name and the generated add_*_to_server function."""

    full_name: str
    add_to_server: Callable[[Any, grpc.aio.Server], None]
    servicer: Any

    @classmethod
    def of(cls, file_descriptor: Any, grpc_module: Any, servicer: Any) -> Registration:
        """Reads the name and the add function of the file's only service from generated code."""
        (service,) = file_descriptor.services_by_name.values()
        add = getattr(grpc_module, f"add_{service.name}Servicer_to_server")
        return cls(service.full_name, add, servicer)


@dataclass
class ServiceParts:
    """What a service's bootstrap hands to the host."""

    registrations: Sequence[Registration]
    access: auth.AccessPolicy = field(default_factory=auth.AccessPolicy)
    checks: Mapping[str, DependencyCheck] = field(default_factory=dict)
    background: Sequence[BackgroundTask] = ()
    cleanups: Sequence[Cleanup] = ()
    # The service's own Prometheus metrics, served with the RPC metrics on the same /metrics.
    collectors: Sequence[Collector] = ()


class _GenericHandlersOnly:
    """The server as generated add_*_to_server functions see it: each service is served by its
    generic handler (a lookup by method name) and not also as registered methods. grpc's asyncio
    server keeps one pending request task per registered method and waits on all of them again
    after every call, a cost per RPC that grows with the number of methods (inventory has ~30:
    ~21 us per wait against ~10 us with one, in isolation; end to end below this machine's
    noise, see commit cdaf3d6)."""

    def __init__(self, server: grpc.aio.Server) -> None:
        self._server = server

    def add_generic_rpc_handlers(self, handlers: Sequence[grpc.GenericRpcHandler]) -> None:
        self._server.add_generic_rpc_handlers(handlers)

    def add_registered_method_handlers(self, service: str, handlers: Mapping[str, Any]) -> None:
        """The same handlers are reached through the service's generic handler."""


class ServiceHost:
    """Owns the server and the service's tasks from start to graceful stop."""

    def __init__(self, settings: ServiceSettings, parts: ServiceParts) -> None:
        self.settings = settings
        self.parts = parts
        self.metrics = RpcMetrics.create()
        for collector in parts.collectors:
            self.metrics.registry.register(collector)
        provider = tracer_provider(
            settings.service_name,
            settings.trace_sample_ratio,
            otlp_exporter(settings.otlp_endpoint),
        )
        self._provider = provider
        pipeline = RequestPipeline(
            error_domain=f"{settings.service_name}.streamstock.dev",
            keys=auth.ApiKeyRegistry.parse(settings.api_keys),
            access=parts.access,
            tracer=tracer(provider, settings.service_name),
            metrics=self.metrics,
        )
        self.server = grpc.aio.server(
            interceptors=[ServiceInterceptor(pipeline)],
            options=[
                ("grpc.so_reuseport", 0),
                ("grpc.max_concurrent_streams", 1000),
                # gRPC core cancels calls that wait for the handler loop once more than 1,000
                # wait (randomly, up to all beyond 3,000): a flash sale's burst of 2,000 holds
                # lost ~10% as bare CANCELLED. The interceptor and PostgreSQL bound the work.
                ("grpc.server.max_pending_requests", 10_000),
                ("grpc.server.max_pending_requests_hard_limit", 20_000),
            ],
        )
        self.health = health.aio.HealthServicer()
        names = [r.full_name for r in parts.registrations]
        self.readiness = Readiness(self.health, names, parts.checks)
        self.port = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._stopped = asyncio.Event()

    async def start(self) -> int:
        server = _GenericHandlersOnly(self.server)
        for registration in self.parts.registrations:
            registration.add_to_server(registration.servicer, server)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, server)
        # What reflection.enable_server_reflection does for an asyncio server, through the proxy.
        reflection_pb2_grpc.add_ServerReflectionServicer_to_server(
            reflection.aio.ReflectionServicer(
                [r.full_name for r in self.parts.registrations]
                + [health.SERVICE_NAME, reflection.SERVICE_NAME]
            ),
            server,
        )
        address = f"{self.settings.grpc_host}:{self.settings.grpc_port}"
        self.port = self.server.add_insecure_port(address)
        await self.readiness.prime()
        await self.server.start()
        self._tasks = [asyncio.create_task(self.readiness.run(), name="readiness")]
        self._tasks += [
            asyncio.create_task(task(), name=task.__qualname__) for task in self.parts.background
        ]
        self.metrics.serve(self.settings.grpc_host, self.settings.metrics_port)
        log.info("serving", extra={"address": f"{self.settings.grpc_host}:{self.port}"})
        return self.port

    async def stop(self) -> None:
        """Readiness off first, then stop taking calls and let running ones finish within grace."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        await self.readiness.drain()
        await self.server.stop(self.settings.drain_grace_seconds)
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            done, stuck = await asyncio.wait(self._tasks, timeout=TASKS_STOP_SECONDS)
            for task in done:
                if not task.cancelled():
                    task.exception()  # retrieved: a task that failed before the stop was logged
            for task in stuck:  # a task that ignored its cancellation: the process ends anyway
                log.warning("background task %s did not stop", task.get_name())
        await self._clean_up()
        self._provider.shutdown()
        log.info("stopped")

    async def _clean_up(self) -> None:
        """Every cleanup runs, in order, within CLEANUP_SECONDS together (each at least
        CLEANUP_FLOOR_SECONDS): one that fails or runs out of time is logged and the next one
        still runs."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CLEANUP_SECONDS
        for cleanup in self.parts.cleanups:
            name = getattr(cleanup, "__qualname__", repr(cleanup))
            try:
                budget = max(deadline - loop.time(), CLEANUP_FLOOR_SECONDS)
                await asyncio.wait_for(cleanup(), budget)
            except TimeoutError:
                log.warning("cleanup %s did not finish within the stop budget", name)
            except Exception:
                log.exception("cleanup %s failed", name)

    async def serve_until_signalled(self) -> None:
        loop = asyncio.get_running_loop()
        stop_requested = asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop_requested.set)
        await self.start()
        await stop_requested.wait()
        log.info("draining")
        await self.stop()
