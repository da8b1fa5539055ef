"""Registering and changing platforms, and their allocation policies."""

from __future__ import annotations

from collections.abc import Callable

from services.sync.domain.errors import (
    AllocationPlatformUnknown,
    AllocationPolicyNotFound,
    CredentialsRefUnknown,
    InvalidArgument,
    PlatformAlreadyExists,
    PlatformHasQuotas,
    PlatformNotFound,
)
from services.sync.domain.policy import AllocationPolicy, Platform, PlatformMode
from services.sync.service_layer.deps import Ports, effective_policy
from services.sync.service_layer.ports import PlatformRecord, PolicyRecord, SyncTransaction

SecretExists = Callable[[str], bool]


def _check_credentials(platform: Platform, secret_exists: SecretExists) -> None:
    ref = platform.endpoint.credentials_ref
    if platform.mode is PlatformMode.QUOTA and ref and not secret_exists(ref):
        raise CredentialsRefUnknown(f"no secret named {ref!r}", credentials_ref=ref)


async def register_platform(
    ports: Ports, tenant_id: str, platform: Platform, secret_exists: SecretExists
) -> PlatformRecord:
    platform.validate()
    _check_credentials(platform, secret_exists)
    async with ports.store.transaction() as tx:
        if not await tx.insert_platform(tenant_id, platform, ports.clock.now()):
            raise PlatformAlreadyExists(
                f"platform {platform.platform_id!r} exists", platform_id=platform.platform_id
            )
        record = await tx.platform(tenant_id, platform.platform_id)
    assert record is not None
    return record


async def update_platform(
    ports: Ports,
    tenant_id: str,
    platform_id: str,
    change: Callable[[Platform], Platform],
    secret_exists: SecretExists,
) -> PlatformRecord:
    async with ports.store.transaction() as tx:
        current = await get_platform_in(tx, tenant_id, platform_id)
        changed = change(current.platform)
        changed.validate()
        _check_credentials(changed, secret_exists)
        if changed.mode is not current.platform.mode:
            units = await tx.platform_quota_units(tenant_id, platform_id)
            if units:
                raise PlatformHasQuotas(
                    f"platform {platform_id!r} holds {units} units of quota",
                    platform_id=platform_id,
                    quota_units=units,
                )
        await tx.update_platform(tenant_id, changed, ports.clock.now())
        return await get_platform_in(tx, tenant_id, platform_id)


async def get_platform_in(tx: SyncTransaction, tenant_id: str, platform_id: str) -> PlatformRecord:
    record = await tx.platform(tenant_id, platform_id)
    if record is None:
        raise PlatformNotFound(
            f"platform {platform_id!r} is not registered", platform_id=platform_id
        )
    return record


async def get_platform(ports: Ports, tenant_id: str, platform_id: str) -> PlatformRecord:
    if not platform_id:
        raise InvalidArgument("platform_id", "is required")
    async with ports.store.transaction() as tx:
        return await get_platform_in(tx, tenant_id, platform_id)


async def upsert_policy(ports: Ports, tenant_id: str, policy: AllocationPolicy) -> PolicyRecord:
    policy.validate()
    async with ports.store.transaction() as tx:
        for share in policy.shares:
            record = await tx.platform(tenant_id, share.platform_id)
            if record is None or record.platform.mode is not PlatformMode.QUOTA:
                raise AllocationPlatformUnknown(
                    f"platform {share.platform_id!r} is not a QUOTA platform",
                    platform_id=share.platform_id,
                )
        await tx.upsert_policy(tenant_id, policy, ports.clock.now())
        stored = await tx.policy(tenant_id, policy.sku_id)
    assert stored is not None
    return stored


async def get_policy(
    ports: Ports, tenant_id: str, sku_id: str
) -> tuple[AllocationPolicy, bool, float]:
    async with ports.store.transaction() as tx:
        found = await effective_policy(tx, tenant_id, sku_id)
    if found is None:
        raise AllocationPolicyNotFound("no allocation policy applies", sku_id=sku_id)
    return found


async def delete_policy(
    ports: Ports, tenant_id: str, sku_id: str
) -> tuple[AllocationPolicy, bool, float] | None:
    if not sku_id:
        raise InvalidArgument("sku_id", "is required; the tenant default cannot be deleted")
    async with ports.store.transaction() as tx:
        if not await tx.delete_policy(tenant_id, sku_id):
            raise AllocationPolicyNotFound(f"SKU {sku_id!r} has no own policy", sku_id=sku_id)
        return await effective_policy(tx, tenant_id, sku_id)
