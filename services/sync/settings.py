"""sync's own settings, read from the environment beside the shared ServiceSettings.

STREAMSTOCK_SYNC_REBALANCE_INTERVAL_SECONDS   periodic rebalance pass (default 5)
STREAMSTOCK_SYNC_RECONCILE_INTERVAL_SECONDS   scheduled reconciliation (default 300; 0 turns it off)
STREAMSTOCK_SYNC_RECONCILE_REPAIR             book compensations on schedule (default true)
STREAMSTOCK_SYNC_PUSH_ATTEMPTS                attempts per push before it counts as failed (3)
STREAMSTOCK_SYNC_PUSH_BACKOFF_SECONDS         first retry delay, doubling up to 1 s (0.05)
STREAMSTOCK_SYNC_PLATFORM_COOLDOWN_SECONDS    after a push failed every attempt, the platform's
                                              next pushes wait this long (then one is sent as a
                                              probe), doubling with every failed push in a row
                                              (default 5, the rebalance interval; 0: no wait)
STREAMSTOCK_SYNC_PLATFORM_COOLDOWN_MAX_SECONDS  the cap of that wait (default 60)
STREAMSTOCK_SYNC_SECRET_<REF>                 the bearer token of credentials_ref <ref>
                                              (upper case, non-alphanumerics as _)
STREAMSTOCK_SYNC_REQUEST_RETENTION_SECONDS    how long an answered request id is remembered; a
                                              retry after it is a new request (604800 = 7 days)
STREAMSTOCK_SYNC_SALE_LINE_RETENTION_SECONDS  the dedup window: sale lines are remembered this long
                                              after their occur_time, and a line older than it is
                                              refused as SALE_LINE_TOO_LATE (2592000 = 30 days)
STREAMSTOCK_SYNC_RECONCILIATION_RETENTION_SECONDS  reconciliation history (7776000 = 90 days)

A negative cooldown is refused at start. Every retention is in seconds, 0 keeps the rows for ever (and, for sale lines, refuses no line as
too late); a negative value is refused at start.
"""

from __future__ import annotations

import math
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


def _retention(env: Mapping[str, str], name: str, default: float) -> float:
    seconds = _float(env, name, default)
    if not 0 <= seconds < math.inf:
        raise SettingsError(f"{name} must be 0 (keep for ever) or more seconds, got {seconds}")
    return seconds


def _not_negative(env: Mapping[str, str], name: str, default: float) -> float:
    seconds = _float(env, name, default)
    if not 0 <= seconds < math.inf:
        raise SettingsError(f"{name} must be 0 or more seconds, got {seconds}")
    return seconds


DAY = 24 * 3600.0


def secret_variable(credentials_ref: str) -> str:
    return SECRET_PREFIX + re.sub(r"[^A-Za-z0-9]", "_", credentials_ref).upper()


@dataclass(frozen=True)
class SyncSettings:
    rebalance_interval_seconds: float = 5.0
    reconcile_interval_seconds: float = 300.0
    reconcile_repair: bool = True
    push_attempts: int = 3
    push_backoff_seconds: float = 0.05
    # A platform that is down costs one failed push per cooldown, not one per SKU of every pass.
    platform_cooldown_seconds: float = 5.0
    platform_cooldown_max_seconds: float = 60.0
    secrets: Mapping[str, str] = field(default_factory=dict)
    request_retention_seconds: float = 7 * DAY
    # The dedup window of sale lines: a platform redelivers a report within hours or days, and
    # cancellations and refunds (7-day returns after delivery) come within weeks of the sale.
    sale_line_retention_seconds: float = 30 * DAY
    reconciliation_retention_seconds: float = 90 * DAY

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
            platform_cooldown_seconds=_not_negative(
                env, "STREAMSTOCK_SYNC_PLATFORM_COOLDOWN_SECONDS", cls.platform_cooldown_seconds
            ),
            platform_cooldown_max_seconds=_not_negative(
                env,
                "STREAMSTOCK_SYNC_PLATFORM_COOLDOWN_MAX_SECONDS",
                cls.platform_cooldown_max_seconds,
            ),
            secrets={k: v for k, v in env.items() if k.startswith(SECRET_PREFIX)},
            request_retention_seconds=_retention(
                env, "STREAMSTOCK_SYNC_REQUEST_RETENTION_SECONDS", cls.request_retention_seconds
            ),
            sale_line_retention_seconds=_retention(
                env, "STREAMSTOCK_SYNC_SALE_LINE_RETENTION_SECONDS", cls.sale_line_retention_seconds
            ),
            reconciliation_retention_seconds=_retention(
                env,
                "STREAMSTOCK_SYNC_RECONCILIATION_RETENTION_SECONDS",
                cls.reconciliation_retention_seconds,
            ),
        )

    def secret(self, credentials_ref: str) -> str | None:
        return self.secrets.get(secret_variable(credentials_ref))
