"""Which platforms' pushes wait out their cooldown (domain/breaker.py) during one rebalance pass.

The verdict is taken from the platform's row as the SKU round read it (rebalancer._platforms), so
once a push fails the rest of the pass, any other replica's pass and a Rebalance call skip the
platform without a network call; the wait is logged once per pass and platform, not per SKU."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from services.sync.domain.breaker import Cooldown
from services.sync.service_layer.ports import PlatformRecord

log = logging.getLogger(__name__)


class PassBreaker:
    """One per pass (a tenant's periodic pass, a Rebalance call, an acknowledgement's SKU).
    quiet: judge without logging (the SKU pass each acknowledgement runs would otherwise repeat,
    once per acknowledgement, what the periodic pass says once per interval)."""

    def __init__(self, cooldown: Cooldown, quiet: bool = False) -> None:
        self._cooldown = cooldown
        self._quiet = quiet
        self._told: set[tuple[str, str]] = set()

    def waits(self, tenant_id: str, record: PlatformRecord, now: float) -> bool:
        """Whether a push to the platform waits at `now`; the first time in the pass, says so."""
        health = record.health
        until = self._cooldown.retry_time(
            health.reachable, health.consecutive_failures, health.last_failure_time
        )
        if until is None or now >= until:
            return False
        platform_id = record.platform.platform_id
        if not self._quiet and (tenant_id, platform_id) not in self._told:
            self._told.add((tenant_id, platform_id))
            log.warning(
                "pushes to %s wait until %s after %d failed pushes in a row",
                platform_id,
                datetime.fromtimestamp(until, UTC).isoformat(timespec="milliseconds"),
                health.consecutive_failures,
                extra={
                    "tenant": tenant_id,
                    "platform": platform_id,
                    "failures": health.consecutive_failures,
                    "retry_time": until,
                },
            )
        return True
