"""sync's own settings, read from the environment beside the shared ServiceSettings.

STREAMSTOCK_SYNC_REBALANCE_INTERVAL_SECONDS   periodic rebalance pass (default 5)
STREAMSTOCK_SYNC_RECONCILE_INTERVAL_SECONDS   scheduled reconciliation (default 300; 0 turns it off)
STREAMSTOCK_SYNC_RECONCILE_REPAIR             book compensations on schedule (default true)
STREAMSTOCK_SYNC_PUSH_ATTEMPTS                attempts per push before it counts as failed (3)
STREAMSTOCK_SYNC_PUSH_BACKOFF_SECONDS         first retry delay, doubling up to 1 s (0.05)
STREAMSTOCK_SYNC_SECRET_<REF>                 the bearer token of credentials_ref <ref>
                                              (upper case, non-alphanumerics as _)
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from services.runtime.settings import SettingsError

SECRET_PREFIX = "STREAMSTOCK_SYNC_SECRET_"


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "")
    try:
        return float(raw) if raw else default
    except ValueError as error:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from error


def secret_variable(credentials_ref: str) -> str:
    return SECRET_PREFIX + re.sub(r"[^A-Za-z0-9]", "_", credentials_ref).upper()


@dataclass(frozen=True)
class SyncSettings:
    rebalance_interval_seconds: float = 5.0
    reconcile_interval_seconds: float = 300.0
    reconcile_repair: bool = True
    push_attempts: int = 3
    push_backoff_seconds: float = 0.05
    secrets: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SyncSettings:
        env = os.environ if env is None else env
        return cls(
            rebalance_interval_seconds=_float(
                env, "STREAMSTOCK_SYNC_REBALANCE_INTERVAL_SECONDS", 5.0
            ),
            reconcile_interval_seconds=_float(
                env, "STREAMSTOCK_SYNC_RECONCILE_INTERVAL_SECONDS", 300.0
            ),
            reconcile_repair=env.get("STREAMSTOCK_SYNC_RECONCILE_REPAIR", "true")
            in ("1", "true", "yes"),
            push_attempts=max(1, int(_float(env, "STREAMSTOCK_SYNC_PUSH_ATTEMPTS", 3))),
            push_backoff_seconds=_float(env, "STREAMSTOCK_SYNC_PUSH_BACKOFF_SECONDS", 0.05),
            secrets={k: v for k, v in env.items() if k.startswith(SECRET_PREFIX)},
        )

    def secret(self, credentials_ref: str) -> str | None:
        return self.secrets.get(secret_variable(credentials_ref))
