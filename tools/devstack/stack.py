"""The local StreamStock stack: PostgreSQL, Redis, the migrations and the four services."""

import asyncio
import importlib.util
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from tools.devstack import dev_keys, grpc_probe
from tools.devstack.ports import LOOPBACK, SERVICE_NAMES, StackPorts
from tools.devstack.postgres import LocalPostgres
from tools.devstack.redis import LocalRedis
from tools.devstack.supervisor import ChildSpec, Supervisor

MIGRATE_MODULE: Final = "services.runtime.migrate"

# What `up --fresh` deletes: the stack's own data and logs, never anything else in the folder.
POSTGRES_DIR: Final = "postgres"
REDIS_DIR: Final = "redis"

_MIGRATE_TIMEOUT_SECONDS: Final = 120.0


@dataclass(frozen=True)
class ServiceStatus:
    """One row of the status table."""

    name: str
    address: str
    health: str
    grpc_services: tuple[str, ...]


def service_module_argv(name: str) -> list[str]:
    """How the stack runs a service: `python -m services.<name>` with this interpreter."""
    return [sys.executable, "-m", f"services.{name}"]


class LocalStack:
    """Brings the stack up under `data_dir`; the supervisor owns every process it starts."""

    def __init__(
        self,
        data_dir: Path,
        ports: StackPorts,
        supervisor: Supervisor,
        *,
        service_argv: Callable[[str], Sequence[str]] = service_module_argv,
        health_timeout: float = 60.0,
        environ: Mapping[str, str] = os.environ,
    ) -> None:
        self._data_dir = data_dir.absolute()
        self._ports = ports
        self._supervisor = supervisor
        self._service_argv = service_argv
        self._health_timeout = health_timeout
        self._environ = environ

    async def bring_up(self) -> list[ServiceStatus]:
        """Starts everything and returns once every service answers SERVING."""
        # PostgreSQL and Redis start synchronously, in this thread on purpose: their death signal
        # is tied to the thread that forks them, and nothing else needs the loop yet.
        postgres = LocalPostgres(self._data_dir / POSTGRES_DIR, self._ports.postgres)
        _timed(f"postgres at {postgres.dsn()}", postgres.start)
        self._supervisor.stop_last(postgres)
        redis = LocalRedis(self._data_dir / REDIS_DIR, self._ports.redis)
        _timed(f"redis at {redis.url}", redis.start)
        self._supervisor.stop_last(redis)

        environment = self._stack_environment(postgres.dsn(), redis.url)
        await self._migrate(environment)
        for name in SERVICE_NAMES:
            spec = ChildSpec(
                name, self._service_argv(name), self._service_environment(name, environment)
            )
            await self._supervisor.start(spec)
        # The services boot in parallel; one deadline bounds the wait for all of them.
        deadline = time.monotonic() + self._health_timeout
        for service in self._ports.services.values():
            remaining = max(deadline - time.monotonic(), 0.0)
            await grpc_probe.wait_until_serving(service.grpc_address, remaining)
        return await service_statuses(self._ports)

    def _stack_environment(self, postgres_dsn: str, redis_url: str) -> dict[str, str]:
        """What every process of the stack gets: where the databases and the other services are."""
        environment = dict(self._environ)
        environment.update(
            STREAMSTOCK_POSTGRES_DSN=postgres_dsn,
            STREAMSTOCK_REDIS_URL=redis_url,
            # A developer's own keys win; otherwise the published local ones.
            STREAMSTOCK_API_KEYS=self._environ.get(
                "STREAMSTOCK_API_KEYS", dev_keys.api_keys_setting()
            ),
            STREAMSTOCK_SERVICE_API_KEY=self._environ.get(
                "STREAMSTOCK_SERVICE_API_KEY", dev_keys.SERVICE_KEY
            ),
            # Log lines reach the log files as they are written, not when a buffer fills.
            PYTHONUNBUFFERED="1",
        )
        for name, ports in self._ports.services.items():
            environment[f"STREAMSTOCK_{name.upper()}_ADDR"] = ports.grpc_address
        return environment

    def _service_environment(
        self, name: str, stack_environment: Mapping[str, str]
    ) -> dict[str, str]:
        ports = self._ports.services[name]
        return {
            **stack_environment,
            "STREAMSTOCK_GRPC_HOST": LOOPBACK,
            "STREAMSTOCK_GRPC_PORT": str(ports.grpc),
            "STREAMSTOCK_METRICS_PORT": str(ports.metrics),
        }

    async def _migrate(self, environment: Mapping[str, str]) -> None:
        if not _module_exists(MIGRATE_MODULE):
            print(f"migrations skipped: {MIGRATE_MODULE} does not exist yet", flush=True)
            return
        spec = ChildSpec("migrate", [sys.executable, "-m", MIGRATE_MODULE], environment)
        started = time.monotonic()
        outcome = await self._supervisor.run_to_completion(spec, _MIGRATE_TIMEOUT_SECONDS)
        if outcome.returncode != 0:
            raise RuntimeError(f"migrations failed: {outcome.describe()}")
        print(f"migrations applied in {time.monotonic() - started:.1f} s", flush=True)


async def service_statuses(ports: StackPorts) -> list[ServiceStatus]:
    """Asks every service for its health and, when it answers, its gRPC services."""
    return list(
        await asyncio.gather(
            *(
                _service_status(name, service.grpc_address)
                for name, service in ports.services.items()
            )
        )
    )


async def _service_status(name: str, address: str) -> ServiceStatus:
    health = await grpc_probe.health(address)
    exposed = await grpc_probe.exposed_services(address) if health == grpc_probe.SERVING else []
    return ServiceStatus(name, address, health, tuple(exposed))


def format_table(statuses: Sequence[ServiceStatus]) -> str:
    """The status table, one line per exposed gRPC service so long names stay readable."""
    rows = [("service", "address", "health", "gRPC services")]
    for status in statuses:
        first, *others = status.grpc_services or ("-",)
        rows.append((status.name, status.address, status.health, first))
        rows += [("", "", "", service) for service in others]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "\n".join(
        "  ".join(
            [*(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)), row[3]]
        )
        for row in rows
    )


def _timed(what: str, start: Callable[[], None]) -> None:
    started = time.monotonic()
    start()
    print(f"{what} ready in {time.monotonic() - started:.1f} s", flush=True)


def _module_exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        # A missing parent package (no `services.runtime` yet) means the module is missing too.
        return False
