"""What the inventory use cases need from the outside world, as protocols the adapters implement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol

from services.inventory.domain.reservation import Reservation, ReservationState
from services.inventory.domain.sku import Sku
from services.inventory.domain.stock import LedgerReason, StockLevels


class Clock(Protocol):
    def now(self) -> datetime: ...


class IdFactory(Protocol):
    def reservation_id(self) -> str: ...


class Transaction(Protocol):
    """One PostgreSQL transaction; every write of a use case happens in exactly one."""

    async def claim_requests(
        self, tenant_id: str, fingerprints: Mapping[str, str], now: datetime
    ) -> dict[str, tuple[str, str]]:
        """Claims request ids; returns {request_id: (fingerprint, result_ref)} of those already
        used (their original result), claiming the rest for this transaction."""
        ...

    async def forget_requests(self, tenant_id: str, request_ids: Sequence[str]) -> None: ...

    async def record_results(self, tenant_id: str, results: Mapping[str, str]) -> None: ...

    async def insert_sku(self, sku: Sku) -> bool:
        """False when the SKU exists already."""
        ...

    async def lock_skus(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Sku]:
        """Locks the SKUs by (tenant, sku) in sorted order, so transactions never deadlock."""
        ...

    async def save_skus(self, skus: Sequence[Sku]) -> None:
        """Writes counters, policy, status and every recorded change (ledger entries and events)."""
        ...

    async def holdings(
        self, tenant_id: str, sku_id: str, user_ids: Sequence[str]
    ) -> dict[str, int]: ...

    async def add_holdings(
        self, tenant_id: str, sku_id: str, deltas: Mapping[str, int]
    ) -> None: ...

    async def insert_reservations(self, reservations: Sequence[Reservation]) -> None: ...

    async def lock_reservation(self, tenant_id: str, reservation_id: str) -> Reservation | None: ...

    async def save_reservations(self, reservations: Sequence[Reservation]) -> None: ...

    async def lock_due_reservations(
        self, tenant_id: str | None, now: datetime, limit: int, sku_id: str | None = None
    ) -> list[Reservation]:
        """Locks ACTIVE holds past their deadline, skipping rows other transactions hold."""
        ...

    async def lock_expiring_soon(
        self, now: datetime, limit: int
    ) -> list[tuple[Reservation, Sku]]: ...


class InventoryStore(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[Transaction]: ...

    async def get_sku(self, tenant_id: str, sku_id: str, now: datetime) -> Sku | None:
        """The SKU with holds past their deadline already subtracted from reserved."""
        ...

    async def list_skus(
        self, tenant_id: str, after_sku_id: str, limit: int, now: datetime
    ) -> list[Sku]: ...

    async def get_reservation(self, tenant_id: str, reservation_id: str) -> Reservation | None: ...

    async def list_reservations(
        self,
        tenant_id: str,
        by: str,
        value: str,
        state: ReservationState | None,
        before: tuple[datetime, str] | None,
        limit: int,
    ) -> list[Reservation]: ...

    async def ledger_totals(
        self, tenant_id: str, sku_ids: Sequence[str]
    ) -> dict[str, StockLevels]: ...

    async def ledger_entries(
        self, tenant_id: str, sku_id: str, after_entry_id: int, limit: int
    ) -> list[tuple[int, LedgerReason, object]]: ...


class SoldOutGate(Protocol):
    """A fast filter in front of PostgreSQL: may refuse too much, never admits anything itself."""

    async def known_sellable(self, tenant_id: str, sku_id: str) -> int | None: ...

    async def publish(self, tenant_id: str, sku_id: str, version: int, sellable: int) -> None: ...
