"""What the inventory use cases need from the outside world, as protocols the adapters implement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, NamedTuple, Protocol

from services.inventory.domain.events import EventType, LedgerEntry, ReservationChanged
from services.inventory.domain.policy import SalePolicy
from services.inventory.domain.reports import Reconciliation, SweepReport
from services.inventory.domain.reservation import Reservation, ReservationState
from services.inventory.domain.risk import RiskCheck, RiskVerdict
from services.inventory.domain.sku import Sku
from services.inventory.domain.stock import StockLevels
from services.inventory.service_layer.commands import Reserve


class Clock(Protocol):
    def now(self) -> datetime: ...


class IdFactory(Protocol):
    def reservation_id(self) -> str: ...


# What a mutation answers, kept with its request id to answer a retry the same.
Answer = Sku | Reservation | Reconciliation | SweepReport


class Answered(NamedTuple):
    """A request id already used: the fingerprint of what was asked and what was answered."""

    fingerprint: str
    result: Answer


class Order(NamedTuple):
    """An order as buyers' holds name it: the platform it was placed on and its id there."""

    platform_id: str
    order_id: str


@dataclass(frozen=True)
class ReservationFilter:
    field: Literal["user", "order", "sku"]
    value: str
    # Only holds made on this platform, when set (a platform key bound to it lists).
    platform_id: str = ""


class LedgerRecord(NamedTuple):
    entry_id: int
    sku_id: str
    entry: LedgerEntry
    created_at: datetime


class ExpiredLine(NamedTuple):
    """A line of a hold past its deadline, out of the live set and to be booked back: `hold`
    is the hold as its event shows it, with the line's units; `newly_expired` when this
    transaction moved the hold from ACTIVE to EXPIRED (a hold is expired once, by whoever
    books its first line)."""

    tenant_id: str
    sku_id: str
    hold: ReservationChanged
    newly_expired: bool


@dataclass(frozen=True)
class EventWindow:
    """Events with sequence in (after, upto], of one tenant (None: all) and the given types/SKUs."""

    tenant_id: str | None
    after: int
    upto: int
    types: frozenset[EventType] = frozenset()
    sku_ids: frozenset[str] = frozenset()


class EventPage(NamedTuple):
    """The events of a window and, read with them, how far the log of the window's tenant and
    types was pruned: every such event at or below `pruned_through` is gone, every one above it
    is kept (the log is pruned as a prefix in sequence order; 0 when nothing was pruned)."""

    pruned_through: int
    events: list[tuple[int, bytes]]


# Answers to record, by request id: the request's fingerprint and what it was answered.
Answers = Mapping[str, tuple[str, Sku | Reservation]]


class Transaction(Protocol):
    """One PostgreSQL transaction; every write of a use case happens in exactly one."""

    async def claim_requests(
        self, tenant_id: str, fingerprints: Mapping[str, str], now: datetime
    ) -> dict[str, Answered]:
        """Claims request ids for this transaction; returns those already answered. A claim
        racing another transaction's claim of the same id waits for it to commit or roll back."""
        ...

    async def record_results(self, tenant_id: str, results: Mapping[str, Answer]) -> None: ...

    async def answered_requests(
        self, tenant_id: str, request_ids: Sequence[str]
    ) -> dict[str, Answered]:
        """Those of the request ids that committed transactions answered (nothing is claimed:
        a batch of holds records its answers at its end with insert_holds)."""
        ...

    async def lock_skus_with_answers(
        self, keys: Sequence[tuple[str, str]], tenant_id: str, request_ids: Sequence[str]
    ) -> tuple[dict[tuple[str, str], Sku], dict[str, Answered]]:
        """lock_skus and answered_requests in one round trip."""
        ...

    async def insert_holds(
        self, tenant_id: str, reservations: Sequence[Reservation], answers: Answers, now: datetime
    ) -> None:
        """Writes new holds and records (fingerprint, result) of the request ids they answer,
        which no one answered yet. Waits for a transaction racing with the same id; raises
        RequestsRaced if one answered it first (the caller's transaction rolls back and decides
        again, then replaying that answer)."""
        ...

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

    async def rebuild_holdings(self, tenant_id: str, sku_id: str) -> None:
        """Recounts the buyers' holdings of the SKU from their ACTIVE and CONFIRMED holds."""
        ...

    async def order_holdings(
        self, tenant_id: str, sku_id: str, orders: Sequence[Order], now: datetime
    ) -> dict[Order, int]:
        """Units of the SKU each order holds over ACTIVE (not yet due) and CONFIRMED buyer
        holds; call with the SKU locked, which keeps any other hold of it from being made."""
        ...

    async def lock_reservation(self, tenant_id: str, reservation_id: str) -> Reservation | None: ...

    async def save_reservations(self, reservations: Sequence[Reservation]) -> None:
        """States, deadlines and notices; settled holds leave the live set."""
        ...

    async def save_lines(self, reservations: Sequence[Reservation]) -> None:
        """Line quantities (resize, consume); call with save_reservations."""
        ...

    async def expire_due_holds(
        self, now: datetime, limit: int, tenant_id: str | None, since: datetime | None
    ) -> list[ExpiredLine]:
        """Expires holds past their deadline (not before `since`), earliest first, skipping
        those other transactions lock: ACTIVE ones become EXPIRED at `now`, and every line
        still live of each (at most `limit` lines in all) leaves the live set, returned to be
        booked back in this transaction."""
        ...

    async def expire_due_lines_of(
        self, tenant_id: str, sku_id: str, now: datetime, limit: int
    ) -> list[ExpiredLine]:
        """The same for the lines of one SKU: a hold with lines on other SKUs becomes EXPIRED
        and keeps those lines live until a change of their SKU or the sweeper books them."""
        ...

    async def lock_expiring_soon(self, now: datetime, limit: int) -> list[Reservation]: ...

    async def refresh_deadlines(
        self, tenant_id: str, sku_id: str, now: datetime, policy: SalePolicy
    ) -> int: ...

    async def ledger_totals(
        self, tenant_id: str, sku_ids: Sequence[str]
    ) -> dict[str, StockLevels]: ...

    async def live_reserved(self, tenant_id: str, sku_ids: Sequence[str]) -> dict[str, int]:
        """Units of ACTIVE holds per SKU, due or not (the sweeper has not returned them yet)."""
        ...


class InventoryStore(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[Transaction]: ...

    async def answered(self, tenant_id: str, request_ids: Sequence[str]) -> dict[str, Answered]:
        """Answered requests among these ids, read without a transaction."""
        ...

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
        by: ReservationFilter,
        state: ReservationState | None,
        before: tuple[datetime, str] | None,
        limit: int,
        now: datetime,
    ) -> list[Reservation]:
        """Newest first; `state` is the state as seen at `now` (due ACTIVE holds are EXPIRED)."""
        ...

    async def sku_ids(self, tenant_id: str) -> list[str]: ...

    async def forget_requests(self, answered_before: datetime, limit: int) -> int:
        """Deletes up to `limit` request records older than `answered_before`; returns how many."""
        ...

    async def ledger_entries(
        self, tenant_id: str, sku_id: str, after_entry_id: int, limit: int
    ) -> list[LedgerRecord]: ...

    async def head_sequence(self) -> int: ...

    async def next_deadline(self, tenant_id: str, sku_id: str) -> datetime | None:
        """The earliest deadline among the SKU's ACTIVE holds (when units may come back)."""
        ...

    async def events(self, window: EventWindow) -> EventPage:
        """(sequence, encoded event) in sequence order, and the horizon of the window's tenant and
        types as of the same read."""
        ...

    async def prune_events(self, committed_before: datetime, limit: int) -> int:
        """Deletes up to `limit` of the oldest events, a prefix in sequence order ending before
        the first event committed at or after `committed_before`, and raises the horizons of their
        tenants and types; returns how many it deleted."""
        ...


class SoldOutGate(Protocol):
    """A fast filter in front of PostgreSQL: may refuse too much, never admits anything itself."""

    async def is_sold_out(self, tenant_id: str, sku_id: str, now: datetime) -> bool:
        """True when the SKU was last seen with nothing sellable and no hold of it has reached
        its deadline since (a due hold may give units back); False when unknown."""
        ...

    async def publish(
        self,
        tenant_id: str,
        sku_id: str,
        version: int,
        sellable: int,
        reopens_at: datetime | None,
    ) -> None:
        """Records the SKU's sellable units after a commit and the earliest deadline of its
        holds; older versions never win."""
        ...


class EventSignal(Protocol):
    """Wakes event watchers when new events are committed."""

    async def wait(self, after: int, timeout: float) -> bool:
        """Returns True once an event after `after` may have committed, False on timeout."""
        ...


class RequestsRaced(Exception):
    """Another transaction answered (or is answering) a request id of this batch first."""


class RiskAssessorUnavailable(Exception):
    """riskcontrol could not answer within the deadline (down, slow or Redis out)."""


# The attempt riskcontrol scores is the hold request itself.
HoldAttempt = Reserve


@dataclass(frozen=True)
class Resizing:
    """Makes a HoldAttempt a RESIZE: the hold edited and its line's quantity before the edit
    (the attempt's one line carries the new quantity)."""

    reservation_id: str
    previous_quantity: int


class RiskAssessor(Protocol):
    async def assess(
        self,
        attempt: HoldAttempt,
        check: RiskCheck,
        limits: Mapping[str, int],
        resizing: Resizing | None = None,
    ) -> RiskVerdict:
        """riskcontrol's verdict on a hold attempt; `limits` are the SKUs' per-user limits.
        Raises RiskAssessorUnavailable when no answer comes within check.deadline."""
        ...
