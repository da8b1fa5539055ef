"""Pushing listing versions to platforms and taking their acknowledgements.

A shrink's escrow is released only when the platform acknowledges the shrunk version (or its ack
timeout passes, which is logged as a risk); until then the platform keeps its last quota."""

from __future__ import annotations

import logging

from services.sync.domain.errors import (
    ListedQuantityExceedsPush,
    ListingVersionUnknown,
    QuotaNotFound,
)
from services.sync.domain.policy import Platform
from services.sync.domain.quota import Listing, PushStatus, Quota
from services.sync.service_layer.deps import Ports, quota_platform
from services.sync.service_layer.escrow import set_escrow
from services.sync.service_layer.ports import PushFailed, SyncTransaction

log = logging.getLogger(__name__)

Answer = tuple[int, int, int | None]  # acknowledged version, listed units, platform sold units


async def push(ports: Ports, platform: Platform, quota: Quota, listing: Listing) -> None:
    """Pushes one version (with the adapter's retries) and applies the answer."""
    tenant_id, platform_id = quota.tenant_id, platform.platform_id
    try:
        ack = await ports.pusher.push(tenant_id, platform, quota.sku_id, listing, ports.clock.now())
    except PushFailed as failure:
        log.warning(
            "push to %s of %s failed: %s",
            platform_id,
            quota.sku_id,
            failure,
            extra={"platform": platform_id, "sku": quota.sku_id},
        )
        await _settle_push(ports, quota, listing, str(failure) or "push failed")
        return
    if ack is None:
        await _settle_push(ports, quota, listing, "")
        return
    async with ports.store.transaction() as tx:
        await tx.record_push(tenant_id, platform_id, "", ports.clock.now())
        answer = (ack.acknowledged_version, ack.listed_units, ack.platform_sold_units)
        await _acknowledge(ports, tx, (tenant_id, platform_id, quota.sku_id), answer)


async def hold_back(ports: Ports, quota: Quota, listing: Listing) -> None:
    """A push not sent while its platform cools down (service_layer/breaker.py): the version is
    left FAILING for a later pass, and the platform's health is not touched (only attempts made
    count as failures). Nothing else changes, escrow included."""
    await _settle_push(ports, quota, listing, "platform cooling down", attempted=False)


async def _settle_push(
    ports: Ports, quota: Quota, listing: Listing, error: str, attempted: bool = True
) -> None:
    """Records a failed push (FAILING) or one the platform will acknowledge later."""
    status = PushStatus.FAILING if error else PushStatus.AWAITING_ACK
    async with ports.store.transaction() as tx:
        if attempted:
            await tx.record_push(quota.tenant_id, quota.platform_id, error, ports.clock.now())
        current = await tx.lock_quota(quota.tenant_id, quota.sku_id, quota.platform_id)
        if current.pushed_version == listing.version:
            await tx.save_quota(current.with_status(status), ports.clock.now())


async def acknowledge(
    ports: Ports, tenant_id: str, platform_id: str, sku_id: str, answer: Answer
) -> tuple[Quota, bool]:
    """AcknowledgeListing: returns the quota after it and whether the answer was superseded."""
    async with ports.store.transaction() as tx:
        await quota_platform(tx, tenant_id, platform_id)
        return await _acknowledge(ports, tx, (tenant_id, platform_id, sku_id), answer)


async def _acknowledge(
    ports: Ports, tx: SyncTransaction, key: tuple[str, str, str], answer: Answer
) -> tuple[Quota, bool]:
    tenant_id, platform_id, sku_id = key
    version, listed_units, platform_sold = answer
    if await tx.quota(tenant_id, sku_id, platform_id) is None:
        raise QuotaNotFound(
            f"platform {platform_id!r} holds no quota of {sku_id!r}",
            platform_id=platform_id,
            sku_id=sku_id,
        )
    quota = await tx.lock_quota(tenant_id, sku_id, platform_id)
    if version > quota.pushed_version or version <= 0:
        raise ListingVersionUnknown(
            f"version {version} was never pushed",
            version=version,
            pushed_version=quota.pushed_version,
        )
    if version == quota.pushed_version and listed_units > quota.pushed_listed_units:
        raise ListedQuantityExceedsPush(
            f"lists {listed_units} of {quota.pushed_listed_units} pushed",
            listed_units=listed_units,
            pushed_listed_units=quota.pushed_listed_units,
        )
    superseded = version < quota.acknowledged_version
    now = ports.clock.now()
    quota = quota.acknowledged(version, listed_units, platform_sold, now)
    if quota.shrink_pending and version >= quota.pushed_version:
        quota = await set_escrow(ports.escrow, quota, quota.escrow_after_shrink())
        quota = quota.shrink_settled(PushStatus.IN_SYNC)
    await tx.save_quota(quota, now)
    return quota, superseded


async def settle_timed_out_shrink(ports: Ports, tx: SyncTransaction, quota: Quota) -> Quota:
    """Treats an unacknowledged shrink as done after the platform's ack timeout. The platform may
    still list its old quantity, so a sale it reports beyond the new quota is covered from the
    pool if possible and refused otherwise: that risk is logged here."""
    log.warning(
        "shrink not acknowledged in time; releasing the escrow anyway",
        extra={
            "platform": quota.platform_id,
            "sku": quota.sku_id,
            "listed_before": quota.listed_units,
            "quota_after": quota.escrow_after_shrink(),
        },
    )
    quota = await set_escrow(ports.escrow, quota, quota.escrow_after_shrink())
    quota = quota.shrink_settled(PushStatus.ACK_TIMED_OUT)
    await tx.save_quota(quota, ports.clock.now())
    return quota
