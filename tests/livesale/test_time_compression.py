"""Compressed time: durations parse, convert both ways, and reach the services compressed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tools.livesale.__main__ import stack_environment
from tools.livesale.scenario import Policy, load_scenario
from tools.livesale.staging import sale_policy
from tools.livesale.timescale import TimeScale, format_clock, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90.0),
        ("20m", 1200.0),
        ("2h", 7200.0),
        ("1h30m", 5400.0),
        ("7d", 604800.0),
        ("250ms", 0.25),
        (45, 45.0),
        (1.5, 1.5),
    ],
)
def test_durations_parse(text: str | float, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "soon", "20", "m20", "1x", "-5m", -3, True])
def test_other_durations_are_refused(text: str | float) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_two_hours_at_factor_60_last_two_minutes() -> None:
    scale = TimeScale(60)
    assert scale.to_real(2 * 3600) == 120
    assert scale.to_session(120) == 7200
    # 30 buyers per session minute arrive at 30 per real second.
    assert scale.rate_to_real(30) == 30


@given(
    factor=st.floats(min_value=1, max_value=10_000),
    seconds=st.floats(min_value=0, max_value=10 * 86400),
)
def test_real_and_session_time_convert_back(factor: float, seconds: float) -> None:
    scale = TimeScale(factor)
    assert scale.to_session(scale.to_real(seconds)) == pytest.approx(seconds, rel=1e-9, abs=1e-9)
    assert scale.to_real(seconds) <= seconds


@given(
    factor=st.floats(min_value=1, max_value=10_000),
    ttl=st.floats(min_value=1, max_value=86400),
)
def test_the_sweeper_looks_often_enough_but_not_too_often(factor: float, ttl: float) -> None:
    interval = TimeScale(factor).sweep_interval(ttl)
    assert 0.02 <= interval <= 0.5
    assert interval <= max(0.02, TimeScale(factor).to_real(ttl) / 50)


def test_a_factor_must_be_positive() -> None:
    with pytest.raises(ValueError):
        TimeScale(0)


def test_the_session_clock_reads_hours_minutes_seconds() -> None:
    assert format_clock(3725.9) == "1:02:05"


def _policy(**changes: object) -> Policy:
    values: dict[str, object] = {
        "lock_stage": "CART",
        "sale_mode": "FLASH_SALE",
        "hold_ttl": 1200.0,
        "per_user_limit": 2,
        "max_per_order": 0,
        "refresh_ttl_on_restock": True,
        "expiring_soon_lead": 300.0,
        "risk_mode": "ENFORCE",
        "risk_fail_mode": "OPEN",
        "balance_due_after": 0.0,
    }
    values.update(changes)
    return Policy(**values)  # type: ignore[arg-type]


def test_inventory_receives_the_hold_ttl_and_expiring_lead_compressed() -> None:
    message = sale_policy(_policy(), TimeScale(60))
    assert message.hold_ttl.ToMilliseconds() == 20_000  # 20 min of session = 20 s
    assert message.expiring_soon_lead.ToMilliseconds() == 5_000
    assert message.per_user_limit == 2 and message.refresh_ttl_on_restock


def test_a_presale_balance_falls_due_after_the_compressed_delay() -> None:
    before = time.time()
    message = sale_policy(
        _policy(sale_mode="PRESALE", lock_stage="ORDER", hold_ttl=0.0, balance_due_after=4500.0),
        TimeScale(60),
    )
    due = message.presale_balance_due_time.ToNanoseconds() / 1e9
    assert before + 75 <= due <= time.time() + 75
    assert not message.HasField("hold_ttl")


def test_the_stack_sweeps_and_rebalances_at_the_sessions_pace() -> None:
    scenario = load_scenario(Path("scenarios/flash-sale.yaml"))  # 20-minute holds, x60
    environment = stack_environment(scenario, {"HOME": "/home/dev"})
    assert float(environment["STREAMSTOCK_SWEEP_INTERVAL_SECONDS"]) == pytest.approx(0.4)
    assert float(environment["STREAMSTOCK_SYNC_REBALANCE_INTERVAL_SECONDS"]) == pytest.approx(1.0)
    assert environment["HOME"] == "/home/dev"


def test_a_developers_own_settings_win() -> None:
    scenario = load_scenario(Path("scenarios/flash-sale.yaml"))
    environment = stack_environment(scenario, {"STREAMSTOCK_SWEEP_INTERVAL_SECONDS": "2"})
    assert environment["STREAMSTOCK_SWEEP_INTERVAL_SECONDS"] == "2"
