"""inventory as the local stack runs it: `python -m services.inventory`, a real process a test can
SIGKILL and start again, against the session's PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import grpc

from tests.conftest import API_KEYS, REDIS_CLUSTER_MODE
from tools.devstack import grpc_probe
from tools.devstack.ports import LOOPBACK, free_port
from tools.devstack.stack import service_module_argv
from tools.devstack.supervisor import ChildSpec, Supervisor

# A cold interpreter imports grpc, asyncpg and the generated code before it serves.
BOOT_SECONDS = 30.0
# How long a SIGKILLed process may take to stop answering.
DEATH_SECONDS = 5.0


@dataclass(frozen=True)
class InventoryProcess:
    """One started process: its supervisor name, process id and gRPC address."""

    name: str
    pid: int
    address: str

    def channel(self) -> grpc.aio.Channel:
        return grpc.aio.insecure_channel(self.address)


def inventory_environment(postgres_dsn: str, redis_url: str, **settings: str) -> dict[str, str]:
    """The environment of an inventory process; `settings` adds STREAMSTOCK_<NAME> variables."""
    environment = dict(os.environ)
    environment.update(
        STREAMSTOCK_POSTGRES_DSN=postgres_dsn,
        STREAMSTOCK_REDIS_URL=redis_url,
        STREAMSTOCK_REDIS_CLUSTER="1" if REDIS_CLUSTER_MODE else "",
        STREAMSTOCK_API_KEYS=API_KEYS.spec(),
        STREAMSTOCK_SERVICE_API_KEY=API_KEYS.service,
        STREAMSTOCK_GRPC_HOST=LOOPBACK,
        STREAMSTOCK_METRICS_PORT="0",
        STREAMSTOCK_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    environment.update({f"STREAMSTOCK_{name.upper()}": value for name, value in settings.items()})
    return environment


class InventoryProcesses:
    """Starts inventory processes under a supervisor (which stops whatever is left at the end)."""

    def __init__(self, log_dir: Path, environment: Mapping[str, str]) -> None:
        self.supervisor = Supervisor(log_dir, grace_seconds=5.0)
        self._environment = dict(environment)
        self._numbers = itertools.count(1)

    async def start(self) -> InventoryProcess:
        """A new process on a free port, returned once its health check says SERVING."""
        name = f"inventory-{next(self._numbers)}"
        address = f"{LOOPBACK}:{free_port()}"
        environment = {**self._environment, "STREAMSTOCK_GRPC_PORT": address.rsplit(":", 1)[1]}
        pid = await self.supervisor.start(
            ChildSpec(name, service_module_argv("inventory"), environment)
        )
        try:
            await grpc_probe.wait_until_serving(address, BOOT_SECONDS)
        except TimeoutError as error:
            log = self.supervisor.log_path(name)
            raise AssertionError(f"{name} did not start; see {log}") from error
        return InventoryProcess(name, pid, address)

    async def kill(self, process: InventoryProcess) -> None:
        """SIGKILLs the process (its whole group), then waits until nothing answers there."""
        os.killpg(process.pid, signal.SIGKILL)
        deadline = asyncio.get_running_loop().time() + DEATH_SECONDS
        while await grpc_probe.health(process.address, timeout=0.5) != "UNAVAILABLE":
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{process.name} still answers after SIGKILL")
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        await self.supervisor.shutdown()
