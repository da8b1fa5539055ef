"""Typed settings read once from the environment (STREAMSTOCK_* variables)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

N = TypeVar("N", int, float)


class SettingsError(ValueError):
    """An environment variable is missing or malformed; the message names it."""


def _number(env: Mapping[str, str], name: str, default: N) -> N:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return type(default)(raw)
    except ValueError as exc:
        raise SettingsError(
            f"{name} must be of type {type(default).__name__}, got {raw!r}"
        ) from exc


@dataclass(frozen=True)
class ServiceSettings:
    """What every service needs to run; service-specific settings extend it in their settings.py."""

    service_name: str
    grpc_host: str = "127.0.0.1"
    grpc_port: int = 0
    metrics_port: int = 0
    postgres_dsn: str = ""
    postgres_pool_size: int = 10
    # How long one statement may take before the call answers UNAVAILABLE (STORAGE_UNAVAILABLE).
    postgres_command_timeout_seconds: float = 10.0
    redis_url: str = ""
    redis_cluster: bool = False
    api_keys: str = ""
    service_api_key: str = ""
    drain_grace_seconds: float = 10.0
    outbound_deadline_seconds: float = 2.0
    log_level: str = "INFO"
    otlp_endpoint: str = ""
    trace_sample_ratio: float = 0.1
    peers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, service_name: str, env: Mapping[str, str] | None = None) -> ServiceSettings:
        env = os.environ if env is None else env
        peers = {
            name: env[f"STREAMSTOCK_{name.upper()}_ADDR"]
            for name in ("inventory", "riskcontrol", "alerting", "sync")
            if env.get(f"STREAMSTOCK_{name.upper()}_ADDR")
        }
        return cls(
            service_name=service_name,
            grpc_host=env.get("STREAMSTOCK_GRPC_HOST", "127.0.0.1"),
            grpc_port=_number(env, "STREAMSTOCK_GRPC_PORT", 0),
            metrics_port=_number(env, "STREAMSTOCK_METRICS_PORT", 0),
            postgres_dsn=env.get("STREAMSTOCK_POSTGRES_DSN", ""),
            postgres_pool_size=_number(env, "STREAMSTOCK_POSTGRES_POOL_SIZE", 10),
            postgres_command_timeout_seconds=_number(
                env, "STREAMSTOCK_POSTGRES_COMMAND_TIMEOUT_SECONDS", 10.0
            ),
            redis_url=env.get("STREAMSTOCK_REDIS_URL", ""),
            redis_cluster=env.get("STREAMSTOCK_REDIS_CLUSTER", "") in ("1", "true", "yes"),
            api_keys=env.get("STREAMSTOCK_API_KEYS", ""),
            service_api_key=env.get("STREAMSTOCK_SERVICE_API_KEY", ""),
            drain_grace_seconds=_number(env, "STREAMSTOCK_DRAIN_GRACE_SECONDS", 10.0),
            outbound_deadline_seconds=_number(env, "STREAMSTOCK_OUTBOUND_DEADLINE_SECONDS", 2.0),
            log_level=env.get("STREAMSTOCK_LOG_LEVEL", "INFO"),
            otlp_endpoint=env.get("STREAMSTOCK_OTLP_ENDPOINT", ""),
            trace_sample_ratio=_number(env, "STREAMSTOCK_TRACE_SAMPLE_RATIO", 0.1),
            peers=peers,
        )

    def peer(self, name: str) -> str:
        """The host:port of another service; a missing address is a configuration error."""
        try:
            return self.peers[name]
        except KeyError as exc:
            raise SettingsError(f"STREAMSTOCK_{name.upper()}_ADDR is not set") from exc
