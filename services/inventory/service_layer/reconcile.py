"""Proving the counters: recompute them from the ledger and the live holds, report and repair."""

from __future__ import annotations

from dataclasses import dataclass

from services.inventory.domain.stock import StockLevels
from services.inventory.service_layer import commands
from services.inventory.service_layer.unit import Unit


@dataclass(frozen=True)
class Drift:
    sku_id: str
    recorded: StockLevels
    recomputed: StockLevels
    repaired: bool


@dataclass(frozen=True)
class Reconciliation:
    checked: int
    drifts: list[Drift]


async def reconcile(unit: Unit, cmd: commands.Reconcile) -> Reconciliation:
    """Counters must equal the ledger's sums, and reserved the units of live (ACTIVE) holds.
    The SKUs are locked while they are compared, so no hold moves under the comparison."""
    sku_ids = list(cmd.sku_ids) or await unit.store.sku_ids(cmd.tenant_id)
    drifts: list[Drift] = []
    async with unit.store.transaction() as txn:
        now = unit.clock.now()
        skus = await txn.lock_skus([(cmd.tenant_id, sku_id) for sku_id in sku_ids])
        ids = sorted(sku_id for _, sku_id in skus)
        totals = await txn.ledger_totals(cmd.tenant_id, ids)
        live = await txn.live_reserved(cmd.tenant_id, ids)
        for (_, sku_id), sku in sorted(skus.items()):
            ledger = totals.get(sku_id, StockLevels())
            recomputed = StockLevels(
                ledger.on_hand, ledger.withheld, live.get(sku_id, 0), ledger.sold
            )
            if sku.stock == recomputed and ledger == recomputed:
                continue
            recorded = sku.stock
            if cmd.repair:
                sku.repair(ledger, recomputed, now, cmd.key.request_id)
            drifts.append(Drift(sku_id, recorded, recomputed, cmd.repair))
        if cmd.repair:
            await txn.save_skus(list(skus.values()))
    return Reconciliation(len(skus), drifts)
