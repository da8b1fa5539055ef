"""inventory's own settings, beside the shared ServiceSettings (both from the environment).

STREAMSTOCK_SWEEP_INTERVAL_SECONDS      the expiry sweeper's nap when idle (0.5)
STREAMSTOCK_MAX_HOLD_BATCH              holds of one SKU decided per transaction at most (256)
STREAMSTOCK_REQUEST_RETENTION_SECONDS   how long answered request ids are remembered (7 days)
STREAMSTOCK_EVENT_RETENTION_SECONDS     how long events stay in the WatchEvents log (7 days)

A retention of 0 keeps every record; a negative one is refused.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from services.runtime.settings import SettingsError


@dataclass(frozen=True)
class InventorySettings:
    # How long the expiry sweeper naps when it found nothing to do.
    sweep_interval_seconds: float = 0.5
    # Holds of one SKU decided per transaction at most.
    max_hold_batch: int = 256
    # How long an answered request id is remembered (a retry after that is a new request);
    # 0 keeps every record.
    request_retention_seconds: float = 7 * 24 * 3600.0
    # How long an event stays in the log WatchEvents streams (a consumer further behind is told
    # with EVENTS_PRUNED where the kept log starts); 0 keeps every event.
    event_retention_seconds: float = 7 * 24 * 3600.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> InventorySettings:
        env = os.environ if env is None else env
        try:
            settings = cls(
                sweep_interval_seconds=float(
                    env.get("STREAMSTOCK_SWEEP_INTERVAL_SECONDS", cls.sweep_interval_seconds)
                ),
                max_hold_batch=int(env.get("STREAMSTOCK_MAX_HOLD_BATCH", cls.max_hold_batch)),
                request_retention_seconds=float(
                    env.get("STREAMSTOCK_REQUEST_RETENTION_SECONDS", cls.request_retention_seconds)
                ),
                event_retention_seconds=float(
                    env.get("STREAMSTOCK_EVENT_RETENTION_SECONDS", cls.event_retention_seconds)
                ),
            )
        except ValueError as error:
            raise SettingsError(f"inventory settings: {error}") from error
        retentions = {
            "STREAMSTOCK_REQUEST_RETENTION_SECONDS": settings.request_retention_seconds,
            "STREAMSTOCK_EVENT_RETENTION_SECONDS": settings.event_retention_seconds,
        }
        negative = [name for name, seconds in retentions.items() if seconds < 0]
        if negative:
            raise SettingsError(
                f"inventory settings: {', '.join(negative)} must not be negative (0 keeps all)"
            )
        return settings
