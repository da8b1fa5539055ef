"""What the use cases need from the outside world: storage, inventory, platforms, a clock."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from services.sync.domain.policy import AllocationPolicy, Platform, PlatformMode
from services.sync.domain.quota import Listing, PushStatus, Quota
from services.sync.domain.sales import LineRecord, SaleKind


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""
        ...


@dataclass(frozen=True)
class PlatformHealth:
    reachable: bool = True
    consecutive_failures: int = 0
    last_success_time: float | None = None
    last_failure_time: float | None = None
    last_error: str = ""
    probe_time: float | None = None  # when a pass last claimed the probe (domain/breaker.py)


@dataclass(frozen=True)
class PlatformRecord:
    platform: Platform
    health: PlatformHealth
    create_time: float
    update_time: float


@dataclass(frozen=True)
class PolicyRecord:
    policy: AllocationPolicy
    update_time: float


@dataclass(frozen=True)
class QuotaRecord:
    quota: Quota
    update_time: float


@dataclass(frozen=True)
class ReconciliationRecord:
    """A reconciliation run; drifts are plain dicts in the shape of the contract's Drift."""

    reconciliation_id: str
    trigger: int
    state: int
    platform_id: str
    sku_ids: tuple[str, ...]
    repair: bool
    start_time: float
    finish_time: float | None
    checked_pair_count: int
    drifts: tuple[dict[str, object], ...]
    error: str = ""


class SyncTransaction(Protocol):
    """Reads and writes inside one database transaction."""

    async def platform(self, tenant_id: str, platform_id: str) -> PlatformRecord | None: ...
    async def insert_platform(self, tenant_id: str, platform: Platform, now: float) -> bool: ...
    async def update_platform(self, tenant_id: str, platform: Platform, now: float) -> None: ...
    async def list_platforms(
        self, tenant_id: str, mode: PlatformMode | None, after: str, limit: int
    ) -> list[PlatformRecord]: ...
    async def record_push(
        self, tenant_id: str, platform_id: str, error: str, now: float
    ) -> None: ...
    async def claim_probe(
        self, tenant_id: str, platform_id: str, failures: int, cooled_before: float, now: float
    ) -> bool:
        """Records `now` as the platform's probe time if it is still down with `failures` failed
        pushes in a row, and neither its last failure nor its last probe claim is later than
        `cooled_before`; whether it did (only then may the caller send the probe)."""
        ...

    async def policy(self, tenant_id: str, sku_id: str) -> PolicyRecord | None: ...
    async def upsert_policy(self, tenant_id: str, policy: AllocationPolicy, now: float) -> None: ...
    async def delete_policy(self, tenant_id: str, sku_id: str) -> bool: ...
    async def list_policies(self, tenant_id: str, after: str, limit: int) -> list[PolicyRecord]: ...

    async def lock_quota(self, tenant_id: str, sku_id: str, platform_id: str) -> Quota: ...
    async def quota(self, tenant_id: str, sku_id: str, platform_id: str) -> QuotaRecord | None: ...
    async def save_quota(self, quota: Quota, now: float) -> None: ...
    async def set_target(
        self, tenant_id: str, sku_id: str, platform_id: str, target_units: int
    ) -> None: ...
    async def quotas_of_sku(self, tenant_id: str, sku_id: str) -> list[QuotaRecord]: ...
    async def list_quotas(
        self,
        tenant_id: str,
        sku_id: str,
        platform_id: str,
        statuses: Sequence[PushStatus],
        after: tuple[str, str],
        limit: int,
    ) -> list[QuotaRecord]: ...
    async def platform_quota_units(self, tenant_id: str, platform_id: str) -> int: ...
    async def skus_to_rebalance(self, tenant_id: str) -> list[str]: ...
    async def tenants(self) -> list[str]: ...
    async def mark_rebalanced(self, tenant_id: str, sku_id: str, now: float) -> None: ...
    async def last_rebalance(self, tenant_id: str, sku_id: str) -> float | None: ...

    async def sale_lines(
        self, tenant_id: str, platform_id: str, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str, SaleKind], LineRecord]:
        """Every stored kind of the given (order id, line id) lines."""
        ...

    async def save_sale_lines(
        self,
        tenant_id: str,
        platform_id: str,
        rows_to_save: Sequence[tuple[tuple[str, str, SaleKind], LineRecord, float]],
    ) -> None:
        """Inserts or updates lines: (order id, line id, kind), the record, the occur time."""
        ...

    async def hold_requests(self, tenant_id: str, method: str, request_ids: Sequence[str]) -> None:
        """Holds the request ids until the transaction ends, waiting while another transaction
        holds one (an attempt of that request still in flight): once it returns, what that attempt
        stored is visible to the transaction's next statement. Taken before anything else in the
        transaction, so a transaction waiting here holds nothing another could wait for."""
        ...

    async def recall_results(
        self, tenant_id: str, method: str, request_ids: Sequence[str]
    ) -> dict[str, tuple[str, bytes]]:
        """The answers (fingerprint, response) stored under any of the request ids, by id."""
        ...

    async def remember_results(
        self, tenant_id: str, method: str, answers: Sequence[tuple[str, str, bytes]], now: float
    ) -> None:
        """Stores answers (request id, fingerprint, response), answered `now`, with the
        transaction's changes."""
        ...

    async def save_reconciliation(self, tenant_id: str, run: ReconciliationRecord) -> None: ...
    async def reconciliation(
        self, tenant_id: str, reconciliation_id: str
    ) -> ReconciliationRecord | None: ...
    async def list_reconciliations(
        self,
        tenant_id: str,
        platform_id: str,
        drift_only: bool,
        window: tuple[float | None, float | None],
        before: tuple[float, str] | None,
        limit: int,
    ) -> list[ReconciliationRecord]: ...


class SyncStore(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[SyncTransaction]: ...

    # retention: each deletes at most `limit` rows older than the moment, in a transaction of its
    # own, and returns how many it deleted

    async def forget_request_results(self, answered_before: float, limit: int) -> int: ...
    async def forget_sale_lines(self, occurred_before: float, limit: int) -> int:
        """Lines reported without occur_time are kept."""
        ...

    async def forget_reconciliations(self, started_before: float, limit: int) -> int: ...


class ReconciliationLocks(Protocol):
    """Keeps two reconciliations of overlapping scopes (the same platform, or any platform and
    every platform of the tenant) from running at once, across replicas."""

    def reconciling(self, tenant_id: str, platform_id: str) -> AbstractAsyncContextManager[bool]:
        """Yields whether the scope was free (and is now held until the block ends)."""
        ...


class RequestLog(Protocol):
    """Results of mutations by request_id, so a retry returns the original result."""

    def holding(
        self, tenant_id: str, method: str, request_id: str
    ) -> AbstractAsyncContextManager[None]:
        """Held while a mutation under the request id runs: a retry arriving meanwhile waits,
        then finds the stored result."""
        ...

    async def recall(
        self, tenant_id: str, method: str, request_id: str
    ) -> tuple[str, bytes] | None: ...
    async def remember(
        self, tenant_id: str, method: str, request_id: str, fingerprint: str, response: bytes
    ) -> None: ...


@dataclass(frozen=True)
class StockView:
    sellable: int
    sold: int
    lock_stage: int  # inventory LockStage to hold at


@dataclass(frozen=True)
class HoldView:
    reservation_id: str
    quantity: int
    consumed: int
    active: bool


class EscrowRefused(Exception):
    """inventory refused an escrow change for a business reason (not enough stock, hold gone)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Escrow(Protocol):
    """inventory's holds as sync uses them: one PLATFORM_QUOTA hold per platform and SKU.
    Every call is idempotent on the request id given; UNAVAILABLE raises InventoryUnavailable."""

    async def stock(self, tenant_id: str, sku_id: str) -> StockView | None: ...
    async def open_hold(
        self, tenant_id: str, request_id: str, platform_id: str, sku_id: str, units: int
    ) -> str: ...
    async def resize_hold(
        self, tenant_id: str, request_id: str, reservation_id: str, sku_id: str, units: int
    ) -> None: ...
    async def release_hold(self, tenant_id: str, request_id: str, reservation_id: str) -> None: ...
    async def consume(
        self,
        tenant_id: str,
        request_id: str,
        reservation_id: str,
        sku_id: str,
        units: int,
        order_id: str,
    ) -> None: ...
    async def return_sold(
        self, tenant_id: str, request_id: str, sku_id: str, units: int, order_id: str
    ) -> None: ...
    async def holds_of(self, tenant_id: str, platform_id: str, sku_id: str) -> list[HoldView]: ...
    async def sku_ids(self, tenant_id: str) -> list[str]: ...


@dataclass(frozen=True)
class PushAck:
    acknowledged_version: int
    listed_units: int
    platform_sold_units: int


class PushFailed(Exception):
    """Every attempt of a push failed; the message says why."""


class ListingPusher(Protocol):
    """Pushes a listing version to a platform with retries; None means accepted, ack later."""

    async def push(
        self, tenant_id: str, platform: Platform, sku_id: str, listing: Listing, push_time: float
    ) -> PushAck | None: ...


def hold_order_id(platform_id: str, sku_id: str) -> str:
    """The order id of a platform's escrow holds of a SKU in inventory, to find them again."""
    return f"quota:{platform_id}:{sku_id}"
