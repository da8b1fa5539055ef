"""The periodic rebalancer and reconciler: every tenant with policies or quotas, one pass each time
bootstrap's repeated job runs it. Nothing here is process-local state, so several replicas may run
it (their inventory calls are idempotent and quota rows are locked)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from services.sync.service_layer import rebalancer, reconciler
from services.sync.service_layer.deps import Ports


async def rebalance_all(ports: Ports) -> None:
    async with ports.store.transaction() as tx:
        tenants = await tx.tenants()
    for tenant_id in tenants:
        await rebalancer.rebalance(ports, tenant_id, (), dry_run=False)


def reconcile_all(ports: Ports, repair: bool) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        async with ports.store.transaction() as tx:
            tenants = await tx.tenants()
        for tenant_id in tenants:
            await reconciler.reconcile(
                ports, tenant_id, ("", ()), repair, {}, trigger=reconciler.SCHEDULED
            )

    return run
