"""Which platforms' pushes wait out their cooldown (domain/breaker.py) during one rebalance pass.

The verdict is taken from the platform's row as the SKU round read it (rebalancer._platforms), so
once a push fails the rest of the pass, any other replica's pass and a Rebalance call skip the
platform without a network call; the wait is logged once per pass and platform, not per SKU. When
the cooldown is over, the push is the probe only if this pass claims it in the platform's row
first; a pass that loses the claim waits like the others."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from services.sync.domain.breaker import Cooldown
from services.sync.service_layer.ports import PlatformRecord, SyncStore

log = logging.getLogger(__name__)


class PassBreaker:
    """One per pass (a tenant's periodic pass, a Rebalance call, an acknowledgement's SKU).
    quiet: judge without logging (the SKU pass each acknowledgement runs would otherwise repeat,
    once per acknowledgement, what the periodic pass says once per interval)."""

    def __init__(self, cooldown: Cooldown, store: SyncStore, quiet: bool = False) -> None:
        self._cooldown = cooldown
        self._store = store
        self._quiet = quiet
        self._told: set[tuple[str, str]] = set()

    async def waits(self, tenant_id: str, record: PlatformRecord, now: float) -> bool:
        """Whether a push to the platform waits at `now`; the first time in the pass, says so.
        A push after the cooldown goes out only as the probe this pass claimed."""
        health = record.health
        failures = health.consecutive_failures
        until = self._cooldown.retry_time(
            health.reachable, failures, health.last_failure_time, health.probe_time
        )
        if until is None:
            return False
        if now >= until:
            async with self._store.transaction() as tx:
                claimed = await tx.claim_probe(
                    tenant_id, record.platform.platform_id, failures,
                    now - self._cooldown.seconds(failures), now,
                )  # fmt: skip
            if claimed:
                return False
            until = now + self._cooldown.seconds(failures)  # another pass's probe is out
        self._tell(tenant_id, record, until)
        return True

    def _tell(self, tenant_id: str, record: PlatformRecord, until: float) -> None:
        platform_id = record.platform.platform_id
        if self._quiet or (tenant_id, platform_id) in self._told:
            return
        self._told.add((tenant_id, platform_id))
        failures = record.health.consecutive_failures
        log.warning(
            "pushes to %s wait until %s after %d failed pushes in a row",
            platform_id,
            datetime.fromtimestamp(until, UTC).isoformat(timespec="milliseconds"),
            failures,
            extra={
                "tenant": tenant_id,
                "platform": platform_id,
                "failures": failures,
                "retry_time": until,
            },
        )
