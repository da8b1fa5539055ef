"""Standard gRPC health whose readiness follows the service's dependencies.

Three views for Kubernetes probes that are not the same check:
- `liveness`: SERVING while the event loop turns (it answers at all);
- `""` and each exposed service name: readiness, SERVING only while every dependency check
  (PostgreSQL, Redis, ...) passes and the server is not draining;
- startup is readiness having been SERVING once (the startup probe uses `""`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence

from grpc_health.v1 import health, health_pb2

log = logging.getLogger(__name__)

DependencyCheck = Callable[[], Awaitable[object]]
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
LIVENESS = "liveness"


class Readiness:
    """Runs the dependency checks on an interval and publishes the result to the health service."""

    def __init__(
        self,
        servicer: health.aio.HealthServicer,
        service_names: Sequence[str],
        checks: Mapping[str, DependencyCheck],
        interval: float = 1.0,
        check_timeout: float = 0.5,
    ) -> None:
        self._servicer = servicer
        self._names = ["", *service_names]
        self._checks = dict(checks)
        self._interval = interval
        self._timeout = check_timeout
        self.components: dict[str, bool] = {name: False for name in self._checks}
        self._draining = False

    async def _check(self, name: str, check: DependencyCheck) -> bool:
        try:
            await asyncio.wait_for(check(), self._timeout)
        except Exception as error:  # any failure of a dependency means "not ready"
            if self.components.get(name, False):
                log.warning("dependency %s is down: %r", name, error)
            return False
        if not self.components.get(name, True):
            log.info("dependency %s is back", name)
        return True

    async def refresh(self) -> bool:
        results = await asyncio.gather(
            *(self._check(name, check) for name, check in self._checks.items())
        )
        self.components = dict(zip(self._checks, results, strict=True))
        ready = all(results) and not self._draining
        if not self._draining:
            status = SERVING if ready else NOT_SERVING
            for name in self._names:
                await self._servicer.set(name, status)
        return ready

    async def prime(self) -> None:
        """Liveness on and readiness decided before the server takes its first call: the health
        servicer starts out SERVING, which would let a probe in before any check ran."""
        await self._servicer.set(LIVENESS, SERVING)
        await self.refresh()

    async def run(self) -> None:
        while not self._draining:
            await self.refresh()
            await asyncio.sleep(self._interval)

    async def drain(self) -> None:
        """Readiness off for good: load balancers stop sending before the server stops."""
        self._draining = True
        await self._servicer.enter_graceful_shutdown()
