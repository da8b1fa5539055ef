"""Forecast maths against hand-computed cases, and monotonicity properties (hypothesis)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.alerting.domain.forecast import (
    BurnRate,
    Sample,
    consumption_curve,
    expected_consumed,
    minutes_to_sell_out,
    projected_consumed_at_end,
    projected_sell_out,
    restock_order_by,
    restock_units_needed,
)
from services.alerting.domain.moments import shifted

T0 = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)
END = T0 + timedelta(hours=2)


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def test_burn_rate_of_a_steady_stream_by_hand() -> None:
    # 10 units every minute, window 5 min: r_n = r_(n-1) * e^-0.2 + 10/5, whose fixed point is
    # 2 / (1 - e^-0.2) = 11.03 just after each arrival (10/min averaged over the minute). After
    # 60 minutes the remaining gap is e^-12 of it.
    rate = BurnRate(0.0, T0)
    for minute in range(1, 61):
        rate = rate.observe(minutes(minute), 10)
    fixed_point = 2 / (1 - math.exp(-0.2))
    assert rate.units_per_minute == pytest.approx(fixed_point * (1 - math.exp(-12)))
    # Averaged over the minute after an arrival the rate is the stream's 10 per minute.
    average = fixed_point * 5 * (1 - math.exp(-0.2))
    assert average == pytest.approx(10.0)


def test_burn_rate_by_hand() -> None:
    # 30 units at once: rate = 30 / 5 = 6/min. Five minutes later: 6 * e^-1 = 2.2073.
    rate = BurnRate(0.0, T0).observe(T0, 30)
    assert rate.units_per_minute == pytest.approx(6.0)
    assert rate.at(minutes(5)) == pytest.approx(6 * math.exp(-1))
    # Returned holds lower the rate but never below zero.
    assert rate.observe(minutes(1), -100).units_per_minute == 0.0


def test_sell_out_restock_and_order_by_by_hand() -> None:
    # 60 sellable at 2/min: sold out in 30 min, at 20:30 (the session ends at 22:00).
    assert projected_sell_out(T0, 60, 2.0, END) == minutes(30)
    assert projected_sell_out(T0, 300, 2.0, END) is None  # lasts past the end (150 min)
    assert projected_sell_out(T0, 0, 2.0, END) == T0
    assert projected_sell_out(T0, 10, 0.0, END) is None
    # Demand to the end: 2/min * 120 min * 1.2 buffer = 288; minus 60 sellable -> 228.
    assert restock_units_needed(60, 2.0, T0, END, 1.2) == 228
    assert restock_units_needed(400, 2.0, T0, END, 1.2) == 0
    # Order by: sell-out (20:30) minus a 20-minute lead time = 20:10.
    assert restock_order_by(T0, 60, 2.0, timedelta(minutes=20), 228) == minutes(10)
    assert restock_order_by(T0, 60, 2.0, timedelta(minutes=20), 0) is None
    # Projected consumption at the end: 40 consumed + 2/min * 120 = 280.
    assert projected_consumed_at_end(40, 2.0, T0, END) == 280


def test_expected_curve_by_hand() -> None:
    assert expected_consumed(120, T0, END, minutes(30)) == 30
    assert expected_consumed(120, T0, END, END + timedelta(hours=1)) == 120
    samples = [Sample(minutes(1), 5, 95), Sample(minutes(25), 40, 60)]
    points = consumption_curve(120, T0, END, timedelta(minutes=30), samples, minutes(40), 50, 1.0)
    assert [
        (p.expected_consumed_units, p.actual_consumed_units, p.projected_consumed_units)
        for p in points
    ] == [
        (0, 0, None),
        (30, 40, None),
        (60, None, 70),
        (90, None, 100),
        (120, None, 130),
    ]


rates = st.floats(min_value=0.0, max_value=1000.0, allow_nan=False)
stock = st.integers(min_value=0, max_value=100_000)
spans = st.floats(min_value=0.0, max_value=600.0, allow_nan=False)


@given(rate=rates, more=rates, sellable=stock, left=spans)
def test_restock_grows_with_burn_rate_and_shrinks_with_stock(
    rate: float, more: float, sellable: int, left: float
) -> None:
    end = T0 + timedelta(minutes=left)
    assert restock_units_needed(sellable, rate, T0, end, 1.2) <= restock_units_needed(
        sellable, rate + more, T0, end, 1.2
    )
    assert restock_units_needed(sellable + 10, rate, T0, end, 1.2) <= restock_units_needed(
        sellable, rate, T0, end, 1.2
    )
    assert restock_units_needed(sellable, rate, T0, end, 1.2) >= 0


@given(rate=st.floats(min_value=0.01, max_value=1000.0), faster=rates, sellable=stock, extra=stock)
def test_sell_out_comes_earlier_when_faster_and_later_with_more_stock(
    rate: float, faster: float, sellable: int, extra: int
) -> None:
    far = T0 + timedelta(days=50_000)  # beyond 200,000 units at 0.01 per minute
    base = projected_sell_out(T0, sellable, rate, far)
    quicker = projected_sell_out(T0, sellable, rate + faster, far)
    stocked = projected_sell_out(T0, sellable + extra, rate, far)
    assert base is not None and quicker is not None and stocked is not None
    assert quicker <= base <= stocked


@given(
    deltas=st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=30),
    bump=st.integers(1, 500),
    gap=st.floats(0.01, 30),
)
def test_more_consumption_never_lowers_the_burn_rate(
    deltas: list[int], bump: int, gap: float
) -> None:
    def run(extra: int) -> float:
        rate = BurnRate(0.0, T0)
        for i, delta in enumerate(deltas):
            rate = rate.observe(
                T0 + timedelta(minutes=gap * (i + 1)),
                delta + (extra if i == len(deltas) - 1 else 0),
            )
        return rate.units_per_minute

    assert run(bump) >= run(0)


@given(
    delta=st.integers(min_value=1, max_value=1000),
    earlier=st.floats(0.01, 60),
    later=st.floats(0.01, 60),
)
def test_burn_rate_decays_monotonically_without_consumption(
    delta: int, earlier: float, later: float
) -> None:
    rate = BurnRate(0.0, T0).observe(T0, delta)
    first, second = sorted((earlier, later))
    assert rate.at(minutes(first)) >= rate.at(minutes(second))


# --- quiet spells: rates decaying towards zero never overflow a projection ------------------------

_RATES = st.one_of(
    st.floats(min_value=0.0, max_value=1e-6, allow_subnormal=True),
    st.floats(min_value=0.0, max_value=1e6),
)


@given(
    sellable=st.integers(min_value=-10, max_value=10**12),
    rate=_RATES,
    now_minutes=st.floats(min_value=-1e6, max_value=1e6),
    session_minutes=st.floats(min_value=0.0, max_value=60 * 24 * 31),
)
def test_projected_sell_out_never_overflows_and_stays_within_the_session(
    sellable: int, rate: float, now_minutes: float, session_minutes: float
) -> None:
    now = minutes(now_minutes)
    end = now + timedelta(minutes=session_minutes)
    sell_out = projected_sell_out(now, sellable, rate, end)
    assert sell_out is None or now <= sell_out <= max(now, end)


@given(
    burst=st.integers(min_value=1, max_value=10**6),
    quiet_minutes=st.floats(min_value=0.0, max_value=60 * 24 * 365),
    sellable=st.integers(min_value=1, max_value=10**9),
    lead_days=st.integers(min_value=0, max_value=999_999_999),
)
def test_a_decayed_burst_projects_and_orders_without_overflow(
    burst: int, quiet_minutes: float, sellable: int, lead_days: int
) -> None:
    # A burst, then a long quiet spell: the rate decays towards zero (or exactly zero).
    rate = BurnRate(0.0, T0).observe(T0, burst).at(T0 + timedelta(minutes=quiet_minutes))
    now = T0 + timedelta(minutes=quiet_minutes)
    end = now + timedelta(hours=3)
    sell_out = projected_sell_out(now, sellable, rate, end)
    assert sell_out is None or now <= sell_out < end
    order_by = restock_order_by(now, sellable, rate, timedelta(days=lead_days), 1)
    assert order_by is not None and order_by <= shifted(now, minutes_to_sell_out(sellable, rate))


def test_a_rate_decayed_ninety_minutes_projects_no_sell_out_by_hand() -> None:
    # 85 units in 5 minutes, then 90 quiet minutes: rate ~ 17 * e^-18 ~ 2.6e-7 per minute, so 9,915
    # units would last ~3.8e10 minutes (72,000 years): beyond the session, so no sell-out.
    rate = BurnRate(0.0, T0)
    for minute in range(1, 6):
        rate = rate.observe(minutes(minute), 17)
    later = rate.at(minutes(95))
    assert 1e-7 < later < 1e-6
    assert projected_sell_out(minutes(95), 9_915, later, END) is None
    # Order-by of an eight-year lead time before the projected sell-out, clamped, not raised.
    order_by = restock_order_by(minutes(95), 9_915, later, timedelta(days=3000), 1)
    assert order_by == datetime.max.replace(tzinfo=UTC)
