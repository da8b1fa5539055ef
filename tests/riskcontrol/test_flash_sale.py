"""The flash sale of issue 4: 300 units, 500 genuine buyers, 40 hoarder accounts on 3 devices and 2
IPs who hold and never pay, over 3 waves of expiry learnt from inventory's event stream."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass

import asyncpg
import pytest
from streamstock.riskcontrol.v1 import riskcontrol_service_pb2 as pb
from streamstock.riskcontrol.v1 import signals_pb2

from tests.riskcontrol.conftest import StartRisk
from tests.riskcontrol.fake_inventory import FakeInventoryEvents
from tests.riskcontrol.helpers import ALLOW, Risk, bounded

UNITS = 300
GENUINE = 500
HOARDERS = 40
HOARDER_DEVICES = [f"hoard-device-{i}" for i in range(3)]
HOARDER_IPS = ["203.0.113.7", "203.0.113.8"]
WAVES = 3
LIMIT = 2
SKU = "lipstick-flash"


@dataclass(frozen=True)
class Buyer:
    user: str
    device: str
    ip: str
    hoarder: bool


def crowd() -> list[Buyer]:
    genuine = []
    for i in range(GENUINE):
        # Every 25th buyer is behind a campus NAT shared by 20 people; the others are on their own.
        ip = f"198.51.100.{i % 20 + 1}" if i % 25 == 0 else f"10.{i // 250}.{i % 250}.{i % 7 + 1}"
        genuine.append(Buyer(f"buyer-{i}", f"phone-{i}", ip, False))
    hoarders = [
        Buyer(f"hoarder-{i}", HOARDER_DEVICES[i % 3], HOARDER_IPS[i % 2], True)
        for i in range(HOARDERS)
    ]
    return genuine + hoarders


async def wait_for_unpaid(risk: Risk, device: str, expected: float) -> None:
    """Polls the device's unpaid-expiry counter until the follower has applied the events."""
    key = signals_pb2.RiskKey(level=signals_pb2.KEY_LEVEL_DEVICE, device_id=device)
    request = pb.GetSignalsRequest(
        tenant_id=risk.tenant_id, key=key, signals=[signals_pb2.RISK_SIGNAL_UNPAID_EXPIRIES]
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        response = await risk.call("GetSignals", request)
        if response.values and response.values[0].value >= expected:  # type: ignore[attr-defined]
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the follower did not apply the expiries of {device} in time")


async def test_hoarders_are_stopped_after_the_first_wave_and_genuine_buyers_are_not(
    start_risk: StartRisk, inventory: FakeInventoryEvents, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This test judges decisions, not latency (test_signal_store_outage and the benchmark do):
    # a wide budget keeps a busy machine from turning a slow Redis answer into UNAVAILABLE.
    monkeypatch.setenv("STREAMSTOCK_RISKCONTROL_ASSESS_BUDGET_MS", "2000")
    risk = await start_risk(peers={"inventory": inventory.address})
    rng = random.Random(4)
    buyers = crowd()
    genuine = [b for b in buyers if not b.hoarder]
    hoarders = [b for b in buyers if b.hoarder]
    hoarded_units_after_first_wave = 0
    refused = {"genuine": 0, "hoarder_after_first_wave": 0}
    hoarder_attempts_after_first_wave = 0
    expected_unpaid = dict.fromkeys(HOARDER_DEVICES, 0)

    for wave in range(WAVES):
        arrivals = genuine[wave::WAVES] + hoarders
        rng.shuffle(arrivals)
        responses = await bounded(
            [
                risk.assess(
                    b.user, f"{b.user}-w{wave}", SKU, LIMIT if b.hoarder else 1 + (i % 2),
                    ip=b.ip, device=b.device, limit=LIMIT,
                )
                for i, b in enumerate(arrivals)
            ]
        )  # fmt: skip
        for buyer, response in zip(arrivals, responses, strict=True):
            held = response.decision == ALLOW
            if buyer.hoarder:
                if wave > 0:
                    hoarder_attempts_after_first_wave += 1
                    refused["hoarder_after_first_wave"] += not held
                if held:
                    # The hoarder holds and never pays: inventory expires the hold.
                    await inventory.publish(
                        risk.tenant_id, SKU, "reservation_expired",
                        {"reservation_id": f"r-{buyer.user}-{wave}", "user": buyer.user,
                         "order": f"{buyer.user}-w{wave}", "quantity": LIMIT,
                         "ip": buyer.ip, "device": buyer.device},
                    )  # fmt: skip
                    expected_unpaid[buyer.device] += 1
                    hoarded_units_after_first_wave += LIMIT if wave > 0 else 0
            else:
                refused["genuine"] += not held
        for device, count in expected_unpaid.items():
            await wait_for_unpaid(risk, device, count)

    assert refused["hoarder_after_first_wave"] >= 0.95 * hoarder_attempts_after_first_wave
    assert refused["genuine"] <= 0.01 * GENUINE
    # At most 5 % of the 300 units are locked by hoarders in a later wave.
    assert hoarded_units_after_first_wave <= 0.05 * UNITS


async def wait_for_saved_cursor(postgres_dsn: str, sequence: int) -> None:
    """Polls riskcontrol's stored cursor until the follower has saved `sequence` (it saves after
    applying an event, so the signal can be visible a moment before the cursor is)."""

    conn = await asyncpg.connect(postgres_dsn)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            saved = await conn.fetchval(
                "SELECT max(last_sequence) FROM riskcontrol.feedback_cursors"
            )
            if saved is not None and saved >= sequence:
                return
            await asyncio.sleep(0.02)
    finally:
        await conn.close()
    raise AssertionError(f"the follower did not save its cursor at {sequence} in time")


async def test_the_follower_resumes_after_a_restart_from_its_last_sequence(
    start_risk: StartRisk, inventory: FakeInventoryEvents, postgres_dsn: str
) -> None:
    first = await start_risk(peers={"inventory": inventory.address})
    hold = {
        "reservation_id": "r1",
        "user": "u1",
        "order": "o1",
        "device": "dev-r",
        "ip": "192.0.2.1",
    }
    await inventory.publish(first.tenant_id, SKU, "reservation_expired", hold)
    await wait_for_unpaid(first, "dev-r", 1)
    head = len(inventory.log)
    await wait_for_saved_cursor(postgres_dsn, head)

    watches_before = len(inventory.watch_requests)
    second = await start_risk(peers={"inventory": inventory.address})
    second.tenant_id = first.tenant_id
    await inventory.publish(
        first.tenant_id, SKU, "reservation_expired", {**hold, "reservation_id": "r2"}
    )
    await wait_for_unpaid(second, "dev-r", 2)
    # Both replicas share Redis, so the count above may come from the first one: wait for the
    # second replica's own WatchEvents request before judging where it resumed.
    for _ in range(500):  # 10 s at most
        if len(inventory.watch_requests) > watches_before:
            break
        await asyncio.sleep(0.02)
    resumed = inventory.watch_requests[watches_before:]
    assert resumed, "the new replica never asked inventory for events"
    assert min(resumed) >= head, "the new replica resumed after what was processed"
