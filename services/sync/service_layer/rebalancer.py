"""One rebalance pass over a SKU: settle timed-out shrinks, plan, push shrinks and, once no shrink
waits for an acknowledgement, take the grows from the pool and push them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from services.sync.domain.errors import InvalidArgument
from services.sync.domain.policy import AllocationPolicy, Platform
from services.sync.domain.quota import Listing, PushStatus, Quota
from services.sync.domain.rebalance import Outcome, QuotaView, SkuPlan, SkuView, as_dry_run, plan
from services.sync.service_layer.breaker import PassBreaker
from services.sync.service_layer.deps import Ports, effective_policy, eligible
from services.sync.service_layer.escrow import set_escrow
from services.sync.service_layer.listings import hold_back, push, settle_timed_out_shrink
from services.sync.service_layer.ports import EscrowRefused, PlatformRecord, SyncTransaction

log = logging.getLogger(__name__)

_DISABLED = AllocationPolicy(sku_id="", enabled=False)
_ROUNDS = 2  # shrinks acknowledged at once let the grows follow in the same pass
# Versions pushed again every pass until the platform acknowledges them: a failed or unfinished
# push, and a shrink whose ack timed out (the platform may be back and still list its old quantity).
_RETRYING = (PushStatus.FAILING, PushStatus.PUSHING, PushStatus.ACK_TIMED_OUT)


@dataclass(frozen=True)
class PassResult:
    evaluated: int
    plans: list[SkuPlan]


async def rebalance(
    ports: Ports, tenant_id: str, sku_ids: Sequence[str], dry_run: bool
) -> PassResult:
    for index, sku_id in enumerate(sku_ids):
        if not sku_id:
            raise InvalidArgument(f"sku_ids[{index}]", "must not be empty")
    if not sku_ids:
        sku_ids = await _skus_of(ports, tenant_id)
    breaker = PassBreaker(ports.cooldown, ports.store)
    plans = [await rebalance_sku(ports, tenant_id, sku_id, dry_run, breaker) for sku_id in sku_ids]
    return PassResult(len(sku_ids), plans)


async def _skus_of(ports: Ports, tenant_id: str) -> list[str]:
    """SKUs with a policy of their own or a quota, and, under an enabled tenant default, every
    SKU inventory knows for the tenant."""
    async with ports.store.transaction() as tx:
        known = await tx.skus_to_rebalance(tenant_id)
        default = await tx.policy(tenant_id, "")
    if default is None or not default.policy.enabled:
        return known
    return sorted({*known, *await ports.escrow.sku_ids(tenant_id)})


async def rebalance_sku(
    ports: Ports,
    tenant_id: str,
    sku_id: str,
    dry_run: bool,
    breaker: PassBreaker | None = None,
) -> SkuPlan:
    """breaker: the pass's, when the SKU is one of a pass; otherwise the SKU is a quiet pass of its
    own (an acknowledgement's)."""
    breaker = breaker or PassBreaker(ports.cooldown, ports.store, quiet=True)
    result = await _round(ports, tenant_id, sku_id, dry_run, breaker)
    for _ in range(_ROUNDS - 1):
        if dry_run or result.outcome is not Outcome.APPLIED or not result.shrinks:
            break
        result = await _round(ports, tenant_id, sku_id, dry_run, breaker)
    return result


async def _round(
    ports: Ports, tenant_id: str, sku_id: str, dry_run: bool, breaker: PassBreaker
) -> SkuPlan:
    """One plan and its moves, over the platforms' health as it is now (a push that failed in an
    earlier round or SKU of the pass already shows)."""
    stock = await ports.escrow.stock(tenant_id, sku_id)
    async with ports.store.transaction() as tx:
        found = await effective_policy(tx, tenant_id, sku_id)
        policy = found[0] if found else _DISABLED
        platforms = await _platforms(tx, tenant_id, policy, sku_id)
        quotas = await _quotas(ports, tx, tenant_id, sku_id, platforms, dry_run)
        view = SkuView(
            sku_id,
            policy if stock is not None else _DISABLED,
            stock.sellable if stock else 0,
            [
                _view_of(q, platforms, policy, ports.clock.now())
                for q in _with_shares(quotas, policy, tenant_id, sku_id)
            ],
        )
        result = plan(view)
        if dry_run:
            return as_dry_run(result)
        for quota in quotas.values():
            target = result.targets.get(quota.platform_id, 0)
            if target != quota.target_units:
                await tx.set_target(tenant_id, sku_id, quota.platform_id, target)
        await tx.mark_rebalanced(tenant_id, sku_id, ports.clock.now())
    await _move(ports, tenant_id, result, (platforms, breaker), quotas, policy.pool_reserve_units)
    return result


def _with_shares(
    quotas: dict[str, Quota], policy: AllocationPolicy, tenant_id: str, sku_id: str
) -> list[Quota]:
    """The stored quotas plus an empty one for every platform the policy names without one."""
    missing = [s.platform_id for s in policy.shares if s.platform_id not in quotas]
    return [*quotas.values(), *(Quota(tenant_id, sku_id, p) for p in missing)]


def _platform(record: PlatformRecord | None) -> Platform | None:
    return record.platform if record else None


def _reachable(record: PlatformRecord | None) -> bool:
    """A platform whose pushes fail gets no new quota and is shrunk to zero (after its ack
    timeout) until a push succeeds again."""
    return record is not None and record.health.reachable


async def _platforms(
    tx: SyncTransaction, tenant_id: str, policy: AllocationPolicy, sku_id: str
) -> dict[str, PlatformRecord]:
    names = {s.platform_id for s in policy.shares} | {
        r.quota.platform_id for r in await tx.quotas_of_sku(tenant_id, sku_id)
    }
    platforms = {}
    for platform_id in sorted(names):
        record = await tx.platform(tenant_id, platform_id)
        if record is not None:
            platforms[platform_id] = record
    return platforms


async def _quotas(
    ports: Ports,
    tx: SyncTransaction,
    tenant_id: str,
    sku_id: str,
    platforms: dict[str, PlatformRecord],
    dry_run: bool,
) -> dict[str, Quota]:
    quotas = {r.quota.platform_id: r.quota for r in await tx.quotas_of_sku(tenant_id, sku_id)}
    now = ports.clock.now()
    for platform_id, quota in quotas.items():
        record = platforms.get(platform_id)
        timeout = record.platform.ack_timeout_seconds if record else 0.0
        if not dry_run and quota.shrink_timed_out(now, timeout):
            locked = await tx.lock_quota(tenant_id, sku_id, platform_id)
            if locked.shrink_timed_out(now, timeout):
                quotas[platform_id] = await settle_timed_out_shrink(ports, tx, locked)
    return quotas


def _view_of(
    quota: Quota, platforms: dict[str, PlatformRecord], policy: AllocationPolicy, now: float
) -> QuotaView:
    return QuotaView(
        quota.platform_id,
        quota.quota_units,
        quota.velocity.per_minute(now, policy.half_life_seconds),
        awaiting_ack=quota.awaiting_ack,
        eligible=_reachable(platforms.get(quota.platform_id))
        and eligible(_platform(platforms.get(quota.platform_id)), policy),
        pushed_listed_units=quota.pushed_listed_units,
    )


async def _move(
    ports: Ports,
    tenant_id: str,
    result: SkuPlan,
    health: tuple[dict[str, PlatformRecord], PassBreaker],
    quotas: dict[str, Quota],
    reserve: int,
) -> None:
    """Shrinks are pushed first; the grows follow only once no shrink of the SKU awaits its
    acknowledgement (platforms that answer at once let them follow in the same pass). Pushes to
    a platform cooling down are prepared (a shrink's ack timeout starts) but not sent."""
    platforms = health[0]
    shrinks: list[tuple[Platform, Quota, Listing]] = []
    for platform_id, units in sorted(result.shrinks.items()):
        prepared = await _prepare_shrink(ports, quotas[platform_id], units)
        shrinks += _with_platform(platforms, prepared)
    await _push_all(ports, shrinks, health)
    grows: list[tuple[Platform, Quota, Listing]] = []
    if result.grows and not await _shrink_pending(ports, tenant_id, result.sku_id):
        for platform_id, units in sorted(result.grows.items()):
            quota = quotas.get(platform_id) or Quota(tenant_id, result.sku_id, platform_id)
            prepared = await _prepare_grow(ports, quota, units, reserve)
            grows += _with_platform(platforms, prepared)
    moved = {platform.platform_id for platform, _, _ in shrinks + grows}
    for platform_id, quota in sorted(quotas.items()):
        if platform_id not in moved and (quota.needs_push or quota.push_status in _RETRYING):
            grows += _with_platform(platforms, await _prepare_repush(ports, quota))
    await _push_all(ports, grows, health)


async def _push_all(
    ports: Ports,
    pushes: list[tuple[Platform, Quota, Listing]],
    health: tuple[dict[str, PlatformRecord], PassBreaker],
) -> None:
    """In parallel across platforms; those cooling down are held back without a network call."""
    platforms, breaker = health
    now = ports.clock.now()

    async def send(platform: Platform, quota: Quota, listing: Listing) -> None:
        if await breaker.waits(quota.tenant_id, platforms[platform.platform_id], now):
            await hold_back(ports, quota, listing)
        else:
            await push(ports, platform, quota, listing)

    await asyncio.gather(*(send(*planned) for planned in pushes))


async def _shrink_pending(ports: Ports, tenant_id: str, sku_id: str) -> bool:
    async with ports.store.transaction() as tx:
        records = await tx.quotas_of_sku(tenant_id, sku_id)
    return any(r.quota.shrink_pending for r in records)


def _with_platform(
    platforms: dict[str, PlatformRecord], prepared: tuple[Quota, Listing] | None
) -> list[tuple[Platform, Quota, Listing]]:
    if prepared is None or prepared[0].platform_id not in platforms:
        return []
    return [(platforms[prepared[0].platform_id].platform, *prepared)]


async def _prepare_shrink(ports: Ports, quota: Quota, units: int) -> tuple[Quota, Listing] | None:
    async with ports.store.transaction() as tx:
        locked = await tx.lock_quota(quota.tenant_id, quota.sku_id, quota.platform_id)
        ceiling = locked.pushed_listed_units if locked.awaiting_ack else locked.quota_units
        if units >= ceiling:
            return None
        locked, listing = locked.next_listing(units, ports.clock.now())
        await tx.save_quota(locked, ports.clock.now())
        return locked, listing


async def _prepare_grow(
    ports: Ports, quota: Quota, units: int, reserve: int
) -> tuple[Quota, Listing] | None:
    async with ports.store.transaction() as tx:
        locked = await tx.lock_quota(quota.tenant_id, quota.sku_id, quota.platform_id)
        if locked.awaiting_ack or units <= locked.quota_units:
            return None
        try:
            locked = await set_escrow(ports.escrow, locked, units)
        except EscrowRefused as refused:
            # Buyers of SHARED platforms took units since the plan: grow by what is still free.
            stock = await ports.escrow.stock(quota.tenant_id, quota.sku_id)
            free = stock.sellable - reserve if stock else 0
            log.info("grow cut short", extra={"sku": quota.sku_id, "why": refused.reason})
            if refused.reason != "INSUFFICIENT_STOCK" or free <= 0:
                return None
            locked = await set_escrow(ports.escrow, locked, locked.quota_units + min(free, units))
        locked, listing = locked.next_listing(locked.quota_units, ports.clock.now())
        await tx.save_quota(locked, ports.clock.now())
        return locked, listing


async def _prepare_repush(ports: Ports, quota: Quota) -> tuple[Quota, Listing] | None:
    """Pushes again a version that failed, or a new one after returns changed the listing."""
    async with ports.store.transaction() as tx:
        locked = await tx.lock_quota(quota.tenant_id, quota.sku_id, quota.platform_id)
        if locked.needs_push and not locked.awaiting_ack:
            locked, listing = locked.next_listing(locked.quota_units, ports.clock.now())
            await tx.save_quota(locked, ports.clock.now())
            return locked, listing
        if locked.push_status in _RETRYING:
            return locked, locked.current_listing()
        return None
