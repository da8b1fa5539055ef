"""The follower keeps the purchase-limit tally equal to what the user holds and attempts: a created
hold confirms its decision's attempt, a resize sets its hold's units (grown or shrunk, as
inventory reports them), a release takes the hold off; a hold whose event comes after the grace
(the follower lagging) is still counted, from its decision."""

from __future__ import annotations

import asyncio
import time

import pytest
from streamstock.riskcontrol.v1 import riskcontrol_service_pb2 as pb
from streamstock.riskcontrol.v1 import signals_pb2

from tests.riskcontrol.conftest import StartRisk
from tests.riskcontrol.fake_inventory import FakeInventoryEvents
from tests.riskcontrol.helpers import ALLOW, BLOCK, Risk

pytestmark = pytest.mark.usefixtures("wide_budget")  # judges decisions, not time

SKU = "lipstick-tally"


async def tally(risk: Risk, user: str) -> float:
    request = pb.GetSignalsRequest(
        tenant_id=risk.tenant_id,
        key=signals_pb2.RiskKey(level=signals_pb2.KEY_LEVEL_USER_SKU, sku_id=SKU, user_id=user),
        signals=[signals_pb2.RISK_SIGNAL_PURCHASE_LIMIT_RATIO],
    )
    response = await risk.call("GetSignals", request)
    return float(response.values[0].value)  # type: ignore[attr-defined]


async def held(
    risk: Risk, inventory: FakeInventoryEvents, user: str, order: str, units: int
) -> dict[str, object]:
    """An attempt riskcontrol allows and inventory holds: its created event is published."""
    allowed = await risk.assess(user, order, SKU, units, limit=5)
    assert allowed.decision == ALLOW
    hold = {"reservation_id": f"r-{order}", "user": user, "order": order, "quantity": units,
            "line_quantity": units, "decision": allowed.decision_id}  # fmt: skip
    await inventory.publish(risk.tenant_id, SKU, "reservation_created", hold)
    return hold


async def applied(
    risk: Risk, inventory: FakeInventoryEvents, kind: str, hold: dict[str, object]
) -> None:
    """Publishes the event, then a marker hold and its release after it, and waits until the
    follower applied the release (events are applied in order, so the event before it is applied
    too)."""
    await inventory.publish(risk.tenant_id, SKU, kind, hold)
    marker = f"marker-{len(inventory.log)}"
    await held(risk, inventory, marker, marker, 1)
    await inventory.publish(
        risk.tenant_id, SKU, "reservation_released",
        {"reservation_id": f"r-{marker}", "user": marker, "order": marker, "quantity": 1},
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while await tally(risk, marker) != 0:
        assert time.monotonic() < deadline, "the follower did not apply the events in time"
        await asyncio.sleep(0.02)


def resized(order: str, moved: int, line: int, user: str = "u1") -> dict[str, object]:
    return {"reservation_id": f"r-{order}", "user": user, "order": order, "quantity": moved,
            "line_quantity": line}  # fmt: skip


async def test_a_resize_sets_its_hold_units_in_the_tally_both_ways(
    start_risk: StartRisk, inventory: FakeInventoryEvents
) -> None:
    risk = await start_risk(peers={"inventory": inventory.address})
    await held(risk, inventory, "u1", "o1", 2)

    await applied(risk, inventory, "reservation_resized", resized("o1", -1, 1))
    shrunk = await tally(risk, "u1")
    # A replayed event (the follower restarted before saving its cursor) changes nothing.
    await applied(risk, inventory, "reservation_resized", resized("o1", -1, 1))
    replayed = await tally(risk, "u1")
    second = await risk.assess("u1", "o2", SKU, 1, limit=2)
    third = await risk.assess("u1", "o3", SKU, 1, limit=2)

    assert (shrunk, replayed) == (1, 1)
    assert second.decision == ALLOW and third.decision == BLOCK


async def test_a_resize_of_a_hold_riskcontrol_never_counted_starts_no_tally(
    start_risk: StartRisk, inventory: FakeInventoryEvents
) -> None:
    """A hold on a SKU whose risk mode is OFF (or held fail-open) was never counted: growing it
    does not count it either, as its creation was not (its events carry no decision)."""
    risk = await start_risk(peers={"inventory": inventory.address})
    await risk.assess("u1", "o1", SKU, 1, limit=2)

    await applied(risk, inventory, "reservation_resized", resized("o-unseen", 2, 3))

    assert await tally(risk, "u1") == 1


async def unpaid(risk: Risk, key: signals_pb2.RiskKey) -> float:
    request = pb.GetSignalsRequest(
        tenant_id=risk.tenant_id, key=key, signals=[signals_pb2.RISK_SIGNAL_UNPAID_EXPIRIES]
    )
    response = await risk.call("GetSignals", request)
    return float(response.values[0].value)  # type: ignore[attr-defined]


async def test_unpaid_expiries_count_per_user_per_ip_and_per_device(
    start_risk: StartRisk, inventory: FakeInventoryEvents
) -> None:
    risk = await start_risk(peers={"inventory": inventory.address})
    holds = [("u1", "203.0.113.60", "phone-a"), ("u1", "203.0.113.60", "phone-a"),
             ("u2", "203.0.113.60", "phone-b"), ("u3", "203.0.113.61", "phone-b")]  # fmt: skip
    for n, (user, ip, device) in enumerate(holds):
        expired = {"reservation_id": f"r{n}", "user": user, "order": f"o{n}", "ip": ip,
                   "device": device}  # fmt: skip
        await inventory.publish(risk.tenant_id, SKU, "reservation_expired", expired)
    await applied(risk, inventory, "reservation_expired", {**expired, "reservation_id": "r3"})

    key = signals_pb2.RiskKey
    assert await unpaid(risk, key(level=signals_pb2.KEY_LEVEL_USER, user_id="u1")) == 2
    assert await unpaid(risk, key(level=signals_pb2.KEY_LEVEL_USER, user_id="u3")) == 1
    assert await unpaid(risk, key(level=signals_pb2.KEY_LEVEL_IP, ip="203.0.113.60")) == 3
    assert await unpaid(risk, key(level=signals_pb2.KEY_LEVEL_IP, ip="203.0.113.61")) == 1
    assert await unpaid(risk, key(level=signals_pb2.KEY_LEVEL_DEVICE, device_id="phone-b")) == 2


async def lapsed(risk: Risk, user: str) -> None:
    """Waits until the user's provisional attempts no longer count (the grace is 1 s)."""
    deadline = time.monotonic() + 10
    while await tally(risk, user) != 0:
        assert time.monotonic() < deadline, "the attempt still counts past the grace"
        await asyncio.sleep(0.05)


async def test_a_hold_whose_event_comes_after_the_grace_counts_from_its_decision(
    start_risk: StartRisk, inventory: FakeInventoryEvents, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The follower lagged past the grace: the attempt stopped counting, then its created event
    (carrying riskcontrol's decision) counts the hold; a replay of the event changes nothing, and
    the release takes it off once, replayed or not."""
    monkeypatch.setenv("STREAMSTOCK_RISKCONTROL_PROVISIONAL_GRACE_SECONDS", "1")
    risk = await start_risk(peers={"inventory": inventory.address})
    allowed = await risk.assess("u1", "o1", SKU, 2, limit=5)
    await lapsed(risk, "u1")

    late = {"reservation_id": "r-late", "user": "u1", "order": "o1", "quantity": 2,
            "line_quantity": 2, "decision": allowed.decision_id}  # fmt: skip
    await applied(risk, inventory, "reservation_created", late)
    counted_late = await tally(risk, "u1")
    await applied(risk, inventory, "reservation_created", late)
    replayed = await tally(risk, "u1")
    await applied(risk, inventory, "reservation_released", late)
    await applied(risk, inventory, "reservation_released", late)

    assert (counted_late, replayed) == (2, 2)
    assert await tally(risk, "u1") == 0


async def test_a_created_hold_without_a_decision_is_not_counted(
    start_risk: StartRisk, inventory: FakeInventoryEvents
) -> None:
    """A fail-open hold (or one of a SKU whose risk mode is OFF) carries no decision."""
    risk = await start_risk(peers={"inventory": inventory.address})
    await held(risk, inventory, "u1", "o1", 1)

    unassessed = {"reservation_id": "r-open", "user": "u1", "order": "o2", "quantity": 3,
                  "line_quantity": 3}  # fmt: skip
    await applied(risk, inventory, "reservation_created", unassessed)

    assert await tally(risk, "u1") == 1
