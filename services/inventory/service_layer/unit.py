"""What every inventory use case shares: its dependencies and the idempotent transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from services.inventory.domain.errors import RequestIdReused
from services.inventory.domain.reports import Reconciliation, SweepReport
from services.inventory.domain.reservation import Reservation
from services.inventory.domain.sku import Sku
from services.inventory.service_layer.commands import Idempotency
from services.inventory.service_layer.ports import (
    Answer,
    Clock,
    IdFactory,
    InventoryStore,
    SoldOutGate,
    Transaction,
)

Result = TypeVar("Result", Sku, Reservation, Reconciliation, SweepReport)
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
            previous = await _claim(txn, tenant_id, key, now)
            if previous is not None:
                return previous  # type: ignore[return-value]
            result, skus = await work(txn, now)
            skus = list(skus)
            await txn.record_results(tenant_id, {key.request_id: result})
        await self.publish(skus)
        return result

    async def once_across(
        self, tenant_id: str, key: Idempotency, work: Callable[[], Awaitable[Result]]
    ) -> Result:
        """Like once, for work that commits in transactions of its own (a sweep's batches):
        the claim of the request id stays open while the work runs, so a retry, even a
        concurrent one, gets its answer. If the work fails the claim rolls back, and a retry
        does what is left (what the work's transactions committed stays done)."""
        async with self.store.transaction() as txn:
            previous = await _claim(txn, tenant_id, key, self.clock.now())
            if previous is not None:
                return previous  # type: ignore[return-value]
            result = await work()
            await txn.record_results(tenant_id, {key.request_id: result})
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


async def _claim(
    txn: Transaction, tenant_id: str, key: Idempotency, now: datetime
) -> Answer | None:
    """Claims the request id; the original answer when it was answered before (a claim racing
    another transaction's waits for it to commit or roll back)."""
    answered = await txn.claim_requests(tenant_id, {key.request_id: key.fingerprint}, now)
    previous = answered.get(key.request_id)
    if previous is None:
        return None
    if previous.fingerprint != key.fingerprint:
        raise reused(key)
    return previous.result


def reused(key: Idempotency) -> RequestIdReused:
    return RequestIdReused(
        f"request id {key.request_id} was used for a different request",
        request_id=key.request_id,
    )
