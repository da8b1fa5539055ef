"""Only holds that exist (or attempts still in flight) count against a buyer's purchase limit: an
attempt riskcontrol allowed and inventory then refused (the SKU sold out between the screen and
the batch transaction) stops counting after the provisional grace, while a hold inventory made
keeps counting after it. Real inventory and riskcontrol over gRPC, riskcontrol following
inventory's events; the grace is 1 s here (120 s by default)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from streamstock.riskcontrol.v1 import assessment_pb2
from streamstock.riskcontrol.v1 import riskcontrol_service_pb2 as risk_pb

from services.inventory.adapters.sold_out_gate import LOCAL_SECONDS, gate_key
from tests.conftest import API_KEYS, StartService
from tests.integration.test_inventory_with_riskcontrol import (
    ENFORCE,
    buyer,
    follower_caught_up,
    start_pair,
    tally_units,
    wait_for_tally,
)
from tests.inventory.conftest import Client, reason_of, seconds, unique

GRACE_SECONDS = 1


@dataclass
class LimitOfOne:
    """An ENFORCE SKU with a purchase limit of 1 per user, and a buyer of it."""

    client: Client
    risk: Any
    sku: str
    user: str
    phone: Any


@pytest.fixture
def short_grace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STREAMSTOCK_RISKCONTROL_PROVISIONAL_GRACE_SECONDS", str(GRACE_SECONDS))


async def limit_of_one(start_service: StartService, postgres_dsn: str, units: int) -> LimitOfOne:
    client, risk = await start_pair(start_service, postgres_dsn)
    sku = await client.create_sku(units, risk_deadline=seconds(2), per_user_limit=1, **ENFORCE)
    return LimitOfOne(client, risk, sku, unique("buyer"), buyer(unique("phone")))


async def sell_out_behind_the_gate(s: LimitOfOne, redis_client: Any) -> None:
    """Someone else takes the last unit, and the gate forgets it (its entry lapsed, as it does
    2 s after the last refusal PostgreSQL decided): the next hold is screened by riskcontrol
    before the batch transaction finds the SKU sold out."""
    await s.client.hold(s.sku, 1, buyer=buyer(unique("phone")))
    await redis_client.delete(gate_key("acme", s.sku))
    await asyncio.sleep(LOCAL_SECONDS)  # the process's own view of the gate lapses


async def refused_after_allowed(s: LimitOfOne, order_id: str) -> None:
    """The buyer's hold: riskcontrol allows it, inventory refuses it as sold out."""
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await s.client.hold(s.sku, 1, user_id=s.user, order_id=order_id, buyer=s.phone)
    assert reason_of(refused.value) == "INSUFFICIENT_STOCK"
    listed = await s.risk.ListDecisions(
        risk_pb.ListDecisionsRequest(tenant_id="acme", sku_id=s.sku, user_id=s.user),
        metadata=(("x-api-key", API_KEYS.acme_admin),),
    )
    assert listed.decisions[0].decision == assessment_pb2.DECISION_ALLOW


async def test_an_allowed_attempt_inventory_refused_stops_counting_after_the_grace(
    start_service: StartService, postgres_dsn: str, redis_client: Any, short_grace: None
) -> None:
    s = await limit_of_one(start_service, postgres_dsn, 1)
    await sell_out_behind_the_gate(s, redis_client)
    await refused_after_allowed(s, unique("order"))
    # In flight, the attempt counts (a parallel attempt of the buyer would be blocked).
    assert await tally_units(s.risk, s.sku, s.user) == 1

    # The host restocks (补货); the buyer taps buy again with a new order after the grace.
    await s.client.call("Restock", sku_id=s.sku, quantity=5)
    await wait_for_tally(s.risk, s.sku, s.user, 0)
    held = await s.client.hold(s.sku, 1, user_id=s.user, order_id=unique("order"), buyer=s.phone)

    assert held.risk_decision_id
    # The new hold counts; the limit of one still stops a second unit.
    with pytest.raises(grpc.aio.AioRpcError) as blocked:
        await s.client.hold(s.sku, 1, user_id=s.user, buyer=s.phone)
    assert reason_of(blocked.value) == "RISK_BLOCKED"


async def test_the_same_order_retried_with_a_fresh_request_id_counts_once(
    start_service: StartService, postgres_dsn: str, redis_client: Any, short_grace: None
) -> None:
    s = await limit_of_one(start_service, postgres_dsn, 1)
    order = unique("order")
    await sell_out_behind_the_gate(s, redis_client)
    await refused_after_allowed(s, order)
    await s.client.call("Restock", sku_id=s.sku, quantity=5)
    await wait_for_tally(s.risk, s.sku, s.user, 0)

    held = await s.client.hold(s.sku, 1, user_id=s.user, order_id=order, buyer=s.phone)

    assert held.risk_decision_id
    await follower_caught_up(s.client, s.risk, s.sku)
    assert await tally_units(s.risk, s.sku, s.user) == 1


async def test_a_hold_inventory_made_keeps_counting_after_the_grace(
    start_service: StartService, postgres_dsn: str, short_grace: None
) -> None:
    s = await limit_of_one(start_service, postgres_dsn, 10)
    await s.client.hold(s.sku, 1, user_id=s.user, buyer=s.phone)
    await follower_caught_up(s.client, s.risk, s.sku)  # riskcontrol learnt the hold exists
    # A witness: an attempt riskcontrol allowed after the hold that never became a hold; once
    # its units stop counting, the grace has passed for the buyer's hold too.
    witness = unique("witness")
    await s.risk.Assess(
        risk_pb.AssessRequest(
            tenant_id="acme",
            request_id=unique("witness"),
            attempt=assessment_pb2.Attempt(
                kind=assessment_pb2.ATTEMPT_KIND_HOLD,
                lines=[assessment_pb2.AttemptLine(sku_id=s.sku, quantity=1, purchase_limit=1)],
                lock_stage=assessment_pb2.LOCK_STAGE_CART,
                user_id=witness,
                order_id=unique("order"),
            ),
            caller_mode=assessment_pb2.ENFORCEMENT_MODE_ENFORCE,
        ),
        metadata=(("x-api-key", API_KEYS.service),),
        timeout=5,
    )
    await wait_for_tally(s.risk, s.sku, witness, 0)

    assert await tally_units(s.risk, s.sku, s.user) == 1
    with pytest.raises(grpc.aio.AioRpcError) as blocked:
        await s.client.hold(s.sku, 1, user_id=s.user, order_id=unique("order"), buyer=s.phone)
    assert reason_of(blocked.value) == "RISK_BLOCKED"
