"""The ports a use case runs over, bundled once by the bootstrap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from services.sync.domain.breaker import Cooldown
from services.sync.domain.errors import PlatformNotFound, PlatformNotQuotaMode
from services.sync.domain.policy import AllocationPolicy, Platform, PlatformMode
from services.sync.service_layer.ports import (
    Clock,
    Escrow,
    ListingPusher,
    PlatformRecord,
    ReconciliationLocks,
    SyncStore,
    SyncTransaction,
)


@dataclass(frozen=True)
class Ports:
    store: SyncStore
    escrow: Escrow
    pusher: ListingPusher
    clock: Clock
    new_id: Callable[[], str]
    locks: ReconciliationLocks
    # how long pushes to a platform whose pushes failed wait (domain/breaker.py)
    cooldown: Cooldown = field(default_factory=Cooldown)


async def quota_platform(tx: SyncTransaction, tenant_id: str, platform_id: str) -> PlatformRecord:
    record = await tx.platform(tenant_id, platform_id)
    if record is None:
        raise PlatformNotFound(
            f"platform {platform_id!r} is not registered", platform_id=platform_id
        )
    if record.platform.mode is not PlatformMode.QUOTA:
        raise PlatformNotQuotaMode(
            f"platform {platform_id!r} sells through inventory directly", platform_id=platform_id
        )
    return record


async def effective_policy(
    tx: SyncTransaction, tenant_id: str, sku_id: str
) -> tuple[AllocationPolicy, bool, float] | None:
    """The SKU's own policy or the tenant default: (policy, inherited, update time)."""
    own = await tx.policy(tenant_id, sku_id) if sku_id else None
    if own is not None:
        return own.policy, False, own.update_time
    default = await tx.policy(tenant_id, "")
    if default is None:
        return None
    return default.policy, bool(sku_id), default.update_time


def eligible(platform: Platform | None, policy: AllocationPolicy) -> bool:
    if platform is None or platform.mode is not PlatformMode.QUOTA or platform.disabled:
        return False
    return policy.enabled and any(s.platform_id == platform.platform_id for s in policy.shares)
