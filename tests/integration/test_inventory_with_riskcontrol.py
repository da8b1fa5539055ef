"""inventory and riskcontrol together, over gRPC: holds are screened per the SKU's risk policy,
and riskcontrol learns from inventory's events (unpaid expiries) to stop the next attempt."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from streamstock.inventory.v1 import inventory_service_pb2_grpc, reservation_pb2, stock_pb2
from streamstock.riskcontrol.v1 import assessment_pb2, riskcontrol_service_pb2, signals_pb2
from streamstock.riskcontrol.v1 import riskcontrol_service_pb2_grpc as risk_rpc

from services.inventory.adapters.sold_out_gate import LOCAL_SECONDS, gate_key
from tests.conftest import API_KEYS, RunningService, StartService, forget_riskcontrol_cursor
from tests.inventory.conftest import Client, metadata_of, reason_of, seconds, unique
from tools.devstack.ports import LOOPBACK, free_port, free_ports
from tools.devstack.redis import LocalRedis

ENFORCE = {"risk_mode": stock_pb2.RISK_MODE_ENFORCE}


async def start_services(
    start_service: StartService, postgres_dsn: str, **risk_overrides: Any
) -> tuple[RunningService, RunningService]:
    """riskcontrol following inventory's events, inventory screening holds through riskcontrol."""
    await forget_riskcontrol_cursor(postgres_dsn)
    inventory_port, risk_port = free_ports(2)
    risk = await start_service(
        "riskcontrol",
        grpc_port=risk_port,
        peers={"inventory": f"{LOOPBACK}:{inventory_port}"},
        **risk_overrides,
    )
    inventory = await start_service(
        "inventory",
        grpc_port=inventory_port,
        peers={"riskcontrol": f"{LOOPBACK}:{risk_port}"},
    )
    return inventory, risk


def acme_client(inventory: RunningService) -> Client:
    return Client(
        inventory_service_pb2_grpc.InventoryServiceStub(inventory.channel),
        "acme",
        API_KEYS.acme_admin,
    )


async def start_pair(
    start_service: StartService, postgres_dsn: str, **risk_overrides: Any
) -> tuple[Client, Any]:
    """start_services, with a client of inventory and a stub of riskcontrol."""
    inventory, risk = await start_services(start_service, postgres_dsn, **risk_overrides)
    return acme_client(inventory), risk_rpc.RiskControlServiceStub(risk.channel)


async def enforced_pair(start_service: StartService, postgres_dsn: str) -> tuple[Client, Any, str]:
    """start_pair and an ENFORCE SKU of 100 units with a 2 s risk deadline."""
    client, risk = await start_pair(start_service, postgres_dsn)
    return client, risk, await client.create_sku(100, risk_deadline=seconds(2), **ENFORCE)


def buyer(device: str, ip: str = "10.0.0.1") -> reservation_pb2.BuyerContext:
    return reservation_pb2.BuyerContext(platform_id="douyin", ip=ip, device_id=device)


async def pass_challenge(risk: Any, challenged: grpc.aio.AioRpcError) -> str:
    """The buyer passes the challenge inventory refused with; returns riskcontrol's pass token."""
    assert reason_of(challenged) == "RISK_CHALLENGE_REQUIRED"
    passed = await risk.CompleteChallenge(
        riskcontrol_service_pb2.CompleteChallengeRequest(
            tenant_id="acme",
            request_id=unique("challenge"),
            challenge_id=metadata_of(challenged)["challenge_id"],
            result=assessment_pb2.CHALLENGE_RESULT_PASSED,
        ),
        metadata=(("x-api-key", API_KEYS.service),),
    )
    return str(passed.pass_token)


async def test_enforced_sku_challenges_a_device_buying_for_many_accounts(
    start_service: StartService, postgres_dsn: str
) -> None:
    client, risk, sku = await enforced_pair(start_service, postgres_dsn)
    device = unique("phone")
    for n in range(3):  # a household: up to three accounts on one device
        held = await client.hold(sku, 1, user_id=f"{device}-account-{n}", buyer=buyer(device))
        assert held.risk_decision_id
    with pytest.raises(grpc.aio.AioRpcError) as challenged:
        await client.hold(sku, 1, user_id=f"{device}-account-3", buyer=buyer(device))

    proof = buyer(device)
    proof.challenge_pass_token = await pass_challenge(risk, challenged.value)
    held = await client.hold(sku, 1, user_id=f"{device}-account-3", buyer=proof)
    assert held.state == reservation_pb2.RESERVATION_STATE_ACTIVE
    assert (await client.stock(sku)).reserved == 4

    # The fourth account growing its hold is challenged again, and passes the same way.
    grow = {"reservation_id": held.reservation_id, "sku_id": sku, "quantity": 2}
    with pytest.raises(grpc.aio.AioRpcError) as challenged_again:
        await client.call("ResizeReservation", **grow)
    assert (await client.stock(sku)).reserved == 4  # the challenged resize changed nothing
    token = await pass_challenge(risk, challenged_again.value)
    grown = await client.call("ResizeReservation", challenge_pass_token=token, **grow)
    assert grown.reservation.lines[0].quantity == 2
    assert (await client.stock(sku)).reserved == 5


async def test_unpaid_expiries_block_the_device_next_time(
    start_service: StartService, postgres_dsn: str
) -> None:
    client, risk = await start_pair(start_service, postgres_dsn)
    sku = await client.create_sku(100, hold_ttl=seconds(1), risk_deadline=seconds(2), **ENFORCE)
    device = unique("bot-phone")
    for _ in range(2):  # the rule fires above one unpaid expiry per device
        await client.hold(sku, 1, user_id=unique("bot"), buyer=buyer(device))
    # The holds expire unpaid; the sweeper books it; riskcontrol reads the event and counts it.
    device_key = signals_pb2.RiskKey(level=signals_pb2.KEY_LEVEL_DEVICE, device_id=device)
    for _ in range(40):  # 20 s at most
        signals = await risk.GetSignals(
            riskcontrol_service_pb2.GetSignalsRequest(
                tenant_id="acme",
                key=device_key,
                signals=[signals_pb2.RISK_SIGNAL_UNPAID_EXPIRIES],
            ),
            metadata=(("x-api-key", API_KEYS.service),),
        )
        if any(v.value >= 2 for v in signals.values):
            break
        await asyncio.sleep(0.5)
    else:
        pytest.fail("riskcontrol never learnt of the unpaid expiry")
    with pytest.raises(grpc.aio.AioRpcError) as blocked:
        await client.hold(sku, 1, user_id=unique("another-bot"), buyer=buyer(device))
    assert reason_of(blocked.value) == "RISK_BLOCKED"
    assert "device-unpaid-expiries" in metadata_of(blocked.value)["rules"]
    # A genuine buyer on another device is not affected.
    await client.hold(sku, 1, user_id=unique("genuine"), buyer=buyer(unique("phone")))


async def test_shadow_sku_records_decisions_and_refuses_nothing(
    start_service: StartService, postgres_dsn: str
) -> None:
    client, risk = await start_pair(start_service, postgres_dsn)
    sku = await client.create_sku(
        100, risk_mode=stock_pb2.RISK_MODE_SHADOW, risk_deadline=seconds(2)
    )
    device = unique("phone")
    held = [
        await client.hold(sku, 1, user_id=f"{device}-account-{n}", buyer=buyer(device))
        for n in range(6)
    ]
    assert (await client.stock(sku)).reserved == 6
    assert all(h.state == reservation_pb2.RESERVATION_STATE_ACTIVE for h in held)

    listed = await risk.ListDecisions(
        riskcontrol_service_pb2.ListDecisionsRequest(tenant_id="acme", sku_id=sku, page_size=50),
        metadata=(("x-api-key", API_KEYS.acme_admin),),
    )
    decisions = {d.decision_id: d for d in listed.decisions}
    assert set(decisions) == {h.risk_decision_id for h in held}
    assert all(
        d.enforcement == assessment_pb2.ENFORCEMENT_MODE_SHADOW
        and d.decision == assessment_pb2.DECISION_ALLOW
        for d in decisions.values()
    )
    # A household has up to three accounts on a device: the 4th to 6th would have been refused.
    shadow = [decisions[h.risk_decision_id].shadow_decision for h in held]
    assert shadow[:3] == [assessment_pb2.DECISION_ALLOW] * 3
    assert all(
        s in {assessment_pb2.DECISION_CHALLENGE, assessment_pb2.DECISION_BLOCK} for s in shadow[3:]
    )
    assert all(
        "device-many-accounts" in {r.rule_id for r in decisions[h.risk_decision_id].reasons}
        for h in held[3:]
    )


@pytest.fixture
def risk_redis(tmp_path: Path) -> Iterator[LocalRedis]:
    server = LocalRedis(tmp_path / "redis", free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def pair_with_a_failing_closed_sku(
    start_service: StartService, risk_redis: LocalRedis, postgres_dsn: str
) -> tuple[Client, str]:
    """A pair whose riskcontrol uses a Redis of the test's own (to stop), and an ENFORCE SKU
    that fails closed after 1 s (wide enough for riskcontrol to answer on a loaded machine
    before the outage; the outage's refusal does not wait for it: riskcontrol fails at once)."""
    client, _ = await start_pair(
        start_service, postgres_dsn, redis_url=risk_redis.url, redis_cluster=False
    )
    closed = await client.create_sku(
        10,
        risk_fail_mode=stock_pb2.RISK_FAIL_MODE_CLOSED,
        risk_deadline=seconds(1.0),
        **ENFORCE,
    )
    return client, closed


async def test_riskcontrol_without_redis_costs_the_deadline_and_the_sku_decides(
    start_service: StartService, risk_redis: LocalRedis, postgres_dsn: str
) -> None:
    client, closed = await pair_with_a_failing_closed_sku(start_service, risk_redis, postgres_dsn)
    open_ = await client.create_sku(10, risk_deadline=seconds(0.05), **ENFORCE)
    await client.hold(closed, 1, buyer=buyer(unique("phone")))
    risk_redis.stop()
    started = time.monotonic()
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await client.hold(closed, 1, buyer=buyer(unique("phone")))
    assert reason_of(refused.value) == "RISK_UNAVAILABLE"
    held = await client.hold(open_, 1, buyer=buyer(unique("phone")))
    assert held.risk_decision_id == ""  # held without a decision: the SKU fails open
    # A hang guard only: the fail-open hold above shows that the deadline cut the call.
    assert time.monotonic() - started < 3.0


async def _decisions(risk: Any, sku: str, user: str) -> list[Any]:
    listed = await risk.ListDecisions(
        riskcontrol_service_pb2.ListDecisionsRequest(tenant_id="acme", sku_id=sku, user_id=user),
        metadata=(("x-api-key", API_KEYS.acme_admin),),
    )
    return list(listed.decisions)


async def test_a_growing_resize_is_assessed_as_a_resize_and_a_shrink_is_not(
    start_service: StartService, postgres_dsn: str
) -> None:
    client, risk, sku = await enforced_pair(start_service, postgres_dsn)
    user = unique("buyer")
    held = await client.hold(sku, 1, user_id=user, buyer=buyer(unique("phone")))
    grown = await client.call(
        "ResizeReservation", reservation_id=held.reservation_id, sku_id=sku, quantity=3
    )
    assert grown.reservation.lines[0].quantity == 3
    (resize, hold) = await _decisions(risk, sku, user)
    assert hold.kind == assessment_pb2.ATTEMPT_KIND_HOLD
    assert resize.kind == assessment_pb2.ATTEMPT_KIND_RESIZE
    assert resize.reservation_id == held.reservation_id
    assert (resize.lines[0].quantity, resize.lines[0].previous_quantity) == (3, 1)
    # The hold records the decision that admitted its latest growth, as it is read later too.
    assert held.risk_decision_id == hold.decision_id
    assert grown.reservation.risk_decision_id == resize.decision_id != hold.decision_id
    read = await client.call("GetReservation", reservation_id=held.reservation_id)
    assert read.reservation.risk_decision_id == resize.decision_id
    shrunk = await client.call(
        "ResizeReservation", reservation_id=held.reservation_id, sku_id=sku, quantity=2
    )
    assert len(await _decisions(risk, sku, user)) == 2  # shrinking is not assessed
    assert shrunk.reservation.risk_decision_id == resize.decision_id
    assert (await client.stock(sku)).reserved == 2


async def test_a_sold_out_failing_closed_sku_says_sold_out_while_riskcontrol_is_out(
    start_service: StartService,
    risk_redis: LocalRedis,
    postgres_dsn: str,
    redis_client: Any,
) -> None:
    client, closed = await pair_with_a_failing_closed_sku(start_service, risk_redis, postgres_dsn)
    await client.hold(closed, 10, buyer=buyer(unique("phone")))
    risk_redis.stop()
    # The gate's entry lapsed (as it does 2 s after the last refusal PostgreSQL decided): only
    # PostgreSQL knows the SKU is sold out, and no hold reaches it unassessed.
    await redis_client.delete(gate_key("acme", closed))
    await asyncio.sleep(LOCAL_SECONDS)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await client.hold(closed, 1, buyer=buyer(unique("phone")))
    assert reason_of(refused.value) == "INSUFFICIENT_STOCK"
    assert metadata_of(refused.value)["sellable"] == "0"
    assert await redis_client.exists(gate_key("acme", closed))  # the gate knows again
    stock = await client.stock(closed)
    assert (stock.reserved, stock.sellable) == (10, 0)


async def test_a_growing_resize_on_a_failing_closed_sku_is_refused_when_riskcontrol_is_out(
    start_service: StartService, risk_redis: LocalRedis, postgres_dsn: str
) -> None:
    client, sku = await pair_with_a_failing_closed_sku(start_service, risk_redis, postgres_dsn)
    held = await client.hold(sku, 2, buyer=buyer(unique("phone")))
    grow = {"reservation_id": held.reservation_id, "sku_id": sku, "request_id": unique("grow")}
    assert (await client.call("ResizeReservation", quantity=3, **grow)).reservation.lines[
        0
    ].quantity == 3
    risk_redis.stop()
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await client.call(
            "ResizeReservation", reservation_id=held.reservation_id, sku_id=sku, quantity=4
        )
    assert reason_of(refused.value) == "RISK_UNAVAILABLE"
    # The growth answered before the outage is replayed; a shrink needs no assessment.
    replayed = await client.call("ResizeReservation", quantity=3, **grow)
    assert replayed.reservation.lines[0].quantity == 3
    shrunk = await client.call(
        "ResizeReservation", reservation_id=held.reservation_id, sku_id=sku, quantity=1
    )
    assert shrunk.reservation.lines[0].quantity == 1
    assert (await client.stock(sku)).reserved == 1


async def tally_units(risk: Any, sku: str, user: str) -> float:
    """The units riskcontrol's purchase-limit tally counts for the user on the SKU."""
    signals = await risk.GetSignals(
        riskcontrol_service_pb2.GetSignalsRequest(
            tenant_id="acme",
            key=signals_pb2.RiskKey(level=signals_pb2.KEY_LEVEL_USER_SKU, sku_id=sku, user_id=user),
            signals=[signals_pb2.RISK_SIGNAL_PURCHASE_LIMIT_RATIO],
        ),
        metadata=(("x-api-key", API_KEYS.service),),
    )
    (reading,) = signals.values
    return float(reading.value)


async def wait_for_tally(risk: Any, sku: str, user: str, units: float) -> None:
    """Polls until riskcontrol's follower has applied inventory's events to the tally."""
    deadline = time.monotonic() + 10
    while (seen := await tally_units(risk, sku, user)) != units:
        if time.monotonic() > deadline:
            pytest.fail(f"the tally stayed at {seen} units, not {units}")
        await asyncio.sleep(0.05)


async def release(client: Client, reservation_id: str) -> None:
    await client.call(
        "ReleaseReservation",
        reservation_id=reservation_id,
        reason=reservation_pb2.RELEASE_REASON_BUYER_CANCELLED,
    )


async def follower_caught_up(client: Client, risk: Any, sku: str) -> None:
    """Waits until riskcontrol applied every event so far: a marker hold's release, which comes
    after them in inventory's log, has lowered its tally."""
    marker = unique("marker")
    held = await client.hold(sku, 1, user_id=marker, buyer=buyer(unique("phone")))
    await release(client, held.reservation_id)
    await wait_for_tally(risk, sku, marker, 0)


@dataclass
class LimitedHold:
    """A buyer's hold on an ENFORCE SKU with a purchase limit of 2 per user."""

    client: Client
    risk: Any
    sku: str
    user: str
    phone: reservation_pb2.BuyerContext
    held: reservation_pb2.Reservation


async def hold_under_limit(
    start_service: StartService, postgres_dsn: str, units: int
) -> LimitedHold:
    client, risk = await start_pair(start_service, postgres_dsn)
    sku = await client.create_sku(100, risk_deadline=seconds(2), per_user_limit=2, **ENFORCE)
    user, phone = unique("buyer"), buyer(unique("phone"))
    held = await client.hold(sku, units, user_id=user, buyer=phone)
    assert await tally_units(risk, sku, user) == units
    return LimitedHold(client, risk, sku, user, phone, held)


async def test_a_shrunk_cart_lowers_the_purchase_limit_tally_so_the_buyer_may_hold_again(
    start_service: StartService, postgres_dsn: str
) -> None:
    h = await hold_under_limit(start_service, postgres_dsn, 2)

    await h.client.call(
        "ResizeReservation", reservation_id=h.held.reservation_id, sku_id=h.sku, quantity=1
    )
    await wait_for_tally(h.risk, h.sku, h.user, 1)
    again = await h.client.hold(h.sku, 1, user_id=h.user, buyer=h.phone)

    assert again.state == reservation_pb2.RESERVATION_STATE_ACTIVE
    assert await tally_units(h.risk, h.sku, h.user) == 2
    # The limit still holds: a third unit is blocked.
    with pytest.raises(grpc.aio.AioRpcError) as blocked:
        await h.client.hold(h.sku, 1, user_id=h.user, buyer=h.phone)
    assert reason_of(blocked.value) in {"RISK_BLOCKED", "PURCHASE_LIMIT_EXCEEDED"}


async def test_a_grown_cart_is_counted_once_when_its_event_follows_the_assessment(
    start_service: StartService, postgres_dsn: str
) -> None:
    h = await hold_under_limit(start_service, postgres_dsn, 1)
    resize = {"reservation_id": h.held.reservation_id, "sku_id": h.sku}
    await h.client.call("ResizeReservation", quantity=2, **resize)
    await h.client.call("ResizeReservation", quantity=1, **resize)
    await wait_for_tally(h.risk, h.sku, h.user, 1)
    # Growing again is assessed (the tally sets the order's 2 units), then its event sets 2 again.
    await h.client.call("ResizeReservation", quantity=2, **resize)
    await follower_caught_up(h.client, h.risk, h.sku)

    assert await tally_units(h.risk, h.sku, h.user) == 2


async def test_a_release_lowers_the_purchase_limit_tally(
    start_service: StartService, postgres_dsn: str
) -> None:
    h = await hold_under_limit(start_service, postgres_dsn, 2)

    await release(h.client, h.held.reservation_id)
    await wait_for_tally(h.risk, h.sku, h.user, 0)
    again = await h.client.hold(h.sku, 2, user_id=h.user, buyer=h.phone)

    assert again.state == reservation_pb2.RESERVATION_STATE_ACTIVE
