"""A tiny scenario played end to end, in seconds, against the four services hosted in this
process: every call goes through the gRPC stubs; the report must show nothing oversold and every
invariant holding. (A service that answers UNIMPLEMENTED is reported as "not available" instead of
breaking the run: see test_report.py.)"""

from __future__ import annotations

import io
from typing import Any

import pytest
from rich.console import Console

from tests.conftest import API_KEYS, StartService
from tools.livesale.play import Endpoints, play
from tools.livesale.scenario import parse_scenario
from tools.livesale.session import ApiKeys

TINY: dict[str, Any] = {
    "name": "tiny",
    "tenant": "acme",
    "duration": "10m",
    "time_factor": 150,  # four seconds of real time
    "seed": 5,
    "max_in_flight": 16,
    "skus": [
        {
            "id": "lipstick",
            "on_hand": 30,
            "withheld": {"safety": 3},
            "forecast_units": 20,
            "demand_weight": 3,
            "policy": {
                "lock_stage": "CART",
                "sale_mode": "FLASH_SALE",
                "hold_ttl": "2m",
                "expiring_soon_lead": "1m",
                "per_user_limit": 2,
                "risk_mode": "ENFORCE",
                "risk_fail_mode": "OPEN",
            },
        },
        {
            "id": "kettle",
            "on_hand": 10,
            "forecast_units": 10,
            "policy": {"lock_stage": "PAYMENT", "sale_mode": "REGULAR"},
        },
    ],
    "platforms": [
        {"id": "douyin", "mode": "SHARED", "buyers_per_minute": 12},
        {"id": "kuaishou", "mode": "QUOTA", "buyers_per_minute": 4},
    ],
    "buyers": {
        "pay_probability": 0.5,
        "abandon_probability": 0.2,
        "think_time_min": "5s",
        "think_time_max": "30s",
        "pay_delay_min": "10s",
        "pay_delay_max": "3m",
        "max_quantity": 2,
    },
    "hoarders": {
        "accounts": 6,
        "devices": 1,
        "ips": 1,
        "holds_per_minute": 6,
        "start": "1m",
        "platform": "douyin",
    },
    "restocks": [{"at": "4m", "sku": "lipstick", "quantity": 10}],
    # Thirty buyers rush for the lipstick at once: more than it has.
    "bursts": [{"at": "30s", "sku": "lipstick", "buyers": 30, "platform": "douyin"}],
}


@pytest.mark.timeout(90)
async def test_a_tiny_session_sells_without_oversell_and_reports(
    start_service: StartService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STREAMSTOCK_SWEEP_INTERVAL_SECONDS", "0.05")
    monkeypatch.setenv("STREAMSTOCK_SYNC_REBALANCE_INTERVAL_SECONDS", "0.4")
    inventory = await start_service("inventory", postgres_pool_size=4)
    peers = {"inventory": f"127.0.0.1:{inventory.host.port}"}
    others = {
        name: await start_service(name, peers=peers) for name in ("riskcontrol", "alerting", "sync")
    }
    endpoints = Endpoints.of(
        {
            "inventory": peers["inventory"],
            **{name: f"127.0.0.1:{service.host.port}" for name, service in others.items()},
        }
    )
    output = io.StringIO()
    # The test keys have no PLATFORM role; StreamStock's service key may do what a platform does
    # (hold, pay, and report quota sales to sync) for any tenant.
    keys = ApiKeys(admin=API_KEYS.acme_admin, platform=API_KEYS.service)

    report = await play(
        parse_scenario(TINY), endpoints, keys, Console(file=output, width=160, force_terminal=False)
    )

    assert report.oversold == 0
    assert [i.name for i in report.invariants() if not i.holds] == []
    assert report.exit_status() == 0
    assert report.units_sold > 0
    assert report.restocks == 1
    assert {sku.sku_id for sku in report.skus} == {"lipstick", "kettle"}
    assert sum(sku.received for sku in report.skus) == 30 + 10 + 10
    assert report.holds.created > 0
    assert report.risk.hoarder_attempts > 0
    # Holds of two session minutes in a ten-minute session: some run out and come back.
    assert report.holds.expired > 0 and report.holds.expired_units >= report.holds.expired
    # All four services answer: plans reach alerting, the QUOTA platform sells from a sync quota.
    assert report.services == dict.fromkeys(
        ("inventory", "riskcontrol", "alerting", "sync"), "running"
    )
    quota_platform = next(p for p in report.platforms if p.platform_id == "kuaishou")
    assert quota_platform.selling_through == "sync quota"
    # The plain console printed progress while the session ran.
    assert "[0:0" in output.getvalue() and "lipstick" in output.getvalue()
