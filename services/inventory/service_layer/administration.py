"""Stock administration: SKUs, restocks, adjustments, withheld units, sale status and policy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from services.inventory.domain.errors import SkuAlreadyExists, SkuNotFound
from services.inventory.domain.sku import Sku
from services.inventory.service_layer import commands
from services.inventory.service_layer.ports import Transaction
from services.inventory.service_layer.settlement import return_due_holds
from services.inventory.service_layer.unit import Unit


async def create_sku(unit: Unit, cmd: commands.CreateSku) -> Sku:
    async def work(txn: Transaction, now: datetime) -> tuple[Sku, list[Sku]]:
        sku = Sku.create(
            cmd.tenant_id,
            cmd.sku_id,
            cmd.title,
            cmd.on_hand,
            cmd.policy,
            cmd.status,
            now,
            cmd.key.request_id,
        )
        if not await txn.insert_sku(sku):
            raise SkuAlreadyExists(f"SKU {cmd.sku_id} exists", sku_id=cmd.sku_id)
        return sku, [sku]

    return await unit.once(cmd.tenant_id, cmd.key, work)


async def locked_sku(txn: Transaction, tenant_id: str, sku_id: str, now: datetime) -> Sku:
    """The SKU locked for a change, its due holds already returned to stock."""
    skus = await txn.lock_skus([(tenant_id, sku_id)])
    sku = skus.get((tenant_id, sku_id))
    if sku is None:
        raise SkuNotFound(f"no SKU {sku_id}", sku_id=sku_id)
    await return_due_holds(txn, sku, now)
    return sku


async def _change_sku(
    unit: Unit,
    tenant_id: str,
    key: commands.Idempotency,
    sku_id: str,
    change: Callable[[Sku, datetime], None],
) -> Sku:
    async def work(txn: Transaction, now: datetime) -> tuple[Sku, list[Sku]]:
        sku = await locked_sku(txn, tenant_id, sku_id, now)
        change(sku, now)
        await txn.save_skus([sku])
        return sku, [sku]

    return await unit.once(tenant_id, key, work)


async def restock(unit: Unit, cmd: commands.Restock) -> Sku:
    async def work(txn: Transaction, now: datetime) -> tuple[Sku, list[Sku]]:
        sku = await locked_sku(txn, cmd.tenant_id, cmd.sku_id, now)
        sku.restock(cmd.quantity, cmd.note, now, cmd.key.request_id)
        if sku.policy.refresh_ttl_on_restock:
            await txn.refresh_deadlines(cmd.tenant_id, cmd.sku_id, now, sku.policy)
        await txn.save_skus([sku])
        return sku, [sku]

    return await unit.once(cmd.tenant_id, cmd.key, work)


async def adjust_stock(unit: Unit, cmd: commands.AdjustStock) -> Sku:
    return await _change_sku(
        unit,
        cmd.tenant_id,
        cmd.key,
        cmd.sku_id,
        lambda sku, now: sku.adjust(
            cmd.on_hand_delta, cmd.reason, cmd.note, now, cmd.key.request_id
        ),
    )


async def set_withheld(unit: Unit, cmd: commands.SetWithheld) -> Sku:
    return await _change_sku(
        unit,
        cmd.tenant_id,
        cmd.key,
        cmd.sku_id,
        lambda sku, now: sku.set_withheld(cmd.kind, cmd.quantity, now, cmd.key.request_id),
    )


async def set_sale_status(unit: Unit, cmd: commands.SetSaleStatus) -> Sku:
    return await _change_sku(
        unit,
        cmd.tenant_id,
        cmd.key,
        cmd.sku_id,
        lambda sku, now: sku.set_status(cmd.status, cmd.reason, now, cmd.expected),
    )


async def update_sale_policy(unit: Unit, cmd: commands.UpdateSalePolicy) -> Sku:
    async def work(txn: Transaction, now: datetime) -> tuple[Sku, list[Sku]]:
        sku = await locked_sku(txn, cmd.tenant_id, cmd.sku_id, now)
        tracked = sku.tracks_holdings
        sku.set_policy(cmd.policy, now)
        if sku.tracks_holdings and not tracked:
            # A limit from now on counts what buyers already hold.
            await txn.rebuild_holdings(cmd.tenant_id, cmd.sku_id)
        await txn.save_skus([sku])
        return sku, [sku]

    return await unit.once(cmd.tenant_id, cmd.key, work)


async def return_sold(unit: Unit, cmd: commands.ReturnSold) -> Sku:
    return await _change_sku(
        unit,
        cmd.tenant_id,
        cmd.key,
        cmd.sku_id,
        lambda sku, now: sku.return_sold(
            cmd.quantity, cmd.order_id, cmd.note, now, cmd.key.request_id
        ),
    )
