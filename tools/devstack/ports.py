"""Loopback ports of the local stack: fixed defaults a developer can override, or free ones for tests."""

import os
import random
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Self

LOOPBACK: Final = "127.0.0.1"

# The order fixes the default ports: inventory 50051 / 9461, riskcontrol 50052 / 9462, ...
SERVICE_NAMES: Final = ("inventory", "riskcontrol", "alerting", "sync")

POSTGRES_PORT_VARIABLE: Final = "STREAMSTOCK_PG_PORT"
REDIS_PORT_VARIABLE: Final = "STREAMSTOCK_REDIS_PORT"

_DEFAULT_POSTGRES_PORT: Final = 55432
_DEFAULT_REDIS_PORT: Final = 56379
_FIRST_DEFAULT_GRPC_PORT: Final = 50051
_FIRST_DEFAULT_METRICS_PORT: Final = 9461


@dataclass(frozen=True)
class ServicePorts:
    """Where one service listens: its gRPC API and its Prometheus metrics endpoint."""

    grpc: int
    metrics: int

    @property
    def grpc_address(self) -> str:
        return f"{LOOPBACK}:{self.grpc}"


@dataclass(frozen=True)
class StackPorts:
    """Every loopback port the local stack listens on."""

    postgres: int
    redis: int
    services: Mapping[str, ServicePorts]

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Self:
        """Defaults, each overridable by its STREAMSTOCK_*_PORT variable."""
        services = {
            name: ServicePorts(
                grpc=_port_setting(
                    environ, _grpc_port_variable(name), _FIRST_DEFAULT_GRPC_PORT + index
                ),
                metrics=_port_setting(
                    environ, _metrics_port_variable(name), _FIRST_DEFAULT_METRICS_PORT + index
                ),
            )
            for index, name in enumerate(SERVICE_NAMES)
        }
        return cls(
            postgres=_port_setting(environ, POSTGRES_PORT_VARIABLE, _DEFAULT_POSTGRES_PORT),
            redis=_port_setting(environ, REDIS_PORT_VARIABLE, _DEFAULT_REDIS_PORT),
            services=services,
        )

    @classmethod
    def free(cls) -> Self:
        """Ports nobody listens on now, so parallel test runs never collide."""
        ports = iter(free_ports(2 + 2 * len(SERVICE_NAMES)))
        return cls(
            postgres=next(ports),
            redis=next(ports),
            services={name: ServicePorts(next(ports), next(ports)) for name in SERVICE_NAMES},
        )

    def by_variable(self) -> dict[str, int]:
        """Each port under the environment variable that sets it, as `from_environment` reads it."""
        ports = {POSTGRES_PORT_VARIABLE: self.postgres, REDIS_PORT_VARIABLE: self.redis}
        for name, service in self.services.items():
            ports[_grpc_port_variable(name)] = service.grpc
            ports[_metrics_port_variable(name)] = service.metrics
        return ports

    def busy(self) -> dict[str, int]:
        """The ports something already listens on, by variable, so `up` fails before starting."""
        return {
            variable: port for variable, port in self.by_variable().items() if not is_free(port)
        }


def _grpc_port_variable(service: str) -> str:
    return f"STREAMSTOCK_{service.upper()}_GRPC_PORT"


def _metrics_port_variable(service: str) -> str:
    return f"STREAMSTOCK_{service.upper()}_METRICS_PORT"


def _port_setting(environ: Mapping[str, str], variable: str, default: int) -> int:
    raw = environ.get(variable)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ValueError(f"{variable}={raw!r} is not a TCP port (1-65535)")
    return int(raw)


def is_free(port: int) -> bool:
    """True when a server could listen on the loopback port now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # The servers set SO_REUSEADDR too; without it a port in TIME_WAIT after the previous run
        # would look busy although every server can bind it.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((LOOPBACK, port))
        except OSError:
            return False
        return True


def free_port() -> int:
    """A loopback port nobody listens on now."""
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """`count` distinct loopback ports nobody listens on now, drawn below the kernel's ephemeral
    range: a port in it may become the local port of any outgoing connection between this check
    and the server's bind (a CI run lost a port that way)."""
    candidates = list(range(_LOWEST_PORT, _ephemeral_start()))
    random.shuffle(candidates)
    ports = [port for port in candidates[: 50 * count] if is_free(port)][:count]
    if len(ports) < count:
        raise RuntimeError(f"no {count} free loopback ports below the ephemeral range")
    return ports


# Below the ports local services and tools often claim (databases, dev servers, 8080...).
_LOWEST_PORT = 20000


def _ephemeral_start() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as ranges:
            return int(ranges.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def free_base_port(count: int, *, bus_offset: int) -> int:
    """A base port such that base .. base+count-1 and each of them + bus_offset are free.

    Redis Cluster needs this: node N listens on base+N and on its cluster bus at base+N+10000.
    """
    # Below the kernel's ephemeral range: a port in it may be taken as the local port of any
    # outgoing connection between this check and the server's bind (a CI run lost a cluster
    # node's port that way).
    candidates = list(range(_LOWEST_PORT, _ephemeral_start() - bus_offset - count))
    random.shuffle(candidates)
    for base in candidates[:200]:
        block = range(base, base + count)
        if all(is_free(port) and is_free(port + bus_offset) for port in block):
            return base
    raise RuntimeError(f"no block of {count} free loopback ports (with bus at +{bus_offset})")
