"""Reconciliation: each quota against inventory's escrow holds and ledger (and the platform's own
counts when given), booking the compensations when asked to repair."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, replace

from services.sync.domain.errors import (
    InvalidArgument,
    ReconciliationInProgress,
    ReconciliationNotFound,
)
from services.sync.domain.quota import Quota
from services.sync.domain.reconcile import (
    CompensationKind,
    Drift,
    Hold,
    PlatformCount,
    find_drifts,
)
from services.sync.service_layer.deps import Ports, quota_platform
from services.sync.service_layer.escrow import inventory_request_id, set_escrow
from services.sync.service_layer.ports import EscrowRefused, ReconciliationRecord

log = logging.getLogger(__name__)

SCHEDULED, REQUESTED = 1, 2
RUNNING, SUCCEEDED, FAILED = 1, 2, 3


async def reconcile(
    ports: Ports,
    tenant_id: str,
    scope: tuple[str, Sequence[str]],
    repair: bool,
    counts: dict[str, PlatformCount],
    trigger: int = REQUESTED,
) -> ReconciliationRecord:
    platform_id = scope[0]
    if counts and not platform_id:
        raise InvalidArgument("platform_counts", "require platform_id")
    async with ports.locks.reconciling(tenant_id, platform_id) as running:
        if not running:
            raise ReconciliationInProgress(
                "a reconciliation of an overlapping scope is running",
                reconciliation_id=await _running_id(ports, tenant_id),
            )
        return await _run(ports, tenant_id, scope, repair, counts, trigger)


async def _running_id(ports: Ports, tenant_id: str) -> str:
    async with ports.store.transaction() as tx:
        runs = await tx.list_reconciliations(tenant_id, "", False, (None, None), None, 20)
    return next((run.reconciliation_id for run in runs if run.state == RUNNING), "")


async def _run(
    ports: Ports,
    tenant_id: str,
    scope: tuple[str, Sequence[str]],
    repair: bool,
    counts: dict[str, PlatformCount],
    trigger: int,
) -> ReconciliationRecord:
    platform_id, sku_ids = scope
    run = ReconciliationRecord(
        reconciliation_id=ports.new_id(),
        trigger=trigger,
        state=RUNNING,
        platform_id=platform_id,
        sku_ids=tuple(sku_ids),
        repair=repair,
        start_time=ports.clock.now(),
        finish_time=None,
        checked_pair_count=0,
        drifts=(),
    )
    async with ports.store.transaction() as tx:
        await tx.save_reconciliation(tenant_id, run)
    pairs = await _pairs(ports, tenant_id, platform_id, sku_ids)
    drifts: list[dict[str, object]] = []
    state, error = SUCCEEDED, ""
    for sku_id, pair_platform in pairs:
        try:
            found = await _check_pair(
                ports, tenant_id, (sku_id, pair_platform), counts.get(sku_id), repair
            )
        except Exception as failure:  # the run reports what it found until then
            state, error = FAILED, f"{sku_id}/{pair_platform}: {failure}"
            log.exception("reconciliation stopped")
            break
        drifts += found
    run = replace(
        run,
        state=state,
        finish_time=ports.clock.now(),
        checked_pair_count=len(pairs),
        drifts=tuple(drifts),
        error=error,
    )
    async with ports.store.transaction() as tx:
        await tx.save_reconciliation(tenant_id, run)
    if drifts:
        log.warning("drift found", extra={"tenant": tenant_id, "drifts": len(drifts)})
    return run


async def _pairs(
    ports: Ports, tenant_id: str, platform_id: str, sku_ids: Sequence[str]
) -> list[tuple[str, str]]:
    async with ports.store.transaction() as tx:
        if platform_id:
            await quota_platform(tx, tenant_id, platform_id)
        records = await tx.list_quotas(tenant_id, "", platform_id, (), ("", ""), 1_000_000)
    wanted = set(sku_ids)
    return [
        (r.quota.sku_id, r.quota.platform_id)
        for r in records
        if not wanted or r.quota.sku_id in wanted
    ]


async def _check_pair(
    ports: Ports,
    tenant_id: str,
    pair: tuple[str, str],
    count: PlatformCount | None,
    repair: bool,
) -> list[dict[str, object]]:
    sku_id, platform_id = pair
    async with ports.store.transaction() as tx:
        quota = await tx.lock_quota(tenant_id, sku_id, platform_id)
        holds = [
            Hold(h.reservation_id, h.quantity, h.consumed, h.active)
            for h in await ports.escrow.holds_of(tenant_id, platform_id, sku_id)
        ]
        results = []
        for drift in find_drifts(quota, holds, count):
            reference = ""
            if repair and drift.compensation is not CompensationKind.MANUAL:
                quota, reference = await _compensate(ports, quota, drift)
            results.append(_as_row(drift, applied=bool(reference), reference=reference))
        await tx.save_quota(quota, ports.clock.now())
    return results


async def _compensate(ports: Ports, quota: Quota, drift: Drift) -> tuple[Quota, str]:
    """Books one compensation; returns the quota after it and the inventory request id."""
    escrow = ports.escrow
    reference = inventory_request_id(
        "reconcile", quota.platform_id, quota.sku_id, drift.kind.name, quota.escrow_seq, drift.units
    )
    try:
        if drift.compensation is CompensationKind.RELEASE_HOLD:
            await escrow.release_hold(quota.tenant_id, reference, drift.reservation_id)
        elif drift.compensation is CompensationKind.RESIZE_ESCROW:
            quota = await set_escrow(escrow, replace(quota, quota_units=-1), quota.quota_units)
        elif drift.compensation is CompensationKind.CONFIRM_UNITS:
            await escrow.consume(
                quota.tenant_id,
                reference,
                quota.reservation_id,
                quota.sku_id,
                drift.units,
                reference,
            )
        elif drift.compensation is CompensationKind.RETURN_UNITS:
            await escrow.return_sold(
                quota.tenant_id, reference, quota.sku_id, drift.units, reference
            )
            quota = quota.unsold_consumption_returned(drift.units)
        elif drift.compensation is CompensationKind.REPUSH_LISTING:
            quota = replace(quota, needs_push=True)
    except EscrowRefused as refused:
        log.warning("compensation refused", extra={"why": refused.reason, "drift": drift.kind.name})
        return quota, ""
    return quota, reference


def _as_row(drift: Drift, applied: bool, reference: str) -> dict[str, object]:
    row = asdict(drift)
    row.update(
        kind=int(drift.kind),
        compensation=int(drift.compensation),
        difference_units=drift.difference_units,
        applied=applied,
        reference=reference,
    )
    return row


async def get_reconciliation(
    ports: Ports, tenant_id: str, reconciliation_id: str
) -> ReconciliationRecord:
    async with ports.store.transaction() as tx:
        run = await tx.reconciliation(tenant_id, reconciliation_id)
    if run is None:
        raise ReconciliationNotFound(
            f"reconciliation {reconciliation_id!r} is not known",
            reconciliation_id=reconciliation_id,
        )
    return run
