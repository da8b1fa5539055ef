"""Placing holds: a batch of Reserve/Purchase requests decided in one transaction, in order.

The batch is what makes a hot SKU fast (one lock of the counter row, one multi-row insert for a
hundred holds) and it changes nothing about the rules: each request is checked against the stock,
the purchase limits and the sale status as they stand after the requests before it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from services.inventory.domain.errors import (
    InsufficientStock,
    InventoryError,
    PurchaseLimitExceeded,
    SaleNotActive,
    SkuNotFound,
)
from services.inventory.domain.policy import SalePolicy
from services.inventory.domain.reservation import (
    Reservation,
    ReservationLine,
    ReservationPurpose,
)
from services.inventory.domain.sku import Sku
from services.inventory.domain.stock import LedgerReason
from services.inventory.service_layer import commands
from services.inventory.service_layer.ports import Answered, IdFactory, Order, Transaction
from services.inventory.service_layer.settlement import expire_due_on, unheld_by
from services.inventory.service_layer.unit import reused

Outcome = Reservation | InventoryError


def replay(answered: Answered, key: commands.Idempotency) -> Outcome:
    """The original answer to a request id, or a refusal when the id was used for another ask."""
    if answered.fingerprint != key.fingerprint or not isinstance(answered.result, Reservation):
        return reused(key)
    return answered.result


class HoldBook:
    """The SKUs, buyers' holdings and new holds of one batch, written once at the end."""

    def __init__(
        self, txn: Transaction, skus: dict[tuple[str, str], Sku], ids: IdFactory, now: datetime
    ) -> None:
        self._txn = txn
        self._tenant_id = next(iter(skus))[0] if skus else ""
        self._skus = skus
        self._ids = ids
        self._now = now
        self._held: dict[str, dict[str, int]] = {}
        self._holding_deltas: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self._swept: set[str] = set()
        # Units of a SKU (with a max per order) each order of the batch holds, by (SKU, order).
        self._order_held: dict[tuple[str, Order], int] = {}
        self.placed: list[Reservation] = []

    async def load_holdings(self, requests: Sequence[commands.Reserve]) -> None:
        """Units each buyer of the batch already holds of each limited SKU (rows locked), and
        each order of the batch of each SKU with a max per order (the SKUs are locked)."""
        users_by_sku: dict[str, set[str]] = defaultdict(set)
        orders_by_sku: dict[str, set[Order]] = defaultdict(set)
        for request in requests:
            if request.purpose is ReservationPurpose.BUYER:
                for line in request.lines:
                    users_by_sku[line.sku_id].add(request.user_id)
                    if request.order_id:
                        orders_by_sku[line.sku_id].add(_order_of(request))
        for sku_id, users in sorted(users_by_sku.items()):
            sku = self._skus.get((requests[0].tenant_id, sku_id))
            if sku is None:
                continue
            if sku.tracks_holdings:
                self._held[sku_id] = await self._txn.holdings(sku.tenant_id, sku_id, sorted(users))
            orders = sorted(orders_by_sku[sku_id])
            if sku.caps_orders and orders:
                held = await self._txn.order_holdings(sku.tenant_id, sku_id, orders, self._now)
                for order in orders:
                    self._order_held[(sku_id, order)] = held.get(order, 0)

    def _sku(self, tenant_id: str, sku_id: str) -> Sku:
        sku = self._skus.get((tenant_id, sku_id))
        if sku is None:
            raise SkuNotFound(f"no SKU {sku_id}", sku_id=sku_id)
        return sku

    def held_by(self, sku_id: str, user_id: str) -> int:
        return self._held.get(sku_id, {}).get(user_id, 0)

    def _add_held(self, sku: Sku, user_id: str, units: int) -> None:
        if not sku.tracks_holdings:
            return
        if sku.sku_id in self._held:
            self._held[sku.sku_id][user_id] = self.held_by(sku.sku_id, user_id) + units
        self._holding_deltas[sku.sku_id][user_id] += units

    async def place(self, request: commands.Reserve) -> Reservation:
        skus = [self._sku(request.tenant_id, line.sku_id) for line in request.lines]
        reservation = Reservation.open(
            request.tenant_id,
            self._ids.reservation_id(),
            request.user_id,
            request.order_id,
            [ReservationLine(line.sku_id, line.quantity) for line in request.lines],
            request.lock_stage,
            request.purpose,
            request.buyer,
            self._now,
            _strictest(sku.policy for sku in skus),
        )
        reservation.risk_decision_id = request.risk_decision_id
        if reservation.is_due(self._now) and request.payment_reference is None:
            # A presale whose balance date has passed takes no more deposits.
            raise SaleNotActive(
                f"holds of {reservation.lines[0].sku_id} would expire at once",
                sku_id=reservation.lines[0].sku_id,
                sale_status="DEPOSITS_CLOSED",
            )
        for sku, line in zip(skus, request.lines, strict=True):
            await self._check(sku, request, reservation, line.quantity)
        if request.payment_reference is not None:
            # Refuse before the SKUs record anything: a presale past its balance deadline opens
            # holds already due, which can no longer be confirmed.
            reservation.require_active(self._now)
        for sku, line in zip(skus, request.lines, strict=True):
            sku.hold(reservation, line.quantity, self._now)
            if reservation.purpose is ReservationPurpose.BUYER:
                self._add_held(sku, reservation.user_id, line.quantity)
                self._add_order_held(sku, request, line.quantity)
        if request.payment_reference is not None:
            reservation.confirm(self._now, request.payment_reference)
            for sku in skus:
                sku.settle(reservation, LedgerReason.CONFIRM, self._now)
        self.placed.append(reservation)
        return reservation

    def _order_key(self, sku: Sku, request: commands.Reserve) -> tuple[str, Order] | None:
        """Where the batch counts the order's units of the SKU; None when nothing caps them
        (a hold that names no order is an order of its own)."""
        if not (sku.caps_orders and request.order_id):
            return None
        return (sku.sku_id, _order_of(request))

    def _add_order_held(self, sku: Sku, request: commands.Reserve, units: int) -> None:
        key = self._order_key(sku, request)
        if key is not None:
            self._order_held[key] = self._order_held.get(key, 0) + units

    async def _check(
        self, sku: Sku, request: commands.Reserve, reservation: Reservation, quantity: int
    ) -> None:
        key = self._order_key(sku, request)
        held_by_order = self._order_held.get(key, 0) if key else 0
        try:
            sku.check_can_hold(
                reservation, held_by_order, quantity, self.held_by(sku.sku_id, request.user_id)
            )
        except (InsufficientStock, PurchaseLimitExceeded):
            # Due holds still count in the counters and the buyers' holdings until swept (not
            # in the orders' units: those count only holds not yet due).
            if not await self._expire_due(sku):
                raise
            sku.check_can_hold(
                reservation, held_by_order, quantity, self.held_by(sku.sku_id, request.user_id)
            )

    async def _expire_due(self, sku: Sku) -> bool:
        """Returns due holds of this SKU to stock (once per batch); True if any came back."""
        if sku.sku_id in self._swept:
            return False
        self._swept.add(sku.sku_id)
        due = await expire_due_on(self._txn, sku, self._now)
        for user_id, units in unheld_by(sku, due).items():
            self._add_held(sku, user_id, units)
        return bool(due)

    async def write(self, answers: dict[str, tuple[str, Reservation]]) -> None:
        """Writes the batch; answers (fingerprint, hold) by request id are recorded with it."""
        await self._txn.insert_holds(self._tenant_id, self.placed, answers, self._now)
        for sku_id, deltas in sorted(self._holding_deltas.items()):
            await self._txn.add_holdings(self._tenant_id, sku_id, deltas)
        await self._txn.save_skus(list(self._skus.values()))


def _order_of(request: commands.Reserve) -> Order:
    return Order(request.buyer.platform_id, request.order_id)


def _strictest(policies: Iterable[SalePolicy]) -> SalePolicy:
    """A hold of several SKUs lasts as long as the shortest of their policies allows."""
    return min(policies, key=lambda policy: policy.effective_hold_ttl)


@dataclass
class Placed:
    """A decided batch: each request's outcome, the SKUs it touched, and which of them the gate
    need not hear of (sellable before the batch, as read under lock, and still sellable after:
    nothing to refuse, and a gate entry that lapses means the same)."""

    outcomes: list[Outcome]
    skus: list[Sku]
    still_sellable: set[tuple[str, str]]

    def gate_news(self) -> list[Sku]:
        """The SKUs whose sellable stock the sold-out gate must be told of."""
        return [s for s in self.skus if (s.tenant_id, s.sku_id) not in self.still_sellable]


async def place_holds(
    txn: Transaction, ids: IdFactory, requests: Sequence[commands.Reserve], now: datetime
) -> Placed:
    """Decides a batch of holds of one tenant in order."""
    tenant_id = requests[0].tenant_id
    first_of: dict[str, int] = {}
    for index, request in enumerate(requests):
        first_of.setdefault(request.key.request_id, index)
    # Every SKU of the batch is locked (a replayed request's too) with the answers in one trip.
    keys = sorted({(tenant_id, ln.sku_id) for request in requests for ln in request.lines})
    skus, answered = await txn.lock_skus_with_answers(keys, tenant_id, list(first_of))
    outcomes: list[Outcome | None] = [None] * len(requests)
    fresh: list[int] = []
    for request_id, index in first_of.items():
        if request_id in answered:
            outcomes[index] = replay(answered[request_id], requests[index].key)
        else:
            fresh.append(index)
    sellable_before = {key for key, sku in skus.items() if sku.stock.sellable > 0}
    book = HoldBook(txn, skus, ids, now)
    await book.load_holdings([requests[i] for i in fresh])
    for index in fresh:
        try:
            outcomes[index] = await book.place(requests[index])
        except InventoryError as refusal:
            outcomes[index] = refusal
    # Answers are recorded once, with the holds; refusals leave no trace (refusing changes
    # nothing).
    await book.write(
        {
            requests[i].key.request_id: (requests[i].key.fingerprint, outcome)
            for i in fresh
            if isinstance(outcome := outcomes[i], Reservation)
        }
    )
    return Placed(
        _with_duplicates(requests, first_of, outcomes),
        list(skus.values()),
        {key for key in sellable_before if skus[key].stock.sellable > 0},
    )


def _with_duplicates(
    requests: Sequence[commands.Reserve], first_of: dict[str, int], outcomes: list[Outcome | None]
) -> list[Outcome]:
    """A request id sent twice in one batch gets the first one's answer (or a reuse refusal)."""
    resolved: list[Outcome] = []
    for index, request in enumerate(requests):
        first = first_of[request.key.request_id]
        outcome = outcomes[first]
        assert outcome is not None
        if first != index and request.key.fingerprint != requests[first].key.fingerprint:
            outcome = reused(request.key)
        resolved.append(outcome)
    return resolved
