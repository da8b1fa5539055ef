"""Read APIs: quotas, listed quantities and velocities per platform and SKU; a SKU's whole pool."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.sync.domain.errors import InvalidArgument
from services.sync.domain.policy import DEFAULT_HALF_LIFE_SECONDS
from services.sync.domain.quota import PushStatus
from services.sync.service_layer.deps import Ports, effective_policy
from services.sync.service_layer.ports import QuotaRecord

MAX_PAGE = 1000


def page_size(requested: int) -> int:
    if requested < 0:
        raise InvalidArgument("page_size", "must not be negative")
    return min(requested or 50, MAX_PAGE)


@dataclass(frozen=True)
class QuotaPage:
    quotas: list[tuple[QuotaRecord, float]]  # with the velocity per minute as of now
    next_after: tuple[str, str] | None


async def list_quotas(
    ports: Ports,
    tenant_id: str,
    filters: tuple[str, str, Sequence[PushStatus]],
    after: tuple[str, str],
    size: int,
) -> QuotaPage:
    sku_id, platform_id, statuses = filters
    limit = page_size(size)
    async with ports.store.transaction() as tx:
        records = await tx.list_quotas(tenant_id, sku_id, platform_id, statuses, after, limit + 1)
        half_lives: dict[str, float] = {}
        for record in records[:limit]:
            if record.quota.sku_id not in half_lives:
                found = await effective_policy(tx, tenant_id, record.quota.sku_id)
                half_lives[record.quota.sku_id] = (
                    found[0].half_life_seconds if found else DEFAULT_HALF_LIFE_SECONDS
                )
    now = ports.clock.now()
    rows = [
        (r, r.quota.velocity.per_minute(now, half_lives[r.quota.sku_id])) for r in records[:limit]
    ]
    last = records[limit - 1].quota if len(records) > limit else None
    return QuotaPage(rows, (last.sku_id, last.platform_id) if last else None)


@dataclass(frozen=True)
class SkuPool:
    sku_id: str
    enabled: bool
    unallocated_units: int
    pool_reserve_units: int
    quotas: list[tuple[QuotaRecord, float]]
    last_rebalance_time: float | None
    observe_time: float


async def sku_allocation(ports: Ports, tenant_id: str, sku_id: str) -> SkuPool:
    if not sku_id:
        raise InvalidArgument("sku_id", "is required")
    stock = await ports.escrow.stock(tenant_id, sku_id)
    async with ports.store.transaction() as tx:
        found = await effective_policy(tx, tenant_id, sku_id)
        records = await tx.quotas_of_sku(tenant_id, sku_id)
        last = await tx.last_rebalance(tenant_id, sku_id)
    now = ports.clock.now()
    half_life = found[0].half_life_seconds if found else DEFAULT_HALF_LIFE_SECONDS
    return SkuPool(
        sku_id=sku_id,
        enabled=bool(found and found[0].enabled),
        unallocated_units=stock.sellable if stock else 0,
        pool_reserve_units=found[0].pool_reserve_units if found else 0,
        quotas=[(r, r.quota.velocity.per_minute(now, half_life)) for r in records],
        last_rebalance_time=last,
        observe_time=now,
    )
