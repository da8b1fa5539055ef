"""The service against a simple in-memory model (hypothesis stateful testing).

Random sequences of stock administration, holds (buyer and platform quota), purchases, settlements,
extensions, resizes, consumptions, returns, policy changes, retries and reused request ids, and the
passing of time to, just before or well past a hold's deadline. After every step the model's counters, the state of each
reservation and the refusal reasons must match the service, reconcile finds no drift, and the
ledger sums to the counters with every settlement booked exactly once.

Time: the service runs on a ManualClock that only the pass_time rule moves, so every deadline is
exact and nothing races it; the background sweeper is off, so the model knows which expired holds
are still unswept (pass_time probes them before its SweepExpired, whose count must be exact).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from google.protobuf import duration_pb2
from google.protobuf.descriptor import FieldDescriptor
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from streamstock.inventory.v1 import inventory_service_pb2 as api
from streamstock.inventory.v1 import reservation_pb2 as rpb
from streamstock.inventory.v1 import stock_pb2 as spb
from streamstock.inventory.v1.inventory_service_pb2_grpc import InventoryServiceStub

from tests.conftest import API_KEYS
from tests.inventory import sync_api
from tests.inventory.conftest import Client, flash_policy, seconds, unique
from tests.inventory.sync_api import ManualClock, Refusal, SyncInventory, fresh_id
from tools.devstack.ports import LOOPBACK

# The fixtures this module uses.
manual_clock = sync_api.manual_clock
inventory_port = sync_api.inventory_port
sync_inventory = sync_api.sync_inventory

# Hold TTLs a SKU may set; zero takes the sale mode's default.
TTLS = (timedelta(0), timedelta(seconds=90), timedelta(minutes=7))
DEFAULT_TTL = {
    spb.SALE_MODE_REGULAR: timedelta(minutes=120),
    spb.SALE_MODE_FLASH_SALE: timedelta(minutes=20),
}
MAX_EXTENSION = timedelta(minutes=5)
EXTENSIONS = (timedelta(minutes=1), MAX_EXTENSION, MAX_EXTENSION + timedelta(seconds=1))
USERS = ("ann", "bob", "cyd")
KINDS = (spb.WITHHOLD_KIND_SAFETY, spb.WITHHOLD_KIND_VIP, spb.WITHHOLD_KIND_GIFT)
STATUSES = (spb.SALE_STATUS_ON_SALE, spb.SALE_STATUS_PAUSED, spb.SALE_STATUS_STOPPED)
ACTIVE, CONFIRMED, RELEASED, EXPIRED = (
    rpb.RESERVATION_STATE_ACTIVE,
    rpb.RESERVATION_STATE_CONFIRMED,
    rpb.RESERVATION_STATE_RELEASED,
    rpb.RESERVATION_STATE_EXPIRED,
)
SETTLING = {
    spb.LEDGER_REASON_CONFIRM: CONFIRMED,
    spb.LEDGER_REASON_RELEASE: RELEASED,
    spb.LEDGER_REASON_EXPIRE: EXPIRED,
}

# The service under test and its clock, set by the test before hypothesis runs the machine.
SERVICE: dict[str, Any] = {}


def duration(span: timedelta) -> duration_pb2.Duration:
    message = duration_pb2.Duration()
    message.FromTimedelta(span)
    return message


@dataclass
class SkuModel:
    sku_id: str
    on_hand: int
    lock_stage: int = spb.LOCK_STAGE_CART
    ttl: timedelta = timedelta(0)
    refresh_on_restock: bool = False
    per_user_limit: int = 0
    max_per_order: int = 0
    allow_extension: bool = False
    max_extensions: int = 0
    status: int = spb.SALE_STATUS_ON_SALE
    sold: int = 0
    withheld: dict[int, int] = field(default_factory=dict)

    @property
    def withheld_total(self) -> int:
        return sum(self.withheld.values())


@dataclass
class HoldModel:
    reservation_id: str
    user_id: str
    quota: bool
    lines: dict[str, int]
    expires: datetime | None
    state: int = ACTIVE
    swept: bool = False
    extensions: int = 0
    consumed: dict[str, int] = field(default_factory=dict)

    def due(self, at: datetime) -> bool:
        return self.state == ACTIVE and self.expires is not None and self.expires <= at


@dataclass(frozen=True)
class Answered:
    """A request the service accepted, and its answer (a retry must get the same)."""

    method: str
    request: Any
    response: Any


class InventoryModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.api: SyncInventory = SERVICE["api"]
        self.clock: ManualClock = SERVICE["clock"]
        self.tenant = fresh_id("model")
        self.skus: dict[str, SkuModel] = {}
        self.holds: dict[str, HoldModel] = {}
        self.answered: list[Answered] = []

    # The model's arithmetic.

    def reserved(self, sku_id: str) -> int:
        return sum(h.lines.get(sku_id, 0) for h in self.holds.values() if h.state == ACTIVE)

    def sellable(self, sku_id: str) -> int:
        sku = self.skus[sku_id]
        return sku.on_hand - sku.withheld_total - self.reserved(sku_id)

    def held_by(self, sku_id: str, user_id: str) -> int:
        """Units a buyer holds or bought (ACTIVE and CONFIRMED buyer holds)."""
        return sum(
            h.lines.get(sku_id, 0)
            for h in self.holds.values()
            if not h.quota and h.user_id == user_id and h.state in (ACTIVE, CONFIRMED)
        )

    def stored_sellable(self, sku_id: str) -> int:
        """Sellable as the counter row has it: due holds not yet swept still count there."""
        unswept = sum(
            h.lines.get(sku_id, 0)
            for h in self.holds.values()
            if h.state == EXPIRED and not h.swept
        )
        return self.sellable(sku_id) - unswept

    def hold_refusal(
        self, lines: list[tuple[str, int]], user_id: str, stage: int | None, quota: bool
    ) -> str | None:
        """The first rule a new hold breaks, in the service's order (stage None: Purchase)."""
        if any(sku_id not in self.skus for sku_id, _ in lines):
            return "SKU_NOT_FOUND"
        for sku_id, quantity in lines:
            reason = self.growth_refusal(self.skus[sku_id], 0, quantity, user_id, stage, quota)
            if reason:
                return reason
        return None

    def growth_refusal(
        self, sku: SkuModel, before: int, added: int, user_id: str, stage: int | None, quota: bool
    ) -> str | None:
        if sku.status != spb.SALE_STATUS_ON_SALE:
            return "SALE_NOT_ACTIVE"
        if not quota:
            if stage == spb.LOCK_STAGE_CART and sku.lock_stage == spb.LOCK_STAGE_ORDER:
                return "LOCK_STAGE_MISMATCH"
            if sku.max_per_order and before + added > sku.max_per_order:
                return "MAX_PER_ORDER_EXCEEDED"
            if (
                sku.per_user_limit
                and self.held_by(sku.sku_id, user_id) + added > sku.per_user_limit
            ):
                return "PURCHASE_LIMIT_EXCEEDED"
        if added > self.sellable(sku.sku_id):
            return "INSUFFICIENT_STOCK"
        return None

    def settle_refusal(self, hold: HoldModel) -> str | None:
        if hold.state == EXPIRED:
            return "RESERVATION_EXPIRED"
        if hold.state != ACTIVE:
            return "RESERVATION_NOT_ACTIVE"
        return None

    # Talking to the service.

    def send(self, method: str, request: Any, expected: set[str | None]) -> Any:
        """Sends a request whose outcome the model predicted (None: accepted); returns the
        response, or None when refused."""
        answer = self.api.attempt(method, request)
        outcome = answer.reason if isinstance(answer, Refusal) else None
        event(f"{method}: {outcome or 'OK'}")
        assert outcome in expected, f"{method}: expected {expected}, got {answer}"
        if isinstance(answer, Refusal):
            assert answer.code not in (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN)
            return None
        if "request_id" in type(request).DESCRIPTOR.fields_by_name:
            self.answered.append(Answered(method, request, answer))
        return answer

    def request(self, name: str, **fields: Any) -> Any:
        return getattr(api, f"{name}Request")(
            tenant_id=self.tenant, request_id=fresh_id("req"), **fields
        )

    def stock_refusals(self, lines: list[tuple[str, int]], reason: str | None) -> set[str | None]:
        """The sold-out gate refuses a one-line hold beyond sellable before any other rule."""
        if len(lines) == 1 and lines[0][0] in self.skus:
            sku_id, quantity = lines[0]
            if quantity > self.stored_sellable(sku_id):
                return {reason, "INSUFFICIENT_STOCK"}
        return {reason}

    def open_hold(self, response: Any, quota: bool, lines: list[tuple[str, int]]) -> HoldModel:
        reservation = response.reservation
        expires = None
        if quota:
            assert not reservation.HasField("expire_time"), "platform quotas never expire"
        else:
            expires = reservation.expire_time.ToDatetime(tzinfo=UTC)
            created = reservation.create_time.ToDatetime(tzinfo=UTC)
            assert expires - created == min(self.skus[s].ttl for s, _ in lines), reservation
        hold = HoldModel(
            reservation.reservation_id, reservation.user_id, quota, dict(lines), expires
        )
        self.holds[hold.reservation_id] = hold
        return hold

    def choose_hold(self, data: st.DataObject, quota: bool | None = None) -> HoldModel:
        """A hold, more often an ACTIVE one (settled ones only ever refuse)."""
        candidates = [h for h in self.holds.values() if quota is None or h.quota == quota]
        active = [h for h in candidates if h.state == ACTIVE]
        if active and data.draw(st.sampled_from([True, True, False]), "an active hold"):
            candidates = active
        return data.draw(st.sampled_from(candidates))

    def choose_sku(self, data: st.DataObject) -> SkuModel:
        return self.skus[data.draw(st.sampled_from(list(self.skus)))]

    # Rules: stock administration.

    @initialize(data=st.data())
    def first_sku(self, data: st.DataObject) -> None:
        self.create_sku(data)

    @precondition(lambda self: len(self.skus) < 3)
    @rule(data=st.data())
    def create_sku(self, data: st.DataObject) -> None:
        sku = SkuModel(fresh_id("sku"), on_hand=data.draw(st.integers(0, 10), "on_hand"))
        request = self.request(
            "CreateSku",
            sku_id=sku.sku_id,
            title="Lipstick",
            on_hand=sku.on_hand,
            policy=self.draw_policy(sku, data),
        )
        created = self.send("CreateSku", request, {None}).sku
        assert created.create_time.ToDatetime(tzinfo=UTC) == self.clock.now(), "not on our clock"
        self.skus[sku.sku_id] = sku

    def draw_policy(self, sku: SkuModel, data: st.DataObject) -> spb.SalePolicy:
        """Draws a sale policy into the model's SKU; returns it as the service takes it."""
        sku.lock_stage = data.draw(st.sampled_from([spb.LOCK_STAGE_CART, spb.LOCK_STAGE_ORDER]))
        ttl = data.draw(st.sampled_from(TTLS), "ttl")
        mode = data.draw(st.sampled_from(sorted(DEFAULT_TTL)), "sale_mode")
        sku.ttl = ttl or DEFAULT_TTL[mode]
        sku.refresh_on_restock = data.draw(st.booleans(), "refresh_ttl_on_restock")
        sku.per_user_limit = data.draw(st.sampled_from([0, 0, 2, 3]), "per_user_limit")
        sku.max_per_order = data.draw(st.sampled_from([0, 0, 2]), "max_per_order")
        sku.allow_extension = data.draw(st.booleans(), "allow_extension")
        sku.max_extensions = data.draw(st.integers(0, 2), "max_extensions")
        return spb.SalePolicy(
            lock_stage=sku.lock_stage,
            sale_mode=mode,
            hold_ttl=duration(ttl),
            refresh_ttl_on_restock=sku.refresh_on_restock,
            allow_extension=sku.allow_extension,
            max_extension=duration(MAX_EXTENSION),
            max_extensions=sku.max_extensions,
            per_user_limit=sku.per_user_limit,
            max_per_order=sku.max_per_order,
        )

    def update_sale_policy(self, sku: SkuModel, data: st.DataObject) -> None:
        """A new policy applies to what comes next; holds keep their deadlines."""
        drawn = SkuModel(sku.sku_id, sku.on_hand)
        request = self.request(
            "UpdateSalePolicy", sku_id=sku.sku_id, policy=self.draw_policy(drawn, data)
        )
        if self.send("UpdateSalePolicy", request, {None}):
            for name in ("lock_stage", "ttl", "refresh_on_restock", "per_user_limit"):
                setattr(sku, name, getattr(drawn, name))
            for name in ("max_per_order", "allow_extension", "max_extensions"):
                setattr(sku, name, getattr(drawn, name))

    @rule(
        data=st.data(),
        action=st.sampled_from(
            [
                "restock",
                "adjust",
                "set_withheld",
                "set_sale_status",
                "update_sale_policy",
                "return_sold",
                "create_again",
            ]
        ),
    )
    def administer(self, data: st.DataObject, action: str) -> None:
        getattr(self, action)(self.choose_sku(data), data)

    def create_again(self, sku: SkuModel, data: st.DataObject) -> None:
        policy = spb.SalePolicy(lock_stage=1, sale_mode=1)
        request = self.request("CreateSku", sku_id=sku.sku_id, on_hand=1, policy=policy)
        self.send("CreateSku", request, {"SKU_ALREADY_EXISTS"})

    def restock(self, sku: SkuModel, data: st.DataObject) -> None:
        quantity = data.draw(st.integers(1, 5), "quantity")
        request = self.request("Restock", sku_id=sku.sku_id, quantity=quantity, note="delivery")
        if self.send("Restock", request, {None}):
            sku.on_hand += quantity
            if sku.refresh_on_restock:
                self.refresh_deadlines(sku)

    def refresh_deadlines(self, sku: SkuModel) -> None:
        """Active buyer holds on the SKU get at least a fresh TTL from now."""
        fresh = self.clock.now() + sku.ttl
        for hold in self.holds.values():
            if sku.sku_id in hold.lines and hold.state == ACTIVE and hold.expires:
                hold.expires = max(hold.expires, fresh)

    def adjust(self, sku: SkuModel, data: st.DataObject) -> None:
        delta = data.draw(st.integers(-5, 5).filter(bool), "on_hand_delta")
        below = sku.on_hand + delta < sku.withheld_total + self.reserved(sku.sku_id)
        request = self.request(
            "AdjustStock",
            sku_id=sku.sku_id,
            on_hand_delta=delta,
            reason=spb.ADJUSTMENT_REASON_COUNT_CORRECTION,
        )
        if self.send("AdjustStock", request, {"ON_HAND_BELOW_COMMITTED" if below else None}):
            sku.on_hand += delta

    def set_withheld(self, sku: SkuModel, data: st.DataObject) -> None:
        kind = data.draw(st.sampled_from(KINDS), "kind")
        quantity = data.draw(st.integers(0, 4), "quantity")
        total = sku.withheld_total - sku.withheld.get(kind, 0) + quantity
        too_many = total > sku.on_hand - self.reserved(sku.sku_id)
        request = self.request("SetWithheld", sku_id=sku.sku_id, kind=kind, quantity=quantity)
        if self.send("SetWithheld", request, {"WITHHELD_EXCEEDS_AVAILABLE" if too_many else None}):
            sku.withheld[kind] = quantity

    def set_sale_status(self, sku: SkuModel, data: st.DataObject) -> None:
        status = data.draw(st.sampled_from(STATUSES), "sale_status")
        request = self.request("SetSaleStatus", sku_id=sku.sku_id, sale_status=status)
        if self.send("SetSaleStatus", request, {None}):
            sku.status = status

    def return_sold(self, sku: SkuModel, data: st.DataObject) -> None:
        quantity = data.draw(st.integers(1, 3), "quantity")
        request = self.request("ReturnSold", sku_id=sku.sku_id, quantity=quantity, order_id="o-r")
        if self.send(
            "ReturnSold", request, {"INSUFFICIENT_STOCK" if quantity > sku.sold else None}
        ):
            sku.sold -= quantity
            sku.on_hand += quantity

    # Rules: holds.

    def hold_lines(self, data: st.DataObject) -> list[tuple[str, int]]:
        count = data.draw(st.integers(1, min(2, len(self.skus))), "lines")
        chosen = data.draw(st.permutations(list(self.skus)))[:count]
        return [(sku_id, data.draw(st.integers(1, 3), "quantity")) for sku_id in chosen]

    def place(
        self,
        method: str,
        lines: list[tuple[str, int]],
        user_id: str,
        stage: int | None,
        quota: bool,
        **fields: Any,
    ) -> HoldModel | None:
        """Reserve or Purchase, as the model predicts; the new hold if granted."""
        reason = self.hold_refusal(lines, user_id, stage, quota)
        request = self.request(
            method,
            user_id=user_id,
            lines=[api.ReserveLine(sku_id=s, quantity=q) for s, q in lines],
            **fields,
        )
        response = self.send(method, request, self.stock_refusals(lines, reason))
        if not response:
            return None
        assert response.reservation.state == (CONFIRMED if method == "Purchase" else ACTIVE)
        return self.open_hold(response, quota, lines)

    @rule(
        data=st.data(),
        user=st.sampled_from(USERS),
        stage=st.sampled_from([spb.LOCK_STAGE_CART, spb.LOCK_STAGE_ORDER]),
    )
    def reserve(self, data: st.DataObject, user: str, stage: int) -> None:
        lines = self.hold_lines(data)
        if data.draw(st.integers(0, 9), "unknown sku") == 0:
            lines = [(fresh_id("nosku"), 1)]
        self.place(
            "Reserve",
            lines,
            user,
            stage,
            quota=False,
            order_id=fresh_id("order"),
            lock_stage=stage,
            purpose=rpb.RESERVATION_PURPOSE_BUYER,
        )

    @rule(data=st.data(), quantity=st.integers(1, 4))
    def reserve_quota(self, data: st.DataObject, quantity: int) -> None:
        self.place(
            "Reserve",
            [(self.choose_sku(data).sku_id, quantity)],
            "platform-douyin",
            None,
            quota=True,
            lock_stage=spb.LOCK_STAGE_CART,
            purpose=rpb.RESERVATION_PURPOSE_PLATFORM_QUOTA,
        )

    @rule(data=st.data(), user=st.sampled_from(USERS))
    def purchase(self, data: st.DataObject, user: str) -> None:
        hold = self.place(
            "Purchase",
            self.hold_lines(data),
            user,
            None,
            quota=False,
            order_id=fresh_id("order"),
            payment_reference="pay",
        )
        if hold:
            hold.state = CONFIRMED
            self.sell(hold)

    def sell(self, hold: HoldModel) -> None:
        for sku_id, quantity in hold.lines.items():
            self.skus[sku_id].sold += quantity
            self.skus[sku_id].on_hand -= quantity

    @precondition(lambda self: self.holds)
    @rule(data=st.data())
    def confirm(self, data: st.DataObject) -> None:
        hold = self.choose_hold(data)
        request = self.request(
            "ConfirmReservation", reservation_id=hold.reservation_id, payment_reference="pay"
        )
        if self.send("ConfirmReservation", request, {self.settle_refusal(hold)}):
            hold.state = CONFIRMED
            self.sell(hold)

    @precondition(lambda self: self.holds)
    @rule(data=st.data(), reason=st.sampled_from([1, 2, 3, 4, 5]))
    def release(self, data: st.DataObject, reason: int) -> None:
        hold = self.choose_hold(data)
        request = self.request(
            "ReleaseReservation", reservation_id=hold.reservation_id, reason=reason
        )
        if self.send("ReleaseReservation", request, {self.settle_refusal(hold)}):
            hold.state = RELEASED

    @precondition(lambda self: self.holds)
    @rule(data=st.data(), span=st.sampled_from(EXTENSIONS))
    def extend(self, data: st.DataObject, span: timedelta) -> None:
        hold = self.choose_hold(data)
        reason = self.settle_refusal(hold)
        if reason is None and (
            hold.quota
            or span > MAX_EXTENSION
            or any(
                not self.skus[s].allow_extension or hold.extensions >= self.skus[s].max_extensions
                for s in hold.lines
            )
        ):
            reason = "EXTENSION_NOT_ALLOWED"
        request = self.request(
            "ExtendReservation", reservation_id=hold.reservation_id, extension=duration(span)
        )
        if self.send("ExtendReservation", request, {reason}):
            assert hold.expires is not None
            hold.expires += span
            hold.extensions += 1

    @precondition(lambda self: self.holds)
    @rule(data=st.data(), quantity=st.integers(1, 4))
    def resize(self, data: st.DataObject, quantity: int) -> None:
        hold = self.choose_hold(data)
        sku = self.skus[data.draw(st.sampled_from(list(hold.lines)))]
        before = hold.lines[sku.sku_id]
        reason = self.settle_refusal(hold)
        if reason is None and quantity > before:
            stage = None if hold.quota else spb.LOCK_STAGE_ORDER
            reason = self.growth_refusal(
                sku, before, quantity - before, hold.user_id, stage, hold.quota
            )
        request = self.request(
            "ResizeReservation",
            reservation_id=hold.reservation_id,
            sku_id=sku.sku_id,
            quantity=quantity,
        )
        if self.send("ResizeReservation", request, {reason}):
            hold.lines[sku.sku_id] = quantity

    @precondition(lambda self: any(h.quota for h in self.holds.values()))
    @rule(data=st.data(), quantity=st.integers(1, 3))
    def consume(self, data: st.DataObject, quantity: int) -> None:
        hold = self.choose_hold(data, quota=True)
        ((sku_id, held),) = hold.lines.items()
        reason = self.settle_refusal(hold) or ("INSUFFICIENT_STOCK" if quantity > held else None)
        request = self.request(
            "ConsumeReservation",
            reservation_id=hold.reservation_id,
            sku_id=sku_id,
            quantity=quantity,
            order_id=fresh_id("platform-order"),
        )
        if self.send("ConsumeReservation", request, {reason}):
            hold.lines[sku_id] -= quantity
            hold.consumed[sku_id] = hold.consumed.get(sku_id, 0) + quantity
            self.skus[sku_id].sold += quantity
            self.skus[sku_id].on_hand -= quantity

    # Rules: idempotency.

    @precondition(lambda self: self.answered)
    @rule(data=st.data())
    def retry(self, data: st.DataObject) -> None:
        """A retry gets the original answer and changes nothing (the invariants check the rest)."""
        original = data.draw(st.sampled_from(self.answered))
        again = self.api.attempt(original.method, original.request)
        assert again == original.response, f"{original.method} retry: {again}"

    @precondition(lambda self: self.answered)
    @rule(data=st.data(), other_method=st.booleans())
    def reuse_request_id(self, data: st.DataObject, other_method: bool) -> None:
        original = data.draw(st.sampled_from(self.answered))
        if other_method:
            method, request = (
                "Restock",
                api.RestockRequest(
                    tenant_id=self.tenant,
                    request_id=original.request.request_id,
                    sku_id=next(iter(self.skus)),
                    quantity=1,
                ),
            )
        else:
            method, request = original.method, altered(original.request)
        answer = self.api.attempt(method, request)
        assert isinstance(answer, Refusal), f"{method} with a reused request id: {answer}"
        assert (answer.code, answer.reason) == (grpc.StatusCode.ALREADY_EXISTS, "REQUEST_ID_REUSED")

    # Rules: time.

    @precondition(lambda self: any(h.expires and h.state == ACTIVE for h in self.holds.values()))
    @rule(
        data=st.data(),
        how=st.sampled_from(["to the deadline", "just before", "well past"]),
        act=st.sampled_from(["look", "confirm", "release", "extend", "resize", "rehold"]),
    )
    def pass_time(self, data: st.DataObject, how: str, act: str) -> None:
        """Moves the clock to (or around) a hold's deadline. Before any sweep, reads must count
        due holds EXPIRED and their units returned, and settling them is refused as expired;
        then SweepExpired returns exactly the due holds, once."""
        live = [h for h in self.holds.values() if h.expires and h.state == ACTIVE]
        hold = data.draw(st.sampled_from(live))
        assert hold.expires is not None
        target = (
            hold.expires
            + {
                "to the deadline": timedelta(0),
                "just before": -timedelta(microseconds=1),
                "well past": timedelta(hours=3),
            }[how]
        )
        self.clock.advance(max(target - self.clock.now(), timedelta(0)))
        now = self.clock.now()
        due = [h for h in self.holds.values() if h.due(now)]
        for expired in due:
            expired.state = EXPIRED
        self.check_reads()
        if hold.state == EXPIRED:
            self.touch_expired(hold, act)
        self.sweep(sum(not h.swept for h in due))
        self.sweep(0)

    def touch_expired(self, hold: HoldModel, act: str) -> None:
        if act == "rehold":
            self.rehold_after_expiry(hold)
            return
        fields: dict[str, Any] = {"reservation_id": hold.reservation_id}
        method = {
            "confirm": "ConfirmReservation",
            "release": "ReleaseReservation",
            "extend": "ExtendReservation",
            "resize": "ResizeReservation",
        }.get(act)
        if method is None:
            return
        if act == "release":
            fields["reason"] = rpb.RELEASE_REASON_BUYER_CANCELLED
        if act == "extend":
            fields["extension"] = duration(timedelta(minutes=1))
        if act == "resize":
            fields["sku_id"], fields["quantity"] = next(iter(hold.lines)), 1
        self.send(method, self.request(method, **fields), {"RESERVATION_EXPIRED"})

    def sweep(self, expected: int) -> None:
        request = api.SweepExpiredRequest(tenant_id=self.tenant, request_id=fresh_id("sweep"))
        assert self.api.call("SweepExpired", request).expired == expected
        for hold in self.holds.values():
            if hold.state == EXPIRED:
                hold.swept = True

    def rehold_after_expiry(self, hold: HoldModel) -> None:
        """The buyer of an expired, unswept hold holds again: the expired units count neither as
        reserved nor against the purchase limit. Only where the sold-out gate, which by design
        may lag a sweep, would not refuse first."""
        sku_id = next(iter(hold.lines))
        if hold.quota or self.stored_sellable(sku_id) < 1:
            return
        limit = self.skus[sku_id].per_user_limit
        unswept = [
            h
            for h in self.holds.values()
            if h.state == EXPIRED and not h.swept and sku_id in h.lines
        ]
        still_counted = sum(h.lines[sku_id] for h in unswept if h.user_id == hold.user_id)
        placed = self.place(
            "Reserve",
            [(sku_id, 1)],
            hold.user_id,
            spb.LOCK_STAGE_ORDER,
            quota=False,
            order_id=fresh_id("order"),
            lock_stage=spb.LOCK_STAGE_ORDER,
            purpose=rpb.RESERVATION_PURPOSE_BUYER,
        )
        if placed and limit and self.held_by(sku_id, hold.user_id) + still_counted > limit:
            # The buyer's holdings still counted the expired hold, so the hold's transaction
            # booked the SKU's due holds back first: the sweep finds them done.
            for expired in unswept:
                expired.swept = True

    # What must hold after every step.

    @invariant()
    def service_matches_model(self) -> None:
        self.check_reads()
        reconciled = self.api.call(
            "Reconcile",
            api.ReconcileRequest(tenant_id=self.tenant, request_id=fresh_id("reconcile")),
        )
        assert reconciled.checked == len(self.skus)
        assert not reconciled.drifts, reconciled.drifts
        for sku_id in self.skus:
            self.check_ledger(sku_id)

    def check_reads(self) -> None:
        seen: dict[str, rpb.Reservation] = {}
        for sku_id, sku in self.skus.items():
            got = self.api.call(
                "GetSku", api.GetSkuRequest(tenant_id=self.tenant, sku_id=sku_id)
            ).sku
            expected = (
                sku.on_hand,
                sku.withheld_total,
                self.reserved(sku_id),
                sku.sold,
                self.sellable(sku_id),
            )
            stock = got.stock
            assert (stock.on_hand, stock.withheld, stock.reserved, stock.sold, stock.sellable) == (
                expected
            ), f"{sku_id}: service {stock}, model {expected}"
            assert stock.sellable >= 0
            assert got.sale_status == sku.status
            assert {w.kind: w.quantity for w in got.withheld} == {
                k: q for k, q in sku.withheld.items()
            }
            for reservation in self.reservations_of(sku_id):
                seen[reservation.reservation_id] = reservation
        assert set(seen) == set(self.holds)
        for reservation_id, hold in self.holds.items():
            self.check_reservation(hold, seen[reservation_id])

    def reservations_of(self, sku_id: str) -> list[rpb.Reservation]:
        request = api.ListReservationsRequest(tenant_id=self.tenant, sku_id=sku_id, page_size=1000)
        return list(self.api.call("ListReservations", request).reservations)

    def check_reservation(self, hold: HoldModel, got: rpb.Reservation) -> None:
        assert got.state == hold.state, f"{hold}: service says {got}"
        assert {ln.sku_id: ln.quantity for ln in got.lines} == hold.lines
        assert {ln.sku_id: ln.consumed_quantity for ln in got.lines if ln.consumed_quantity} == (
            hold.consumed
        )
        assert got.extension_count == hold.extensions
        if hold.expires is not None:
            assert got.expire_time.ToDatetime(tzinfo=UTC) == hold.expires
        # A swept (or otherwise settled) hold has a settle time; an unswept expired one not yet.
        settled = hold.state in (CONFIRMED, RELEASED) or (hold.state == EXPIRED and hold.swept)
        assert got.HasField("settle_time") == settled, f"{hold}: {got}"

    def check_ledger(self, sku_id: str) -> None:
        entries = self.ledger(sku_id)
        sums = [
            sum(getattr(e, f"{c}_delta") for e in entries)
            for c in ("on_hand", "withheld", "reserved", "sold")
        ]
        sku = self.skus[sku_id]
        unswept = sum(
            h.lines.get(sku_id, 0)
            for h in self.holds.values()
            if h.state == EXPIRED and not h.swept
        )
        reserved_recorded = self.reserved(sku_id) + unswept
        assert sums == [sku.on_hand, sku.withheld_total, reserved_recorded, sku.sold], (
            f"{sku_id}: ledger sums {sums}"
        )
        settled = Counter(
            (e.reference, SETTLING[e.reason]) for e in entries if e.reason in SETTLING
        )
        for hold in self.holds.values():
            if sku_id not in hold.lines:
                continue
            booked = {state: n for (ref, state), n in settled.items() if ref == hold.reservation_id}
            want = {}
            if hold.state in (CONFIRMED, RELEASED) or (hold.state == EXPIRED and hold.swept):
                want = {hold.state: 1}
            assert booked == want, f"{hold}: settlements booked {booked}"

    def ledger(self, sku_id: str) -> list[spb.LedgerEntry]:
        entries: list[spb.LedgerEntry] = []
        token = ""
        for _ in range(100):
            page = self.api.call(
                "ListLedgerEntries",
                api.ListLedgerEntriesRequest(
                    tenant_id=self.tenant, sku_id=sku_id, page_size=1000, page_token=token
                ),
            )
            entries.extend(page.entries)
            token = page.next_page_token
            if not token:
                return entries
        raise AssertionError("ledger pages never ended")


def altered(request: Any) -> Any:
    """The same request with different content (one text, quantity or span changed)."""
    copy = type(request)()
    copy.CopyFrom(request)
    fields = type(request).DESCRIPTOR.fields_by_name
    for name in ("note", "title", "payment_reference", "reason"):
        if name in fields and fields[name].type == FieldDescriptor.TYPE_STRING:
            setattr(copy, name, getattr(copy, name) + "-changed")
            return copy
    if "quantity" in fields:
        copy.quantity += 1
    elif "lines" in fields:
        copy.lines[0].quantity += 1
    elif "on_hand_delta" in fields:
        copy.on_hand_delta += 1 if copy.on_hand_delta != -1 else 2
    elif "extension" in fields:
        copy.extension.seconds += 1
    elif "policy" in fields:
        copy.policy.per_user_limit += 1
    else:
        copy.reason = 2 if copy.reason == 1 else 1
    return copy


async def test_service_behaves_like_the_model(
    manual_clock: ManualClock, sync_inventory: SyncInventory
) -> None:
    SERVICE.update(api=sync_inventory, clock=manual_clock)
    try:
        await asyncio.to_thread(
            run_state_machine_as_test,
            InventoryModel,
            settings=settings(
                max_examples=30,
                stateful_step_count=30,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                # Every step is a few RPCs: shrinking would take minutes; a failure is reported
                # with its (at most stateful_step_count) steps as found.
                phases=[Phase.explicit, Phase.reuse, Phase.generate],
            ),
        )
    finally:
        SERVICE.clear()


@pytest.fixture
async def clocked_client(manual_clock: ManualClock, inventory_port: int) -> AsyncIterator[Client]:
    """The acme admin's client of an inventory on the manual clock, its sweeper asleep."""
    channel = grpc.aio.insecure_channel(f"{LOOPBACK}:{inventory_port}")
    yield Client(InventoryServiceStub(channel), "acme", API_KEYS.acme_admin)
    await channel.close()


async def test_an_expired_unswept_hold_no_longer_counts_against_the_purchase_limit(
    manual_clock: ManualClock, clocked_client: Client
) -> None:
    sku = await clocked_client.create_sku(10, per_user_limit=2, hold_ttl=seconds(60))
    await clocked_client.hold(sku, 2, user_id="buyer")
    manual_clock.advance(timedelta(seconds=60))
    assert (await clocked_client.stock(sku)).reserved == 0
    again = await clocked_client.hold(sku, 2, user_id="buyer")
    assert again.state == rpb.RESERVATION_STATE_ACTIVE
    stock = await clocked_client.stock(sku)
    assert (stock.reserved, stock.sellable) == (2, 8)


async def test_a_refused_purchase_of_a_presale_past_its_balance_deadline_changes_nothing(
    client: Client,
) -> None:
    policy = flash_policy(sale_mode=spb.SALE_MODE_PRESALE)
    policy.presale_balance_due_time.FromDatetime(datetime(2020, 1, 1, tzinfo=UTC))
    sku = unique("sku")
    await client.call("CreateSku", sku_id=sku, title="Presale", on_hand=5, policy=policy)
    before = (await client.call("GetSku", sku_id=sku)).sku
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await client.call(
            "Purchase",
            user_id="buyer",
            lines=[api.ReserveLine(sku_id=sku, quantity=1)],
            payment_reference="pay-1",
        )
    assert refused.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert (await client.call("GetSku", sku_id=sku)).sku == before
    reconciled = await client.call("Reconcile", sku_ids=[sku])
    assert not reconciled.drifts


@pytest.mark.parametrize(
    ("method", "fields"),
    [
        ("SetWithheld", {"kind": spb.WITHHOLD_KIND_SAFETY, "quantity": 5}),
        ("AdjustStock", {"on_hand_delta": -5, "reason": spb.ADJUSTMENT_REASON_DAMAGED}),
        ("ResizeReservation", {"quantity": 5}),
    ],
)
async def test_units_of_an_expired_unswept_hold_are_available_to_every_change(
    manual_clock: ManualClock, clocked_client: Client, method: str, fields: dict[str, Any]
) -> None:
    """Reads already show the expired hold's units as sellable; every change must agree."""
    sku = await clocked_client.create_sku(5, hold_ttl=seconds(60))
    await clocked_client.hold(sku, 4, user_id="gone")
    manual_clock.advance(timedelta(seconds=30))
    staying = await clocked_client.hold(sku, 1, user_id="staying")
    manual_clock.advance(timedelta(seconds=30))
    assert (await clocked_client.stock(sku)).sellable == 4
    if method == "ResizeReservation":
        fields = {**fields, "reservation_id": staying.reservation_id}
    else:
        await clocked_client.call(
            "ReleaseReservation", reservation_id=staying.reservation_id, reason=1
        )
    await clocked_client.call(method, sku_id=sku, **fields)
