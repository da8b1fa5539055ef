"""Holds: reserve (coalesced per hot SKU), purchase, confirm, release, extend, resize, consume."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from services.inventory.domain.errors import (
    InsufficientStock,
    InventoryError,
    RequestRaced,
    RiskUnavailable,
)
from services.inventory.domain.events import EventType
from services.inventory.domain.reservation import Reservation, ReservationPurpose
from services.inventory.domain.sku import Sku
from services.inventory.domain.stock import LedgerReason
from services.inventory.service_layer import commands
from services.inventory.service_layer.holds import Outcome, place_holds, replay
from services.inventory.service_layer.ports import Order, RequestsRaced, Transaction
from services.inventory.service_layer.screening import RiskScreen
from services.inventory.service_layer.settlement import (
    line_of,
    lock_skus_of,
    locked_reservation,
    return_due_holds,
    settle,
)
from services.inventory.service_layer.unit import Unit
from services.runtime.coalescer import Coalescer, Handover

# Holds of one SKU decided in one transaction at most; bounds a transaction's length.
MAX_BATCH = 256
# Refusals of a sold-out SKU are answered a batch per replay lookup, faster than buyers arrive:
# while a SKU refuses a stream of buyers (its last batch refused within REFUSAL_STREAM), each batch
# waits REFUSAL_PAUSE for more, so one lookup answers many refusals instead of one or two.
REFUSAL_PAUSE = timedelta(milliseconds=6)
REFUSAL_STREAM = timedelta(milliseconds=50)
# A batch whose request ids other transactions keep answering first is decided this often at most.
RACE_ATTEMPTS = 3

SkuKey = tuple[str, str]


class Holds:
    """Reserve and Purchase. One-line requests for the same SKU queue behind each other and are
    decided a batch per transaction; a SKU the gate knows is sold out costs no transaction, and
    its buyers are refused before the risk screen (an attempt that cannot succeed needs no
    verdict)."""

    def __init__(self, unit: Unit, screen: RiskScreen, max_batch: int = MAX_BATCH) -> None:
        self._unit = unit
        self._screen = screen
        self._batches: Coalescer[SkuKey, commands.Reserve, Reservation] = Coalescer(
            self._decide, max_batch
        )
        self._refusals: Coalescer[SkuKey, commands.Reserve, Reservation] = Coalescer(
            self._refuse_sold_out, max_batch, pause=self._pause
        )
        self._refused_at: dict[SkuKey, datetime] = {}

    async def reserve(self, cmd: commands.Reserve) -> Reservation:
        key = (cmd.tenant_id, cmd.lines[0].sku_id)
        one_line = len(cmd.lines) == 1
        if one_line and await self._unit.gate.is_sold_out(*key, self._unit.clock.now()):
            return await self._refusals.submit(key, cmd)
        try:
            cmd = await self._screen.screen(cmd)
        except RiskUnavailable as refusal:
            sold_out = await self._sold_out_anyway(cmd)
            return await self._answered_before(cmd.tenant_id, cmd.key, sold_out or refusal)
        except InventoryError as refusal:
            return await self._answered_before(cmd.tenant_id, cmd.key, refusal)
        if one_line:
            return await self._batches.submit(key, cmd)
        (outcome,) = await self._in_transaction([cmd])
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def resize(self, cmd: commands.Resize) -> Reservation:
        """A resize that grows a buyer hold is screened like a hold first."""
        try:
            cmd = await self._screen.screen_resize(cmd)
        except InventoryError as refusal:
            return await self._answered_before(cmd.tenant_id, cmd.key, refusal)
        return await resize(self._unit, cmd)

    async def _sold_out_anyway(self, cmd: commands.Reserve) -> InsufficientStock | None:
        """A hold refused for want of riskcontrol's answer that could not be held anyway is
        refused as sold out instead, and the gate learns it again: while riskcontrol is out, the
        holds of a fail-closed SKU never reach PostgreSQL, which alone tells the gate."""
        now = self._unit.clock.now()
        for line in cmd.lines:
            sku = await self._unit.store.get_sku(cmd.tenant_id, line.sku_id, now)
            if sku is not None and sku.stock.sellable < line.quantity:
                await self._unit.publish([sku])
                return InsufficientStock(
                    f"{line.sku_id}: {line.quantity} requested, {sku.stock.sellable} sellable",
                    sku_id=line.sku_id,
                    requested=line.quantity,
                    sellable=sku.stock.sellable,
                )
        return None

    async def _answered_before(
        self, tenant_id: str, key: commands.Idempotency, refusal: InventoryError
    ) -> Reservation:
        """A retry of a request answered before riskcontrol changed its mind gets its answer;
        any other request gets riskcontrol's refusal."""
        answered = await self._unit.store.answered(tenant_id, [key.request_id])
        if key.request_id not in answered:
            raise refusal
        outcome = replay(answered[key.request_id], key)
        if isinstance(outcome, Exception):
            raise outcome from refusal
        return outcome

    async def _decide(
        self, key: SkuKey, batch: Sequence[commands.Reserve], _next_may_start: Handover
    ) -> list[Outcome]:
        # Screened while the SKU still sold: it may have sold out meanwhile.
        if await self._unit.gate.is_sold_out(*key, self._unit.clock.now()):
            return await self._refuse(key, batch)
        self._refused_at.pop(key, None)
        return await self._in_transaction(batch)

    async def _refuse_sold_out(
        self, key: SkuKey, batch: Sequence[commands.Reserve], _next_may_start: Handover
    ) -> list[Outcome]:
        self._refused_at[key] = self._unit.clock.now()
        return await self._refuse(key, batch)

    def _pause(self, key: SkuKey) -> float:
        refused_at = self._refused_at.get(key)
        if refused_at is None:
            return 0.0
        if self._unit.clock.now() - refused_at > REFUSAL_STREAM:
            del self._refused_at[key]
            return 0.0
        return REFUSAL_PAUSE.total_seconds()

    async def _in_transaction(self, batch: Sequence[commands.Reserve]) -> list[Outcome]:
        for attempt in range(1, RACE_ATTEMPTS + 1):
            try:
                async with self._unit.store.transaction() as txn:
                    placed = await place_holds(txn, self._unit.ids, batch, self._unit.clock.now())
                break
            except RequestsRaced as raced:
                # Another transaction answered a request id of this batch first: decide again
                # (rolled back, nothing happened), replaying that answer this time.
                if attempt == RACE_ATTEMPTS:
                    raise RequestRaced(
                        f"other calls answered request ids of this batch first {attempt} times",
                        attempts=attempt,
                    ) from raced
        await self._unit.publish(placed.gate_news())
        self._screen.remember(placed.skus)
        return placed.outcomes

    async def _refuse(self, key: SkuKey, batch: Sequence[commands.Reserve]) -> list[Outcome]:
        """Refuses without a transaction, except retries of requests answered before."""
        tenant_id, sku_id = key
        answered = await self._unit.store.answered(tenant_id, [c.key.request_id for c in batch])
        return [
            replay(answered[cmd.key.request_id], cmd.key)
            if cmd.key.request_id in answered
            else InsufficientStock(
                f"{sku_id}: {cmd.lines[0].quantity} requested, sold out",
                sku_id=sku_id,
                requested=cmd.lines[0].quantity,
                sellable=0,
            )
            for cmd in batch
        ]

    async def close(self) -> None:
        await self._batches.close()
        await self._refusals.close()


async def confirm(unit: Unit, cmd: commands.Confirm) -> Reservation:
    async def work(txn: Transaction, now: datetime) -> tuple[Reservation, list[Sku]]:
        reservation = await locked_reservation(txn, cmd.tenant_id, cmd.reservation_id)
        reservation.confirm(now, cmd.payment_reference)
        return reservation, await settle(txn, [reservation], LedgerReason.CONFIRM, now)

    return await unit.once(cmd.tenant_id, cmd.key, work)


async def release(unit: Unit, cmd: commands.Release) -> Reservation:
    async def work(txn: Transaction, now: datetime) -> tuple[Reservation, list[Sku]]:
        reservation = await locked_reservation(txn, cmd.tenant_id, cmd.reservation_id)
        reservation.release(now, cmd.reason)
        return reservation, await settle(txn, [reservation], LedgerReason.RELEASE, now)

    return await unit.once(cmd.tenant_id, cmd.key, work)


async def extend(unit: Unit, cmd: commands.Extend) -> Reservation:
    async def work(txn: Transaction, now: datetime) -> tuple[Reservation, list[Sku]]:
        reservation = await locked_reservation(txn, cmd.tenant_id, cmd.reservation_id)
        skus = list((await lock_skus_of(txn, [reservation])).values())
        reservation.extend(now, cmd.extension, [sku.policy for sku in skus])
        for sku in skus:
            sku.note_reservation(EventType.RESERVATION_EXTENDED, reservation, now)
        await txn.save_reservations([reservation])
        await txn.save_skus(skus)
        return reservation, skus

    return await unit.once(cmd.tenant_id, cmd.key, work)


async def resize(unit: Unit, cmd: commands.Resize) -> Reservation:
    async def work(txn: Transaction, now: datetime) -> tuple[Reservation, list[Sku]]:
        reservation = await locked_reservation(txn, cmd.tenant_id, cmd.reservation_id)
        reservation.require_active(now)
        old = line_of(reservation, cmd.sku_id)
        (sku,) = (await txn.lock_skus([(cmd.tenant_id, cmd.sku_id)])).values()
        buyer = reservation.purpose is ReservationPurpose.BUYER
        if cmd.quantity > old:
            await return_due_holds(txn, sku, now)
            held = 0
            if buyer and sku.tracks_holdings:
                holdings = await txn.holdings(cmd.tenant_id, cmd.sku_id, [reservation.user_id])
                held = holdings.get(reservation.user_id, 0)
            held_by_order = await _held_by_order(txn, sku, reservation, old, now)
            sku.check_can_hold(reservation, held_by_order, cmd.quantity - old, held)
            reservation.risk_decision_id = cmd.risk_decision_id or reservation.risk_decision_id
        reservation.line(cmd.sku_id).quantity = cmd.quantity
        sku.resize(reservation, old, cmd.quantity, now)
        if buyer and sku.tracks_holdings:
            await txn.add_holdings(
                cmd.tenant_id, cmd.sku_id, {reservation.user_id: cmd.quantity - old}
            )
        await txn.save_lines([reservation])
        await txn.save_reservations([reservation])
        await txn.save_skus([sku])
        return reservation, [sku]

    return await unit.once(cmd.tenant_id, cmd.key, work)


async def _held_by_order(
    txn: Transaction, sku: Sku, reservation: Reservation, line: int, now: datetime
) -> int:
    """Units of the (locked) SKU the buyer hold's order holds, this hold's line included; a
    hold that names no order is an order of its own."""
    buyer = reservation.purpose is ReservationPurpose.BUYER
    if not (buyer and sku.caps_orders and reservation.order_id):
        return line
    order = Order(reservation.buyer.platform_id, reservation.order_id)
    held = await txn.order_holdings(reservation.tenant_id, sku.sku_id, [order], now)
    return held.get(order, 0)


async def consume(unit: Unit, cmd: commands.Consume) -> Reservation:
    async def work(txn: Transaction, now: datetime) -> tuple[Reservation, list[Sku]]:
        reservation = await locked_reservation(txn, cmd.tenant_id, cmd.reservation_id)
        reservation.require_active(now)
        held = line_of(reservation, cmd.sku_id)
        if cmd.quantity > held:
            raise InsufficientStock(
                f"{cmd.sku_id}: {cmd.quantity} consumed, the hold has {held}",
                sku_id=cmd.sku_id,
                requested=cmd.quantity,
                held=held,
            )
        line = reservation.line(cmd.sku_id)
        line.quantity -= cmd.quantity
        line.consumed += cmd.quantity
        (sku,) = (await txn.lock_skus([(cmd.tenant_id, cmd.sku_id)])).values()
        sku.consume(reservation, cmd.quantity, cmd.order_id, now)
        await txn.save_lines([reservation])
        await txn.save_reservations([reservation])
        await txn.save_skus([sku])
        return reservation, [sku]

    return await unit.once(cmd.tenant_id, cmd.key, work)
