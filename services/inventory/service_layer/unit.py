"""What every inventory use case shares: its dependencies and the idempotent transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from services.inventory.domain.errors import RequestIdReused
from services.inventory.domain.reservation import Reservation
from services.inventory.domain.sku import Sku
from services.inventory.service_layer.commands import Idempotency
from services.inventory.service_layer.ports import (
    Clock,
    IdFactory,
    InventoryStore,
    SoldOutGate,
    Transaction,
)

Result = TypeVar("Result", Sku, Reservation)
# A use case's work inside its transaction: the result and the SKUs whose counters it touched.
Work = Callable[[Transaction, datetime], Awaitable[tuple[Result, Iterable[Sku]]]]


@dataclass
class Unit:
    store: InventoryStore
    clock: Clock
    ids: IdFactory
    gate: SoldOutGate

    async def once(self, tenant_id: str, key: Idempotency, work: Work[Result]) -> Result:
        """Runs work in one transaction unless the request id was answered before; a refusal
        (domain error) rolls everything back, the claim of the request id included."""
        async with self.store.transaction() as txn:
            now = self.clock.now()
            answered = await txn.claim_requests(tenant_id, {key.request_id: key.fingerprint}, now)
            if key.request_id in answered:
                previous = answered[key.request_id]
                if previous.fingerprint != key.fingerprint:
                    raise reused(key)
                return previous.result  # type: ignore[return-value]
            result, skus = await work(txn, now)
            skus = list(skus)
            await txn.record_results(tenant_id, {key.request_id: result})
        await self.publish(skus)
        return result

    async def publish(self, skus: Iterable[Sku]) -> None:
        """Tells the sold-out gate what is sellable after a commit; a sold-out SKU comes with
        the moment its first hold is due, from which the gate stops refusing on its own."""
        for sku in skus:
            sellable = sku.stock.sellable
            reopens_at = None
            if sellable <= 0:
                reopens_at = await self.store.next_deadline(sku.tenant_id, sku.sku_id)
            await self.gate.publish(sku.tenant_id, sku.sku_id, sku.version, sellable, reopens_at)


def reused(key: Idempotency) -> RequestIdReused:
    return RequestIdReused(
        f"request id {key.request_id} was used for a different request",
        request_id=key.request_id,
    )
