"""Proving the counters: recompute them from the ledger and the live holds, report and repair."""

from __future__ import annotations

from datetime import datetime

from services.inventory.domain.reports import Drift, Reconciliation
from services.inventory.domain.sku import Sku
from services.inventory.domain.stock import StockLevels
from services.inventory.service_layer import commands
from services.inventory.service_layer.ports import Transaction
from services.inventory.service_layer.unit import Unit


async def reconcile(unit: Unit, cmd: commands.Reconcile) -> Reconciliation:
    """Counters must equal the ledger's sums, and reserved the units of live (ACTIVE) holds.
    The SKUs are locked while they are compared, so no hold moves under the comparison. A
    retry gets the first call's report (and repairs nothing more)."""
    sku_ids = list(cmd.sku_ids) or await unit.store.sku_ids(cmd.tenant_id)

    async def work(txn: Transaction, now: datetime) -> tuple[Reconciliation, list[Sku]]:
        skus = await txn.lock_skus([(cmd.tenant_id, sku_id) for sku_id in sku_ids])
        ids = sorted(sku_id for _, sku_id in skus)
        totals = await txn.ledger_totals(cmd.tenant_id, ids)
        live = await txn.live_reserved(cmd.tenant_id, ids)
        drifts: list[Drift] = []
        repaired: list[Sku] = []
        for (_, sku_id), sku in sorted(skus.items()):
            ledger = totals.get(sku_id, StockLevels())
            recomputed = StockLevels(
                ledger.on_hand, ledger.withheld, live.get(sku_id, 0), ledger.sold
            )
            if sku.stock == recomputed and ledger == recomputed:
                continue
            drifts.append(Drift(sku_id, sku.stock, recomputed, cmd.repair))
            if cmd.repair:
                sku.repair(ledger, recomputed, now, cmd.key.request_id)
                repaired.append(sku)
        await txn.save_skus(repaired)
        return Reconciliation(len(skus), tuple(drifts)), repaired

    return await unit.once(cmd.tenant_id, cmd.key, work)
