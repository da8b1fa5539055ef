"""Fuzzed requests (hypothesis strategies built from the proto descriptors) to every RPC.

Whatever a caller sends: no INTERNAL or UNKNOWN status, every refusal carries an ErrorInfo,
INVALID_ARGUMENT carries a BadRequest naming a field of the request, and a refused request changes
nothing (the fixture SKU, its hold, its ledger and the head of the event log stay as they were).
Every field but at most two (per message) holds a value that passes validation (the fixture's ids,
small quantities, known enums), so refusals come from every check and the use cases, not only the
first check.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from google.protobuf import duration_pb2, message_factory, timestamp_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamstock.inventory.v1 import inventory_service_pb2 as api
from streamstock.inventory.v1 import reservation_pb2 as rpb
from streamstock.inventory.v1 import stock_pb2 as spb

from tests.conftest import API_KEYS
from tests.inventory import sync_api
from tests.inventory.conftest import Client, metadata_of
from tests.inventory.sync_api import ManualClock, Refusal, SyncInventory, fresh_id

# The fixtures this module uses.
manual_clock = sync_api.manual_clock
inventory_port = sync_api.inventory_port

SERVICE = api.DESCRIPTOR.services_by_name["InventoryService"]
UNARY_METHODS = [m for m in SERVICE.methods if not m.server_streaming]
NEVER = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.DEADLINE_EXCEEDED}
# How long a fuzzed watch may stay quiet (refusals come at once, heartbeats every 2 s).
WATCH_PATIENCE_SECONDS = 0.5
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
# Values that look like what a broken or hostile client sends.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=24)
JUNK_TEXT = st.one_of(
    st.just(""),
    TEXT,
    TEXT.map(lambda text: f"{text}\x00"),
    st.text(st.characters(exclude_categories=("Cs",)), min_size=129, max_size=700),
    st.sampled_from(["a b", "{tag}", "\n", "ü", "😀" * 130, "a" * 129, "-", "."]),
)


# Per field name (or well-known message type), values the service accepts.
Goods = dict[str, st.SearchStrategy[Any]]


@dataclass
class World:
    """The fixture the fuzzed requests aim at, and a view of everything a request could change."""

    api: SyncInventory
    watcher: SyncInventory
    clock: ManualClock
    tenant_id: str
    sku_id: str
    reservation_id: str

    known_head: int = 0
    # The last snapshot, while nothing can have changed since (the calls after it were refused).
    unchanged: tuple[Any, ...] | None = None

    def head_sequence(self) -> int:
        """The event log's head, from the first batch of a watch from just before the last
        head seen (that batch comes at once: it holds at least the event at that sequence)."""
        request = api.WatchEventsRequest(after_sequence=max(self.known_head - 1, 0))
        self.known_head = int(self.watcher.first_watch_batch(request).head_sequence)
        return self.known_head

    def snapshot(self) -> tuple[Any, ...]:
        sku = self.api.call(
            "GetSku", api.GetSkuRequest(tenant_id=self.tenant_id, sku_id=self.sku_id)
        )
        hold = self.api.call(
            "GetReservation",
            api.GetReservationRequest(tenant_id=self.tenant_id, reservation_id=self.reservation_id),
        )
        ledger = self.api.call(
            "ListLedgerEntries",
            api.ListLedgerEntriesRequest(
                tenant_id=self.tenant_id, sku_id=self.sku_id, page_size=1000
            ),
        )
        return sku, hold, list(ledger.entries), self.head_sequence()


def good_values(world: World) -> Goods:
    """The fixture's ids; spans of minutes; times a day ahead of the service's (frozen) clock, so
    that no hold the fuzzing grants is ever due (a due hold is swept lazily by a later refusal)."""
    ahead = int(world.clock.now().timestamp()) + 86_400
    return {
        "google.protobuf.Duration": st.builds(
            lambda s: duration_pb2.Duration(seconds=s), st.integers(1, 600)
        ),
        "google.protobuf.Timestamp": st.builds(
            lambda s: timestamp_pb2.Timestamp(seconds=s), st.integers(ahead, ahead + 86_400)
        ),
        "tenant_id": st.just(world.tenant_id),
        "request_id": st.builds(fresh_id, st.just("fuzz")),
        "sku_id": st.just(world.sku_id),
        "reservation_id": st.just(world.reservation_id),
        "user_id": st.sampled_from(["fuzz-buyer", "fuzz-buyer-2"]),
        "order_id": st.just("fuzz-order"),
        "platform_id": st.just("douyin"),
        "page_token": st.one_of(st.just(""), crafted_page_tokens()),
        "sku_ids": st.just(world.sku_id),
    }


def crafted_page_tokens() -> st.SearchStrategy[str]:
    """Tokens shaped like the service's own (base64 of a JSON list of numbers and ids) with
    hostile values."""
    number = st.one_of(st.integers(-(2**70), 2**70), st.sampled_from([2**63, -1, 0, 10**20]))
    cursor = st.one_of(
        st.tuples(number),
        st.tuples(JUNK_TEXT),
        st.tuples(number, JUNK_TEXT),
        st.lists(st.one_of(number, JUNK_TEXT), max_size=3),
    )
    return cursor.map(lambda values: token(list(values)))


def integers(field: FieldDescriptor, hostile: bool) -> st.SearchStrategy[int]:
    if not hostile:
        return st.integers(1, 3)
    low, high = INT32 if field.cpp_type == FieldDescriptor.CPPTYPE_INT32 else INT64
    extremes = [low, high, 1_000_001, 1_000_000_001, 51, 10**15]
    return st.one_of(
        st.integers(-3, 0),
        st.sampled_from([v for v in extremes if low <= v <= high]),
        st.integers(low, high),
    )


def time_message(descriptor: Descriptor, goods: Goods, hostile: bool) -> st.SearchStrategy[Message]:
    """Durations and timestamps, in or far out of their ranges."""
    cls = message_factory.GetMessageClass(descriptor)
    if not hostile:
        return goods[descriptor.full_name]
    seconds = st.one_of(
        st.sampled_from([253402300799, 253402300800, 315576000000, -1, 0, 2**40]),
        st.integers(*INT64),
    )
    nanos = st.one_of(st.sampled_from([0, 999_999_999, 10**9, -1]), st.integers(*INT32))
    return st.builds(lambda s, n: cls(seconds=s, nanos=n), seconds, nanos)


def single_values(field: FieldDescriptor, goods: Goods, hostile: bool) -> st.SearchStrategy[Any]:
    if field.type == FieldDescriptor.TYPE_STRING:
        return JUNK_TEXT if hostile else goods.get(field.name, st.just("fuzz"))
    if field.type == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if field.type == FieldDescriptor.TYPE_ENUM:
        known = [v.number for v in field.enum_type.values]
        return st.integers(*INT32) if hostile else st.sampled_from(known[1:] or known)
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        if field.message_type.full_name.startswith("google.protobuf."):
            return time_message(field.message_type, goods, hostile)
        nested = messages(field.message_type, goods)
        return st.one_of(st.none(), nested) if hostile else nested
    return integers(field, hostile)


def field_values(field: FieldDescriptor, goods: Goods, hostile: bool) -> st.SearchStrategy[Any]:
    values = single_values(field, goods, hostile)
    if not field.is_repeated:
        return values
    if not hostile:
        return st.lists(values, min_size=1, max_size=2)
    return st.one_of(st.just([]), st.lists(values, max_size=3), values.map(lambda v: [v] * 51))


def messages(descriptor: Descriptor, goods: Goods) -> st.SearchStrategy[Message]:
    """Messages of this type whose fields all pass validation but for at most two hostile ones
    (nested messages likewise), so refusals come from every check and not only the first."""
    cls = message_factory.GetMessageClass(descriptor)
    names = [field.name for field in descriptor.fields]

    def with_hostile(hostile: frozenset[str]) -> st.SearchStrategy[Message]:
        return st.fixed_dictionaries(
            {
                field.name: field_values(field, goods, field.name in hostile)
                for field in descriptor.fields
            }
        ).map(lambda drawn: built(cls, drawn))

    return st.frozensets(st.sampled_from(names), max_size=2).flatmap(with_hostile)


def built(cls: Callable[[], Message], values: dict[str, Any]) -> Message:
    message = cls()
    for name, value in values.items():
        if value is None:
            continue
        field = message.DESCRIPTOR.fields_by_name[name]
        if field.is_repeated:
            target = getattr(message, name)
            for item in value:
                if item is None:
                    continue
                if isinstance(item, Message):
                    target.add().CopyFrom(item)
                else:
                    target.append(item)
        elif isinstance(value, Message):
            getattr(message, name).CopyFrom(value)
        else:
            setattr(message, name, value)
    return message


def check_refusal(method: str, request: Message, refusal: Refusal) -> None:
    assert refusal.code not in NEVER, f"{method} answered {refusal} to {request}"
    assert refusal.reason, f"{method}: a refusal without ErrorInfo: {refusal}"
    if refusal.code is grpc.StatusCode.INVALID_ARGUMENT:
        assert refusal.fields, f"{method}: INVALID_ARGUMENT without BadRequest: {refusal}"
        for path in refusal.fields:
            root = path.split(".")[0].split("[")[0]
            assert root in request.DESCRIPTOR.fields_by_name, f"{method}: names {path!r}"


@pytest.fixture
async def world(manual_clock: ManualClock, inventory_port: int) -> Any:
    admin = SyncInventory(inventory_port, API_KEYS.acme_admin)
    watcher = SyncInventory(inventory_port, API_KEYS.service)
    policy = spb.SalePolicy(lock_stage=spb.LOCK_STAGE_CART, sale_mode=spb.SALE_MODE_FLASH_SALE)

    def prepare() -> World:
        sku_id = fresh_id("fuzz-sku")
        admin.call(
            "CreateSku",
            api.CreateSkuRequest(
                tenant_id="acme",
                request_id=fresh_id("req"),
                sku_id=sku_id,
                on_hand=1000,
                policy=policy,
            ),
        )
        held = admin.call(
            "Reserve",
            api.ReserveRequest(
                tenant_id="acme",
                request_id=fresh_id("req"),
                user_id="fixture-buyer",
                lines=[api.ReserveLine(sku_id=sku_id, quantity=1)],
                lock_stage=spb.LOCK_STAGE_CART,
                purpose=rpb.RESERVATION_PURPOSE_BUYER,
            ),
        )
        return World(admin, watcher, manual_clock, "acme", sku_id, held.reservation.reservation_id)

    yield await asyncio.to_thread(prepare)
    admin.close()
    watcher.close()


FUZZ_SETTINGS = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)


async def test_fuzzed_requests_never_fail_internally_and_refusals_change_nothing(
    world: World,
) -> None:
    goods = good_values(world)
    calls = st.sampled_from(UNARY_METHODS).flatmap(
        lambda m: st.tuples(st.just(m.name), messages(m.input_type, goods))
    )

    @FUZZ_SETTINGS
    @given(call=calls)
    def fuzz(call: tuple[str, Message]) -> None:
        method, request = call
        before = world.unchanged or world.snapshot()
        answer = world.api.attempt(method, request)
        world.unchanged = None
        if isinstance(answer, Refusal):
            check_refusal(method, request, answer)
            after = world.snapshot()
            assert after == before, f"{method} was refused but changed state: {request}"
            world.unchanged = after

    await asyncio.to_thread(fuzz)


async def test_fuzzed_watch_requests_never_fail_internally(world: World) -> None:
    goods = good_values(world)
    watch = api.DESCRIPTOR.message_types_by_name["WatchEventsRequest"]

    @settings(FUZZ_SETTINGS, max_examples=40)
    @given(request=messages(watch, goods))
    def fuzz(request: Message) -> None:
        if request.after_sequence > 0:
            request.after_sequence = 0  # a stream past the head only sends heartbeats
        try:
            world.api.first_watch_batch(request, timeout=WATCH_PATIENCE_SECONDS)
        except grpc.RpcError as error:
            refusal = sync_api.refusal_of(error)
            # A stream whose filters match nothing yet is accepted and quiet until a heartbeat.
            if refusal.code is not grpc.StatusCode.DEADLINE_EXCEEDED:
                check_refusal("WatchEvents", request, refusal)

    await asyncio.to_thread(fuzz)


def token(cursor: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode()


@pytest.mark.parametrize(
    ("method", "fields", "field"),
    [
        ("Restock", {"quantity": 1, "note": "x\x00y"}, "note"),
        ("Reserve", {"buyer": rpb.BuyerContext(ip="\x00")}, "buyer.ip"),
        ("ListSkus", {"page_token": token(["a\x00"])}, "page_token"),
        ("ListReservations", {"page_token": token([10**30, "r"])}, "page_token"),
        ("ListReservations", {"page_token": token([2**62, "r"])}, "page_token"),
        ("ListLedgerEntries", {"page_token": token([2**64])}, "page_token"),
        (
            "UpdateSalePolicy",
            {
                "policy": spb.SalePolicy(
                    lock_stage=1,
                    sale_mode=spb.SALE_MODE_PRESALE,
                    presale_balance_due_time={"seconds": 253402300799, "nanos": 1_000_000_000},
                )
            },
            "policy.presale_balance_due_time",
        ),
    ],
)
async def test_values_the_database_cannot_take_are_invalid_arguments(
    client: Client, method: str, fields: dict[str, Any], field: str
) -> None:
    """Found by the fuzz test: these used to reach PostgreSQL or datetime and come back UNKNOWN."""
    sku = await client.create_sku(5)
    if method == "Reserve":
        fields = {
            **fields,
            "user_id": "buyer",
            "lines": [api.ReserveLine(sku_id=sku, quantity=1)],
            "lock_stage": spb.LOCK_STAGE_CART,
            "purpose": rpb.RESERVATION_PURPOSE_BUYER,
        }
    elif method != "ListSkus":
        fields = {**fields, "sku_id": sku}
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await client.call(method, **fields)
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert metadata_of(refused.value)["field"] == field
